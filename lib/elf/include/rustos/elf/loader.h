// Loading a validated ELF executable into an address space and building
// its initial stack, independent of *how* memory gets mapped: the kernel
// (which loads rootd) and the userspace loaders (rootd, loaderd, through
// the process broker) implement LoadTarget. Host tests use a fake target.
#pragma once

#include <rustos/abi/auxv.h>
#include <rustos/abi/native.h>
#include <rustos/base/error.h>
#include <rustos/base/span.h>
#include <rustos/base/string_view.h>
#include <rustos/elf/elf.h>

namespace rustos::elf {

inline constexpr uint64_t kPageSize = 4096;
inline constexpr uint64_t kStackTop = 0x00007ffffffff000ull;
inline constexpr uint64_t kStackSize = 8ull << 20;
// Bytes at the top of the stack the initial stack may use (argv, envp,
// auxv, strings). Linux allows more; E2BIG beyond this.
inline constexpr uint64_t kInitialStackBytes = 128 * 1024;
// Load base of position-independent main programs (ET_DYN).
inline constexpr uint64_t kPieBase = 0x0000555555554000ull;
// Load base of the program interpreter (ld-linux).
inline constexpr uint64_t kInterpBase = 0x00007ffff7fc0000ull;

// PROT_* bits (Linux values).
enum : uint32_t { PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4 };

class LoadTarget {
public:
    // Maps zero-filled memory [vaddr, vaddr+len) (page aligned).
    virtual ErrorOr<void> map(uint64_t vaddr, uint64_t len, uint32_t prot, abi::MapKind kind) = 0;
    // Copies bytes into mapped memory.
    virtual ErrorOr<void> write(uint64_t vaddr, const uint8_t* data, uint64_t len) = 0;
    // Maps [vaddr, vaddr+len) copy-on-write from the file being loaded, at
    // file offset `offset` (all page aligned), when the target can (a page
    // cache); false: it cannot, and the loader maps and copies instead.
    virtual ErrorOr<bool> map_file(uint64_t vaddr, uint64_t len, uint32_t prot, uint64_t offset) {
        (void)vaddr, (void)len, (void)prot, (void)offset;
        return false;
    }

protected:
    ~LoadTarget() = default;
};

struct LoadedImage {
    uint64_t bias = 0;  // added to every p_vaddr
    uint64_t entry = 0; // e_entry + bias
    uint64_t phdr = 0;  // AT_PHDR
    uint16_t phnum = 0, phent = 0;
    uint64_t end = 0; // page-aligned end of the highest segment (initial brk)
};

// Maps every PT_LOAD of `image` (parsed from `file`) at `bias`.
ErrorOr<LoadedImage> load_image(ReadonlyBytes file, const Image& image, uint64_t bias,
                                LoadTarget& target);

struct StackSpec {
    Span<const StringView> argv;
    Span<const StringView> envp;
    StringView execfn;
    const LoadedImage* program = nullptr;
    const LoadedImage* interpreter = nullptr; // AT_BASE; nullptr for static programs
    uint64_t hwcap = 0;
    const uint8_t* random16 = nullptr;
    uint32_t uid = 0, gid = 0;
};

// Maps the stack VMA, lays out argv/envp/auxv (using `scratch`, at least
// kInitialStackBytes) and writes it. Returns the initial rsp.
ErrorOr<uint64_t> setup_stack(const StackSpec& spec, LoadTarget& target, Bytes scratch);

} // namespace rustos::elf
