// The kernel-default Linux personality: the calls the kernel answers itself
// before (and without) any policy service. Every other Linux number gets
// -ENOSYS and one log line per process. Native calls are listed in
// lib/abi/include/rustos/abi/rustos_syscalls.def.
#pragma once

// clang-format off
#define KERNEL_DEFAULT_SYSCALLS(X) \
    X(write) \
    X(writev) \
    X(brk) \
    X(mmap) \
    X(munmap) \
    X(mprotect) \
    X(arch_prctl) \
    X(set_tid_address) \
    X(set_robust_list) \
    X(futex) \
    X(clone) \
    X(clone3) \
    X(exit) \
    X(exit_group) \
    X(getpid) \
    X(gettid) \
    X(getppid) \
    X(sched_yield) \
    X(nanosleep) \
    X(clock_nanosleep) \
    X(clock_gettime) \
    X(clock_getres) \
    X(gettimeofday) \
    X(time) \
    X(getrandom) \
    X(uname) \
    X(reboot)
// clang-format on
