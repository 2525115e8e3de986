// Native RustOS system calls for user programs (services, tests). Linux
// calls go through glibc as usual; SYS_RUSTOS_* numbers through here.
#pragma once

#include <rustos/abi/syscalls.h>

#include <stddef.h>
#include <stdint.h>
#include <string.h>

namespace rustos::user {

inline int64_t raw_syscall(uint64_t n, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0,
                           uint64_t a3 = 0, uint64_t a4 = 0, uint64_t a5 = 0) {
    int64_t ret;
    register uint64_t r10 asm("r10") = a3;
    register uint64_t r8 asm("r8") = a4;
    register uint64_t r9 asm("r9") = a5;
    asm volatile("syscall"
                 : "=a"(ret)
                 : "a"(n), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8), "r"(r9)
                 : "rcx", "r11", "memory");
    return ret;
}

// One line in the kernel log, prefixed with the caller's process name.
inline int64_t log(const char* msg) {
    return raw_syscall(abi::SYS_RUSTOS_LOG, uint64_t(msg), strlen(msg));
}

inline int64_t bootfs_stat(const char* path) {
    return raw_syscall(abi::SYS_RUSTOS_BOOTFS_STAT, uint64_t(path), strlen(path));
}

inline int64_t bootfs_read(const char* path, uint64_t offset, void* buf, size_t len) {
    return raw_syscall(abi::SYS_RUSTOS_BOOTFS_READ, uint64_t(path), strlen(path), offset,
                       uint64_t(buf), len);
}

inline int64_t process_spawn(const char* path, const char* const* argv, const char* const* envp) {
    return raw_syscall(abi::SYS_RUSTOS_PROCESS_SPAWN, uint64_t(path), strlen(path), uint64_t(argv),
                       uint64_t(envp));
}

inline int64_t process_wait(int pid, int* wstatus) {
    return raw_syscall(abi::SYS_RUSTOS_PROCESS_WAIT, uint64_t(pid), uint64_t(wstatus));
}

} // namespace rustos::user
