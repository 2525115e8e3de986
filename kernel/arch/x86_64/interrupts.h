// IDT setup and interrupt routing.
#pragma once

#include "trap_frame.h"

namespace kernel::arch {

void init_idt();

using IrqHandler = void (*)(TrapFrame&);
// Installs a handler for a hardware vector (32-255).
void set_irq_handler(uint8_t vector, IrqHandler handler);

inline constexpr uint8_t kTimerVector = 0x20;
inline constexpr uint8_t kSpuriousVector = 0xff;

const char* exception_name(uint64_t vector);
void dump_registers(const TrapFrame& f);

} // namespace kernel::arch
