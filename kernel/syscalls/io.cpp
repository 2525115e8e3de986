// Kernel-default console output: fds 1 and 2 write to the console. Real
// file descriptors belong to vfsd.
#include "log.h"
#include "syscall.h"
#include "usercopy.h"

namespace kernel::syscalls {

using rustos::Errno;

namespace {

constexpr size_t kChunk = 512;

int64_t write_console(uint64_t fd, uint64_t buf, uint64_t len) {
    if (fd != 1 && fd != 2)
        return rustos::abi::syscall_error(EBADF);
    if (int64_t(len) < 0)
        return rustos::abi::syscall_error(EINVAL);
    char chunk[kChunk];
    uint64_t done = 0;
    while (done < len) {
        size_t n = len - done < kChunk ? len - done : kChunk;
        auto r = copy_from_user(chunk, buf + done, n);
        if (r.is_error())
            return done ? int64_t(done) : fail(r.error());
        console_write(chunk, n);
        done += n;
    }
    return int64_t(done);
}

} // namespace

int64_t sys_write(Args& a) { return write_console(a.a0(), a.a1(), a.a2()); }

int64_t sys_writev(Args& a) {
    struct Iovec {
        uint64_t base, len;
    };
    uint64_t count = a.a2();
    if (count > 1024)
        return rustos::abi::syscall_error(EINVAL);
    int64_t total = 0;
    for (uint64_t i = 0; i < count; ++i) {
        Iovec v;
        auto r = copy_from_user(&v, a.a1() + i * sizeof(Iovec), sizeof v);
        if (r.is_error())
            return total ? total : fail(r.error());
        int64_t n = write_console(a.a0(), v.base, v.len);
        if (n < 0)
            return total ? total : n;
        total += n;
    }
    return total;
}

} // namespace kernel::syscalls
