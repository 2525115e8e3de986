// Local APIC (per-CPU interrupts and timer), I/O APIC (device IRQs) and the
// calibration of the LAPIC timer and the TSC against the PIT.
#pragma once

#include <stdint.h>

namespace kernel::arch {

// Masks the legacy PICs, enables the LAPIC and programs the IOAPIC with
// every pin masked.
void init_apic();
void lapic_eoi();
uint32_t lapic_id();

struct TimerCalibration {
    uint64_t lapic_hz; // LAPIC timer ticks per second (after the divider)
    uint64_t tsc_hz;
};
// Measures the LAPIC timer and the TSC over a 10 ms PIT interval.
TimerCalibration calibrate_timer();
// Periodic interrupts at `hz` on kTimerVector.
void start_periodic_timer(uint32_t hz);
// One interrupt after `ns` nanoseconds (stops periodic mode).
void arm_oneshot_timer(uint64_t ns);

// Routes a GSI to `vector` on this CPU (flags: MPS INTI polarity/trigger).
void ioapic_route(uint32_t gsi, uint8_t vector, uint16_t flags);

} // namespace kernel::arch
