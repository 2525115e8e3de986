#include "handle_table.h"

#include "mm/memory.h"

namespace kernel {

using rustos::Error;

namespace {
constexpr uint32_t kSlotBits = 20;
constexpr uint32_t kSlotMask = (1u << kSlotBits) - 1;
} // namespace

rustos::ErrorOr<void> HandleTable::grow() {
    uint32_t capacity = m_capacity ? m_capacity * 2 : 32;
    if (capacity > kMaxHandles)
        capacity = kMaxHandles;
    if (capacity <= m_capacity)
        return Error(EMFILE, "handle table full");
    auto* entries = static_cast<HandleEntry*>(mm::kzalloc(sizeof(HandleEntry) * capacity));
    if (!entries)
        return Error(ENOMEM, "out of memory for the handle table");
    for (uint32_t i = 0; i < m_capacity; ++i)
        entries[i] = m_entries[i];
    mm::kfree(m_entries);
    m_entries = entries;
    m_capacity = capacity;
    return {};
}

rustos::ErrorOr<handle_t> HandleTable::install(KernelObject* object, uint32_t rights) {
    handle_t h = TRY(insert(object, rights));
    object->handle_opened(rights);
    return h;
}

rustos::ErrorOr<handle_t> HandleTable::install_transferred(KernelObject* object, uint32_t rights) {
    return insert(object, rights);
}

rustos::ErrorOr<handle_t> HandleTable::insert(KernelObject* object, uint32_t rights) {
    arch::InterruptGuard guard;
    if (m_count == m_capacity)
        TRY(grow());
    for (uint32_t i = 0; i < m_capacity; ++i) {
        HandleEntry& e = m_entries[i];
        if (e.object)
            continue;
        e.object = object;
        e.rights = rights;
        e.generation = uint8_t(e.generation + 1) ? uint8_t(e.generation + 1) : 1;
        ++m_count;
        return (uint32_t(e.generation) << kSlotBits) | (i + 1);
    }
    return Error(EMFILE, "handle table full");
}

rustos::ErrorOr<uint32_t> HandleTable::slot_of(handle_t h) const {
    uint32_t slot = (h & kSlotMask);
    if (slot == 0 || slot > m_capacity)
        return Error(EBADF, "no such handle");
    const HandleEntry& e = m_entries[slot - 1];
    if (!e.object || e.generation != (h >> kSlotBits))
        return Error(EBADF, "no such handle (closed or stale)");
    return slot - 1;
}

rustos::ErrorOr<RefPtr<KernelObject>> HandleTable::get(handle_t h, ObjectType type,
                                                       uint32_t rights) const {
    arch::InterruptGuard guard;
    uint32_t slot = TRY(slot_of(h));
    const HandleEntry& e = m_entries[slot];
    if (e.object->type() != type)
        return Error(EINVAL, "handle names another kind of object");
    if ((e.rights & rights) != rights)
        return Error(EACCES, "handle lacks the needed rights");
    return RefPtr<KernelObject>(e.object);
}

rustos::ErrorOr<HandleEntry> HandleTable::get_entry(handle_t h, uint32_t rights) const {
    arch::InterruptGuard guard;
    uint32_t slot = TRY(slot_of(h));
    const HandleEntry& e = m_entries[slot];
    if ((e.rights & rights) != rights)
        return Error(EACCES, "handle lacks the needed rights");
    e.object->ref();
    return e;
}

rustos::ErrorOr<HandleEntry> HandleTable::take(handle_t h, uint32_t rights) {
    arch::InterruptGuard guard;
    uint32_t slot = TRY(slot_of(h));
    HandleEntry& e = m_entries[slot];
    if ((e.rights & rights) != rights)
        return Error(EACCES, "handle lacks the needed rights");
    HandleEntry out = e;
    e.object = nullptr;
    e.rights = 0;
    --m_count;
    return out;
}

rustos::ErrorOr<void> HandleTable::close(handle_t h) {
    HandleEntry e = TRY(take(h, 0));
    e.object->handle_closed(e.rights);
    e.object->unref();
    return {};
}

void HandleTable::close_all() {
    // Objects' destructors may run here (and wake threads); take each entry
    // out first so a destructor never sees a half-closed table.
    for (uint32_t i = 0; i < m_capacity; ++i) {
        KernelObject* obj;
        uint32_t rights;
        {
            arch::InterruptGuard guard;
            obj = m_entries[i].object;
            rights = m_entries[i].rights;
            m_entries[i].object = nullptr;
            if (obj)
                --m_count;
        }
        if (obj) {
            obj->handle_closed(rights);
            obj->unref();
        }
    }
    mm::kfree(m_entries);
    m_entries = nullptr;
    m_capacity = 0;
}

} // namespace kernel
