#include "usercopy.h"

#include "log.h"
#include "proc/process.h"

namespace kernel::syscalls {

namespace {

rustos::ErrorOr<void> check(uint64_t addr, size_t len, bool write) {
    proc::Process* p = proc::current_process();
    auto r = proc::prepare_user_range(*p, addr, len, write);
    if (r.is_error()) {
        LOG_WARN("syscall", "pid %d (%s): bad user pointer 0x%lx (+%zu, %s): %s -> EFAULT", p->pid,
                 p->name, addr, len, write ? "write" : "read", r.error().reason());
        return rustos::Error(EFAULT, r.error().reason());
    }
    return {};
}

} // namespace

rustos::ErrorOr<void> copy_from_user(void* dst, uint64_t user_src, size_t len) {
    TRY(check(user_src, len, false));
    __builtin_memcpy(dst, reinterpret_cast<const void*>(user_src), len);
    return {};
}

rustos::ErrorOr<void> copy_to_user(uint64_t user_dst, const void* src, size_t len) {
    TRY(check(user_dst, len, true));
    __builtin_memcpy(reinterpret_cast<void*>(user_dst), src, len);
    return {};
}

rustos::ErrorOr<size_t> copy_string_from_user(char* dst, size_t cap, uint64_t user_src) {
    for (size_t i = 0; i < cap; ++i) {
        // Check page by page so a string ending just before an unmapped
        // page is fine.
        if (i == 0 || ((user_src + i) & 0xfff) == 0)
            TRY(check(user_src + i, 1, false));
        char c = reinterpret_cast<const char*>(user_src)[i];
        dst[i] = c;
        if (c == 0)
            return i;
    }
    return rustos::Error(ENAMETOOLONG, "string too long");
}

} // namespace kernel::syscalls
