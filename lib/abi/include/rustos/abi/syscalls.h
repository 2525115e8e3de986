// System call numbering shared by the kernel, user programs and tests.
// Generated from linux_syscalls.def and rustos_syscalls.def (the only place
// numbers are written down).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace rustos::abi {

enum class LinuxSyscall : uint32_t {
#define LINUX_SYSCALL(n, name) name = n,
#include <rustos/abi/linux_syscalls.def>
#undef LINUX_SYSCALL
};

// One past the highest Linux x86_64 syscall number we know of.
inline constexpr uint32_t kLinuxSyscallLimit = 512;

inline constexpr uint64_t kRustosSyscallBase = 0x52550000;

enum class RustosSyscall : uint32_t {
#define RUSTOS_SYSCALL(n, name, gate, sig, desc) name = n,
#include <rustos/abi/rustos_syscalls.def>
#undef RUSTOS_SYSCALL
};

inline constexpr uint32_t kRustosSyscallCount = 0
#define RUSTOS_SYSCALL(n, name, gate, sig, desc) +1
#include <rustos/abi/rustos_syscalls.def>
#undef RUSTOS_SYSCALL
    ;

#define RUSTOS_SYSCALL(n, name, gate, sig, desc)                                                   \
    inline constexpr uint64_t SYS_RUSTOS_##name = kRustosSyscallBase + n;
#include <rustos/abi/rustos_syscalls.def>
#undef RUSTOS_SYSCALL

// Name of a Linux syscall number ("read"), or nullptr if unknown.
const char* linux_syscall_name(uint64_t number);
// Name of a native syscall number ("PROCESS_SPAWN"), or nullptr.
const char* rustos_syscall_name(uint64_t number);
// True when `number` lies in the native range.
constexpr bool is_rustos_syscall(uint64_t number) {
    return number >= kRustosSyscallBase && number < kRustosSyscallBase + 0x10000;
}

} // namespace rustos::abi
