#include "file_data.h"

#include <algorithm>
#include <cstring>

namespace vfsd {

using rustos::Error;

size_t FileData::read(uint64_t offset, char* buf, size_t n) const {
    if (offset >= m_size)
        return 0;
    size_t got = size_t(std::min<uint64_t>(n, m_size - offset));
    std::memcpy(buf, bytes() + offset, got);
    return got;
}

ErrorOr<size_t> FileData::write(uint64_t offset, const char* data, size_t n) {
    if (offset > kMaxSize || n > kMaxSize - offset)
        return Error(EFBIG, "file larger than 2 GiB");
    if (offset + n > m_size)
        TRY(resize(offset + n));
    std::memcpy(bytes() + offset, data, n);
    return n;
}

ErrorOr<void> FileData::resize(uint64_t size) {
    if (size > kMaxSize)
        return Error(EFBIG, "file larger than 2 GiB");
    if (m_shared) {
        // Memory objects and memfds read back zeros past a shrink.
        TRY(m_shared->resize(size));
    } else {
        m_heap.resize(size, '\0');
    }
    m_size = size;
    return {};
}

ErrorOr<int64_t> FileData::share(bool writable) {
    if (!m_shared) {
        auto mem = TRY(SharedMemory::create(m_size));
        std::memcpy(mem->data(), m_heap.data(), m_size);
        m_shared = std::move(mem);
        std::string().swap(m_heap);
    }
    return m_shared->share(writable);
}

} // namespace vfsd
