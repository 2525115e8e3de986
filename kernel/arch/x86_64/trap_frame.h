// Register state saved on kernel entry (interrupt, exception or syscall).
// The layout is fixed by interrupts.S and syscall_entry.S.
#pragma once

#include <stdint.h>

namespace kernel::arch {

struct TrapFrame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error_code;
    // Pushed by the CPU (or built identically by the syscall entry).
    uint64_t rip, cs, rflags, rsp, ss;

    bool from_user() const { return (cs & 3) == 3; }
};
static_assert(sizeof(TrapFrame) == 22 * 8);

// Vector value the syscall entry stores in TrapFrame::vector.
inline constexpr uint64_t kSyscallVector = 0x100;

} // namespace kernel::arch
