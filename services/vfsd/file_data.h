// The bytes of a regular file in memory (tmpfs). They live on vfsd's heap
// until someone maps the file; from then on in shared memory that the
// mappings use directly, so read(2), write(2) and MAP_SHARED mappings all
// see the same bytes at once.
#pragma once

#include "shared_memory.h"

#include <string>

namespace vfsd {

class FileData {
public:
    // Files are limited to 2 GiB.
    static constexpr uint64_t kMaxSize = 1ull << 31;

    uint64_t size() const { return m_size; }
    size_t read(uint64_t offset, char* buf, size_t n) const;
    // Grows the file as needed (the gap reads as zeros).
    ErrorOr<size_t> write(uint64_t offset, const char* data, size_t n);
    ErrorOr<void> resize(uint64_t size);
    // A new handle to the shared memory holding the bytes, moving them
    // there on first use; see SharedMemory::share.
    ErrorOr<int64_t> share(bool writable);
    bool is_shared() const { return bool(m_shared); }

private:
    char* bytes() { return m_shared ? m_shared->data() : m_heap.data(); }
    const char* bytes() const { return m_shared ? m_shared->data() : m_heap.data(); }

    std::string m_heap; // until the file is first mapped
    std::unique_ptr<SharedMemory> m_shared;
    uint64_t m_size = 0;
};

} // namespace vfsd
