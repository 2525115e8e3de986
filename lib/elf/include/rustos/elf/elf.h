// ELF64 (x86_64) parsing for executables: validation of the header and
// program headers against the file size, and the facts a loader needs.
// Everything is bounds-checked: a truncated or malformed file yields an
// Error naming the problem, never an out-of-range read.
#pragma once

#include <rustos/base/error.h>
#include <rustos/base/span.h>
#include <rustos/base/string_view.h>

namespace rustos::elf {

enum : uint16_t { ET_NONE = 0, ET_REL = 1, ET_EXEC = 2, ET_DYN = 3 };
enum : uint16_t { EM_X86_64 = 62 };
enum : uint32_t {
    PT_NULL = 0,
    PT_LOAD = 1,
    PT_DYNAMIC = 2,
    PT_INTERP = 3,
    PT_NOTE = 4,
    PT_PHDR = 6,
    PT_TLS = 7,
    PT_GNU_STACK = 0x6474e551,
};
enum : uint32_t { PF_X = 1, PF_W = 2, PF_R = 4 };

struct [[gnu::packed]] Ehdr {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff, shoff;
    uint32_t flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
static_assert(sizeof(Ehdr) == 64);

struct [[gnu::packed]] Phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz, align;
};
static_assert(sizeof(Phdr) == 56);

struct LoadSegment {
    uint64_t vaddr, memsz;   // virtual range (before the load bias)
    uint64_t offset, filesz; // file range, inside the file
    uint32_t flags;          // PF_*
};

inline constexpr size_t kMaxLoadSegments = 16;
inline constexpr size_t kMaxInterpLength = 255;

struct Image {
    uint16_t type = ET_NONE; // ET_EXEC or ET_DYN
    uint64_t entry = 0;      // before the load bias
    uint64_t phdr_vaddr = 0; // where the program headers are mapped (AT_PHDR - bias)
    uint16_t phentsize = 0, phnum = 0;
    LoadSegment loads[kMaxLoadSegments];
    size_t load_count = 0;
    uint64_t min_vaddr = 0, max_vaddr = 0; // page-aligned span of all PT_LOADs
    bool has_interp = false;
    StringView interp; // PT_INTERP path (points into the file), without its NUL
    bool has_tls = false;
    bool executable_stack = false;
};

// Validates an x86_64 ELF64 executable (ET_EXEC or ET_DYN) and describes
// it. Segments must lie inside the file, not overlap each other, keep
// vaddr ≡ offset (mod page), and stay in the lower half.
ErrorOr<Image> parse_executable(ReadonlyBytes file);

} // namespace rustos::elf
