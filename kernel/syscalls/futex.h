// Futexes: wait queues keyed by the physical address of the futex word, so
// private and shared futexes use one mechanism.
#pragma once

#include <stdint.h>

namespace kernel::proc {
struct Process;
}

namespace kernel::futex {

// Precondition: interrupts disabled or not; safe either way.
int wake(proc::Process& p, uint64_t uaddr, int count, uint32_t bitset);

} // namespace kernel::futex
