#include "layout.h"

namespace rustos::fat::detail {

namespace {

bool power_of_two(uint32_t v) { return v && !(v & (v - 1)); }

} // namespace

ErrorOr<Geometry> parse_boot_sector(const uint8_t* b, uint64_t device_bytes,
                                    uint32_t device_sector) {
    if (b[510] != 0x55 || b[511] != 0xAA)
        return Error::formatted(EINVAL,
                                "fat: no boot sector signature (found %02x %02x, "
                                "expected 55 aa): not a FAT volume",
                                b[510], b[511]);
    Geometry g;
    g.bytes_per_sector = le16(b + 11);
    if (!power_of_two(g.bytes_per_sector) || g.bytes_per_sector < 512 || g.bytes_per_sector > 4096)
        return Error::formatted(EINVAL,
                                "fat: bad BPB: %u bytes per sector (512-4096, a power of 2)",
                                g.bytes_per_sector);
    if (!device_sector || g.bytes_per_sector % device_sector)
        return Error::formatted(
            EINVAL, "fat: %u-byte file system sectors do not fit %u-byte device sectors",
            g.bytes_per_sector, device_sector);
    g.device_per_sector = g.bytes_per_sector / device_sector;
    g.sectors_per_cluster = b[13];
    if (!power_of_two(g.sectors_per_cluster))
        return Error::formatted(EINVAL, "fat: bad BPB: %u sectors per cluster (a power of 2)",
                                g.sectors_per_cluster);
    g.cluster_size = g.sectors_per_cluster * g.bytes_per_sector;
    if (g.cluster_size > 65536)
        return Error::formatted(EINVAL, "fat: %u-byte clusters are not supported (at most 64 KiB)",
                                g.cluster_size);
    g.reserved_sectors = le16(b + 14);
    if (!g.reserved_sectors)
        return Error(EINVAL, "fat: bad BPB: no reserved sectors");
    g.fat_count = b[16];
    if (!g.fat_count)
        return Error(EINVAL, "fat: bad BPB: no FAT");
    uint32_t root_entries = le16(b + 17);
    uint32_t fat16_sectors = le16(b + 22);
    g.fat_sectors = le32(b + 36);
    if (root_entries || fat16_sectors || !g.fat_sectors)
        return Error::formatted(EINVAL,
                                "fat: not a FAT32 volume (%u root entries, FAT16 size %u, FAT32 "
                                "size %u); FAT12/FAT16 are not supported",
                                root_entries, fat16_sectors, g.fat_sectors);
    g.total_sectors = le16(b + 19) ? le16(b + 19) : le32(b + 32);
    if (!g.total_sectors)
        return Error(EINVAL, "fat: bad BPB: the volume has no sectors");
    uint8_t media = b[21];
    if (media != 0xF0 && media < 0xF8)
        return Error::formatted(EINVAL, "fat: bad BPB: media byte %#x", media);
    uint16_t version = le16(b + 42);
    if (version)
        return Error::formatted(EINVAL, "fat: unsupported FAT32 version %u.%u", version >> 8,
                                version & 0xFF);
    g.data_start = uint64_t(g.reserved_sectors) + uint64_t(g.fat_count) * g.fat_sectors;
    if (g.data_start >= g.total_sectors)
        return Error::formatted(EINVAL,
                                "fat: bad BPB: the FATs end at sector %llu, past the volume's "
                                "%llu sectors",
                                (unsigned long long)g.data_start,
                                (unsigned long long)g.total_sectors);
    uint64_t clusters = (g.total_sectors - g.data_start) / g.sectors_per_cluster;
    if (!clusters || clusters > kMaxClusterCount)
        return Error::formatted(EINVAL, "fat: bad BPB: %llu clusters",
                                (unsigned long long)clusters);
    g.cluster_count = uint32_t(clusters);
    uint64_t fat_entries = uint64_t(g.fat_sectors) * g.bytes_per_sector / 4;
    if (fat_entries < uint64_t(g.cluster_count) + 2)
        return Error::formatted(EINVAL,
                                "fat: bad BPB: a FAT of %u sectors cannot describe %u clusters",
                                g.fat_sectors, g.cluster_count);
    uint64_t volume_bytes = g.total_sectors * g.bytes_per_sector;
    if (volume_bytes > device_bytes)
        return Error::formatted(EIO,
                                "fat: the volume needs %llu bytes but the device has only %llu "
                                "(truncated image?)",
                                (unsigned long long)volume_bytes, (unsigned long long)device_bytes);
    uint16_t flags = le16(b + 40);
    g.mirrored = !(flags & 0x80);
    g.active_fat = g.mirrored ? 0 : flags & 0x0F;
    if (g.active_fat >= g.fat_count)
        return Error::formatted(EINVAL, "fat: bad BPB: active FAT %u of %u", g.active_fat,
                                g.fat_count);
    g.root_cluster = le32(b + 44);
    if (!g.valid_cluster(g.root_cluster))
        return Error::formatted(EINVAL, "fat: bad BPB: root directory cluster %u is out of range",
                                g.root_cluster);
    uint32_t fsinfo = le16(b + 48);
    g.fsinfo_sector = fsinfo >= 1 && fsinfo < g.reserved_sectors ? fsinfo : 0;
    if (b[66] == 0x29) {
        g.serial = le32(b + 67);
        std::string label(reinterpret_cast<const char*>(b + 71), 11);
        while (!label.empty() && (label.back() == ' ' || label.back() == '\0'))
            label.pop_back();
        if (label != "NO NAME")
            g.label = label;
    }
    return g;
}

} // namespace rustos::fat::detail
