#include <rustos/abi/syscalls.h>

namespace rustos::abi {

namespace {

struct LinuxNames {
    const char* names[kLinuxSyscallLimit] = {};
    constexpr LinuxNames() {
#define LINUX_SYSCALL(n, name) names[n] = #name;
#include <rustos/abi/linux_syscalls.def>
#undef LINUX_SYSCALL
    }
};

constexpr LinuxNames kLinuxNames;

} // namespace

const char* linux_syscall_name(uint64_t number) {
    if (number >= kLinuxSyscallLimit)
        return nullptr;
    return kLinuxNames.names[number];
}

const char* rustos_syscall_name(uint64_t number) {
    if (!is_rustos_syscall(number))
        return nullptr;
    switch (number - kRustosSyscallBase) {
#define RUSTOS_SYSCALL(n, name, gate, sig, desc)                                                   \
    case n:                                                                                        \
        return #name;
#include <rustos/abi/rustos_syscalls.def>
#undef RUSTOS_SYSCALL
    default:
        return nullptr;
    }
}

} // namespace rustos::abi
