#include <rustos/abi/initial_stack.h>
#include <rustos/elf/loader.h>

namespace rustos::elf {

namespace {

uint32_t prot_of(uint32_t flags) {
    return ((flags & PF_R) ? uint32_t(PROT_READ) : 0u) |
           ((flags & PF_W) ? uint32_t(PROT_WRITE) : 0u) |
           ((flags & PF_X) ? uint32_t(PROT_EXEC) : 0u);
}

const uint8_t kZeros[kPageSize] = {};

// A segment's file pages mapped straight from the file (LoadTarget::
// map_file), then zeros for its .bss: what Linux's ELF loader does with the
// page cache. False when the target cannot or the segment's file offset
// and address disagree within a page.
ErrorOr<bool> map_from_file(ReadonlyBytes file, const LoadSegment& seg, uint64_t bias,
                            uint64_t mapped_end, LoadTarget& target) {
    uint64_t vaddr = bias + seg.vaddr;
    if (!seg.filesz || (vaddr - seg.offset) % kPageSize)
        return false;
    uint64_t start = align_down(vaddr, kPageSize);
    uint64_t file_end = align_up(vaddr + seg.filesz, kPageSize);
    uint64_t end = align_up(vaddr + seg.memsz, kPageSize);
    // A first page shared with the previous segment is already mapped.
    uint64_t from = max(start, mapped_end);
    if (from >= file_end)
        return false;
    uint32_t prot = prot_of(seg.flags) | PROT_READ;
    uint64_t offset = align_down(seg.offset, kPageSize) + (from - start);
    if (!TRY(target.map_file(from, file_end - from, prot, offset)))
        return false;
    if (from > vaddr) // this segment's bytes in the shared page
        TRY(target.write(vaddr, file.data() + seg.offset, min(seg.filesz, from - vaddr)));
    uint64_t data_end = vaddr + seg.filesz;
    if (seg.memsz > seg.filesz && file_end > data_end) // .bss in the last file page
        TRY(target.write(data_end, kZeros, file_end - data_end));
    if (end > file_end)
        TRY(target.map(file_end, end - file_end, prot, abi::MapKind::Image));
    return true;
}

} // namespace

ErrorOr<LoadedImage> load_image(ReadonlyBytes file, const Image& image, uint64_t bias,
                                LoadTarget& target) {
    LoadedImage out;
    out.bias = bias;
    out.entry = image.entry + bias;
    out.phdr = image.phdr_vaddr + bias;
    out.phnum = image.phnum;
    out.phent = image.phentsize;

    uint64_t mapped_end = 0;
    for (size_t i = 0; i < image.load_count; ++i) {
        const LoadSegment& seg = image.loads[i];
        uint64_t start = align_down(bias + seg.vaddr, kPageSize);
        uint64_t end = align_up(bias + seg.vaddr + seg.memsz, kPageSize);
        if (end <= start || end > 0x0000800000000000ull)
            return Error(ENOEXEC, "ELF: segment outside the user address range after relocation");
        if (TRY(map_from_file(file, seg, bias, mapped_end, target))) {
            mapped_end = max(mapped_end, end);
            continue;
        }
        // Two segments may share a page (the first one's tail); that page is
        // already mapped and keeps the first mapping's protection plus ours.
        if (start < mapped_end)
            start = mapped_end;
        if (start < end)
            TRY(target.map(start, end - start, prot_of(seg.flags) | PROT_READ,
                           abi::MapKind::Image));
        mapped_end = max(mapped_end, end);
        TRY(target.write(bias + seg.vaddr, file.data() + seg.offset, seg.filesz));
    }
    out.end = mapped_end;
    return out;
}

ErrorOr<uint64_t> setup_stack(const StackSpec& spec, LoadTarget& target, Bytes scratch) {
    if (scratch.size() < kInitialStackBytes || !spec.program || !spec.random16)
        return Error(EINVAL, "setup_stack: bad arguments");
    TRY(target.map(kStackTop - kStackSize, kStackSize, PROT_READ | PROT_WRITE,
                   abi::MapKind::Stack));

    using namespace rustos::abi;
    const LoadedImage& prog = *spec.program;
    const AuxEntry aux[] = {
        {AT_PHDR, prog.phdr},
        {AT_PHENT, prog.phent},
        {AT_PHNUM, prog.phnum},
        {AT_PAGESZ, kPageSize},
        {AT_BASE, spec.interpreter ? spec.interpreter->bias : 0},
        {AT_FLAGS, 0},
        {AT_ENTRY, prog.entry},
        {AT_UID, spec.uid},
        {AT_EUID, spec.uid},
        {AT_GID, spec.gid},
        {AT_EGID, spec.gid},
        {AT_HWCAP, spec.hwcap},
        {AT_CLKTCK, 100},
        {AT_SECURE, 0},
    };
    Bytes buffer = scratch.slice(0, kInitialStackBytes);
    for (auto& b : buffer)
        b = 0;
    InitialStackSpec stack{spec.argv, spec.envp,     spec.execfn,
                           "x86_64",  spec.random16, {aux, sizeof aux / sizeof aux[0]}};
    uint64_t rsp = TRY(build_initial_stack(buffer, kStackTop, stack));
    uint64_t from = align_down(rsp, kPageSize);
    uint64_t buffer_base = kStackTop - kInitialStackBytes;
    TRY(target.write(from, buffer.data() + (from - buffer_base), kStackTop - from));
    return rsp;
}

} // namespace rustos::elf
