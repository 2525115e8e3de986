// Per-CPU data, reached through the GS base in kernel mode. Field offsets
// are used by syscall_entry.S.
#pragma once

#include <stdint.h>

namespace kernel::sched {
struct Thread;
}

namespace kernel::arch {

struct PerCpu {
    PerCpu* self;           // 0
    uint64_t kernel_rsp;    // 8: top of the current thread's kernel stack
    uint64_t user_rsp;      // 16: scratch for the syscall entry
    sched::Thread* current; // 24
};

void init_percpu();
PerCpu& percpu();

} // namespace kernel::arch
