// Physical memory, kernel page tables and the kernel heap.
#pragma once

#include <rustos/base/error.h>
#include <stddef.h>
#include <stdint.h>

namespace kernel {
struct BootInfo;
}

namespace kernel::mm {

using rustos::ErrorOr;

inline constexpr uint64_t kPageSize = 4096;
inline constexpr uint64_t kDirectMapBase = 0xffff800000000000ull;
inline constexpr uint64_t kKernelBase = 0xffffffff80000000ull;
inline constexpr uint64_t kUserTop = 0x0000800000000000ull;

inline void* phys_to_virt(uint64_t phys) { return reinterpret_cast<void*>(phys + kDirectMapBase); }
inline uint64_t virt_to_phys(const void* v) {
    auto a = reinterpret_cast<uint64_t>(v);
    return a >= kKernelBase ? a - kKernelBase : a - kDirectMapBase;
}

// --- physical frames (pmm.cpp) ---
void init_physical(const BootInfo& info);
ErrorOr<uint64_t> alloc_frame();              // contents undefined
ErrorOr<uint64_t> alloc_zeroed_frame();       // zero-filled
ErrorOr<uint64_t> alloc_frames(size_t count); // physically contiguous
void free_frames(uint64_t phys, size_t count = 1);
// User frames are reference counted: a frame mapped into several address
// spaces (copy-on-write after fork, MAP_SHARED) is freed by its last unref.
// alloc_frame() hands out a frame with one reference.
void frame_ref(uint64_t phys);
void frame_unref(uint64_t phys);
uint32_t frame_refs(uint64_t phys);
struct PhysStats {
    uint64_t total_bytes, usable_bytes, free_bytes;
};
PhysStats physical_stats();

// --- page tables (paging.cpp) ---
enum : uint64_t {
    PTE_PRESENT = 1ull << 0,
    PTE_WRITABLE = 1ull << 1,
    PTE_USER = 1ull << 2,
    PTE_PWT = 1ull << 3,
    PTE_PCD = 1ull << 4,
    PTE_HUGE = 1ull << 7,
    PTE_GLOBAL = 1ull << 8,
    // Software bit: a user page made inaccessible by mprotect(PROT_NONE);
    // the entry is not present but still owns its frame.
    PTE_SW_PROTNONE = 1ull << 9,
    // Software bit: a read-only entry that becomes a private writable copy
    // on the first write (fork).
    PTE_SW_COW = 1ull << 10,
    // Software bit: the frame is not owned by the address space (a mapping
    // of physical memory such as the boot bundle): never freed through it.
    PTE_SW_NOFREE = 1ull << 11,
    PTE_NX = 1ull << 63,
};
inline constexpr uint64_t kPteAddrMask = 0x000ffffffffff000ull;

// Builds the final kernel address space (direct map of all RAM and the
// low 4 GiB of MMIO, kernel image at -2 GiB) and switches to it.
void init_paging(const BootInfo& info);
uint64_t kernel_pml4();
// A fresh user PML4 sharing the kernel half.
ErrorOr<uint64_t> create_user_pml4();
// Maps one 4 KiB page, allocating intermediate tables.
ErrorOr<void> map_page(uint64_t pml4, uint64_t va, uint64_t pa, uint64_t flags);
// The leaf entry slot for `va` (present or not), or nullptr when its page
// tables do not exist.
uint64_t* find_pte(uint64_t pml4, uint64_t va);
// How many leaf entries in [start, end) (page aligned) have any bit of
// `mask` set. Skips whole tables that do not exist, so a large reserved but
// untouched range costs one look per missing table, not one walk per page.
uint64_t count_entries(uint64_t pml4, uint64_t start, uint64_t end, uint64_t mask);
// Frees every user page table page and every mapped frame of the lower half.
void destroy_user_pml4(uint64_t pml4);

// --- kernel heap (heap.cpp) ---
void* kmalloc(size_t size);
void* kzalloc(size_t size);
void kfree(void* p);
struct HeapStats {
    uint64_t bytes_in_use, allocations;
};
HeapStats heap_stats();

} // namespace kernel::mm
