// The resource limits a process starts with (getrlimit/prlimit64), the
// same in the kernel's default personality and in syscalld: Linux's
// defaults for a root login, which glibc's startup reads (RLIMIT_STACK
// sizes the main thread's stack and the default pthread stack).
#pragma once

#include <stdint.h>

namespace rustos::abi {

struct Rlimit {
    uint64_t cur, max;
};

inline constexpr int kNumRlimits = 16; // RLIMIT_CPU .. RLIMIT_RTTIME
inline constexpr uint64_t kRlimInfinity = ~0ull;

constexpr Rlimit default_rlimit(int resource) {
    switch (resource) {
    case 3: // RLIMIT_STACK
        return {8ull << 20, kRlimInfinity};
    case 4: // RLIMIT_CORE
        return {0, kRlimInfinity};
    case 6: // RLIMIT_NPROC
        return {4096, 4096};
    case 7: // RLIMIT_NOFILE
        return {1024, 4096};
    case 8: // RLIMIT_MEMLOCK
        return {8ull << 20, 8ull << 20};
    case 13: // RLIMIT_NICE
    case 14: // RLIMIT_RTPRIO
        return {0, 0};
    default:
        return {kRlimInfinity, kRlimInfinity};
    }
}

} // namespace rustos::abi
