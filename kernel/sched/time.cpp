#include "time.h"

#include "arch/x86_64/cpu.h"
#include "log.h"

#include <rustos/base/civil_time.h>

namespace kernel::time {

namespace {

uint64_t g_tsc_base;
uint64_t g_tsc_hz;
uint64_t g_mult; // ns per TSC tick, 32.32 fixed point
uint64_t g_realtime_base_ns;

uint8_t cmos(uint8_t reg) {
    arch::outb(0x70, reg);
    return arch::inb(0x71);
}

uint64_t read_rtc_ns() {
    // Wait for an update to finish, then read twice until stable.
    for (int i = 0; i < 100000 && (cmos(0x0A) & 0x80); ++i)
        arch::pause();
    uint8_t s, mi, h, d, mo, y, s2;
    do {
        s = cmos(0x00);
        mi = cmos(0x02);
        h = cmos(0x04);
        d = cmos(0x07);
        mo = cmos(0x08);
        y = cmos(0x09);
        s2 = cmos(0x00);
    } while (s != s2);
    uint8_t status_b = cmos(0x0B);
    auto bcd = [&](uint8_t v) -> unsigned {
        return (status_b & 0x04) ? v : unsigned((v & 0x0f) + (v >> 4) * 10);
    };
    bool pm = !(status_b & 0x02) && (h & 0x80);
    unsigned hour = bcd(h & 0x7f);
    if (!(status_b & 0x02))
        hour = (hour % 12) + (pm ? 12 : 0);
    int64_t days = rustos::days_from_civil(2000 + bcd(y), bcd(mo), bcd(d));
    int64_t secs = days * 86400 + hour * 3600 + bcd(mi) * 60 + bcd(s);
    return uint64_t(secs) * 1000000000ull;
}

} // namespace

void init(uint64_t tsc_hz) {
    g_tsc_hz = tsc_hz;
    g_mult = (1000000000ull << 32) / tsc_hz;
    g_tsc_base = arch::rdtsc();
    g_realtime_base_ns = read_rtc_ns();
}

uint64_t monotonic_ns() {
    if (!g_mult)
        return 0;
    uint64_t delta = arch::rdtsc() - g_tsc_base;
    return uint64_t((static_cast<unsigned __int128>(delta) * g_mult) >> 32);
}

uint64_t realtime_ns() { return g_realtime_base_ns + monotonic_ns(); }
uint64_t tsc_hz() { return g_tsc_hz; }

} // namespace kernel::time
