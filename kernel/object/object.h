// Kernel objects reachable through handles: a reference count and a type
// tag. The last reference runs the destructor (which may wake threads, so
// it runs with interrupts disabled like every other kernel state change).
#pragma once

#include "arch/x86_64/cpu.h"

#include <stddef.h>
#include <stdint.h>

namespace kernel {

enum class ObjectType : uint8_t { Process, Endpoint, ReplyToken, AddressSpace, MemoryObject };

class KernelObject {
public:
    explicit KernelObject(ObjectType type) : m_type(type) {}
    virtual ~KernelObject() = default;
    KernelObject(const KernelObject&) = delete;
    KernelObject& operator=(const KernelObject&) = delete;

    ObjectType type() const { return m_type; }
    void ref() {
        arch::InterruptGuard guard;
        ++m_refs;
    }
    void unref() {
        arch::InterruptGuard guard;
        if (--m_refs == 0)
            delete this;
    }
    uint32_t ref_count() const { return m_refs; }

    // A handle (in a table or travelling in a message) with `rights` to
    // this object came into being / went away. Moving a handle from a table
    // into a message and on into another table is neither.
    virtual void handle_opened(uint32_t rights) { (void)rights; }
    virtual void handle_closed(uint32_t rights) { (void)rights; }

private:
    uint32_t m_refs = 1; // the creator's reference
    ObjectType m_type;
};

// Owning pointer to a kernel object (one reference).
template <typename T>
class RefPtr {
public:
    RefPtr() = default;
    // Adopts the reference the caller holds.
    static RefPtr adopt(T* p) {
        RefPtr r;
        r.m_ptr = p;
        return r;
    }
    // Takes a new reference.
    explicit RefPtr(T* p) : m_ptr(p) {
        if (m_ptr)
            m_ptr->ref();
    }
    RefPtr(const RefPtr& o) : RefPtr(o.m_ptr) {}
    RefPtr(RefPtr&& o) : m_ptr(o.m_ptr) { o.m_ptr = nullptr; }
    template <typename U>
    RefPtr(RefPtr<U>&& o) : m_ptr(o.leak()) {}
    ~RefPtr() { reset(); }
    RefPtr& operator=(RefPtr o) {
        T* old = m_ptr;
        m_ptr = o.m_ptr;
        o.m_ptr = old;
        return *this;
    }
    void reset() {
        if (T* p = m_ptr) {
            m_ptr = nullptr;
            p->unref();
        }
    }
    // Gives up ownership without dropping the reference.
    T* leak() {
        T* p = m_ptr;
        m_ptr = nullptr;
        return p;
    }
    T* get() const { return m_ptr; }
    T* operator->() const { return m_ptr; }
    T& operator*() const { return *m_ptr; }
    explicit operator bool() const { return m_ptr != nullptr; }

private:
    T* m_ptr = nullptr;
};

} // namespace kernel
