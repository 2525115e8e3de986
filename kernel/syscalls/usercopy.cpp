#include "usercopy.h"

#include "log.h"
#include "mm/memory.h"
#include "proc/process.h"

// usercopy.S: returns the number of bytes not copied (0 on success).
extern "C" uint64_t arch_user_copy(void* dst, const void* src, uint64_t len);

namespace kernel::syscalls {

namespace {

// The first few bad pointers of a process are logged, then one line says
// the rest are not: a program probing pointers cannot flood the console.
constexpr uint32_t kLoggedBadPointers = 8;

rustos::Error bad_pointer(uint64_t addr, size_t len, bool write, const char* why) {
    proc::Process* p = proc::current_process();
    uint32_t n = ++p->bad_pointers;
    if (n <= kLoggedBadPointers)
        LOG_WARN("syscall", "pid %d (%s): bad user pointer 0x%lx (+%zu, %s): %s -> EFAULT", p->pid,
                 p->name, addr, len, write ? "write" : "read", why);
    if (n == kLoggedBadPointers)
        LOG_WARN("syscall", "pid %d (%s): further bad user pointers are not logged", p->pid,
                 p->name);
    return rustos::Error(EFAULT, why);
}

bool in_user_space(uint64_t addr, size_t len) {
    uint64_t end;
    return rustos::checked_add(addr, len, &end) && end <= mm::kUserTop;
}

rustos::ErrorOr<void> check(uint64_t addr, size_t len, bool write) {
    proc::Process* p = proc::current_process();
    auto r = proc::prepare_user_range(*p, addr, len, write);
    if (r.is_error())
        return bad_pointer(addr, len, write, r.error().reason());
    return {};
}

} // namespace

// The copies run straight at the user address: a page that is not there
// yet is faulted in by the user page fault handler, an access the mapping
// does not allow ends the copy early (usercopy.S), so nothing is walked
// up front.
rustos::ErrorOr<void> copy_from_user(void* dst, uint64_t user_src, size_t len) {
    if (!len)
        return {};
    if (!in_user_space(user_src, len))
        return bad_pointer(user_src, len, false, "address outside user space");
    if (arch_user_copy(dst, reinterpret_cast<const void*>(user_src), len))
        return bad_pointer(user_src, len, false, "address not mapped with the needed access");
    return {};
}

rustos::ErrorOr<void> copy_to_user(uint64_t user_dst, const void* src, size_t len) {
    if (!len)
        return {};
    if (!in_user_space(user_dst, len))
        return bad_pointer(user_dst, len, true, "address outside user space");
    if (arch_user_copy(reinterpret_cast<void*>(user_dst), src, len))
        return bad_pointer(user_dst, len, true, "address not mapped with the needed access");
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
