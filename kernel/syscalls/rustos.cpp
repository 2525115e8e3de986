// Native RustOS calls (SYS_RUSTOS_*). Spawn and wait are temporary: process
// creation moves to loaderd and the process tree to procd.
#include "log.h"
#include "proc/bootfs.h"
#include "proc/process.h"
#include "syscall.h"
#include "usercopy.h"

#include "mm/memory.h"

#include <rustos/abi/syscalls.h>

namespace kernel::syscalls {

using rustos::Errno;
using rustos::StringView;

namespace {

constexpr size_t kMaxPath = 256;
constexpr size_t kMaxArgs = 256;
constexpr size_t kMaxArgBytes = 64 * 1024;

int64_t err(Errno e) { return rustos::abi::syscall_error(e); }

rustos::ErrorOr<StringView> copy_path(char* buf, uint64_t user, uint64_t len) {
    if (len == 0 || len >= kMaxPath)
        return rustos::Error(ENAMETOOLONG, "path empty or too long");
    TRY(copy_from_user(buf, user, len));
    buf[len] = 0;
    for (size_t i = 0; i < len; ++i)
        if (buf[i] == 0)
            return rustos::Error(EINVAL, "NUL byte inside path");
    return StringView(buf, len);
}

// Copies a NULL-terminated array of C strings into `storage`.
rustos::ErrorOr<size_t> copy_string_array(uint64_t user_array, StringView* out, char* storage,
                                          size_t* used) {
    if (!user_array)
        return size_t(0);
    size_t count = 0;
    for (;; ++count) {
        uint64_t ptr;
        TRY(copy_from_user(&ptr, user_array + count * 8, 8));
        if (!ptr)
            return count;
        if (count == kMaxArgs)
            return rustos::Error(E2BIG, "too many arguments");
        size_t room = kMaxArgBytes - *used;
        if (room == 0)
            return rustos::Error(E2BIG, "arguments too long");
        auto n = copy_string_from_user(storage + *used, room, ptr);
        if (n.is_error())
            return n.error().code() == ENAMETOOLONG ? rustos::Error(E2BIG, "arguments too long")
                                                    : n.error();
        out[count] = StringView(storage + *used, n.value());
        *used += n.value() + 1;
    }
}

int64_t native_log(Args& a) {
    char buf[256];
    uint64_t len = a.a1() < sizeof buf - 1 ? a.a1() : sizeof buf - 1;
    auto r = copy_from_user(buf, a.a0(), len);
    if (r.is_error())
        return fail(r.error());
    while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
        --len;
    buf[len] = 0;
    proc::Process* p = proc::current_process();
    LOG_INFO(p->name, "%s", buf);
    return 0;
}

int64_t bootfs_stat(Args& a) {
    char path[kMaxPath];
    auto sv = copy_path(path, a.a0(), a.a1());
    if (sv.is_error())
        return fail(sv.error());
    auto file = bootfs::open(sv.value());
    return file.is_error() ? fail(file.error()) : int64_t(file.value().size());
}

int64_t bootfs_read(Args& a) {
    char path[kMaxPath];
    auto sv = copy_path(path, a.a0(), a.a1());
    if (sv.is_error())
        return fail(sv.error());
    auto file = bootfs::open(sv.value());
    if (file.is_error())
        return fail(file.error());
    uint64_t offset = a.a2(), len = a.a4();
    if (offset >= file.value().size())
        return 0;
    if (len > file.value().size() - offset)
        len = file.value().size() - offset;
    auto r = copy_to_user(a.a3(), file.value().data() + offset, len);
    return r.is_error() ? fail(r.error()) : int64_t(len);
}

int64_t process_spawn(Args& a) {
    char path[kMaxPath];
    auto sv = copy_path(path, a.a0(), a.a1());
    if (sv.is_error())
        return fail(sv.error());
    auto* storage = static_cast<char*>(mm::kmalloc(kMaxArgBytes));
    auto* views = static_cast<StringView*>(mm::kmalloc(sizeof(StringView) * kMaxArgs * 2));
    if (!storage || !views) {
        mm::kfree(storage);
        mm::kfree(views);
        return err(ENOMEM);
    }
    size_t used = 0;
    int64_t result;
    auto argc = copy_string_array(a.a2(), views, storage, &used);
    auto envc = argc.is_error() ? rustos::ErrorOr<size_t>(argc.error())
                                : copy_string_array(a.a3(), views + kMaxArgs, storage, &used);
    if (argc.is_error())
        result = fail(argc.error());
    else if (envc.is_error())
        result = fail(envc.error());
    else {
        auto p = proc::spawn(sv.value(), {views, argc.value()}, {views + kMaxArgs, envc.value()},
                             proc::current_process()->pid);
        if (p.is_error()) {
            LOG_WARN("proc", "spawn %s for pid %d failed: %s", path, proc::current_process()->pid,
                     p.error().reason());
            result = fail(p.error());
        } else {
            result = p.value()->pid;
        }
    }
    mm::kfree(storage);
    mm::kfree(views);
    return result;
}

int64_t process_wait(Args& a) {
    int status = 0;
    auto pid = proc::wait_child(int(a.a0()), &status);
    if (pid.is_error())
        return fail(pid.error());
    if (a.a1()) {
        auto r = copy_to_user(a.a1(), &status, sizeof status);
        if (r.is_error())
            return fail(r.error());
    }
    return pid.value();
}

} // namespace

int64_t dispatch_native(uint64_t number, Args& a) {
    using rustos::abi::RustosSyscall;
    switch (RustosSyscall(number - rustos::abi::kRustosSyscallBase)) {
    case RustosSyscall::LOG:
        return native_log(a);
    case RustosSyscall::BOOTFS_STAT:
        return bootfs_stat(a);
    case RustosSyscall::BOOTFS_READ:
        return bootfs_read(a);
    case RustosSyscall::PROCESS_SPAWN:
        return process_spawn(a);
    case RustosSyscall::PROCESS_WAIT:
        return process_wait(a);
    }
    return unimplemented(number);
}

} // namespace kernel::syscalls
