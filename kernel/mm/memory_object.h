// Memory objects: pages that belong to no address space and can be mapped
// into several at once. vfsd keeps the contents of a file that someone
// maps in one (its page cache), maps it into itself to serve read(2) and
// write(2), and hands it to syscalld, which maps it into the programs that
// mmap the file: MAP_SHARED mappings and the file are the same frames, so
// they see each other's writes at once; MAP_PRIVATE mappings start from
// those frames and copy a page on its first write.
//
// Pages are allocated zero-filled on first use. A mapping that reaches
// past the object's size gets SIGBUS there, as a Linux file mapping does
// past the end of its file.
#pragma once

#include "object/object.h"

#include <rustos/base/error.h>

namespace kernel::mm {

using rustos::ErrorOr;

class MemoryObject final : public KernelObject {
public:
    // The largest object: 16 GiB (the page directory stays a few pages).
    static constexpr uint64_t kMaxSize = 1ull << 34;

    static ErrorOr<RefPtr<MemoryObject>> create(uint64_t size);
    ~MemoryObject() override;

    uint64_t size() const { return m_size; }
    // Shrinking frees the pages past the new end; the caller then has
    // every address space drop them (proc::drop_object_pages), so later
    // accesses get SIGBUS as on Linux.
    ErrorOr<void> resize(uint64_t size);
    // The frame of page `index`, allocated zero-filled on first use; the
    // object keeps its own reference. ENXIO past the end of the object.
    ErrorOr<uint64_t> frame(uint64_t index);
    uint64_t resident_pages() const { return m_resident; }

private:
    MemoryObject() : KernelObject(ObjectType::MemoryObject) {}
    void free_from(uint64_t first_page);

    static constexpr uint64_t kLeafEntries = 512; // a leaf is one frame: 2 MiB of the object
    uint64_t m_size = 0;
    uint64_t** m_leaves = nullptr; // m_leaf_count leaves of kLeafEntries frames (0: none)
    uint64_t m_leaf_count = 0;
    uint64_t m_resident = 0;
};

} // namespace kernel::mm
