#pragma once

#include <stdint.h>

namespace kernel::arch {

// Loads the GDT (with its TSS) and the segment registers.
void init_gdt();
// Stack the CPU switches to on interrupts from user mode.
void set_kernel_stack(uint64_t rsp0);

} // namespace kernel::arch
