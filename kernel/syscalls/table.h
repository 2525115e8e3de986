// The Linux system calls the kernel dispatches: pure mechanism it answers
// itself, and the calls it offloads to a policy service when the calling
// process is offloaded for their class (syscalls/offload.cpp; otherwise a
// minimal kernel default answers). Every other Linux number gets -ENOSYS
// and one log line per process. Native calls are listed in
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
    X(wait4) \
    X(waitid) \
    X(rt_sigreturn) \
    X(sched_yield) \
    X(nanosleep) \
    X(clock_nanosleep) \
    X(clock_gettime) \
    X(clock_getres) \
    X(gettimeofday) \
    X(time) \
    X(getrandom) \
    X(uname) \
    X(reboot) \
    X(sysinfo) \
    X(prlimit64) \
    X(readlink)
// clang-format on
