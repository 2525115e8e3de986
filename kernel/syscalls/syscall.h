// Syscall entry: Linux numbers dispatch through the kernel-default table
// (syscalls/table.cpp); SYS_RUSTOS_* numbers through the native table.
#pragma once

#include "arch/x86_64/trap_frame.h"

#include <rustos/base/error.h>
#include <rustos/base/string_view.h>
#include <stdint.h>

namespace kernel::syscalls {

void init();

struct Args {
    arch::TrapFrame& frame;
    uint64_t a0() const { return frame.rdi; }
    uint64_t a1() const { return frame.rsi; }
    uint64_t a2() const { return frame.rdx; }
    uint64_t a3() const { return frame.r10; }
    uint64_t a4() const { return frame.r8; }
    uint64_t a5() const { return frame.r9; }
};

using Handler = int64_t (*)(Args&);

// Logs once per process and syscall number, returns -ENOSYS.
int64_t unimplemented(uint64_t number);

// The system call tracer (kernel command line rustos.strace=).
void set_strace(rustos::StringView names);
void trace_entry(uint64_t number, const Args& a);
void trace_exit(uint64_t number, int64_t result);

// -errno for an Error, for handler return values.
inline int64_t fail(const rustos::Error& e) { return e.as_syscall_return(); }

} // namespace kernel::syscalls
