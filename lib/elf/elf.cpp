#include <rustos/elf/elf.h>

namespace rustos::elf {

namespace {

constexpr uint64_t kPage = 4096;
constexpr uint64_t kUserTop = 0x0000800000000000ull;

Error bad(const char* reason) { return Error(ENOEXEC, reason); }

template <typename T>
T read_at(ReadonlyBytes file, uint64_t offset) {
    T v;
    __builtin_memcpy(&v, file.data() + offset, sizeof v);
    return v;
}

} // namespace

ErrorOr<Image> parse_executable(ReadonlyBytes file) {
    if (file.size() < sizeof(Ehdr))
        return bad("ELF: file shorter than the ELF header");
    auto eh = read_at<Ehdr>(file, 0);
    if (eh.ident[0] != 0x7f || eh.ident[1] != 'E' || eh.ident[2] != 'L' || eh.ident[3] != 'F')
        return bad("ELF: bad magic (not an ELF file)");
    if (eh.ident[4] != 2)
        return bad("ELF: not a 64-bit object (EI_CLASS)");
    if (eh.ident[5] != 1)
        return bad("ELF: not little-endian (EI_DATA)");
    if (eh.ident[6] != 1 || eh.version != 1)
        return bad("ELF: unknown ELF version");
    if (eh.machine != EM_X86_64)
        return bad("ELF: not an x86_64 object (e_machine)");
    if (eh.type != ET_EXEC && eh.type != ET_DYN)
        return bad("ELF: not an executable (e_type is neither ET_EXEC nor ET_DYN)");
    if (eh.phentsize != sizeof(Phdr))
        return bad("ELF: unexpected program header size");
    if (eh.phnum == 0 || eh.phnum > 128)
        return bad("ELF: program header count is 0 or implausible");
    if (!file.contains_range(eh.phoff, uint64_t(eh.phnum) * sizeof(Phdr)))
        return bad("ELF: program headers run past the end of the file");

    Image img;
    img.type = eh.type;
    img.entry = eh.entry;
    img.phentsize = eh.phentsize;
    img.phnum = eh.phnum;
    bool have_phdr = false;
    for (uint16_t i = 0; i < eh.phnum; ++i) {
        auto ph = read_at<Phdr>(file, eh.phoff + uint64_t(i) * sizeof(Phdr));
        switch (ph.type) {
        case PT_LOAD: {
            if (ph.memsz == 0)
                break;
            if (img.load_count == kMaxLoadSegments)
                return bad("ELF: too many PT_LOAD segments");
            if (ph.filesz > ph.memsz)
                return bad("ELF: PT_LOAD filesz larger than memsz");
            if (!file.contains_range(ph.offset, ph.filesz))
                return bad("ELF: PT_LOAD segment runs past the end of the file");
            uint64_t end;
            if (!checked_add(ph.vaddr, ph.memsz, &end) || end > kUserTop)
                return bad("ELF: PT_LOAD segment outside the user address range");
            if ((ph.vaddr % kPage) != (ph.offset % kPage))
                return bad("ELF: PT_LOAD vaddr and offset disagree modulo the page size");
            if (img.load_count && ph.vaddr < img.loads[img.load_count - 1].vaddr +
                                                 img.loads[img.load_count - 1].memsz)
                return bad("ELF: PT_LOAD segments overlap or are not sorted by address");
            img.loads[img.load_count++] = {ph.vaddr, ph.memsz, ph.offset, ph.filesz, ph.flags};
            break;
        }
        case PT_INTERP: {
            if (img.has_interp)
                return bad("ELF: more than one PT_INTERP");
            if (ph.filesz < 2 || ph.filesz > kMaxInterpLength + 1 ||
                !file.contains_range(ph.offset, ph.filesz))
                return bad("ELF: PT_INTERP path missing, too long or outside the file");
            const char* s = reinterpret_cast<const char*>(file.data() + ph.offset);
            if (s[ph.filesz - 1] != 0)
                return bad("ELF: PT_INTERP path is not NUL-terminated");
            img.has_interp = true;
            img.interp = StringView(s, StringView::cstr_length(s));
            break;
        }
        case PT_PHDR:
            img.phdr_vaddr = ph.vaddr;
            have_phdr = true;
            break;
        case PT_TLS:
            img.has_tls = true;
            break;
        case PT_GNU_STACK:
            img.executable_stack = ph.flags & PF_X;
            break;
        default:
            break;
        }
    }
    if (img.load_count == 0)
        return bad("ELF: no PT_LOAD segment");
    img.min_vaddr = align_down(img.loads[0].vaddr, kPage);
    const LoadSegment& last = img.loads[img.load_count - 1];
    img.max_vaddr = align_up(last.vaddr + last.memsz, kPage);

    bool entry_ok = false;
    for (size_t i = 0; i < img.load_count; ++i)
        if (eh.entry >= img.loads[i].vaddr && eh.entry < img.loads[i].vaddr + img.loads[i].memsz &&
            (img.loads[i].flags & PF_X))
            entry_ok = true;
    if (!entry_ok)
        return bad("ELF: entry point is not inside an executable PT_LOAD segment");

    if (!have_phdr) {
        // No PT_PHDR (common for static programs): the headers are mapped
        // where the PT_LOAD covering e_phoff puts them.
        for (size_t i = 0; i < img.load_count; ++i) {
            const LoadSegment& s = img.loads[i];
            if (eh.phoff >= s.offset &&
                eh.phoff + uint64_t(eh.phnum) * sizeof(Phdr) <= s.offset + s.filesz) {
                img.phdr_vaddr = s.vaddr + (eh.phoff - s.offset);
                have_phdr = true;
                break;
            }
        }
    }
    if (!have_phdr)
        return bad("ELF: program headers are not inside any PT_LOAD segment");
    return img;
}

} // namespace rustos::elf
