// The one error type: an errno value plus a message naming the reason,
// carried by ErrorOr<T> and propagated with TRY().
//
// In the kernel the message is always a static string. Hosted code
// (services, tools, host tests) may also attach an owned message, e.g.
// "services/netd/RUSTOS.package.toml:7: 'startup' must be one of ...",
// with Error::formatted().
#pragma once

#include <rustos/abi/errno.h>
#include <rustos/base/utility.h>

#include <new>

#if __STDC_HOSTED__
#include <cstdarg>
#include <cstdio>
#include <memory>
#include <string>
#endif

namespace rustos {

class Error {
public:
    Error(Errno code, const char* reason) : m_code(code), m_reason(reason) {}
    static Error from_errno(Errno code) { return Error(code, abi::errno_name(code)); }

    Errno code() const { return m_code; }
    const char* reason() const {
#if __STDC_HOSTED__
        if (m_owned)
            return m_owned->c_str();
#endif
        return m_reason;
    }
    // Value for a syscall return register.
    int64_t as_syscall_return() const { return abi::syscall_error(m_code); }

#if __STDC_HOSTED__
    static Error with_message(Errno code, std::string message) {
        Error e(code, nullptr);
        e.m_owned = std::make_shared<const std::string>(rustos::move(message));
        return e;
    }
    static Error formatted(Errno code, const char* fmt, ...) __attribute__((format(printf, 2, 3))) {
        va_list ap, ap2;
        va_start(ap, fmt);
        va_copy(ap2, ap);
        int n = std::vsnprintf(nullptr, 0, fmt, ap);
        va_end(ap);
        std::string s(n > 0 ? size_t(n) : 0, '\0');
        std::vsnprintf(s.data(), s.size() + 1, fmt, ap2);
        va_end(ap2);
        return with_message(code, rustos::move(s));
    }
#endif

private:
    Errno m_code;
    const char* m_reason; // static string, never freed
#if __STDC_HOSTED__
    std::shared_ptr<const std::string> m_owned;
#endif
};

template <typename T>
class [[nodiscard]] ErrorOr {
public:
    ErrorOr(const T& v) : m_has_value(true) { new (&m_storage.value) T(v); }
    ErrorOr(T&& v) : m_has_value(true) { new (&m_storage.value) T(rustos::move(v)); }
    ErrorOr(Error e) : m_has_value(false) { new (&m_storage.error) Error(rustos::move(e)); }
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
        else
            m_storage.error.~Error();
    }

    bool is_error() const { return !m_has_value; }
    explicit operator bool() const { return m_has_value; }
    Error error() const { return m_storage.error; }
    T& value() { return m_storage.value; }
    const T& value() const { return m_storage.value; }
    T release_value() { return rustos::move(m_storage.value); }
    T* operator->() { return &m_storage.value; }
    const T* operator->() const { return &m_storage.value; }
    T& operator*() { return m_storage.value; }
    const T& operator*() const { return m_storage.value; }

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
    ErrorOr() : m_error(0, nullptr), m_has_value(true) {}
    ErrorOr(Error e) : m_error(rustos::move(e)), m_has_value(false) {}
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
