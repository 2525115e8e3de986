#include "apic.h"

#include "acpi.h"
#include "cpu.h"
#include "interrupts.h"
#include "log.h"
#include "mm/memory.h"

namespace kernel::arch {

namespace {

volatile uint32_t* g_lapic;
volatile uint32_t* g_ioapic;
uint32_t g_ioapic_pins;
TimerCalibration g_cal;

enum : uint32_t {
    LAPIC_ID = 0x20,
    LAPIC_EOI = 0xB0,
    LAPIC_SVR = 0xF0,
    LAPIC_LVT_TIMER = 0x320,
    LAPIC_TIMER_INITIAL = 0x380,
    LAPIC_TIMER_CURRENT = 0x390,
    LAPIC_TIMER_DIVIDE = 0x3E0,
};
constexpr uint32_t kTimerPeriodic = 1u << 17;
constexpr uint32_t kMasked = 1u << 16;

uint32_t lapic_read(uint32_t reg) { return g_lapic[reg / 4]; }
void lapic_write(uint32_t reg, uint32_t v) { g_lapic[reg / 4] = v; }

uint32_t ioapic_read(uint32_t reg) {
    g_ioapic[0] = reg;
    return g_ioapic[4];
}
void ioapic_write(uint32_t reg, uint32_t v) {
    g_ioapic[0] = reg;
    g_ioapic[4] = v;
}

void disable_pic() {
    // Remap to 0x20/0x28 first so a spurious legacy IRQ cannot look like
    // an exception, then mask everything.
    outb(0x20, 0x11);
    outb(0xA0, 0x11);
    outb(0x21, 0x20);
    outb(0xA1, 0x28);
    outb(0x21, 4);
    outb(0xA1, 2);
    outb(0x21, 1);
    outb(0xA1, 1);
    outb(0x21, 0xff);
    outb(0xA1, 0xff);
}

} // namespace

void init_apic() {
    disable_pic();
    const auto& p = acpi::platform();
    wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | (1u << 11));
    g_lapic = static_cast<volatile uint32_t*>(mm::phys_to_virt(p.lapic_address));
    lapic_write(LAPIC_SVR, 0x100 | kSpuriousVector);
    lapic_write(LAPIC_LVT_TIMER, kMasked);

    g_ioapic = static_cast<volatile uint32_t*>(mm::phys_to_virt(p.ioapic_address));
    g_ioapic_pins = ((ioapic_read(1) >> 16) & 0xff) + 1;
    for (uint32_t pin = 0; pin < g_ioapic_pins; ++pin) {
        ioapic_write(0x10 + pin * 2, kMasked);
        ioapic_write(0x11 + pin * 2, 0);
    }
    LOG_INFO("apic", "LAPIC id %u at 0x%lx, IOAPIC at 0x%lx with %u pins", lapic_id(),
             p.lapic_address, p.ioapic_address, g_ioapic_pins);
}

void lapic_eoi() { lapic_write(LAPIC_EOI, 0); }
uint32_t lapic_id() { return lapic_read(LAPIC_ID) >> 24; }

TimerCalibration calibrate_timer() {
    constexpr uint32_t kPitHz = 1193182;
    constexpr uint32_t kPitCount = kPitHz / 100; // 10 ms
    // PIT channel 2, mode 0, gated by port 0x61 bit 0; OUT2 readable on bit 5.
    outb(0x61, (inb(0x61) & ~0x02) & ~0x01);
    outb(0x43, 0xB0);
    outb(0x42, kPitCount & 0xff);
    outb(0x42, kPitCount >> 8);

    lapic_write(LAPIC_TIMER_DIVIDE, 0x3); // divide by 16
    lapic_write(LAPIC_LVT_TIMER, kMasked);
    lapic_write(LAPIC_TIMER_INITIAL, 0xffffffff);
    uint64_t tsc0 = rdtsc();
    outb(0x61, inb(0x61) | 0x01); // start counting
    uint64_t spins = 0;
    while (!(inb(0x61) & 0x20) && spins < 100000000)
        ++spins;
    uint64_t tsc1 = rdtsc();
    uint32_t lapic_elapsed = 0xffffffff - lapic_read(LAPIC_TIMER_CURRENT);
    lapic_write(LAPIC_TIMER_INITIAL, 0);

    g_cal.lapic_hz = uint64_t(lapic_elapsed) * 100;
    g_cal.tsc_hz = (tsc1 - tsc0) * 100;
    if (g_cal.lapic_hz == 0 || g_cal.tsc_hz == 0) {
        // No working PIT (or an emulator without one): assume common values.
        g_cal.lapic_hz = 62500000;
        g_cal.tsc_hz = 1000000000;
    }
    return g_cal;
}

void start_periodic_timer(uint32_t hz) {
    lapic_write(LAPIC_TIMER_DIVIDE, 0x3);
    lapic_write(LAPIC_LVT_TIMER, kTimerVector | kTimerPeriodic);
    lapic_write(LAPIC_TIMER_INITIAL, uint32_t(g_cal.lapic_hz / hz));
}

void arm_oneshot_timer(uint64_t ns) {
    uint64_t ticks = ns * (g_cal.lapic_hz / 1000) / 1000000;
    if (ticks == 0)
        ticks = 1;
    if (ticks > 0xffffffff)
        ticks = 0xffffffff;
    lapic_write(LAPIC_TIMER_DIVIDE, 0x3);
    lapic_write(LAPIC_LVT_TIMER, kTimerVector);
    lapic_write(LAPIC_TIMER_INITIAL, uint32_t(ticks));
}

void ioapic_route(uint32_t gsi, uint8_t vector, uint16_t flags) {
    uint32_t pin = gsi - acpi::platform().ioapic_gsi_base;
    if (pin >= g_ioapic_pins)
        return;
    uint32_t low = vector;
    if ((flags & 3) == 3)
        low |= 1u << 13; // active low
    if (((flags >> 2) & 3) == 3)
        low |= 1u << 15; // level triggered
    ioapic_write(0x11 + pin * 2, lapic_id() << 24);
    ioapic_write(0x10 + pin * 2, low);
}

} // namespace kernel::arch
