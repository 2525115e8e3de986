// FAT timestamps: local date and time fields with 2-second resolution
// (plus a 10 ms count for the creation time), 1980-01-01 to 2107-12-31.
// We treat them as UTC. Internal to lib/fat.
#pragma once

#include <cstdint>

namespace rustos::fat::detail {

struct FatTime {
    uint16_t date = 0;  // bits 15-9 year-1980, 8-5 month, 4-0 day
    uint16_t time = 0;  // bits 15-11 hour, 10-5 minute, 4-0 seconds/2
    uint8_t centis = 0; // 0-199: 10 ms units added to the 2-second time
};

// Times before 1980 clamp to 1980-01-01 00:00:00, after 2107 to
// 2107-12-31 23:59:58.
FatTime to_fat_time(int64_t unix_seconds);
// Out-of-range fields (month 0, day 31 of February...) are clamped or
// carried, never rejected; date 0 reads as 1980-01-01.
int64_t from_fat_time(uint16_t date, uint16_t time, uint8_t centis = 0);

} // namespace rustos::fat::detail
