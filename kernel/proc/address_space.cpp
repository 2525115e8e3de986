// User address spaces: VMAs describe what may be mapped; pages are
// populated on first touch (page fault or kernel access) from zeroed frames.
#include "arch/x86_64/cpu.h"
#include "log.h"
#include "mm/memory.h"
#include "process.h"
#include "sched/scheduler.h"

#include <rustos/base/utility.h>

namespace kernel::proc {

using rustos::Errno;
using rustos::Error;

namespace {

constexpr uint64_t kMmapTop = 0x00007f0000000000ull;
constexpr uint64_t kMmapBottom = 0x0000100000000000ull;

uint64_t pte_flags(uint32_t prot) {
    uint64_t f = mm::PTE_PRESENT | mm::PTE_USER;
    if (prot & PROT_WRITE)
        f |= mm::PTE_WRITABLE;
    if (!(prot & PROT_EXEC))
        f |= mm::PTE_NX;
    return f;
}

Vma* find_vma(Process& p, uint64_t addr) {
    for (auto& v : p.vmas) {
        if (addr < v.start)
            return nullptr;
        if (addr < v.end)
            return &v;
    }
    return nullptr;
}

ErrorOr<void> populate(Process& p, Vma& v, uint64_t page) {
    uint64_t* pte = mm::find_pte(p.pml4, page);
    if (pte && (*pte & mm::PTE_PRESENT))
        return {};
    if (pte && (*pte & mm::PTE_SW_PROTNONE)) {
        *pte = (*pte & mm::kPteAddrMask) | pte_flags(v.prot);
        arch::invlpg(page);
        return {};
    }
    uint64_t frame = TRY(mm::alloc_zeroed_frame());
    auto r = mm::map_page(p.pml4, page, frame, pte_flags(v.prot));
    if (r.is_error()) {
        mm::free_frames(frame);
        return r.error();
    }
    return {};
}

// Releases the frames of [start, end) and clears their entries.
void unmap_pages(Process& p, uint64_t start, uint64_t end) {
    for (uint64_t va = start; va < end; va += mm::kPageSize) {
        uint64_t* pte = mm::find_pte(p.pml4, va);
        if (!pte || !(*pte & (mm::PTE_PRESENT | mm::PTE_SW_PROTNONE)))
            continue;
        mm::free_frames(*pte & mm::kPteAddrMask);
        *pte = 0;
        arch::invlpg(va);
    }
}

// Ensures a VMA boundary at `addr` (splitting the VMA that straddles it).
ErrorOr<void> split_at(Process& p, uint64_t addr) {
    Vma* v = find_vma(p, addr);
    if (!v || v->start == addr)
        return {};
    auto* tail = new Vma{addr, v->end, v->prot, v->kind, {}};
    if (!tail)
        return Error(ENOMEM, "out of memory splitting a mapping");
    v->end = addr;
    if (Vma* next = p.vmas.next(*v))
        p.vmas.insert_before(*next, *tail);
    else
        p.vmas.push_back(*tail);
    return {};
}

// Highest gap of `len` bytes below kMmapTop.
uint64_t find_gap(Process& p, uint64_t len) {
    uint64_t candidate_end = kMmapTop;
    // Walk VMAs from the top; the list is sorted ascending, so collect in reverse.
    for (;;) {
        uint64_t start = candidate_end - len;
        if (start < kMmapBottom || start > candidate_end)
            return 0;
        Vma* clash = nullptr;
        for (auto& v : p.vmas)
            if (v.start < candidate_end && start < v.end)
                clash = &v; // keep the highest clash
        if (!clash)
            return start;
        candidate_end = clash->start;
    }
}

} // namespace

bool range_is_free(Process& p, uint64_t start, uint64_t end) {
    for (auto& v : p.vmas)
        if (v.start < end && start < v.end)
            return false;
    return true;
}

uint64_t resident_pages(Process& p) {
    uint64_t n = 0;
    for (auto& v : p.vmas) {
        for (uint64_t va = v.start; va < v.end; va += mm::kPageSize) {
            uint64_t* pte = mm::find_pte(p.pml4, va);
            if (pte && (*pte & (mm::PTE_PRESENT | mm::PTE_SW_PROTNONE)))
                ++n;
        }
    }
    return n;
}

ErrorOr<void> insert_vma(Process& p, uint64_t start, uint64_t end, uint32_t prot, VmaKind kind) {
    auto* v = new Vma{start, end, prot, kind, {}};
    if (!v)
        return Error(ENOMEM, "out of memory for a mapping");
    for (auto& existing : p.vmas) {
        if (existing.start >= end) {
            p.vmas.insert_before(existing, *v);
            return {};
        }
    }
    p.vmas.push_back(*v);
    return {};
}

void destroy_vmas(Process& p) {
    while (Vma* v = p.vmas.pop_front())
        delete v;
}

bool handle_user_page_fault(uint64_t addr, uint64_t error_code) {
    Process* p = current_process();
    if (!p || addr >= mm::kUserTop)
        return false;
    Vma* v = find_vma(*p, addr);
    if (!v)
        return false;
    bool write = error_code & 2, exec = error_code & 16;
    if ((write && !(v->prot & PROT_WRITE)) || (exec && !(v->prot & PROT_EXEC)) ||
        (!write && !exec && !(v->prot & (PROT_READ | PROT_WRITE | PROT_EXEC))))
        return false;
    if (error_code & 1)
        return false; // present page, permission violation
    return !populate(*p, *v, rustos::align_down(addr, mm::kPageSize)).is_error();
}

ErrorOr<void> prepare_user_range(Process& p, uint64_t addr, uint64_t len, bool write) {
    if (len == 0)
        return {};
    uint64_t end;
    if (!rustos::checked_add(addr, len, &end) || end > mm::kUserTop)
        return Error(EFAULT, "address outside user space");
    for (uint64_t page = rustos::align_down(addr, mm::kPageSize); page < end;
         page += mm::kPageSize) {
        Vma* v = find_vma(p, page);
        if (!v || !(v->prot & (write ? PROT_WRITE : PROT_READ)))
            return Error(EFAULT, "address not mapped with the needed access");
        TRY(populate(p, *v, page));
    }
    return {};
}

uint64_t user_to_phys(Process& p, uint64_t addr) {
    uint64_t* pte = mm::find_pte(p.pml4, addr);
    if (!pte || !(*pte & mm::PTE_PRESENT))
        return 0;
    return (*pte & mm::kPteAddrMask) | (addr & (mm::kPageSize - 1));
}

ErrorOr<uint64_t> map_anonymous(Process& p, uint64_t addr, uint64_t len, uint32_t prot, bool fixed,
                                bool noreplace) {
    if (len == 0)
        return Error(EINVAL, "zero length");
    len = rustos::align_up(len, mm::kPageSize);
    if (len == 0 || len > mm::kUserTop)
        return Error(ENOMEM, "length too large");
    uint64_t start;
    if (fixed || noreplace) {
        if (!rustos::is_aligned(addr, mm::kPageSize))
            return Error(EINVAL, "unaligned fixed address");
        if (addr + len > mm::kUserTop || addr + len < addr || addr < mm::kPageSize)
            return Error(ENOMEM, "fixed range outside user space");
        start = addr;
        if (!range_is_free(p, start, start + len)) {
            if (noreplace)
                return Error(EEXIST, "MAP_FIXED_NOREPLACE range in use");
            TRY(unmap(p, start, len));
        }
    } else {
        start = 0;
        if (addr && rustos::is_aligned(addr, mm::kPageSize) && addr + len <= mm::kUserTop &&
            addr + len > addr && range_is_free(p, addr, addr + len))
            start = addr;
        if (!start)
            start = find_gap(p, len);
        if (!start)
            return Error(ENOMEM, "no free address range");
    }
    TRY(insert_vma(p, start, start + len, prot, VmaKind::Anonymous));
    return start;
}

ErrorOr<void> unmap(Process& p, uint64_t addr, uint64_t len) {
    if (!rustos::is_aligned(addr, mm::kPageSize) || len == 0)
        return Error(EINVAL, "unaligned address or zero length");
    uint64_t end = rustos::align_up(addr + len, mm::kPageSize);
    if (end > mm::kUserTop || end < addr)
        return Error(EINVAL, "range outside user space");
    TRY(split_at(p, addr));
    TRY(split_at(p, end));
    Vma* v = p.vmas.front();
    while (v) {
        Vma* next = p.vmas.next(*v);
        if (v->start >= addr && v->end <= end) {
            unmap_pages(p, v->start, v->end);
            p.vmas.remove(*v);
            delete v;
        }
        v = next;
    }
    return {};
}

ErrorOr<void> protect(Process& p, uint64_t addr, uint64_t len, uint32_t prot) {
    if (!rustos::is_aligned(addr, mm::kPageSize))
        return Error(EINVAL, "unaligned address");
    if (prot & ~uint32_t(PROT_READ | PROT_WRITE | PROT_EXEC))
        return Error(EINVAL, "unknown protection bits");
    uint64_t end = rustos::align_up(addr + len, mm::kPageSize);
    if (end < addr || end > mm::kUserTop)
        return Error(ENOMEM, "range outside user space");
    // Every page must be mapped (Linux: ENOMEM otherwise).
    for (uint64_t a = addr; a < end;) {
        Vma* v = find_vma(p, a);
        if (!v)
            return Error(ENOMEM, "range not fully mapped");
        a = v->end;
    }
    TRY(split_at(p, addr));
    TRY(split_at(p, end));
    for (auto& v : p.vmas) {
        if (v.start < addr || v.end > end)
            continue;
        v.prot = prot;
        for (uint64_t va = v.start; va < v.end; va += mm::kPageSize) {
            uint64_t* pte = mm::find_pte(p.pml4, va);
            if (!pte || !(*pte & (mm::PTE_PRESENT | mm::PTE_SW_PROTNONE)))
                continue;
            uint64_t frame = *pte & mm::kPteAddrMask;
            *pte = prot ? (frame | pte_flags(prot)) : (frame | mm::PTE_SW_PROTNONE | mm::PTE_USER);
            arch::invlpg(va);
        }
    }
    return {};
}

uint64_t set_brk(Process& p, uint64_t new_brk) {
    constexpr uint64_t kMaxHeap = 1ull << 34; // 16 GiB of address space
    if (new_brk < p.brk_start || new_brk > p.brk_start + kMaxHeap)
        return p.brk_current;
    uint64_t old_end = rustos::align_up(p.brk_current, mm::kPageSize);
    uint64_t new_end = rustos::align_up(new_brk, mm::kPageSize);
    Vma* heap = nullptr;
    for (auto& v : p.vmas)
        if (v.kind == VmaKind::Heap)
            heap = &v;
    if (new_end > old_end) {
        if (!range_is_free(p, old_end, new_end))
            return p.brk_current;
        if (heap && heap->end == old_end)
            heap->end = new_end;
        else if (insert_vma(p, old_end, new_end, PROT_READ | PROT_WRITE, VmaKind::Heap).is_error())
            return p.brk_current;
    } else if (new_end < old_end && heap) {
        unmap_pages(p, new_end, old_end);
        heap->end = new_end;
        if (heap->end <= heap->start) {
            p.vmas.remove(*heap);
            delete heap;
        }
    }
    p.brk_current = new_brk;
    return new_brk;
}

} // namespace kernel::proc
