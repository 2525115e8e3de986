// Non-owning views over contiguous memory.
#pragma once

#include <rustos/base/utility.h>

namespace rustos {

template <typename T>
class Span {
public:
    constexpr Span() = default;
    constexpr Span(T* data, size_t size) : m_data(data), m_size(size) {}
    template <size_t N>
    constexpr Span(T (&array)[N]) : m_data(array), m_size(N) {}

    constexpr T* data() const { return m_data; }
    constexpr size_t size() const { return m_size; }
    constexpr bool empty() const { return m_size == 0; }
    constexpr T& operator[](size_t i) const { return m_data[i]; }
    constexpr T* begin() const { return m_data; }
    constexpr T* end() const { return m_data + m_size; }

    // Sub-span [offset, offset+count), clamped to the span.
    constexpr Span slice(size_t offset, size_t count = SIZE_MAX) const {
        if (offset > m_size)
            offset = m_size;
        if (count > m_size - offset)
            count = m_size - offset;
        return Span(m_data + offset, count);
    }
    // True when [offset, offset+count) lies inside the span.
    constexpr bool contains_range(uint64_t offset, uint64_t count) const {
        uint64_t end = 0;
        return checked_add(offset, count, &end) && end <= m_size;
    }

private:
    T* m_data = nullptr;
    size_t m_size = 0;
};

using Bytes = Span<uint8_t>;
using ReadonlyBytes = Span<const uint8_t>;

} // namespace rustos
