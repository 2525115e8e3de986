#include "power.h"
#include "arch/x86_64/acpi.h"
#include "arch/x86_64/cpu.h"
#include "log.h"
#include "panic.h"
#include "profile.h"

namespace kernel::power {

void power_off() {
    arch::cli();
    profile::report();
    acpi::power_off();
    // No ACPI S5: QEMU's isa-debug-exit (exit status 1), else halt.
    LOG_WARN("power", "ACPI power off did not work; halting");
    machine_exit(0);
}

void restart() {
    arch::cli();
    // Pulse the reset line through the keyboard controller, then triple fault.
    for (int i = 0; i < 100000 && (arch::inb(0x64) & 2); ++i)
        arch::pause();
    arch::outb(0x64, 0xFE);
    struct [[gnu::packed]] {
        uint16_t limit;
        uint64_t base;
    } null_idt{0, 0};
    asm volatile("lidt %0; int3" ::"m"(null_idt));
    arch::halt_forever();
}

} // namespace kernel::power
