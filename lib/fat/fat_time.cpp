#include "fat_time.h"

#include <rustos/base/civil_time.h>

namespace rustos::fat::detail {

namespace {

constexpr int64_t kMinTime = 315532800;  // 1980-01-01 00:00:00
constexpr int64_t kMaxTime = 4354819198; // 2107-12-31 23:59:58

struct Civil {
    int64_t year;
    unsigned month, day;
};

// Inverse of days_from_civil (H. Hinnant's algorithm).
Civil civil_from_days(int64_t z) {
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = unsigned(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    return {int64_t(yoe) + era * 400 + (m <= 2), m, d};
}

} // namespace

FatTime to_fat_time(int64_t t) {
    if (t < kMinTime)
        t = kMinTime;
    if (t > kMaxTime + 1)
        t = kMaxTime + 1; // 23:59:59 keeps its odd second in `centis`
    int64_t days = t / 86400;
    int64_t secs = t % 86400;
    Civil c = civil_from_days(days);
    FatTime f;
    f.date = uint16_t((c.year - 1980) << 9 | c.month << 5 | c.day);
    f.time = uint16_t(secs / 3600 << 11 | (secs / 60 % 60) << 5 | (secs % 60) / 2);
    f.centis = uint8_t(secs % 2 * 100);
    return f;
}

int64_t from_fat_time(uint16_t date, uint16_t time, uint8_t centis) {
    unsigned year = 1980 + (date >> 9);
    unsigned month = date >> 5 & 0xF;
    unsigned day = date & 0x1F;
    if (month < 1)
        month = 1;
    if (month > 12)
        month = 12;
    if (day < 1)
        day = 1;
    int64_t t = days_from_civil(year, month, day) * 86400;
    t += int64_t(time >> 11) * 3600 + int64_t(time >> 5 & 0x3F) * 60 + int64_t(time & 0x1F) * 2;
    if (centis < 200)
        t += centis / 100;
    return t;
}

} // namespace rustos::fat::detail
