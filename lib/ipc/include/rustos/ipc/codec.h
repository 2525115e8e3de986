// Bounds-checked encoding of IPC payloads: little-endian integers, strings
// and byte blocks as u32 length + bytes. A Reader never reads past the
// payload; the first failure sticks and ok() turns false, so a handler can
// decode everything and check once (validate first, then act).
#pragma once

#include <rustos/base/string_view.h>

#include <stddef.h>
#include <stdint.h>

namespace rustos::ipc {

class Writer {
public:
    Writer(uint8_t* buffer, size_t capacity) : m_buf(buffer), m_cap(capacity) {}

    Writer& u32(uint32_t v) { return raw(&v, 4); }
    Writer& i32(int32_t v) { return raw(&v, 4); }
    Writer& u64(uint64_t v) { return raw(&v, 8); }
    Writer& i64(int64_t v) { return raw(&v, 8); }
    Writer& str(StringView s) {
        u32(uint32_t(s.size()));
        return raw(s.data(), s.size());
    }
    Writer& bytes(const void* p, size_t n) {
        u32(uint32_t(n));
        return raw(p, n);
    }
    Writer& raw(const void* p, size_t n) {
        if (!m_ok || n > m_cap - m_len) {
            m_ok = false;
            return *this;
        }
        __builtin_memcpy(m_buf + m_len, p, n);
        m_len += n;
        return *this;
    }
    // Reserves n bytes and returns where to write them (nullptr when full).
    uint8_t* reserve(size_t n) {
        if (!m_ok || n > m_cap - m_len) {
            m_ok = false;
            return nullptr;
        }
        uint8_t* p = m_buf + m_len;
        m_len += n;
        return p;
    }

    bool ok() const { return m_ok; }
    size_t size() const { return m_len; }

private:
    uint8_t* m_buf;
    size_t m_cap;
    size_t m_len = 0;
    bool m_ok = true;
};

class Reader {
public:
    Reader(const uint8_t* data, size_t len) : m_buf(data), m_len(len) {}

    uint32_t u32() { return get<uint32_t>(); }
    int32_t i32() { return get<int32_t>(); }
    uint64_t u64() { return get<uint64_t>(); }
    int64_t i64() { return get<int64_t>(); }
    // A string view into the payload (valid while the message lives). Fails
    // when longer than max_len.
    StringView str(size_t max_len = SIZE_MAX) {
        uint32_t n = u32();
        if (!m_ok || n > m_len - m_pos || n > max_len) {
            m_ok = false;
            return {};
        }
        StringView s(reinterpret_cast<const char*>(m_buf + m_pos), n);
        m_pos += n;
        return s;
    }
    const uint8_t* bytes(size_t* n_out, size_t max_len = SIZE_MAX) {
        StringView s = str(max_len);
        *n_out = s.size();
        return reinterpret_cast<const uint8_t*>(s.data());
    }
    const uint8_t* raw(size_t n) {
        if (!m_ok || n > m_len - m_pos) {
            m_ok = false;
            return nullptr;
        }
        const uint8_t* p = m_buf + m_pos;
        m_pos += n;
        return p;
    }

    bool ok() const { return m_ok; }
    bool at_end() const { return m_pos == m_len; }
    size_t remaining() const { return m_ok ? m_len - m_pos : 0; }
    void fail() { m_ok = false; }

private:
    template <typename T>
    T get() {
        T v{};
        if (!m_ok || sizeof(T) > m_len - m_pos) {
            m_ok = false;
            return v;
        }
        __builtin_memcpy(&v, m_buf + m_pos, sizeof(T));
        m_pos += sizeof(T);
        return v;
    }

    const uint8_t* m_buf;
    size_t m_len;
    size_t m_pos = 0;
    bool m_ok = true;
};

} // namespace rustos::ipc
