// Linux errno values, generated from errno.def.
#pragma once

#include <stdint.h>

namespace rustos::abi {

enum class Errno : int32_t {
#define ERRNO(name, value, desc) name = value,
#include <rustos/abi/errno.def>
#undef ERRNO
};

constexpr const char* errno_name(Errno e) {
    switch (e) {
#define ERRNO(name, value, desc) \
    case Errno::name:            \
        return #name;
#include <rustos/abi/errno.def>
#undef ERRNO
    }
    return "E?";
}

// A syscall returns -errno in rax on failure.
constexpr int64_t syscall_error(Errno e) { return -static_cast<int64_t>(e); }

} // namespace rustos::abi
