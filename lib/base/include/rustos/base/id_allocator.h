// Allocator for small integer ids over a caller-provided bitmap (the
// pid/tid namespace). Fresh ids are handed out cyclically above the last
// one, like Linux pids, so a just-freed id is not reused at once; ids below
// `first_dynamic` are only taken on explicit request (pid 1 is init's).
#pragma once

#include <rustos/base/error.h>

namespace rustos {

class IdAllocator {
public:
    void init(uint64_t* words, uint32_t capacity, uint32_t first_dynamic) {
        m_words = words;
        m_capacity = capacity;
        m_first = first_dynamic;
        m_next = first_dynamic;
        for (uint32_t i = 0; i < (capacity + 63) / 64; ++i)
            m_words[i] = 0;
    }

    ErrorOr<uint32_t> allocate() {
        for (uint32_t n = 0; n < m_capacity - m_first; ++n) {
            uint32_t id = m_next;
            m_next = m_next + 1 >= m_capacity ? m_first : m_next + 1;
            if (!is_used(id)) {
                set(id, true);
                ++m_used;
                return id;
            }
        }
        return Error(EAGAIN, "id namespace exhausted");
    }
    // Takes a specific id (any id, including reserved ones below first_dynamic).
    ErrorOr<void> claim(uint32_t id) {
        if (id == 0 || id >= m_capacity)
            return Error(EINVAL, "id out of range");
        if (is_used(id))
            return Error(EEXIST, "id in use");
        set(id, true);
        ++m_used;
        return {};
    }
    void release(uint32_t id) {
        if (id < m_capacity && is_used(id)) {
            set(id, false);
            --m_used;
        }
    }
    bool is_used(uint32_t id) const {
        return id < m_capacity && (m_words[id / 64] >> (id % 64)) & 1;
    }
    uint32_t used() const { return m_used; }

private:
    void set(uint32_t id, bool v) {
        if (v)
            m_words[id / 64] |= uint64_t(1) << (id % 64);
        else
            m_words[id / 64] &= ~(uint64_t(1) << (id % 64));
    }

    uint64_t* m_words = nullptr;
    uint32_t m_capacity = 0, m_first = 1, m_next = 1, m_used = 0;
};

} // namespace rustos
