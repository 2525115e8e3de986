// On-disk FAT32 layout: little-endian fields, constants, and the geometry
// derived from a validated boot sector. Internal to lib/fat.
#pragma once

#include <rustos/base/error.h>

#include <cstdint>
#include <cstring>
#include <string>

namespace rustos::fat::detail {

inline uint16_t le16(const uint8_t* p) { return uint16_t(p[0] | p[1] << 8); }
inline uint32_t le32(const uint8_t* p) {
    return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}
inline void put_le16(uint8_t* p, uint16_t v) {
    p[0] = uint8_t(v);
    p[1] = uint8_t(v >> 8);
}
inline void put_le32(uint8_t* p, uint32_t v) {
    for (int i = 0; i < 4; ++i)
        p[i] = uint8_t(v >> (8 * i));
}

// FAT32 entries are 28 bits; the top 4 are reserved and preserved on write.
constexpr uint32_t kFatMask = 0x0FFFFFFF;
constexpr uint32_t kBadCluster = 0x0FFFFFF7;
constexpr uint32_t kEndOfChainMin = 0x0FFFFFF8;
constexpr uint32_t kEndOfChain = 0x0FFFFFFF;
// Highest cluster count FAT32 can address (cluster numbers 2..0x0FFFFFF6).
constexpr uint32_t kMaxClusterCount = 0x0FFFFFF5;

// A directory holds at most 65536 entries (FAT specification).
constexpr uint32_t kDirEntrySize = 32;
constexpr uint32_t kMaxDirBytes = 65536 * kDirEntrySize;

// Directory entry fields.
constexpr size_t kEntName = 0;     // 11 bytes, 8.3 padded with spaces
constexpr size_t kEntAttr = 11;    //
constexpr size_t kEntNtCase = 12;  // 0x08 base lower case, 0x10 extension lower case
constexpr size_t kEntCtimeCs = 13; // creation time, 10 ms units (0-199)
constexpr size_t kEntCtime = 14;
constexpr size_t kEntCdate = 16;
constexpr size_t kEntAdate = 18;
constexpr size_t kEntClusterHi = 20;
constexpr size_t kEntMtime = 22;
constexpr size_t kEntMdate = 24;
constexpr size_t kEntClusterLo = 26;
constexpr size_t kEntSize = 28;

constexpr uint8_t kAttrLongName = 0x0F; // RO|HIDDEN|SYSTEM|VOLUME_ID
constexpr uint8_t kAttrLongNameMask = 0x3F;
constexpr uint8_t kEntryFree = 0x00;    // this and every later entry are free
constexpr uint8_t kEntryDeleted = 0xE5; //
constexpr uint8_t kEntryKanjiE5 = 0x05; // first byte 0xE5 stored as 0x05
constexpr uint8_t kCaseLowerBase = 0x08;
constexpr uint8_t kCaseLowerExt = 0x10;
constexpr uint8_t kLfnLast = 0x40;
constexpr uint32_t kLfnUnits = 13;

inline uint32_t entry_cluster(const uint8_t* e) {
    return uint32_t(le16(e + kEntClusterHi)) << 16 | le16(e + kEntClusterLo);
}
inline void set_entry_cluster(uint8_t* e, uint32_t cluster) {
    put_le16(e + kEntClusterHi, uint16_t(cluster >> 16));
    put_le16(e + kEntClusterLo, uint16_t(cluster));
}
inline bool is_lfn_entry(const uint8_t* e) {
    return (e[kEntAttr] & kAttrLongNameMask) == kAttrLongName;
}

// Everything mount needs from the boot sector, validated.
struct Geometry {
    uint32_t bytes_per_sector = 0;  // file system sector
    uint32_t device_per_sector = 0; // device sectors per file system sector
    uint32_t sectors_per_cluster = 0;
    uint32_t cluster_size = 0; // bytes
    uint32_t reserved_sectors = 0;
    uint32_t fat_count = 0;
    uint32_t fat_sectors = 0; // per FAT
    uint32_t active_fat = 0;  // the FAT read and written
    bool mirrored = true;     // writes go to every FAT
    uint64_t total_sectors = 0;
    uint64_t data_start = 0; // first sector of cluster 2
    uint32_t cluster_count = 0;
    uint32_t root_cluster = 0;
    uint32_t fsinfo_sector = 0; // 0: none
    uint32_t serial = 0;
    std::string label;

    uint32_t max_cluster() const { return cluster_count + 1; }
    bool valid_cluster(uint32_t c) const { return c >= 2 && c <= max_cluster(); }
    uint64_t fat_start(uint32_t fat) const {
        return uint64_t(reserved_sectors) + uint64_t(fat) * fat_sectors;
    }
    uint64_t cluster_sector(uint32_t c) const {
        return data_start + uint64_t(c - 2) * sectors_per_cluster;
    }
};

// Parses and validates the boot sector (the first 512 bytes of the
// volume) for a device of `device_bytes` bytes with `device_sector`-byte
// sectors.
ErrorOr<Geometry> parse_boot_sector(const uint8_t* sector, uint64_t device_bytes,
                                    uint32_t device_sector);

} // namespace rustos::fat::detail
