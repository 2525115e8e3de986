#include "memory_object.h"

#include "memory.h"

#include <rustos/base/utility.h>

namespace kernel::mm {

using rustos::Error;

ErrorOr<RefPtr<MemoryObject>> MemoryObject::create(uint64_t size) {
    if (size > kMaxSize)
        return Error(EFBIG, "memory object larger than 16 GiB");
    auto* obj = new MemoryObject;
    if (!obj)
        return Error(ENOMEM, "out of memory for a memory object");
    auto ref = RefPtr<MemoryObject>::adopt(obj);
    TRY(obj->resize(size));
    return ref;
}

MemoryObject::~MemoryObject() {
    free_from(0);
    for (uint64_t i = 0; i < m_leaf_count; ++i)
        if (m_leaves[i])
            frame_unref(virt_to_phys(m_leaves[i]));
    kfree(m_leaves);
}

// Precondition: interrupts disabled or the object not yet shared.
void MemoryObject::free_from(uint64_t first_page) {
    for (uint64_t leaf = first_page / kLeafEntries; leaf < m_leaf_count; ++leaf) {
        if (!m_leaves[leaf])
            continue;
        uint64_t from = leaf == first_page / kLeafEntries ? first_page % kLeafEntries : 0;
        for (uint64_t i = from; i < kLeafEntries; ++i) {
            if (uint64_t f = m_leaves[leaf][i]) {
                frame_unref(f);
                m_leaves[leaf][i] = 0;
                --m_resident;
            }
        }
    }
}

ErrorOr<void> MemoryObject::resize(uint64_t size) {
    if (size > kMaxSize)
        return Error(EFBIG, "memory object larger than 16 GiB");
    arch::InterruptGuard guard;
    uint64_t pages = rustos::align_up(size, kPageSize) / kPageSize;
    uint64_t leaves = (pages + kLeafEntries - 1) / kLeafEntries;
    if (leaves > m_leaf_count) {
        auto** grown = static_cast<uint64_t**>(kzalloc(leaves * sizeof(uint64_t*)));
        if (!grown)
            return Error(ENOMEM, "out of memory growing a memory object");
        for (uint64_t i = 0; i < m_leaf_count; ++i)
            grown[i] = m_leaves[i];
        kfree(m_leaves);
        m_leaves = grown;
        m_leaf_count = leaves;
    }
    if (size < m_size)
        free_from(pages);
    // The tail of a partial last page reads as zeros after a shrink (the
    // bytes past the end of a file).
    if (size < m_size && size % kPageSize) {
        uint64_t last = size / kPageSize;
        uint64_t* leaf = m_leaves[last / kLeafEntries];
        if (leaf && leaf[last % kLeafEntries]) {
            auto* bytes = static_cast<uint8_t*>(phys_to_virt(leaf[last % kLeafEntries]));
            __builtin_memset(bytes + size % kPageSize, 0, kPageSize - size % kPageSize);
        }
    }
    m_size = size;
    return {};
}

ErrorOr<uint64_t> MemoryObject::frame(uint64_t index) {
    arch::InterruptGuard guard;
    if (index >= rustos::align_up(m_size, kPageSize) / kPageSize)
        return Error(ENXIO, "past the end of the memory object");
    uint64_t*& leaf = m_leaves[index / kLeafEntries];
    if (!leaf) // a leaf is one frame: kLeafEntries entries
        leaf = static_cast<uint64_t*>(phys_to_virt(TRY(alloc_zeroed_frame())));
    uint64_t& slot = leaf[index % kLeafEntries];
    if (!slot) {
        slot = TRY(alloc_zeroed_frame());
        ++m_resident;
    }
    return slot;
}

} // namespace kernel::mm
