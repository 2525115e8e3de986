// Write-back LRU cache of file system sectors (the FAT, directories, FSInfo).
// File data does not go through it. Internal to lib/fat.
#pragma once

#include <rustos/base/error.h>
#include <rustos/fat/block_device.h>

#include <functional>
#include <list>
#include <memory>
#include <unordered_map>

namespace rustos::fat::detail {

class SectorCache {
public:
    // Writes one dirty sector back; lets the volume mirror FAT sectors.
    using WriteBack = std::function<ErrorOr<void>(uint64_t sector, const uint8_t* data)>;

    SectorCache(BlockDevice& device, uint32_t sector_size, uint32_t device_per_sector,
                size_t capacity, WriteBack write_back);

    // The returned pointer stays valid until the next call on the cache.
    ErrorOr<uint8_t*> read(uint64_t sector);
    // As read(), and the sector will be written back.
    ErrorOr<uint8_t*> modify(uint64_t sector);
    // A zeroed dirty sector, without reading the device (fresh clusters).
    ErrorOr<uint8_t*> overwrite(uint64_t sector);
    // The cached copy, or nullptr; no device access, no LRU update.
    const uint8_t* peek(uint64_t sector) const;
    // Write one sector back now if it is cached and dirty.
    ErrorOr<void> write_now(uint64_t sector);
    // Forget sectors (freed clusters) without writing them back.
    void discard(uint64_t first, uint64_t count);
    // Write every dirty sector back, in sector order.
    ErrorOr<void> flush();

    // Writes a sector straight to the device (no mirroring, no caching).
    ErrorOr<void> write_device(uint64_t sector, const uint8_t* data);
    ErrorOr<void> read_device(uint64_t sector, uint8_t* out);

private:
    struct Slot {
        std::unique_ptr<uint8_t[]> data;
        bool dirty = false;
        std::list<uint64_t>::iterator lru;
    };
    ErrorOr<Slot*> get(uint64_t sector, bool load);
    ErrorOr<void> make_room();

    BlockDevice& m_device;
    uint32_t m_sector_size;
    uint32_t m_device_per_sector;
    size_t m_capacity;
    WriteBack m_write_back;
    std::unordered_map<uint64_t, Slot> m_slots;
    std::list<uint64_t> m_lru; // most recently used first
};

} // namespace rustos::fat::detail
