// Clocks: monotonic time from the calibrated TSC, wall time from the CMOS
// RTC read once at boot.
#pragma once

#include <stdint.h>

namespace kernel::time {

void init(uint64_t tsc_hz);
// Nanoseconds since boot; 0 until init().
uint64_t monotonic_ns();
// Nanoseconds since the Unix epoch.
uint64_t realtime_ns();
uint64_t tsc_hz();

} // namespace kernel::time
