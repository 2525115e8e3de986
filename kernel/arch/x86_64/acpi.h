// ACPI table discovery: MADT (interrupt controllers) and FADT (power off).
#pragma once

#include <stdint.h>

namespace kernel {
struct BootInfo;
}

namespace kernel::acpi {

struct InterruptOverride {
    uint8_t isa_irq;
    uint32_t gsi;
    uint16_t flags; // MPS INTI flags: polarity bits 0-1, trigger bits 2-3
};

struct Platform {
    bool present;
    char oem[7];
    uint64_t lapic_address;
    uint32_t cpu_count;
    uint64_t ioapic_address;
    uint32_t ioapic_gsi_base;
    InterruptOverride overrides[16];
    uint32_t override_count;
    uint16_t pm1a_control; // FADT PM1a control block I/O port (0 if none)
    uint16_t slp_typ_s5;   // SLP_TYPa for S5 from the DSDT \_S5 package
    bool s5_found;
};

// Finds the RSDP (boot info, else the BIOS areas) and parses what we use.
void init(const BootInfo& info);
const Platform& platform();
// GSI an ISA IRQ is wired to, honouring MADT interrupt source overrides.
uint32_t isa_irq_to_gsi(uint8_t irq, uint16_t* flags);
// ACPI S5 soft-off. Returns only when it did not work.
void power_off();

} // namespace kernel::acpi
