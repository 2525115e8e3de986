// Kernel page tables: a direct map of physical memory at kDirectMapBase,
// the kernel image at -2 GiB, and the shared upper half of every user
// address space.
#include "arch/x86_64/cpu.h"
#include "boot/boot_info.h"
#include "log.h"
#include "memory.h"
#include "panic.h"

namespace kernel::mm {

namespace {

uint64_t g_kernel_pml4;

uint64_t* table(uint64_t phys) { return static_cast<uint64_t*>(phys_to_virt(phys)); }

uint64_t must_zeroed_frame() {
    auto frame = alloc_zeroed_frame();
    if (frame.is_error())
        panic("out of memory while building kernel page tables");
    return frame.value();
}

// Returns the next-level table of `entry`, creating it when `create`.
ErrorOr<uint64_t*> next_level(uint64_t* entry, bool create, uint64_t flags) {
    if (!(*entry & PTE_PRESENT)) {
        if (!create)
            return rustos::Error(EFAULT, "not mapped");
        uint64_t phys = TRY(alloc_zeroed_frame());
        *entry = phys | PTE_PRESENT | PTE_WRITABLE | (flags & PTE_USER);
    } else if (*entry & PTE_HUGE) {
        return rustos::Error(EINVAL, "huge page in the way");
    } else if ((flags & PTE_USER) && !(*entry & PTE_USER)) {
        *entry |= PTE_USER;
    }
    return table(*entry & kPteAddrMask);
}

unsigned index(uint64_t va, int level) { return (va >> (12 + 9 * level)) & 511; }

} // namespace

uint64_t kernel_pml4() { return g_kernel_pml4; }

void init_paging(const BootInfo& info) {
    // The bootstrap map only covers 1 GiB; every frame allocated here is
    // below that because the allocator hands out the lowest frames first.
    g_kernel_pml4 = must_zeroed_frame();
    uint64_t* pml4 = table(g_kernel_pml4);

    uint64_t top = 4ull << 30; // always cover the 32-bit MMIO hole (LAPIC, IOAPIC, framebuffer)
    for (size_t i = 0; i < info.memory_count; ++i) {
        uint64_t end = info.memory[i].base + info.memory[i].length;
        if (info.memory[i].type == 1 && end > top)
            top = end;
    }
    top = (top + (1ull << 30) - 1) & ~((1ull << 30) - 1);

    // Pre-create every upper-half PDPT so user PML4s can share them.
    for (unsigned i = 256; i < 512; ++i)
        pml4[i] = must_zeroed_frame() | PTE_PRESENT | PTE_WRITABLE;

    for (uint64_t phys = 0; phys < top; phys += 2ull << 20) {
        uint64_t va = kDirectMapBase + phys;
        uint64_t* pdpt = table(pml4[index(va, 3)] & kPteAddrMask);
        uint64_t& pdpte = pdpt[index(va, 2)];
        if (!(pdpte & PTE_PRESENT))
            pdpte = must_zeroed_frame() | PTE_PRESENT | PTE_WRITABLE;
        uint64_t flags = PTE_PRESENT | PTE_WRITABLE | PTE_HUGE | PTE_GLOBAL | PTE_NX;
        if (phys >= (3ull << 30) && phys < (4ull << 30))
            flags |= PTE_PCD | PTE_PWT; // MMIO hole: uncached
        table(pdpte & kPteAddrMask)[index(va, 1)] = phys | flags;
    }

    // Kernel image: -2 GiB → physical 0, 1 GiB of 2 MiB pages.
    uint64_t* pdpt_high = table(pml4[511] & kPteAddrMask);
    uint64_t pd = must_zeroed_frame();
    pdpt_high[510] = pd | PTE_PRESENT | PTE_WRITABLE;
    for (unsigned i = 0; i < 512; ++i)
        table(pd)[i] = (uint64_t(i) << 21) | PTE_PRESENT | PTE_WRITABLE | PTE_HUGE | PTE_GLOBAL;

    arch::write_cr4(arch::read_cr4() | (1u << 7)); // PGE
    arch::write_cr3(g_kernel_pml4);
    LOG_INFO("mm", "paging: direct map of %lu GiB at 0x%lx, kernel at 0x%lx", top >> 30,
             kDirectMapBase, kKernelBase);
}

ErrorOr<uint64_t> create_user_pml4() {
    uint64_t phys = TRY(alloc_zeroed_frame());
    uint64_t* dst = table(phys);
    uint64_t* src = table(g_kernel_pml4);
    for (unsigned i = 256; i < 512; ++i)
        dst[i] = src[i];
    return phys;
}

ErrorOr<void> map_page(uint64_t pml4, uint64_t va, uint64_t pa, uint64_t flags) {
    uint64_t* t = table(pml4);
    for (int level = 3; level > 0; --level)
        t = TRY(next_level(&t[index(va, level)], true, flags));
    t[index(va, 0)] = (pa & kPteAddrMask) | flags | PTE_PRESENT;
    arch::invlpg(va);
    return {};
}

uint64_t* find_pte(uint64_t pml4, uint64_t va) {
    uint64_t* t = table(pml4);
    for (int level = 3; level > 0; --level) {
        uint64_t e = t[index(va, level)];
        if (!(e & PTE_PRESENT) || (e & PTE_HUGE))
            return nullptr;
        t = table(e & kPteAddrMask);
    }
    return &t[index(va, 0)];
}

uint64_t count_entries(uint64_t pml4, uint64_t start, uint64_t end, uint64_t mask) {
    uint64_t n = 0;
    for (uint64_t va = start; va < end;) {
        uint64_t* t = table(pml4);
        int level = 3;
        for (; level > 0; --level) {
            uint64_t e = t[index(va, level)];
            if (!(e & PTE_PRESENT) || (e & PTE_HUGE))
                break;
            t = table(e & kPteAddrMask);
        }
        // One entry at `level` covers `span` bytes; at level 0 `t` is the
        // leaf table, which covers one span of level 1.
        uint64_t span = uint64_t(1) << (12 + 9 * (level ? level : 1));
        uint64_t stop = (va & ~(span - 1)) + span;
        if (level == 0)
            for (uint64_t v = va; v < stop && v < end; v += kPageSize)
                n += (t[index(v, 0)] & mask) ? 1 : 0;
        va = stop;
    }
    return n;
}

void destroy_user_pml4(uint64_t pml4) {
    uint64_t* l4 = table(pml4);
    for (unsigned i4 = 0; i4 < 256; ++i4) {
        if (!(l4[i4] & PTE_PRESENT))
            continue;
        uint64_t* l3 = table(l4[i4] & kPteAddrMask);
        for (unsigned i3 = 0; i3 < 512; ++i3) {
            if (!(l3[i3] & PTE_PRESENT))
                continue;
            uint64_t* l2 = table(l3[i3] & kPteAddrMask);
            for (unsigned i2 = 0; i2 < 512; ++i2) {
                if (!(l2[i2] & PTE_PRESENT))
                    continue;
                uint64_t* l1 = table(l2[i2] & kPteAddrMask);
                for (unsigned i1 = 0; i1 < 512; ++i1)
                    if ((l1[i1] & (PTE_PRESENT | PTE_SW_PROTNONE)) && !(l1[i1] & PTE_SW_NOFREE))
                        frame_unref(l1[i1] & kPteAddrMask);
                free_frames(l2[i2] & kPteAddrMask);
            }
            free_frames(l3[i3] & kPteAddrMask);
        }
        free_frames(l4[i4] & kPteAddrMask);
    }
    free_frames(pml4);
}

} // namespace kernel::mm
