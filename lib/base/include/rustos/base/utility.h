// Minimal freestanding utilities shared by the kernel and host code.
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <type_traits>

namespace rustos {

template <typename T>
constexpr std::remove_reference_t<T>&& move(T&& v) {
    return static_cast<std::remove_reference_t<T>&&>(v);
}

template <typename T>
constexpr T&& forward(std::remove_reference_t<T>& v) {
    return static_cast<T&&>(v);
}

template <typename T>
constexpr T min(T a, T b) {
    return a < b ? a : b;
}
template <typename T>
constexpr T max(T a, T b) {
    return a < b ? b : a;
}

constexpr uint64_t align_down(uint64_t v, uint64_t a) { return v & ~(a - 1); }
constexpr uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }
constexpr bool is_aligned(uint64_t v, uint64_t a) { return (v & (a - 1)) == 0; }

// a + b without wrapping; false on overflow.
constexpr bool checked_add(uint64_t a, uint64_t b, uint64_t* out) {
    return !__builtin_add_overflow(a, b, out);
}

} // namespace rustos
