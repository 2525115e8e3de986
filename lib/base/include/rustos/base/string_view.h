// A freestanding string view (pointer + length, not NUL-terminated).
#pragma once

#include <rustos/base/utility.h>

namespace rustos {

class StringView {
public:
    constexpr StringView() = default;
    constexpr StringView(const char* s, size_t len) : m_data(s), m_size(len) {}
    constexpr StringView(const char* s) : m_data(s), m_size(s ? cstr_length(s) : 0) {}

    constexpr const char* data() const { return m_data; }
    constexpr size_t size() const { return m_size; }
    constexpr size_t length() const { return m_size; }
    constexpr bool empty() const { return m_size == 0; }
    constexpr char operator[](size_t i) const { return m_data[i]; }
    constexpr const char* begin() const { return m_data; }
    constexpr const char* end() const { return m_data + m_size; }

    constexpr bool operator==(StringView o) const {
        if (m_size != o.m_size)
            return false;
        for (size_t i = 0; i < m_size; ++i)
            if (m_data[i] != o.m_data[i])
                return false;
        return true;
    }
    constexpr bool starts_with(StringView p) const {
        return p.m_size <= m_size && StringView(m_data, p.m_size) == p;
    }
    constexpr bool ends_with(StringView p) const {
        return p.m_size <= m_size && StringView(m_data + m_size - p.m_size, p.m_size) == p;
    }
    constexpr StringView substr(size_t pos, size_t count = SIZE_MAX) const {
        if (pos > m_size)
            pos = m_size;
        if (count > m_size - pos)
            count = m_size - pos;
        return StringView(m_data + pos, count);
    }
    // Index of the first `c`, or SIZE_MAX.
    constexpr size_t find(char c, size_t from = 0) const {
        for (size_t i = from; i < m_size; ++i)
            if (m_data[i] == c)
                return i;
        return SIZE_MAX;
    }

    static constexpr size_t cstr_length(const char* s) {
        size_t n = 0;
        while (s[n])
            ++n;
        return n;
    }

private:
    const char* m_data = "";
    size_t m_size = 0;
};

} // namespace rustos
