// Sampling profiler (boot option rustos.profile=1): every timer tick
// records where the CPU was; the histogram is printed at power off. Under
// QEMU -icount the tick comes after a fixed number of guest instructions,
// so profiles are deterministic. Kernel samples are grouped by function,
// user samples by process.
#pragma once

#include "arch/x86_64/trap_frame.h"

namespace kernel::profile {

void init(bool enabled);
bool enabled();
// Precondition: interrupts disabled (timer interrupt).
void sample(const arch::TrapFrame& frame);
void report();

} // namespace kernel::profile
