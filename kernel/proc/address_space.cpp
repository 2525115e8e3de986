#include "address_space.h"

#include "arch/x86_64/cpu.h"
#include "log.h"
#include "mm/memory.h"

#include <rustos/base/utility.h>

namespace kernel::proc {

using rustos::Errno;
using rustos::Error;

namespace {

constexpr uint64_t kMmapTop = 0x00007f0000000000ull;
constexpr uint64_t kMmapBottom = 0x0000100000000000ull;
constexpr uint64_t kPage = mm::kPageSize;

uint64_t pte_flags(uint32_t prot) {
    uint64_t f = mm::PTE_PRESENT | mm::PTE_USER;
    if (prot & PROT_WRITE)
        f |= mm::PTE_WRITABLE;
    if (!(prot & PROT_EXEC))
        f |= mm::PTE_NX;
    return f;
}

Vma* find_vma_mut(AddressSpace& as, uint64_t addr) {
    for (auto& v : as.vmas) {
        if (addr < v.start)
            return nullptr;
        if (addr < v.end)
            return &v;
    }
    return nullptr;
}

// The entry of a page that is mapped (present, PROT_NONE or COW), or nullptr.
uint64_t* mapped_pte(AddressSpace& as, uint64_t va) {
    uint64_t* pte = mm::find_pte(as.pml4, va);
    return pte && (*pte & (mm::PTE_PRESENT | mm::PTE_SW_PROTNONE)) ? pte : nullptr;
}

// Gives the page at `pte` a private writable frame (copy-on-write break).
ErrorOr<void> break_cow(uint64_t* pte, uint64_t va, const Vma& v) {
    uint64_t frame = *pte & mm::kPteAddrMask;
    if (mm::frame_refs(frame) > 1) {
        uint64_t copy = TRY(mm::alloc_frame());
        __builtin_memcpy(mm::phys_to_virt(copy), mm::phys_to_virt(frame), kPage);
        mm::frame_unref(frame);
        frame = copy;
    }
    *pte = frame | pte_flags(v.prot);
    arch::invlpg(va);
    return {};
}

// A fresh zero-filled frame of the address space's own at `page`.
ErrorOr<void> map_zero_page(AddressSpace& as, const Vma& v, uint64_t page) {
    uint64_t frame = TRY(mm::alloc_zeroed_frame());
    auto r = mm::map_page(as.pml4, page, frame, pte_flags(v.prot));
    if (r.is_error()) {
        mm::frame_unref(frame);
        return r.error();
    }
    return {};
}

ErrorOr<void> populate(AddressSpace& as, Vma& v, uint64_t page, bool write) {
    uint64_t* pte = mm::find_pte(as.pml4, page);
    if (pte && (*pte & mm::PTE_SW_COW)) {
        if (write || (v.prot & PROT_WRITE) == 0)
            return write ? break_cow(pte, page, v) : ErrorOr<void>();
        return {}; // read access to a COW page: fine as it is
    }
    if (pte && (*pte & mm::PTE_PRESENT))
        return {};
    if (pte && (*pte & mm::PTE_SW_PROTNONE)) {
        *pte = (*pte & (mm::kPteAddrMask | mm::PTE_SW_NOFREE)) | pte_flags(v.prot);
        arch::invlpg(page);
        return {};
    }
    if (v.kind == VmaKind::Physical) {
        uint64_t phys = v.phys_base + (page - v.start);
        return mm::map_page(as.pml4, page, phys, pte_flags(v.prot) | mm::PTE_SW_NOFREE);
    }
    if (v.kind == VmaKind::Object) {
        // ENXIO past the end of the object: SIGBUS for the faulting access
        // (or a private zero page, for a zero_past_end mapping).
        auto got = v.object->frame((page - v.start + v.object_offset) / kPage);
        if (got.is_error() && got.error().code() == ENXIO && v.zero_past_end)
            return map_zero_page(as, v, page);
        if (got.is_error())
            return got.error();
        uint64_t frame = got.value();
        uint64_t flags = pte_flags(v.prot);
        if (!v.shared) // private: the object's page until the first write
            flags = (flags & ~mm::PTE_WRITABLE) | mm::PTE_SW_COW;
        mm::frame_ref(frame);
        auto r = mm::map_page(as.pml4, page, frame, flags);
        if (r.is_error())
            mm::frame_unref(frame);
        if (!r.is_error() && write && !v.shared)
            return break_cow(mm::find_pte(as.pml4, page), page, v);
        return r;
    }
    return map_zero_page(as, v, page);
}

// Releases the frames of [start, end) and clears their entries.
void unmap_pages(AddressSpace& as, uint64_t start, uint64_t end) {
    for (uint64_t va = start; va < end; va += kPage) {
        uint64_t* pte = mapped_pte(as, va);
        if (!pte)
            continue;
        if (!(*pte & mm::PTE_SW_NOFREE))
            mm::frame_unref(*pte & mm::kPteAddrMask);
        *pte = 0;
        arch::invlpg(va);
    }
}

// Ensures a VMA boundary at `addr` (splitting the VMA that straddles it).
ErrorOr<void> split_at(AddressSpace& as, uint64_t addr) {
    Vma* v = find_vma_mut(as, addr);
    if (!v || v->start == addr)
        return {};
    uint64_t phys = v->kind == VmaKind::Physical ? v->phys_base + (addr - v->start) : 0;
    auto* tail = new Vma{addr, v->end, v->prot, v->kind, v->shared, phys, {}};
    if (!tail)
        return Error(ENOMEM, "out of memory splitting a mapping");
    if (v->object) {
        v->object->ref();
        tail->object = v->object;
        tail->object_offset = v->object_offset + (addr - v->start);
        tail->zero_past_end = v->zero_past_end;
    }
    v->end = addr;
    if (Vma* next = as.vmas.next(*v))
        as.vmas.insert_before(*next, *tail);
    else
        as.vmas.push_back(*tail);
    return {};
}

// Highest gap of `len` bytes below kMmapTop.
uint64_t find_gap(AddressSpace& as, uint64_t len) {
    uint64_t candidate_end = kMmapTop;
    for (;;) {
        uint64_t start = candidate_end - len;
        if (start < kMmapBottom || start > candidate_end)
            return 0;
        Vma* clash = nullptr;
        for (auto& v : as.vmas)
            if (v.start < candidate_end && start < v.end)
                clash = &v; // keep the highest clash
        if (!clash)
            return start;
        candidate_end = clash->start;
    }
}

void destroy_vmas(AddressSpace& as) {
    while (Vma* v = as.vmas.pop_front())
        delete v;
}

// Every address space, for drop_object_pages. Interrupts off around use.
IntrusiveList<AddressSpace, &AddressSpace::all_node> g_spaces;

} // namespace

ErrorOr<RefPtr<AddressSpace>> AddressSpace::create() {
    auto* as = new AddressSpace;
    if (!as)
        return Error(ENOMEM, "out of memory for an address space");
    auto ref = RefPtr<AddressSpace>::adopt(as);
    as->pml4 = TRY(mm::create_user_pml4());
    arch::InterruptGuard guard;
    g_spaces.push_back(*as);
    return ref;
}

AddressSpace::~AddressSpace() {
    {
        arch::InterruptGuard guard;
        if (all_node.linked())
            g_spaces.remove(*this);
    }
    if (arch::read_cr3() == pml4)
        arch::write_cr3(mm::kernel_pml4());
    destroy_vmas(*this);
    if (pml4)
        mm::destroy_user_pml4(pml4);
}

ErrorOr<RefPtr<AddressSpace>> AddressSpace::fork() {
    RefPtr<AddressSpace> child = TRY(create());
    child->brk_start = brk_start;
    child->brk_current = brk_current;
    for (auto& v : vmas) {
        TRY(insert_vma(*child, v.start, v.end, v.prot, v.kind, v.shared, v.phys_base, v.object,
                       v.object_offset));
        find_vma_mut(*child, v.start)->zero_past_end = v.zero_past_end;
        if (v.shared && v.kind != VmaKind::Object) { // an object's pages are shared by it
            // Both sides must see the same pages: materialise them first.
            for (uint64_t va = v.start; va < v.end; va += kPage)
                if (v.prot != 0)
                    TRY(populate(*this, v, va, false));
        }
        for (uint64_t va = v.start; va < v.end; va += kPage) {
            uint64_t* pte = mapped_pte(*this, va);
            if (!pte)
                continue;
            uint64_t entry = *pte;
            if (!v.shared && (entry & mm::PTE_WRITABLE)) {
                entry = (entry & ~mm::PTE_WRITABLE) | mm::PTE_SW_COW;
                *pte = entry;
                arch::invlpg(va);
            }
            uint64_t frame = entry & mm::kPteAddrMask;
            if (!(entry & mm::PTE_SW_NOFREE))
                mm::frame_ref(frame);
            uint64_t flags = entry & ~mm::kPteAddrMask;
            if (entry & mm::PTE_PRESENT) {
                TRY(mm::map_page(child->pml4, va, frame, flags));
            } else {
                // PROT_NONE keeps its frame in a not-present entry.
                TRY(mm::map_page(child->pml4, va, frame, flags));
                uint64_t* cpte = mm::find_pte(child->pml4, va);
                *cpte &= ~mm::PTE_PRESENT;
            }
        }
    }
    return child;
}

const Vma* find_vma(const AddressSpace& as, uint64_t addr) {
    return find_vma_mut(const_cast<AddressSpace&>(as), addr);
}

ErrorOr<void> insert_vma(AddressSpace& as, uint64_t start, uint64_t end, uint32_t prot,
                         VmaKind kind, bool shared, uint64_t phys_base, mm::MemoryObject* object,
                         uint64_t object_offset) {
    auto* v = new Vma{start, end, prot, kind, shared, phys_base, {}};
    if (!v)
        return Error(ENOMEM, "out of memory for a mapping");
    if (object) {
        object->ref();
        v->object = object;
        v->object_offset = object_offset;
    }
    for (auto& existing : as.vmas) {
        if (existing.start >= end) {
            as.vmas.insert_before(existing, *v);
            return {};
        }
    }
    as.vmas.push_back(*v);
    return {};
}

bool range_is_free(const AddressSpace& as, uint64_t start, uint64_t end) {
    for (auto& v : as.vmas)
        if (v.start < end && start < v.end)
            return false;
    return true;
}

uint64_t resident_pages(const AddressSpace& as) {
    // The same entries mapped_pte() accepts. A walk per page cost
    // milliseconds per process (megabytes of untouched stack reservations),
    // with interrupts off, on every PROCESS_INFO and PROCESS_LIST.
    uint64_t n = 0;
    for (auto& v : as.vmas)
        n += mm::count_entries(as.pml4, v.start, v.end, mm::PTE_PRESENT | mm::PTE_SW_PROTNONE);
    return n;
}

FaultResult handle_fault(AddressSpace& as, uint64_t addr, uint64_t error_code) {
    if (addr >= mm::kUserTop)
        return FaultResult::Segv;
    Vma* v = find_vma_mut(as, addr);
    if (!v)
        return FaultResult::Segv;
    bool write = error_code & 2, exec = error_code & 16, present = error_code & 1;
    if ((write && !(v->prot & PROT_WRITE)) || (exec && !(v->prot & PROT_EXEC)) ||
        (!write && !exec && !(v->prot & (PROT_READ | PROT_WRITE | PROT_EXEC))))
        return FaultResult::Segv;
    uint64_t page = rustos::align_down(addr, kPage);
    if (present) {
        // Only a write to a copy-on-write page is legal on a present page.
        uint64_t* pte = mm::find_pte(as.pml4, page);
        if (!write || !pte || !(*pte & mm::PTE_SW_COW))
            return FaultResult::Segv;
        return break_cow(pte, page, *v).is_error() ? FaultResult::Segv : FaultResult::Resolved;
    }
    auto r = populate(as, *v, page, write);
    if (!r.is_error())
        return FaultResult::Resolved;
    return r.error().code() == ENXIO ? FaultResult::Bus : FaultResult::Segv;
}

ErrorOr<void> prepare_range(AddressSpace& as, uint64_t addr, uint64_t len, bool write) {
    if (len == 0)
        return {};
    uint64_t end;
    if (!rustos::checked_add(addr, len, &end) || end > mm::kUserTop)
        return Error(EFAULT, "address outside user space");
    for (uint64_t page = rustos::align_down(addr, kPage); page < end; page += kPage) {
        Vma* v = find_vma_mut(as, page);
        if (!v || !(v->prot & (write ? PROT_WRITE : PROT_READ)))
            return Error(EFAULT, "address not mapped with the needed access");
        TRY(populate(as, *v, page, write));
    }
    return {};
}

uint64_t to_phys(AddressSpace& as, uint64_t addr) {
    uint64_t* pte = mm::find_pte(as.pml4, addr);
    if (!pte || !(*pte & mm::PTE_PRESENT))
        return 0;
    return (*pte & mm::kPteAddrMask) | (addr & (kPage - 1));
}

namespace {

// Where a new mapping of `len` bytes goes (mmap's placement rules); a
// MAP_FIXED range is cleared first.
ErrorOr<uint64_t> place_mapping(AddressSpace& as, uint64_t addr, uint64_t len, bool fixed,
                                bool noreplace) {
    uint64_t start;
    if (fixed || noreplace) {
        if (!rustos::is_aligned(addr, kPage))
            return Error(EINVAL, "unaligned fixed address");
        if (addr + len > mm::kUserTop || addr + len < addr || addr < kPage)
            return Error(ENOMEM, "fixed range outside user space");
        start = addr;
        if (!range_is_free(as, start, start + len)) {
            if (noreplace)
                return Error(EEXIST, "MAP_FIXED_NOREPLACE range in use");
            TRY(unmap(as, start, len));
        }
        return start;
    }
    start = 0;
    if (addr && rustos::is_aligned(addr, kPage) && addr + len <= mm::kUserTop &&
        addr + len > addr && range_is_free(as, addr, addr + len))
        start = addr;
    if (!start)
        start = find_gap(as, len);
    if (!start)
        return Error(ENOMEM, "no free address range");
    return start;
}

} // namespace

ErrorOr<uint64_t> map_object(AddressSpace& as, mm::MemoryObject& object, uint64_t offset,
                             uint64_t addr, uint64_t len, uint32_t prot, bool fixed, bool noreplace,
                             bool shared, bool zero_past_end) {
    if (len == 0)
        return Error(EINVAL, "zero length");
    if (!rustos::is_aligned(offset, kPage))
        return Error(EINVAL, "unaligned offset");
    len = rustos::align_up(len, kPage);
    if (len == 0 || len > mm::kUserTop || offset > mm::MemoryObject::kMaxSize)
        return Error(ENOMEM, "length too large");
    if (prot & ~uint32_t(PROT_READ | PROT_WRITE | PROT_EXEC))
        return Error(EINVAL, "unknown protection bits");
    uint64_t start = TRY(place_mapping(as, addr, len, fixed, noreplace));
    if (zero_past_end && shared)
        return Error(EINVAL, "zeros past the end only for private mappings");
    TRY(insert_vma(as, start, start + len, prot, VmaKind::Object, shared, 0, &object, offset));
    find_vma_mut(as, start)->zero_past_end = zero_past_end;
    return start;
}

ErrorOr<uint64_t> map_anonymous(AddressSpace& as, uint64_t addr, uint64_t len, uint32_t prot,
                                bool fixed, bool noreplace, bool shared) {
    if (len == 0)
        return Error(EINVAL, "zero length");
    len = rustos::align_up(len, kPage);
    if (len == 0 || len > mm::kUserTop)
        return Error(ENOMEM, "length too large");
    if (prot & ~uint32_t(PROT_READ | PROT_WRITE | PROT_EXEC))
        return Error(EINVAL, "unknown protection bits");
    uint64_t start = TRY(place_mapping(as, addr, len, fixed, noreplace));
    TRY(insert_vma(as, start, start + len, prot, VmaKind::Anonymous, shared));
    return start;
}

ErrorOr<uint64_t> map_physical(AddressSpace& as, uint64_t phys, uint64_t len, uint32_t prot) {
    len = rustos::align_up(len, kPage);
    if (len == 0 || !rustos::is_aligned(phys, kPage))
        return Error(EINVAL, "unaligned or empty physical range");
    uint64_t start = find_gap(as, len);
    if (!start)
        return Error(ENOMEM, "no free address range");
    TRY(insert_vma(as, start, start + len, prot, VmaKind::Physical, true, phys));
    return start;
}

ErrorOr<void> unmap(AddressSpace& as, uint64_t addr, uint64_t len) {
    if (!rustos::is_aligned(addr, kPage) || len == 0)
        return Error(EINVAL, "unaligned address or zero length");
    uint64_t end = rustos::align_up(addr + len, kPage);
    if (end > mm::kUserTop || end < addr)
        return Error(EINVAL, "range outside user space");
    TRY(split_at(as, addr));
    TRY(split_at(as, end));
    Vma* v = as.vmas.front();
    while (v) {
        Vma* next = as.vmas.next(*v);
        if (v->start >= addr && v->end <= end) {
            unmap_pages(as, v->start, v->end);
            as.vmas.remove(*v);
            delete v;
        }
        v = next;
    }
    return {};
}

ErrorOr<void> protect(AddressSpace& as, uint64_t addr, uint64_t len, uint32_t prot) {
    if (!rustos::is_aligned(addr, kPage))
        return Error(EINVAL, "unaligned address");
    if (prot & ~uint32_t(PROT_READ | PROT_WRITE | PROT_EXEC))
        return Error(EINVAL, "unknown protection bits");
    uint64_t end = rustos::align_up(addr + len, kPage);
    if (end < addr || end > mm::kUserTop)
        return Error(ENOMEM, "range outside user space");
    // Every page must be mapped (Linux: ENOMEM otherwise).
    for (uint64_t a = addr; a < end;) {
        Vma* v = find_vma_mut(as, a);
        if (!v)
            return Error(ENOMEM, "range not fully mapped");
        a = v->end;
    }
    TRY(split_at(as, addr));
    TRY(split_at(as, end));
    for (auto& v : as.vmas) {
        if (v.start < addr || v.end > end)
            continue;
        v.prot = prot;
        for (uint64_t va = v.start; va < v.end; va += kPage) {
            uint64_t* pte = mapped_pte(as, va);
            if (!pte)
                continue;
            uint64_t keep = *pte & (mm::kPteAddrMask | mm::PTE_SW_NOFREE | mm::PTE_SW_COW);
            if (!prot) {
                *pte = keep | mm::PTE_SW_PROTNONE | mm::PTE_USER; // not present, keeps its frame
            } else {
                uint64_t flags = pte_flags(prot);
                if (keep & mm::PTE_SW_COW)
                    flags &= ~mm::PTE_WRITABLE; // stays copy-on-write
                *pte = keep | flags;
            }
            arch::invlpg(va);
        }
    }
    return {};
}

ErrorOr<uint64_t> remap(AddressSpace& as, uint64_t old_addr, uint64_t old_len, uint64_t new_len,
                        bool may_move) {
    if (!rustos::is_aligned(old_addr, kPage) || new_len == 0)
        return Error(EINVAL, "unaligned address or zero length");
    old_len = rustos::align_up(old_len, kPage);
    new_len = rustos::align_up(new_len, kPage);
    Vma* v = find_vma_mut(as, old_addr);
    if (!v || v->start > old_addr || old_addr + old_len > v->end || v->kind == VmaKind::Physical)
        return Error(EFAULT, "old range is not one mapping");
    if (new_len <= old_len) {
        if (new_len < old_len)
            TRY(unmap(as, old_addr + new_len, old_len - new_len));
        return old_addr;
    }
    if (old_addr + old_len == v->end && range_is_free(as, v->end, old_addr + new_len) &&
        old_addr + new_len <= mm::kUserTop) {
        v->end = old_addr + new_len; // grow in place
        return old_addr;
    }
    if (!may_move)
        return Error(ENOMEM, "cannot grow in place");
    uint64_t dest = find_gap(as, new_len);
    if (!dest)
        return Error(ENOMEM, "no free address range");
    TRY(split_at(as, old_addr));
    TRY(split_at(as, old_addr + old_len));
    Vma* src = find_vma_mut(as, old_addr);
    TRY(insert_vma(as, dest, dest + new_len, src->prot, src->kind, src->shared, 0, src->object,
                   src->object_offset));
    // Move the page-table entries (frames keep their references).
    for (uint64_t off = 0; off < old_len; off += kPage) {
        uint64_t* pte = mapped_pte(as, old_addr + off);
        if (!pte)
            continue;
        uint64_t entry = *pte;
        *pte = 0;
        arch::invlpg(old_addr + off);
        TRY(mm::map_page(as.pml4, dest + off, entry & mm::kPteAddrMask, entry & ~mm::kPteAddrMask));
        if (!(entry & mm::PTE_PRESENT))
            *mm::find_pte(as.pml4, dest + off) &= ~mm::PTE_PRESENT;
    }
    as.vmas.remove(*src);
    delete src;
    return dest;
}

ErrorOr<void> write_live(AddressSpace& as, uint64_t addr, const uint8_t* src, uint64_t len) {
    uint64_t end;
    if (!rustos::checked_add(addr, len, &end) || end > mm::kUserTop)
        return Error(EFAULT, "range outside user space");
    while (len) {
        uint64_t page = rustos::align_down(addr, kPage);
        Vma* v = find_vma_mut(as, page);
        if (!v || v->kind == VmaKind::Physical)
            return Error(EFAULT, "address not mapped");
        TRY(populate(as, *v, page, false));
        uint64_t* pte = mm::find_pte(as.pml4, page);
        if (*pte & mm::PTE_SW_COW)
            TRY(break_cow(pte, page, *v));
        uint64_t frame = *pte & mm::kPteAddrMask;
        uint64_t off = addr - page, n = rustos::min(len, kPage - off);
        __builtin_memcpy(static_cast<uint8_t*>(mm::phys_to_virt(frame)) + off, src, n);
        addr += n;
        src += n;
        len -= n;
    }
    return {};
}

ErrorOr<void> discard(AddressSpace& as, uint64_t addr, uint64_t len) {
    if (!rustos::is_aligned(addr, kPage))
        return Error(EINVAL, "unaligned address");
    uint64_t end = rustos::align_up(addr + len, kPage);
    if (end < addr || end > mm::kUserTop)
        return Error(EINVAL, "range outside user space");
    for (uint64_t va = addr; va < end; va += kPage) {
        Vma* v = find_vma_mut(as, va);
        if (!v)
            return Error(ENOMEM, "range not mapped");
        if (v->shared || v->kind == VmaKind::Physical)
            continue; // shared pages keep their contents
        unmap_pages(as, va, va + kPage);
    }
    return {};
}

uint64_t set_brk(AddressSpace& as, uint64_t new_brk) {
    constexpr uint64_t kMaxHeap = 1ull << 34; // 16 GiB of address space
    if (new_brk < as.brk_start || new_brk > as.brk_start + kMaxHeap)
        return as.brk_current;
    uint64_t old_end = rustos::align_up(as.brk_current, kPage);
    uint64_t new_end = rustos::align_up(new_brk, kPage);
    Vma* heap = nullptr;
    for (auto& v : as.vmas)
        if (v.kind == VmaKind::Heap)
            heap = &v;
    if (new_end > old_end) {
        if (!range_is_free(as, old_end, new_end))
            return as.brk_current;
        if (heap && heap->end == old_end)
            heap->end = new_end;
        else if (insert_vma(as, old_end, new_end, PROT_READ | PROT_WRITE, VmaKind::Heap).is_error())
            return as.brk_current;
    } else if (new_end < old_end && heap) {
        unmap_pages(as, new_end, old_end);
        heap->end = new_end;
        if (heap->end <= heap->start) {
            as.vmas.remove(*heap);
            delete heap;
        }
    }
    as.brk_current = new_brk;
    return new_brk;
}

} // namespace kernel::proc

namespace kernel::proc {

void drop_object_pages(const mm::MemoryObject& object, uint64_t size) {
    uint64_t keep = rustos::align_up(size, kPage); // object bytes still backed
    arch::InterruptGuard guard;
    for (auto& as : g_spaces)
        for (auto& v : as.vmas) {
            if (v.kind != VmaKind::Object || v.object != &object)
                continue;
            uint64_t first = v.object_offset >= keep ? v.start : v.start + (keep - v.object_offset);
            if (first < v.end)
                unmap_pages(as, first, v.end);
        }
}

} // namespace kernel::proc
