// An owned kernel handle: closed when the Handle goes away.
#pragma once

#include <rustos/user/syscall.h>

#include <utility>

namespace rustos::service {

using ipc::handle_t;

class Handle {
public:
    Handle() = default;
    explicit Handle(handle_t h) : m_h(h) {}
    Handle(Handle&& o) noexcept : m_h(std::exchange(o.m_h, 0)) {}
    Handle& operator=(Handle&& o) noexcept {
        if (this != &o) {
            reset();
            m_h = std::exchange(o.m_h, 0);
        }
        return *this;
    }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    ~Handle() { reset(); }

    handle_t get() const { return m_h; }
    explicit operator bool() const { return m_h != 0; }
    // Gives up ownership (e.g. after the handle travelled in a message).
    handle_t release() { return std::exchange(m_h, 0); }
    void reset() {
        if (m_h)
            user::handle_close(std::exchange(m_h, 0));
    }

private:
    handle_t m_h = 0;
};

} // namespace rustos::service
