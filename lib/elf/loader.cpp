#include <rustos/abi/initial_stack.h>
#include <rustos/elf/loader.h>

namespace rustos::elf {

namespace {

uint32_t prot_of(uint32_t flags) {
    return ((flags & PF_R) ? uint32_t(PROT_READ) : 0u) |
           ((flags & PF_W) ? uint32_t(PROT_WRITE) : 0u) |
           ((flags & PF_X) ? uint32_t(PROT_EXEC) : 0u);
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
