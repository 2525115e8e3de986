#include "shared_memory.h"

#include <rustos/abi/native.h>
#include <rustos/user/syscall.h>

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace vfsd {

using rustos::Errno;
using rustos::Error;

namespace {

constexpr uint64_t kPage = 4096;
constexpr uint64_t kMinWindow = 64 * 1024;

uint64_t window_for(uint64_t size) {
    uint64_t want = std::max(kMinWindow, size * 2);
    return (want + kPage - 1) & ~(kPage - 1);
}

} // namespace

ErrorOr<std::unique_ptr<SharedMemory>> SharedMemory::create(uint64_t size) {
    std::unique_ptr<SharedMemory> m(new SharedMemory);
    int64_t h = rustos::user::memory_create(size);
    if (h >= 0) {
        m->m_kernel = true;
        m->m_id = h;
    } else if (h == -ENOSYS) {
        // Not on RustOS: a Linux host (unit tests).
        int fd = memfd_create("vfsd-file", MFD_CLOEXEC);
        if (fd < 0)
            return Error(Errno(errno), "memfd_create failed");
        m->m_id = fd;
        if (ftruncate(fd, off_t(size)) < 0)
            return Error(Errno(errno), "ftruncate of the memfd failed");
    } else {
        return Error(Errno(-h), "cannot create a memory object");
    }
    m->m_size = size;
    TRY(m->map_window(window_for(size)));
    return m;
}

SharedMemory::~SharedMemory() {
    if (m_window)
        munmap(m_window, m_window_len);
    if (m_id >= 0) {
        if (m_kernel)
            rustos::user::handle_close(rustos::ipc::handle_t(m_id));
        else
            close(int(m_id));
    }
}

ErrorOr<void> SharedMemory::map_window(uint64_t len) {
    void* at;
    if (m_kernel) {
        int64_t r = rustos::user::memory_map(
            rustos::ipc::handle_t(m_id), 0, len,
            rustos::abi::mm_prot_flags(PROT_READ | PROT_WRITE, rustos::abi::MM_SHARED), 0);
        if (r < 0)
            return Error(Errno(-r), "cannot map the memory object into vfsd");
        at = reinterpret_cast<void*>(r);
    } else {
        at = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_SHARED, int(m_id), 0);
        if (at == MAP_FAILED)
            return Error(Errno(errno), "cannot map the memfd");
    }
    if (m_window)
        munmap(m_window, m_window_len);
    m_window = static_cast<char*>(at);
    m_window_len = len;
    return {};
}

ErrorOr<void> SharedMemory::resize(uint64_t size) {
    if (m_kernel) {
        int64_t r = rustos::user::memory_resize(rustos::ipc::handle_t(m_id), size);
        if (r < 0)
            return Error(Errno(-r), "cannot resize the memory object");
    } else if (ftruncate(int(m_id), off_t(size)) < 0) {
        return Error(Errno(errno), "ftruncate of the memfd failed");
    }
    m_size = size;
    if (size > m_window_len)
        TRY(map_window(window_for(size)));
    return {};
}

ErrorOr<int64_t> SharedMemory::share(bool writable) const {
    if (m_kernel) {
        using namespace rustos::abi;
        uint32_t rights =
            RIGHT_MAP | RIGHT_TRANSFER | RIGHT_DUPLICATE | (writable ? uint32_t(RIGHT_WRITE) : 0u);
        int64_t h = rustos::user::handle_duplicate(rustos::ipc::handle_t(m_id), rights);
        if (h < 0)
            return Error(Errno(-h), "cannot duplicate the memory object handle");
        return h;
    }
    int fd = dup(int(m_id));
    if (fd < 0)
        return Error(Errno(errno), "dup of the memfd failed");
    return int64_t(fd);
}

} // namespace vfsd
