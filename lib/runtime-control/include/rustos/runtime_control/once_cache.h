// A value computed once and shared by every reader, on any thread.
//
// runtimed reads the uiserver desktop entry synchronously while bootstrapping
// uiserver, and its catalog worker thread reads the same registry: both go
// through one OnceCache so the file is read and parsed once (the C++ form of
// Rust's OnceLock).
#pragma once

#include <rustos/base/error.h>

#include <atomic>
#include <cstddef>
#include <mutex>
#include <optional>

namespace rustos::runtime_control {

template <typename T>
class OnceCache {
public:
    OnceCache() = default;
    OnceCache(const OnceCache&) = delete;
    OnceCache& operator=(const OnceCache&) = delete;

    // The first call runs `loader` (an ErrorOr<T>() callable); concurrent
    // callers wait for it, later callers get the stored result at once. A
    // failed load is cached too. If the loader throws, nothing is stored and
    // the exception propagates; the next call runs a loader again.
    template <typename Loader>
    const ErrorOr<T>& get(Loader&& loader) {
        std::call_once(m_once, [&] {
            m_load_count.fetch_add(1, std::memory_order_relaxed);
            m_result.emplace(loader());
        });
        return *m_result;
    }

    // How many times a loader ran: 1 after any number of get() calls that
    // returned (more only if loaders threw).
    size_t load_count() const { return m_load_count.load(std::memory_order_acquire); }

private:
    std::once_flag m_once;
    std::optional<ErrorOr<T>> m_result;
    std::atomic<size_t> m_load_count{0};
};

} // namespace rustos::runtime_control
