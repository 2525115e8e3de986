// Linux errno values. The numbers come from the Linux UAPI header (pure
// #defines, usable freestanding and identical to what glibc programs see);
// errno.def names the ones RustOS uses and describes them, and is checked
// against the header at compile time.
#pragma once

#include <asm-generic/errno.h>
#include <stdint.h>

namespace rustos {

// A Linux errno value (EINVAL, ENOENT, ...).
using Errno = int32_t;

// A service's answer to an offloaded call that must run again once the
// thread may continue (Linux's ERESTARTSYS: a background process stopped
// by SIGTTOU/SIGTTIN). The kernel restarts the call; with a handler
// without SA_RESTART in between, the program sees EINTR. Never reaches a
// program.
inline constexpr Errno kRestartCall = 512;

namespace abi {

#define ERRNO(name, value, desc)                                                                   \
    static_assert(name == value, "errno.def disagrees with Linux: " #name);
#include <rustos/abi/errno.def>
#undef ERRNO

constexpr const char* errno_name(Errno e) {
    switch (e) {
#define ERRNO(name, value, desc)                                                                   \
    case value:                                                                                    \
        return #name;
#include <rustos/abi/errno.def>
#undef ERRNO
    }
    return "E?";
}

constexpr const char* errno_description(Errno e) {
    switch (e) {
#define ERRNO(name, value, desc)                                                                   \
    case value:                                                                                    \
        return desc;
#include <rustos/abi/errno.def>
#undef ERRNO
    }
    return "Unknown error";
}

// A syscall returns -errno in rax on failure.
constexpr int64_t syscall_error(Errno e) { return -static_cast<int64_t>(e); }

} // namespace abi
} // namespace rustos
