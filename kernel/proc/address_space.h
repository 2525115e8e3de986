// User address spaces: page tables plus the VMAs that say what may be
// mapped where. Pages are populated on first touch. Frames are reference
// counted, so fork can share them copy-on-write, MAP_SHARED regions stay
// shared, and exec can build a new address space aside and swap it in.
#pragma once

#include "lib/list.h"
#include "mm/memory_object.h"
#include "object/object.h"

#include <rustos/base/error.h>

namespace kernel::proc {

using rustos::ErrorOr;

enum : uint32_t { PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4 };

// Object: pages of a memory object (a file's page cache). Shared, they are
// the object's frames; private, they start as the object's frames and are
// copied on the first write.
enum class VmaKind : uint8_t { Image, Heap, Stack, Anonymous, Physical, Object };

struct Vma {
    uint64_t start, end; // page aligned, [start, end)
    uint32_t prot;
    VmaKind kind;
    bool shared = false;    // MAP_SHARED: fork shares the pages instead of copying them
    uint64_t phys_base = 0; // Physical: start maps to this physical address (not owned)
    ListNode node;
    mm::MemoryObject* object = nullptr; // Object: one reference, held by this VMA
    uint64_t object_offset = 0;         // Object: where `start` is in the object (bytes)
    bool zero_past_end = false; // Object, private: past the object's end reads zeros, no SIGBUS

    ~Vma() {
        if (object)
            object->unref();
    }
};

// What a user page fault comes to.
enum class FaultResult { Resolved, Segv, Bus };

struct AddressSpace final : KernelObject {
    AddressSpace() : KernelObject(ObjectType::AddressSpace) {}
    ~AddressSpace() override;

    static ErrorOr<RefPtr<AddressSpace>> create();
    // A copy-on-write copy (fork). Shared regions stay shared.
    ErrorOr<RefPtr<AddressSpace>> fork();

    uint64_t pml4 = 0;
    IntrusiveList<Vma, &Vma::node> vmas; // sorted by start
    uint64_t brk_start = 0, brk_current = 0;
    // Set once a thread runs in it: the process broker may only build
    // address spaces nobody runs in yet.
    bool live = false;
    ListNode all_node; // in the list of every address space (object shrinks)
};

// Resolves a page fault at `addr`: Segv for an invalid access, Bus past
// the end of a memory object.
FaultResult handle_fault(AddressSpace& as, uint64_t addr, uint64_t error_code);
// Makes [addr, addr+len) present (and writable, for write) for kernel access.
ErrorOr<void> prepare_range(AddressSpace& as, uint64_t addr, uint64_t len, bool write);
// Physical address of a present page's byte, or 0.
uint64_t to_phys(AddressSpace& as, uint64_t addr);
const Vma* find_vma(const AddressSpace& as, uint64_t addr);

// `object` (Object kind) gets a new reference held by the VMA.
ErrorOr<void> insert_vma(AddressSpace& as, uint64_t start, uint64_t end, uint32_t prot,
                         VmaKind kind, bool shared = false, uint64_t phys_base = 0,
                         mm::MemoryObject* object = nullptr, uint64_t object_offset = 0);
bool range_is_free(const AddressSpace& as, uint64_t start, uint64_t end);
ErrorOr<uint64_t> map_anonymous(AddressSpace& as, uint64_t addr, uint64_t len, uint32_t prot,
                                bool fixed, bool noreplace, bool shared);
// Maps [offset, offset+len) of a memory object (page aligned offset);
// shared or private (copy-on-write). Returns the address chosen.
// zero_past_end (private only): pages past the object's end read as
// zeros instead of SIGBUS, for a service reading a file that someone else
// may truncate while it looks.
ErrorOr<uint64_t> map_object(AddressSpace& as, mm::MemoryObject& object, uint64_t offset,
                             uint64_t addr, uint64_t len, uint32_t prot, bool fixed, bool noreplace,
                             bool shared, bool zero_past_end = false);
// Maps physical memory that the address space does not own (read-only
// boot bundle, for one); returns the address chosen.
ErrorOr<uint64_t> map_physical(AddressSpace& as, uint64_t phys, uint64_t len, uint32_t prot);
ErrorOr<void> unmap(AddressSpace& as, uint64_t addr, uint64_t len);
ErrorOr<void> protect(AddressSpace& as, uint64_t addr, uint64_t len, uint32_t prot);
// Linux mremap for anonymous memory: shrink in place, grow in place when
// free, otherwise move (if allowed). Returns the new address.
ErrorOr<uint64_t> remap(AddressSpace& as, uint64_t old_addr, uint64_t old_len, uint64_t new_len,
                        bool may_move);
uint64_t set_brk(AddressSpace& as, uint64_t new_brk);
// Copies into mapped memory regardless of its protection (the MM broker
// filling a file mapping); breaks copy-on-write sharing.
ErrorOr<void> write_live(AddressSpace& as, uint64_t addr, const uint8_t* src, uint64_t len);
// MADV_DONTNEED: frees the pages of [addr, addr+len); private anonymous
// memory reads back as zeros.
ErrorOr<void> discard(AddressSpace& as, uint64_t addr, uint64_t len);
uint64_t resident_pages(const AddressSpace& as);
// A memory object shrank to `size` bytes: every address space drops the
// pages it mapped from past the new last page (shared frames and private
// copies alike), so a later access faults and gets SIGBUS, as a Linux
// mapping of a truncated file does, and nobody keeps frames the object
// no longer holds.
void drop_object_pages(const mm::MemoryObject& object, uint64_t size);

} // namespace kernel::proc
