// The one error type: an errno value plus a static message naming the
// reason, carried by ErrorOr<T> and propagated with TRY().
#pragma once

#include <rustos/abi/errno.h>
#include <rustos/base/utility.h>

#include <new>

namespace rustos {

class Error {
public:
    constexpr Error(Errno code, const char* reason) : m_code(code), m_reason(reason) {}
    static constexpr Error from_errno(Errno code) { return Error(code, abi::errno_name(code)); }

    constexpr Errno code() const { return m_code; }
    constexpr const char* reason() const { return m_reason; }
    // Value for a syscall return register.
    constexpr int64_t as_syscall_return() const { return abi::syscall_error(m_code); }

private:
    Errno m_code;
    const char* m_reason; // static string, never freed
};

template <typename T>
class [[nodiscard]] ErrorOr {
public:
    ErrorOr(const T& v) : m_has_value(true) { new (&m_storage.value) T(v); }
    ErrorOr(T&& v) : m_has_value(true) { new (&m_storage.value) T(rustos::move(v)); }
    ErrorOr(Error e) : m_has_value(false) { new (&m_storage.error) Error(e); }
    template <typename U>
    requires(std::is_convertible_v<U, T> && !std::is_same_v<std::remove_cvref_t<U>, T> &&
             !std::is_same_v<std::remove_cvref_t<U>, Error>) ErrorOr(U&& v)
        : m_has_value(true) {
        new (&m_storage.value) T(rustos::forward<U>(v));
    }
    ErrorOr(ErrorOr&& o) : m_has_value(o.m_has_value) {
        if (m_has_value)
            new (&m_storage.value) T(rustos::move(o.m_storage.value));
        else
            new (&m_storage.error) Error(o.m_storage.error);
    }
    ErrorOr(const ErrorOr&) = delete;
    ErrorOr& operator=(const ErrorOr&) = delete;
    ~ErrorOr() {
        if (m_has_value)
            m_storage.value.~T();
    }

    bool is_error() const { return !m_has_value; }
    explicit operator bool() const { return m_has_value; }
    Error error() const { return m_storage.error; }
    T& value() { return m_storage.value; }
    const T& value() const { return m_storage.value; }
    T release_value() { return rustos::move(m_storage.value); }
    T* operator->() { return &m_storage.value; }
    T& operator*() { return m_storage.value; }

private:
    union Storage {
        Storage() {}
        ~Storage() {}
        T value;
        Error error;
    } m_storage;
    bool m_has_value;
};

template <>
class [[nodiscard]] ErrorOr<void> {
public:
    ErrorOr() : m_error(EINVAL, nullptr), m_has_value(true) {}
    ErrorOr(Error e) : m_error(e), m_has_value(false) {}
    bool is_error() const { return !m_has_value; }
    explicit operator bool() const { return m_has_value; }
    Error error() const { return m_error; }
    void release_value() {}

private:
    Error m_error;
    bool m_has_value;
};

} // namespace rustos

// Evaluate an ErrorOr expression; return its error from the enclosing
// function, or yield its value.
#define TRY(expr)                                                                                  \
    ({                                                                                             \
        auto _try_result = (expr);                                                                 \
        if (_try_result.is_error())                                                                \
            return _try_result.error();                                                            \
        _try_result.release_value();                                                               \
    })
