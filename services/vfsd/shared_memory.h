// Memory that vfsd and the programs mapping a file share: the page cache
// of a file that someone mmaps. On RustOS it is a kernel memory object
// (SYS_RUSTOS_MEMORY_*), mapped into vfsd through a window that is grown
// (mapped anew) as the file grows; syscalld maps the same object into the
// programs. On a Linux host (unit tests) it is a memfd with the same
// behaviour, so the logic above it is tested unchanged.
#pragma once

#include <rustos/base/error.h>

#include <cstdint>
#include <memory>

namespace vfsd {

using rustos::ErrorOr;

class SharedMemory {
public:
    static ErrorOr<std::unique_ptr<SharedMemory>> create(uint64_t size);
    ~SharedMemory();
    SharedMemory(const SharedMemory&) = delete;
    SharedMemory& operator=(const SharedMemory&) = delete;

    uint64_t size() const { return m_size; }
    // The bytes [0, size()); the pointer changes when resize() moves the window.
    char* data() const { return m_window; }
    ErrorOr<void> resize(uint64_t size);
    // A new handle to the memory (RustOS: a memory object handle that may
    // travel in a message, RIGHT_WRITE only if `writable`; host: a dup'ed
    // memfd). The caller owns it.
    ErrorOr<int64_t> share(bool writable) const;
    bool is_kernel_object() const { return m_kernel; }

private:
    SharedMemory() = default;
    ErrorOr<void> map_window(uint64_t len);

    bool m_kernel = false; // RustOS memory object, else a host memfd
    int64_t m_id = -1;     // the object handle or the memfd
    char* m_window = nullptr;
    uint64_t m_window_len = 0;
    uint64_t m_size = 0;
};

} // namespace vfsd
