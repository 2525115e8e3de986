// Kernel-default memory calls: anonymous mappings and the program break.
// File-backed mappings need vfsd and syscalld (their policy lives there).
#include "proc/process.h"
#include "syscall.h"

namespace kernel::syscalls {

using rustos::Errno;

namespace {
enum : uint64_t {
    MAP_SHARED = 0x01,
    MAP_PRIVATE = 0x02,
    MAP_FIXED = 0x10,
    MAP_ANONYMOUS = 0x20,
    MAP_FIXED_NOREPLACE = 0x100000,
};
int64_t err(Errno e) { return rustos::abi::syscall_error(e); }
} // namespace

int64_t sys_brk(Args& a) { return int64_t(proc::set_brk(*proc::current_process()->space, a.a0())); }

int64_t sys_mmap(Args& a) {
    uint64_t addr = a.a0(), len = a.a1(), prot = a.a2(), flags = a.a3();
    if ((flags & (MAP_SHARED | MAP_PRIVATE)) == 0)
        return err(EINVAL);
    if (!(flags & MAP_ANONYMOUS))
        return err(EBADF); // no file descriptors in the kernel default
    if (prot & ~uint64_t(7))
        return err(EINVAL);
    auto r =
        proc::map_anonymous(*proc::current_process()->space, addr, len, uint32_t(prot),
                            flags & MAP_FIXED, flags & MAP_FIXED_NOREPLACE, flags & MAP_SHARED);
    return r.is_error() ? fail(r.error()) : int64_t(r.value());
}

int64_t sys_munmap(Args& a) {
    auto r = proc::unmap(*proc::current_process()->space, a.a0(), a.a1());
    return r.is_error() ? fail(r.error()) : 0;
}

int64_t sys_mprotect(Args& a) {
    auto r = proc::protect(*proc::current_process()->space, a.a0(), a.a1(), uint32_t(a.a2()));
    return r.is_error() ? fail(r.error()) : 0;
}

} // namespace kernel::syscalls
