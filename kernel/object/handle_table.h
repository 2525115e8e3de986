// A process's handles: small integers naming a kernel object plus the
// rights this handle grants. Every syscall that takes a handle looks it up
// here with the rights it needs (EBADF for a stale or foreign value,
// EACCES for missing rights, EINVAL for the wrong object type).
//
// A handle value is (generation << 20) | (slot + 1), so a closed and
// reused slot does not answer to an old value.
#pragma once

#include "object.h"

#include <rustos/abi/native.h>
#include <rustos/base/error.h>

namespace kernel {

using handle_t = uint32_t;

struct HandleEntry {
    KernelObject* object = nullptr; // one reference, owned by the table
    uint32_t rights = 0;
    uint8_t generation = 0;
};

class HandleTable {
public:
    static constexpr uint32_t kMaxHandles = 4096;

    HandleTable() = default;
    ~HandleTable() { close_all(); }
    HandleTable(const HandleTable&) = delete;
    HandleTable& operator=(const HandleTable&) = delete;

    // Installs a new handle to `object` (taking over the caller's
    // reference on success).
    rustos::ErrorOr<handle_t> install(KernelObject* object, uint32_t rights);
    // Installs a handle that moved here from another table (in a message).
    rustos::ErrorOr<handle_t> install_transferred(KernelObject* object, uint32_t rights);
    // The object behind `h`, checked for type and rights; a new reference.
    rustos::ErrorOr<RefPtr<KernelObject>> get(handle_t h, ObjectType type, uint32_t rights) const;
    // The entry behind `h` whatever its type, checked for rights; its
    // object comes with a new reference.
    rustos::ErrorOr<HandleEntry> get_entry(handle_t h, uint32_t rights) const;
    // Removes the entry and hands its reference to the caller (the handle
    // moves: no handle_closed()).
    rustos::ErrorOr<HandleEntry> take(handle_t h, uint32_t rights);
    rustos::ErrorOr<void> close(handle_t h);
    void close_all();
    uint32_t count() const { return m_count; }

    template <typename T>
    rustos::ErrorOr<RefPtr<T>> get_as(handle_t h, ObjectType type, uint32_t rights) const {
        auto obj = TRY(get(h, type, rights));
        return RefPtr<T>::adopt(static_cast<T*>(obj.leak()));
    }

private:
    rustos::ErrorOr<uint32_t> slot_of(handle_t h) const;
    rustos::ErrorOr<void> grow();
    rustos::ErrorOr<handle_t> insert(KernelObject* object, uint32_t rights);

    HandleEntry* m_entries = nullptr;
    uint32_t m_capacity = 0;
    uint32_t m_count = 0;
};

} // namespace kernel
