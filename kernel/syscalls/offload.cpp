// Linux syscalls whose policy lives in a service. The kernel marshals the
// arguments — it copies in what input pointers point to, as the spec below
// says — calls the owning service as an IPC client on the caller's behalf,
// and copies the results back out, only into the pointer arguments the
// spec names as outputs and only up to their sizes. Services never touch
// user memory.
//
// Request payload (KERNEL_LINUX_SYSCALL): u32 nr, u32 flags, u64 args[6],
// u32 count, count x (u32 arg, bytes data). Reply payload: i64 result,
// u32 count, count x (u32 arg, bytes data).
//
// A process created before the owning service registered (and that service
// itself) gets the kernel default for the call instead: never a second
// copy of the policy, just the minimum.
#include "offload.h"

#include "log.h"
#include "mm/memory.h"
#include "proc/process.h"
#include "sched/scheduler.h"
#include "syscall.h"
#include "usercopy.h"

#include <rustos/abi/syscalls.h>
#include <rustos/ipc/codec.h>

namespace kernel::syscalls {

using ipc::KMessage;
using rustos::Error;
using rustos::ErrorOr;
using rustos::abi::LinuxSyscall;
using rustos::ipc::Reader;
using rustos::ipc::Writer;
namespace service = rustos::ipc::service;

namespace {

enum class Kind : uint8_t {
    None,
    Path,     // NUL-terminated string (input)
    OptPath,  // the same, NULL allowed (utimensat)
    In,       // input buffer
    OptIn,    // input buffer, NULL allowed
    Out,      // output buffer (the service fills at most its size); NULL is EFAULT
    OptOut,   // the same, NULL allowed, checked only when written (nanosleep's rem)
    InOut,    // both; NULL is EFAULT
    OptInOut, // both, NULL allowed (select's sets)
    IovIn,    // iovec array whose buffers are input (writev)
    IovOut,   // iovec array whose buffers receive output (readv)
    StrVec,   // NULL-terminated array of strings (execve)
};

constexpr uint8_t kFixed = 0xff;

struct ArgSpec {
    uint8_t index = 0;
    Kind kind = Kind::None;
    uint8_t len_arg = kFixed; // size = args[len_arg] * elem, or `fixed`
    uint16_t elem = 1;
    uint32_t fixed = 0;
};

enum SpecFlags : uint8_t {
    kPassProcess = 1, // attach a handle to the calling process
    kCapLength = 2,   // cap args[len_arg] of the first data argument to what one message carries
    kPassUserSp = 4,  // args[5] (unused by the call) carries the caller's user stack pointer
};

struct Spec {
    LinuxSyscall nr;
    uint32_t service;
    uint8_t flags;
    ArgSpec args[5];
};

constexpr ArgSpec path(uint8_t i) { return {i, Kind::Path}; }
constexpr ArgSpec in(uint8_t i, uint32_t size) { return {i, Kind::In, kFixed, 1, size}; }
constexpr ArgSpec opt_in(uint8_t i, uint32_t size) { return {i, Kind::OptIn, kFixed, 1, size}; }
constexpr ArgSpec out(uint8_t i, uint32_t size) { return {i, Kind::Out, kFixed, 1, size}; }
constexpr ArgSpec opt_out(uint8_t i, uint32_t size) { return {i, Kind::OptOut, kFixed, 1, size}; }
constexpr ArgSpec inout(uint8_t i, uint32_t size) { return {i, Kind::InOut, kFixed, 1, size}; }
constexpr ArgSpec opt_inout(uint8_t i, uint32_t size) {
    return {i, Kind::OptInOut, kFixed, 1, size};
}
constexpr ArgSpec in_len(uint8_t i, uint8_t len, uint16_t elem = 1) {
    return {i, Kind::In, len, elem, 0};
}
constexpr ArgSpec out_len(uint8_t i, uint8_t len, uint16_t elem = 1) {
    return {i, Kind::Out, len, elem, 0};
}
constexpr ArgSpec inout_len(uint8_t i, uint8_t len, uint16_t elem = 1) {
    return {i, Kind::InOut, len, elem, 0};
}

constexpr uint32_t kStat = 144, kStatx = 256, kStatfs = 120, kSockaddr = 128, kTimespec = 16;
constexpr uint32_t kSigaction = 32, kSigset = 8, kStack = 24, kItimer = 32, kRlimit = 16;
constexpr uint32_t kRusage = 144, kSiginfo = 128, kEpollEvent = 12;

constexpr uint32_t V = service::VFSD, S = service::SYSCALLD, P = service::PROCD,
                   L = service::LOADERD;

// clang-format off
constexpr Spec kSpecs[] = {
    // Files (vfsd).
    {LinuxSyscall::read, V, kCapLength, {out_len(1, 2)}},
    {LinuxSyscall::write, V, kCapLength, {in_len(1, 2)}},
    {LinuxSyscall::open, V, 0, {path(0)}},
    {LinuxSyscall::close, V, 0, {}},
    {LinuxSyscall::stat, V, 0, {path(0), out(1, kStat)}},
    {LinuxSyscall::fstat, V, 0, {out(1, kStat)}},
    {LinuxSyscall::lstat, V, 0, {path(0), out(1, kStat)}},
    {LinuxSyscall::poll, V, 0, {inout_len(0, 1, 8)}},
    {LinuxSyscall::lseek, V, 0, {}},
    {LinuxSyscall::ioctl, V, 0, {}},
    {LinuxSyscall::pread64, V, kCapLength, {out_len(1, 2)}},
    {LinuxSyscall::pwrite64, V, kCapLength, {in_len(1, 2)}},
    {LinuxSyscall::readv, V, 0, {{1, Kind::IovOut, 2, 16, 0}}},
    {LinuxSyscall::writev, V, 0, {{1, Kind::IovIn, 2, 16, 0}}},
    {LinuxSyscall::preadv, V, 0, {{1, Kind::IovOut, 2, 16, 0}}},
    {LinuxSyscall::pwritev, V, 0, {{1, Kind::IovIn, 2, 16, 0}}},
    {LinuxSyscall::preadv2, V, 0, {{1, Kind::IovOut, 2, 16, 0}}},
    {LinuxSyscall::pwritev2, V, 0, {{1, Kind::IovIn, 2, 16, 0}}},
    {LinuxSyscall::access, V, 0, {path(0)}},
    {LinuxSyscall::pipe, V, 0, {out(0, 8)}},
    {LinuxSyscall::select, V, 0, {}},
    {LinuxSyscall::dup, V, 0, {}},
    {LinuxSyscall::dup2, V, 0, {}},
    {LinuxSyscall::sendfile, V, 0, {opt_inout(2, 8)}},
    {LinuxSyscall::socket, V, 0, {}},
    {LinuxSyscall::connect, V, 0, {in_len(1, 2)}},
    {LinuxSyscall::accept, V, 0, {opt_out(1, kSockaddr), opt_inout(2, 4)}},
    {LinuxSyscall::sendto, V, kCapLength, {in_len(1, 2), in_len(4, 5)}},
    {LinuxSyscall::recvfrom, V, kCapLength, {out_len(1, 2), opt_out(4, kSockaddr), opt_inout(5, 4)}},
    {LinuxSyscall::shutdown, V, 0, {}},
    {LinuxSyscall::bind, V, 0, {in_len(1, 2)}},
    {LinuxSyscall::listen, V, 0, {}},
    {LinuxSyscall::getsockname, V, 0, {out(1, kSockaddr), inout(2, 4)}},
    {LinuxSyscall::getpeername, V, 0, {out(1, kSockaddr), inout(2, 4)}},
    {LinuxSyscall::socketpair, V, 0, {out(3, 8)}},
    {LinuxSyscall::setsockopt, V, 0, {in_len(3, 4)}},
    {LinuxSyscall::getsockopt, V, 0, {opt_out(3, 256), inout(4, 4)}},
    {LinuxSyscall::fcntl, V, 0, {}},
    {LinuxSyscall::flock, V, 0, {}},
    {LinuxSyscall::fsync, V, 0, {}},
    {LinuxSyscall::fdatasync, V, 0, {}},
    {LinuxSyscall::truncate, V, 0, {path(0)}},
    {LinuxSyscall::ftruncate, V, 0, {}},
    {LinuxSyscall::getdents, V, kCapLength, {out_len(1, 2)}},
    {LinuxSyscall::getcwd, V, kCapLength, {out_len(0, 1)}},
    {LinuxSyscall::chdir, V, 0, {path(0)}},
    {LinuxSyscall::fchdir, V, 0, {}},
    {LinuxSyscall::rename, V, 0, {path(0), path(1)}},
    {LinuxSyscall::mkdir, V, 0, {path(0)}},
    {LinuxSyscall::rmdir, V, 0, {path(0)}},
    {LinuxSyscall::creat, V, 0, {path(0)}},
    {LinuxSyscall::link, V, 0, {path(0), path(1)}},
    {LinuxSyscall::unlink, V, 0, {path(0)}},
    {LinuxSyscall::symlink, V, 0, {path(0), path(1)}},
    {LinuxSyscall::readlink, V, kCapLength, {path(0), out_len(1, 2)}},
    {LinuxSyscall::chmod, V, 0, {path(0)}},
    {LinuxSyscall::fchmod, V, 0, {}},
    {LinuxSyscall::chown, V, 0, {path(0)}},
    {LinuxSyscall::fchown, V, 0, {}},
    {LinuxSyscall::lchown, V, 0, {path(0)}},
    {LinuxSyscall::umask, V, 0, {}},
    {LinuxSyscall::utime, V, 0, {path(0), opt_in(1, 16)}},
    {LinuxSyscall::utimes, V, 0, {path(0), opt_in(1, 32)}},
    {LinuxSyscall::mknod, V, 0, {path(0)}},
    {LinuxSyscall::statfs, V, 0, {path(0), out(1, kStatfs)}},
    {LinuxSyscall::fstatfs, V, 0, {out(1, kStatfs)}},
    {LinuxSyscall::sync, V, 0, {}},
    {LinuxSyscall::syncfs, V, 0, {}},
    {LinuxSyscall::getxattr, V, 0, {path(0), path(1), out_len(2, 3)}},
    {LinuxSyscall::lgetxattr, V, 0, {path(0), path(1), out_len(2, 3)}},
    {LinuxSyscall::fgetxattr, V, 0, {path(1), out_len(2, 3)}},
    {LinuxSyscall::listxattr, V, 0, {path(0), out_len(1, 2)}},
    {LinuxSyscall::llistxattr, V, 0, {path(0), out_len(1, 2)}},
    {LinuxSyscall::flistxattr, V, 0, {out_len(1, 2)}},
    {LinuxSyscall::getdents64, V, kCapLength, {out_len(1, 2)}},
    {LinuxSyscall::fadvise64, V, 0, {}},
    {LinuxSyscall::epoll_create, V, 0, {}},
    {LinuxSyscall::epoll_create1, V, 0, {}},
    {LinuxSyscall::epoll_ctl, V, 0, {opt_in(3, kEpollEvent)}},
    {LinuxSyscall::epoll_wait, V, 0, {out_len(1, 2, kEpollEvent)}},
    {LinuxSyscall::epoll_pwait, V, 0, {out_len(1, 2, kEpollEvent), opt_in(4, kSigset)}},
    {LinuxSyscall::openat, V, 0, {path(1)}},
    {LinuxSyscall::mkdirat, V, 0, {path(1)}},
    {LinuxSyscall::mknodat, V, 0, {path(1)}},
    {LinuxSyscall::fchownat, V, 0, {path(1)}},
    {LinuxSyscall::newfstatat, V, 0, {path(1), out(2, kStat)}},
    {LinuxSyscall::unlinkat, V, 0, {path(1)}},
    {LinuxSyscall::renameat, V, 0, {path(1), path(3)}},
    {LinuxSyscall::linkat, V, 0, {path(1), path(3)}},
    {LinuxSyscall::symlinkat, V, 0, {path(0), path(2)}},
    {LinuxSyscall::readlinkat, V, kCapLength, {path(1), out_len(2, 3)}},
    {LinuxSyscall::fchmodat, V, 0, {path(1)}},
    {LinuxSyscall::faccessat, V, 0, {path(1)}},
    {LinuxSyscall::faccessat2, V, 0, {path(1)}},
    {LinuxSyscall::pselect6, V, 0, {}},
    {LinuxSyscall::ppoll, V, 0, {inout_len(0, 1, 8), opt_in(2, kTimespec), opt_in(3, kSigset)}},
    {LinuxSyscall::utimensat, V, 0, {{1, Kind::OptPath}, opt_in(2, 32)}},
    {LinuxSyscall::dup3, V, 0, {}},
    {LinuxSyscall::pipe2, V, 0, {out(0, 8)}},
    {LinuxSyscall::renameat2, V, 0, {path(1), path(3)}},
    {LinuxSyscall::statx, V, 0, {{1, Kind::OptPath}, out(4, kStatx)}},
    {LinuxSyscall::accept4, V, 0, {opt_out(1, kSockaddr), opt_inout(2, 4)}},
    {LinuxSyscall::sendmmsg, V, 0, {}},
    // Memory, signals, clocks, limits, credentials (syscalld).
    {LinuxSyscall::mmap, S, kPassProcess, {}},
    {LinuxSyscall::mprotect, S, kPassProcess, {}},
    {LinuxSyscall::munmap, S, kPassProcess, {}},
    {LinuxSyscall::brk, S, kPassProcess, {}},
    {LinuxSyscall::mremap, S, kPassProcess, {}},
    {LinuxSyscall::msync, S, kPassProcess, {}},
    {LinuxSyscall::madvise, S, kPassProcess, {}},
    {LinuxSyscall::mlock, S, 0, {}},
    {LinuxSyscall::munlock, S, 0, {}},
    {LinuxSyscall::rt_sigaction, S, 0, {opt_in(1, kSigaction), opt_out(2, kSigaction)}},
    {LinuxSyscall::rt_sigprocmask, S, 0, {opt_in(1, kSigset), opt_out(2, kSigset)}},
    {LinuxSyscall::rt_sigpending, S, 0, {out(0, kSigset)}},
    {LinuxSyscall::rt_sigtimedwait, S, 0, {in(0, kSigset), opt_out(1, kSiginfo), opt_in(2, kTimespec)}},
    {LinuxSyscall::rt_sigqueueinfo, S, 0, {in(2, kSiginfo)}},
    {LinuxSyscall::rt_sigsuspend, S, 0, {in(0, kSigset)}},
    {LinuxSyscall::sigaltstack, S, kPassUserSp, {opt_in(0, kStack), opt_out(1, kStack)}},
    {LinuxSyscall::pause, S, 0, {}},
    {LinuxSyscall::nanosleep, S, 0, {in(0, kTimespec), opt_out(1, kTimespec)}},
    {LinuxSyscall::clock_nanosleep, S, 0, {in(2, kTimespec), opt_out(3, kTimespec)}},
    {LinuxSyscall::alarm, S, 0, {}},
    {LinuxSyscall::getitimer, S, 0, {out(1, kItimer)}},
    {LinuxSyscall::setitimer, S, 0, {opt_in(1, kItimer), opt_out(2, kItimer)}},
    {LinuxSyscall::timer_create, S, 0, {opt_in(1, 64), out(2, 4)}},
    {LinuxSyscall::timer_settime, S, 0, {in(2, kItimer), opt_out(3, kItimer)}},
    {LinuxSyscall::timer_gettime, S, 0, {out(1, kItimer)}},
    {LinuxSyscall::timer_getoverrun, S, 0, {}},
    {LinuxSyscall::timer_delete, S, 0, {}},
    {LinuxSyscall::kill, S, 0, {}},
    {LinuxSyscall::tkill, S, 0, {}},
    {LinuxSyscall::tgkill, S, 0, {}},
    {LinuxSyscall::getrlimit, S, 0, {out(1, kRlimit)}},
    {LinuxSyscall::setrlimit, S, 0, {in(1, kRlimit)}},
    {LinuxSyscall::prlimit64, S, 0, {opt_in(2, kRlimit), opt_out(3, kRlimit)}},
    {LinuxSyscall::getrusage, P, 0, {out(1, kRusage)}},
    {LinuxSyscall::times, P, 0, {opt_out(0, 32)}},
    {LinuxSyscall::getuid, S, 0, {}},
    {LinuxSyscall::getgid, S, 0, {}},
    {LinuxSyscall::geteuid, S, 0, {}},
    {LinuxSyscall::getegid, S, 0, {}},
    {LinuxSyscall::setuid, S, 0, {}},
    {LinuxSyscall::setgid, S, 0, {}},
    {LinuxSyscall::setreuid, S, 0, {}},
    {LinuxSyscall::setregid, S, 0, {}},
    {LinuxSyscall::setresuid, S, 0, {}},
    {LinuxSyscall::setresgid, S, 0, {}},
    {LinuxSyscall::getresuid, S, 0, {out(0, 4), out(1, 4), out(2, 4)}},
    {LinuxSyscall::getresgid, S, 0, {out(0, 4), out(1, 4), out(2, 4)}},
    {LinuxSyscall::getgroups, S, 0, {out_len(1, 0, 4)}},
    {LinuxSyscall::setgroups, S, 0, {in_len(1, 0, 4)}},
    {LinuxSyscall::getpriority, S, 0, {}},
    {LinuxSyscall::setpriority, S, 0, {}},
    {LinuxSyscall::sched_getaffinity, S, 0, {out_len(2, 1)}},
    {LinuxSyscall::prctl, S, 0, {}},
    // Processes (procd) and programs (loaderd).
    {LinuxSyscall::fork, P, kPassProcess, {}},
    {LinuxSyscall::vfork, P, kPassProcess, {}},
    {LinuxSyscall::clone, P, kPassProcess, {opt_out(2, 4)}},
    {LinuxSyscall::wait4, P, 0, {opt_out(1, 4), opt_out(3, kRusage)}},
    {LinuxSyscall::waitid, P, 0, {opt_out(2, kSiginfo), opt_out(4, kRusage)}},
    {LinuxSyscall::getppid, P, 0, {}},
    {LinuxSyscall::setpgid, P, 0, {}},
    {LinuxSyscall::getpgid, P, 0, {}},
    {LinuxSyscall::getpgrp, P, 0, {}},
    {LinuxSyscall::setsid, P, 0, {}},
    {LinuxSyscall::getsid, P, 0, {}},
    {LinuxSyscall::execve, L, kPassProcess, {path(0), {1, Kind::StrVec}, {2, Kind::StrVec}}},
    {LinuxSyscall::execveat, L, kPassProcess, {{1, Kind::OptPath}, {2, Kind::StrVec}, {3, Kind::StrVec}}},
};
// clang-format on

struct SpecIndex {
    int16_t index[rustos::abi::kLinuxSyscallLimit];
    constexpr SpecIndex() : index() {
        for (auto& i : index)
            i = -1;
        for (size_t i = 0; i < sizeof kSpecs / sizeof kSpecs[0]; ++i)
            index[uint32_t(kSpecs[i].nr)] = int16_t(i);
    }
};
constexpr SpecIndex kIndex;

constexpr size_t kMaxPath = 4096;
// What one message carries for a read/write: the payload minus room for the
// header fields of the request or reply.
constexpr size_t kMaxData = rustos::ipc::kMaxPayload - 256;

// Dynamic specs: the pointer arguments of ioctl, fcntl and select depend
// on their other arguments.
size_t dynamic_args(LinuxSyscall nr, const uint64_t* args, ArgSpec* out) {
    switch (nr) {
    case LinuxSyscall::ioctl:
        switch (uint32_t(args[1])) {
        case 0x5401: // TCGETS
            out[0] = ::kernel::syscalls::out(2, 36);
            return 1;
        case 0x5402: // TCSETS
        case 0x5403: // TCSETSW
        case 0x5404: // TCSETSF
            out[0] = in(2, 36);
            return 1;
        case 0x540F: // TIOCGPGRP
        case 0x5429: // TIOCGSID
        case 0x541B: // FIONREAD
        case 0x5411: // TIOCOUTQ
            out[0] = ::kernel::syscalls::out(2, 4);
            return 1;
        case 0x5410: // TIOCSPGRP
        case 0x5421: // FIONBIO
        case 0x5452: // FIOASYNC
            out[0] = in(2, 4);
            return 1;
        case 0x5413: // TIOCGWINSZ
            out[0] = ::kernel::syscalls::out(2, 8);
            return 1;
        case 0x5414: // TIOCSWINSZ
            out[0] = in(2, 8);
            return 1;
        default:
            return 0; // integer argument or unknown: no pointer is touched
        }
    case LinuxSyscall::fcntl:
        switch (uint32_t(args[1])) {
        case 5: // F_GETLK
        case 6: // F_SETLK
        case 7: // F_SETLKW
        case 36:
        case 37:
        case 38: // F_OFD_*
            out[0] = inout(2, 32);
            return 1;
        default:
            return 0;
        }
    case LinuxSyscall::select:
    case LinuxSyscall::pselect6: {
        uint64_t nfds = args[0] > 1024 ? 1024 : args[0];
        uint32_t set = uint32_t((nfds + 63) / 64 * 8);
        size_t n = 0;
        if (set) {
            out[n++] = opt_inout(1, set);
            out[n++] = opt_inout(2, set);
            out[n++] = opt_inout(3, set);
        }
        if (nr == LinuxSyscall::select)
            out[n++] = opt_inout(4, 16); // struct timeval, updated
        else
            out[n++] = {4, Kind::OptIn, kFixed, 1, 16}; // struct timespec
        return n;
    }
    default:
        return 0;
    }
}

struct Marshalled {
    ArgSpec specs[6];
    size_t count = 0;
    uint64_t args[6];
    // readv: the iovecs, to scatter the output into.
    uint64_t iov[16][2];
    size_t iov_count = 0;
};

uint64_t size_of(const ArgSpec& s, const uint64_t* args) {
    if (s.len_arg == kFixed)
        return s.fixed;
    return args[s.len_arg] * s.elem;
}

// EFAULT unless the first page of [ptr, ptr+len) may be written (NULL
// included). Precondition: len > 0.
ErrorOr<void> check_writable(uint64_t ptr, uint64_t len) {
    uint64_t first = 4096 - (ptr & 4095);
    return proc::prepare_user_range(*proc::current_process(), ptr, len < first ? len : first, true);
}

// Copies the inputs into `w`. Errors are the syscall's (EFAULT, ...).
ErrorOr<uint32_t> marshal_inputs(Marshalled& m, Writer& w) {
    uint32_t count = 0;
    char* strbuf = nullptr;
    auto cleanup = [&] { mm::kfree(strbuf); };
    for (size_t i = 0; i < m.count; ++i) {
        const ArgSpec& s = m.specs[i];
        uint64_t ptr = m.args[s.index];
        switch (s.kind) {
        case Kind::None:
        case Kind::OptOut:
            break;
        case Kind::Out: {
            // Fail before the call rather than lose what it returns (data
            // read from a pipe, new descriptors): NULL, read-only and wild
            // buffers are EFAULT up front. The first page tells; a short
            // buffer behind a long count fails as it is written, as on Linux.
            uint64_t len = size_of(s, m.args);
            if (!len)
                break;
            auto r = check_writable(ptr, len);
            if (r.is_error()) {
                cleanup();
                return r.error();
            }
            break;
        }
        case Kind::OptPath:
        case Kind::Path: {
            if (!ptr && s.kind == Kind::OptPath)
                break;
            if (!strbuf && !(strbuf = static_cast<char*>(mm::kmalloc(kMaxPath + 1))))
                return Error(ENOMEM, "out of memory");
            auto n = copy_string_from_user(strbuf, kMaxPath + 1, ptr);
            if (n.is_error()) {
                cleanup();
                return n.error().code() == ENAMETOOLONG ? Error(ENAMETOOLONG, "path too long")
                                                        : n.error();
            }
            w.u32(s.index).bytes(strbuf, n.value());
            ++count;
            break;
        }
        case Kind::OptIn:
        case Kind::In:
        case Kind::InOut:
        case Kind::OptInOut: {
            if (!ptr && (s.kind == Kind::OptIn || s.kind == Kind::OptInOut))
                break;
            uint64_t len = size_of(s, m.args);
            if (len > kMaxData) {
                cleanup();
                return Error(EINVAL, "argument larger than one message");
            }
            if (s.kind == Kind::InOut || s.kind == Kind::OptInOut) {
                auto r = check_writable(ptr, len);
                if (r.is_error()) {
                    cleanup();
                    return r.error();
                }
            }
            w.u32(s.index).u32(uint32_t(len));
            uint8_t* dst = w.reserve(len);
            if (!dst) {
                cleanup();
                return Error(E2BIG, "arguments larger than one message");
            }
            auto r = copy_from_user(dst, ptr, len);
            if (r.is_error()) {
                cleanup();
                return r.error();
            }
            ++count;
            break;
        }
        case Kind::IovIn:
        case Kind::IovOut: {
            uint64_t n = m.args[s.len_arg];
            if (n > 1024) {
                cleanup();
                return Error(EINVAL, "too many iovecs");
            }
            if (n > 16)
                n = 16; // a short transfer, as for any large read or write
            auto r = copy_from_user(m.iov, ptr, n * 16);
            if (r.is_error()) {
                cleanup();
                return r.error();
            }
            m.iov_count = n;
            uint64_t total = 0;
            for (size_t k = 0; k < n; ++k) {
                if (int64_t(m.iov[k][1]) < 0) {
                    cleanup();
                    return Error(EINVAL, "negative iovec length");
                }
                uint64_t len = m.iov[k][1];
                if (total + len > kMaxData)
                    len = kMaxData - total;
                m.iov[k][1] = len;
                total += len;
            }
            if (s.kind == Kind::IovOut) {
                for (size_t k = 0; k < n; ++k) {
                    auto c =
                        m.iov[k][1] ? check_writable(m.iov[k][0], m.iov[k][1]) : ErrorOr<void>();
                    if (c.is_error()) {
                        cleanup();
                        return c.error();
                    }
                }
                m.args[s.len_arg] = total; // the service sees the byte count to read
                break;
            }
            w.u32(s.index).u32(uint32_t(total));
            uint8_t* dst = w.reserve(total);
            if (!dst) {
                cleanup();
                return Error(E2BIG, "arguments larger than one message");
            }
            for (size_t k = 0; k < n; ++k) {
                auto c = copy_from_user(dst, m.iov[k][0], m.iov[k][1]);
                if (c.is_error()) {
                    cleanup();
                    return c.error();
                }
                dst += m.iov[k][1];
            }
            m.args[s.len_arg] = total;
            ++count;
            break;
        }
        case Kind::StrVec: {
            // u32 count, then the strings.
            if (!ptr)
                break;
            if (!strbuf && !(strbuf = static_cast<char*>(mm::kmalloc(kMaxPath + 1))))
                return Error(ENOMEM, "out of memory");
            w.u32(s.index);
            uint8_t* len_at = w.reserve(4);
            size_t start = w.size();
            uint8_t* count_at = w.reserve(4);
            uint32_t strings = 0;
            for (;; ++strings) {
                uint64_t sp;
                auto r = copy_from_user(&sp, ptr + strings * 8ull, 8);
                if (r.is_error()) {
                    cleanup();
                    return r.error();
                }
                if (!sp)
                    break;
                if (strings == 4096) {
                    cleanup();
                    return Error(E2BIG, "too many arguments");
                }
                auto n = copy_string_from_user(strbuf, kMaxPath + 1, sp);
                if (n.is_error()) {
                    cleanup();
                    return n.error().code() == ENAMETOOLONG ? Error(E2BIG, "argument too long")
                                                            : n.error();
                }
                w.str(rustos::StringView(strbuf, n.value()));
            }
            if (!w.ok() || !len_at || !count_at) {
                cleanup();
                return Error(E2BIG, "arguments and environment larger than one message");
            }
            uint32_t total = uint32_t(w.size() - start);
            __builtin_memcpy(len_at, &total, 4);
            __builtin_memcpy(count_at, &strings, 4);
            ++count;
            break;
        }
        }
    }
    cleanup();
    if (!w.ok())
        return Error(E2BIG, "arguments larger than one message");
    return count;
}

// Applies the reply's output blocks; returns the syscall result.
int64_t unmarshal_outputs(const Spec& spec, Marshalled& m, KMessage* reply) {
    if (reply->header.status < 0)
        return reply->header.status; // the service refused the request as a whole
    Reader rd(reply->payload(), reply->header.length);
    int64_t result = rd.i64();
    uint32_t blocks = rd.u32();
    for (uint32_t i = 0; rd.ok() && i < blocks; ++i) {
        uint32_t arg = rd.u32();
        size_t len = 0;
        const uint8_t* data = rd.bytes(&len);
        if (!rd.ok())
            break;
        const ArgSpec* s = nullptr;
        for (size_t k = 0; k < m.count; ++k)
            if (m.specs[k].index == arg &&
                (m.specs[k].kind == Kind::Out || m.specs[k].kind == Kind::OptOut ||
                 m.specs[k].kind == Kind::InOut || m.specs[k].kind == Kind::OptInOut ||
                 m.specs[k].kind == Kind::IovOut))
                s = &m.specs[k];
        uint64_t cap = !s ? 0 : s->kind == Kind::IovOut ? m.args[s->len_arg] : size_of(*s, m.args);
        if (!s || len > cap) {
            LOG_WARN("syscall",
                     "%s: reply from %s writes where it may not (arg %u, %zu bytes); ignored",
                     rustos::abi::linux_syscall_name(uint32_t(spec.nr)),
                     rustos::ipc::service_name(spec.service), arg, len);
            continue;
        }
        if (s->kind == Kind::IovOut) {
            for (size_t k = 0; k < m.iov_count && len; ++k) {
                size_t n = len < m.iov[k][1] ? len : m.iov[k][1];
                if (copy_to_user(m.iov[k][0], data, n).is_error() && result >= 0)
                    result = rustos::abi::syscall_error(EFAULT);
                data += n;
                len -= n;
            }
            continue;
        }
        if (!m.args[arg])
            continue; // the caller passed NULL: it does not want this output
        if (copy_to_user(m.args[arg], data, len).is_error() && result >= 0)
            result = rustos::abi::syscall_error(EFAULT);
    }
    if (!rd.ok()) {
        LOG_WARN("syscall", "%s: malformed reply from %s -> EIO",
                 rustos::abi::linux_syscall_name(uint32_t(spec.nr)),
                 rustos::ipc::service_name(spec.service));
        result = rustos::abi::syscall_error(EIO);
    }
    return result;
}

ErrorOr<KMessage*> call_endpoint(ipc::Endpoint& ep, KMessage* request) {
    KMessage* reply = nullptr;
    bool cancelled = false;
    TRY(ep.call(request, &reply, 0, true, &cancelled));
    if (cancelled)
        sched::current()->syscall_interrupted = true;
    return reply;
}

int64_t offload_once(const Spec& spec, const uint64_t* raw, uint32_t flags) {
    proc::Process* p = proc::current_process();
    RefPtr<ipc::Endpoint> ep(ipc::registered_endpoint(spec.service));
    if (!ep) {
        LOG_WARN("syscall", "pid %d (%s): %s: %s is not running -> EIO", p->pid, p->name,
                 rustos::abi::linux_syscall_name(uint32_t(spec.nr)),
                 rustos::ipc::service_name(spec.service));
        return rustos::abi::syscall_error(EIO);
    }
    Marshalled m;
    for (int i = 0; i < 6; ++i)
        m.args[i] = raw[i];
    for (const ArgSpec& s : spec.args)
        if (s.kind != Kind::None)
            m.specs[m.count++] = s;
    m.count += dynamic_args(spec.nr, m.args, m.specs + m.count);
    if (spec.flags & kCapLength) {
        for (size_t i = 0; i < m.count; ++i) {
            const ArgSpec& s = m.specs[i];
            if ((s.kind == Kind::In || s.kind == Kind::Out) && s.len_arg != kFixed) {
                if (m.args[s.len_arg] > kMaxData / s.elem)
                    m.args[s.len_arg] = kMaxData / s.elem;
                break;
            }
        }
    }

    // Marshal into a scratch buffer, then allocate the message at its real
    // size. Precondition: nothing between here and the copy blocks (the
    // kernel is not preemptible), so one buffer serves every thread.
    static uint8_t scratch[rustos::ipc::kMaxPayload];
    Writer w(scratch, sizeof scratch);
    w.u32(uint32_t(spec.nr)).u32(flags);
    uint8_t* args_at = w.reserve(sizeof m.args); // written after marshalling (iov totals)
    uint8_t* count_at = w.reserve(4);
    auto inputs = marshal_inputs(m, w);
    if (inputs.is_error())
        return inputs.error().as_syscall_return();
    __builtin_memcpy(args_at, m.args, sizeof m.args);
    uint32_t n = inputs.value();
    __builtin_memcpy(count_at, &n, 4);
    KMessage* request = KMessage::create(uint32_t(w.size()));
    if (!request)
        return rustos::abi::syscall_error(ENOMEM);
    request->header.op = rustos::ipc::op::KERNEL_LINUX_SYSCALL;
    __builtin_memcpy(request->payload(), scratch, w.size());
    if (spec.flags & kPassProcess) {
        p->ref();
        request->objects[0] = p;
        request->object_rights[0] = rustos::abi::RIGHT_INFO | rustos::abi::RIGHT_MANAGE;
        request->header.handle_count = 1;
    }
    auto reply = call_endpoint(*ep, request);
    if (reply.is_error())
        return reply.error().code() == EINTR ? rustos::abi::syscall_error(EINTR)
                                             : rustos::abi::syscall_error(EIO);
    int64_t result = unmarshal_outputs(spec, m, reply.value());
    KMessage::destroy(reply.value());
    return result;
}

// A write to a pipe or socket without a reader failed with EPIPE: the
// thread gets SIGPIPE before the call returns (unless MSG_NOSIGNAL), as on
// Linux. The signal is syscalld's policy; the kernel asks it synchronously
// so the signal is pending when the call returns to user mode.
void raise_sigpipe_if_due(const Spec& spec, const uint64_t* raw, int64_t result) {
    constexpr uint64_t kMsgNoSignal = 0x4000;
    if (result != rustos::abi::syscall_error(EPIPE) || spec.service != service::VFSD)
        return;
    switch (spec.nr) {
    case LinuxSyscall::write:
    case LinuxSyscall::writev:
    case LinuxSyscall::pwrite64:
    case LinuxSyscall::pwritev:
    case LinuxSyscall::pwritev2:
        break;
    case LinuxSyscall::sendto:
        if (raw[3] & kMsgNoSignal)
            return;
        break;
    default:
        return;
    }
    proc::Process* p = proc::current_process();
    KMessage* m = KMessage::create(16);
    if (!m)
        return;
    m->header.op = rustos::ipc::op::SYSCALLD_RAISE;
    Writer w(m->payload(), m->header.length);
    constexpr int32_t kSigpipe = 13, kSiUser = 0;
    w.u32(uint32_t(p->pid)).i32(kSigpipe).i32(kSiUser).u32(uint32_t(p->pid));
    auto reply = call_service(service::SYSCALLD, m);
    if (reply.is_error()) {
        LOG_WARN("syscall", "pid %d (%s): SIGPIPE not raised: %s", p->pid, p->name,
                 reply.error().reason());
        return;
    }
    KMessage::destroy(reply.value());
}

// read, write, pread64, pwrite64 of more than one message carries go out
// as consecutive calls, so a 64 KiB write to a pipe is one write(2) as on
// Linux. Writes block for every part; reads after the first part take only
// what is there now (kOffloadNoWait). An error or a signal after some
// progress ends the call with the bytes moved so far.
int64_t offload(const Spec& spec, Args& a) {
    uint64_t raw[6] = {a.a0(), a.a1(), a.a2(), a.a3(), a.a4(), a.a5()};
    if (spec.flags & kPassUserSp)
        raw[5] = a.frame.rsp; // SS_ONSTACK: is the caller on its alternate stack?
    bool positional = spec.nr == LinuxSyscall::pread64 || spec.nr == LinuxSyscall::pwrite64;
    bool chunked = spec.nr == LinuxSyscall::read || spec.nr == LinuxSyscall::write || positional;
    if (!chunked || raw[2] <= kMaxData) {
        int64_t r = offload_once(spec, raw, 0);
        raise_sigpipe_if_due(spec, raw, r);
        return r;
    }
    bool is_read = spec.nr == LinuxSyscall::read || spec.nr == LinuxSyscall::pread64;
    uint64_t total = raw[2];
    if (total > uint64_t(INT64_MAX))
        total = uint64_t(INT64_MAX) & ~uint64_t(0xfff);
    uint64_t done = 0;
    while (done < total) {
        uint64_t part = total - done < kMaxData ? total - done : kMaxData;
        uint64_t args[6] = {raw[0], raw[1] + done, part, raw[3] + (positional ? done : 0),
                            raw[4], raw[5]};
        uint32_t flags = done && is_read ? uint32_t(rustos::ipc::kOffloadNoWait) : 0u;
        int64_t r = offload_once(spec, args, flags);
        if (r < 0) {
            if (!done) {
                raise_sigpipe_if_due(spec, raw, r);
                return r;
            }
            // What was moved stands; nothing to restart.
            sched::current()->syscall_interrupted = false;
            break;
        }
        done += uint64_t(r);
        if (uint64_t(r) < part)
            break;
    }
    return int64_t(done);
}

} // namespace

ErrorOr<KMessage*> call_service(uint32_t service_id, KMessage* request) {
    RefPtr<ipc::Endpoint> ep(ipc::registered_endpoint(service_id));
    if (!ep) {
        KMessage::destroy(request);
        return Error(EIO, "service not running");
    }
    return call_endpoint(*ep, request);
}

ErrorOr<void> notify_sigreturn(uint64_t mask, int32_t altstack_flags) {
    KMessage* m = KMessage::create(8 + 4 + 4 + 48 + 4);
    if (!m)
        return Error(ENOMEM, "out of memory");
    m->header.op = rustos::ipc::op::KERNEL_LINUX_SYSCALL;
    Writer w(m->payload(), m->header.length);
    w.u32(uint32_t(LinuxSyscall::rt_sigreturn)).u32(0);
    uint64_t args[6] = {mask, uint64_t(uint32_t(altstack_flags)), 0, 0, 0, 0};
    for (uint64_t v : args)
        w.u64(v);
    w.u32(0);
    m->header.length = uint32_t(w.size());
    KMessage* reply = TRY(call_service(service::SYSCALLD, m));
    KMessage::destroy(reply);
    return {};
}

bool try_offload(uint64_t number, Args& a, int64_t* result) {
    if (number >= rustos::abi::kLinuxSyscallLimit || kIndex.index[number] < 0)
        return false;
    const Spec& spec = kSpecs[kIndex.index[number]];
    if (!(proc::current_process()->offload & proc::offload_bit(spec.service)))
        return false;
    // A new thread in the same process is kernel mechanism; only new
    // processes (fork, vfork, clone without CLONE_THREAD) go to procd.
    constexpr uint64_t kCloneThread = 0x10000;
    if (spec.nr == LinuxSyscall::clone && (a.a0() & kCloneThread))
        return false;
    *result = offload(spec, a);
    return true;
}

} // namespace kernel::syscalls
