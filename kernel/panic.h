// Kernel panic: for broken kernel invariants only, never for bad input from
// a user process or a file. Prints the reason and a symbolized backtrace,
// then ends the machine with a failure status.
#pragma once

#include <stdint.h>

namespace kernel {

[[noreturn]] void panic(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
// Walks the frame-pointer chain starting at `rbp`.
void print_backtrace(uint64_t rip, uint64_t rbp);
// "name+0x12" for a kernel address, or nullptr name if unknown.
const char* symbolize(uint64_t addr, uint64_t* offset);
// Ends QEMU with `code` via isa-debug-exit (exit status (code<<1)|1), else halts.
[[noreturn]] void machine_exit(uint8_t code);

} // namespace kernel

#define KASSERT(cond)                                                                              \
    do {                                                                                           \
        if (!(cond))                                                                               \
            ::kernel::panic("assertion failed: %s at %s:%d", #cond, __FILE__, __LINE__);           \
    } while (0)
