#include "sector_cache.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace rustos::fat::detail {

SectorCache::SectorCache(BlockDevice& device, uint32_t sector_size, uint32_t device_per_sector,
                         size_t capacity, WriteBack write_back)
    : m_device(device), m_sector_size(sector_size), m_device_per_sector(device_per_sector),
      m_capacity(std::max<size_t>(capacity, 16)), m_write_back(std::move(write_back)) {}

ErrorOr<void> SectorCache::write_device(uint64_t sector, const uint8_t* data) {
    return m_device.write(sector * m_device_per_sector, m_device_per_sector, data);
}

ErrorOr<void> SectorCache::read_device(uint64_t sector, uint8_t* out) {
    return m_device.read(sector * m_device_per_sector, m_device_per_sector, out);
}

ErrorOr<void> SectorCache::make_room() {
    while (m_slots.size() >= m_capacity) {
        uint64_t victim = m_lru.back();
        auto it = m_slots.find(victim);
        if (it->second.dirty) {
            TRY(m_write_back(victim, it->second.data.get()));
            it->second.dirty = false;
        }
        m_lru.pop_back();
        m_slots.erase(it);
    }
    return {};
}

ErrorOr<SectorCache::Slot*> SectorCache::get(uint64_t sector, bool load) {
    auto it = m_slots.find(sector);
    if (it != m_slots.end()) {
        m_lru.splice(m_lru.begin(), m_lru, it->second.lru);
        return &it->second;
    }
    TRY(make_room());
    Slot slot;
    slot.data = std::make_unique<uint8_t[]>(m_sector_size);
    if (load)
        TRY(read_device(sector, slot.data.get()));
    else
        std::memset(slot.data.get(), 0, m_sector_size);
    m_lru.push_front(sector);
    slot.lru = m_lru.begin();
    return &m_slots.emplace(sector, std::move(slot)).first->second;
}

ErrorOr<uint8_t*> SectorCache::read(uint64_t sector) { return TRY(get(sector, true))->data.get(); }

ErrorOr<uint8_t*> SectorCache::modify(uint64_t sector) {
    Slot* slot = TRY(get(sector, true));
    slot->dirty = true;
    return slot->data.get();
}

ErrorOr<uint8_t*> SectorCache::overwrite(uint64_t sector) {
    Slot* slot = TRY(get(sector, false));
    std::memset(slot->data.get(), 0, m_sector_size);
    slot->dirty = true;
    return slot->data.get();
}

const uint8_t* SectorCache::peek(uint64_t sector) const {
    auto it = m_slots.find(sector);
    return it == m_slots.end() ? nullptr : it->second.data.get();
}

ErrorOr<void> SectorCache::write_now(uint64_t sector) {
    auto it = m_slots.find(sector);
    if (it == m_slots.end() || !it->second.dirty)
        return {};
    TRY(m_write_back(sector, it->second.data.get()));
    it->second.dirty = false;
    return {};
}

void SectorCache::discard(uint64_t first, uint64_t count) {
    auto drop = [&](std::unordered_map<uint64_t, Slot>::iterator it) {
        m_lru.erase(it->second.lru);
        return m_slots.erase(it);
    };
    if (count <= m_slots.size()) {
        for (uint64_t s = first; s < first + count; ++s) {
            auto it = m_slots.find(s);
            if (it != m_slots.end())
                drop(it);
        }
        return;
    }
    for (auto it = m_slots.begin(); it != m_slots.end();) {
        if (it->first >= first && it->first - first < count)
            it = drop(it);
        else
            ++it;
    }
}

ErrorOr<void> SectorCache::flush() {
    std::vector<uint64_t> dirty;
    for (auto& [sector, slot] : m_slots)
        if (slot.dirty)
            dirty.push_back(sector);
    std::sort(dirty.begin(), dirty.end());
    for (uint64_t sector : dirty)
        TRY(write_now(sector));
    return {};
}

} // namespace rustos::fat::detail
