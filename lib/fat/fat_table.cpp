#include "fat_table.h"

#include <algorithm>
#include <vector>

namespace rustos::fat::detail {

namespace {

constexpr uint32_t kFsInfoLead = 0x41615252;
constexpr uint32_t kFsInfoStruct = 0x61417272;
constexpr uint32_t kFsInfoTrail = 0xAA550000;
constexpr uint32_t kUnknown = 0xFFFFFFFF;

} // namespace

const Chain::Run& Chain::run_of(uint32_t index) const {
    auto it = std::upper_bound(m_runs.begin(), m_runs.end(), index,
                               [](uint32_t i, const Run& r) { return i < r.index; });
    return *(it - 1);
}

uint32_t Chain::at(uint32_t index) const {
    const Run& r = run_of(index);
    return r.cluster + (index - r.index);
}

uint32_t Chain::contiguous_from(uint32_t index, uint32_t max) const {
    const Run& r = run_of(index);
    return std::min(r.count - (index - r.index), max);
}

void Chain::append(uint32_t cluster) {
    if (!m_runs.empty() && m_runs.back().cluster + m_runs.back().count == cluster)
        ++m_runs.back().count;
    else
        m_runs.push_back({m_length, cluster, 1});
    ++m_length;
}

void Chain::truncate(uint32_t length) {
    if (length >= m_length)
        return;
    while (!m_runs.empty() && m_runs.back().index >= length)
        m_runs.pop_back();
    if (!m_runs.empty())
        m_runs.back().count = length - m_runs.back().index;
    m_length = length;
}

FatTable::FatTable(SectorCache& cache, const Geometry& geometry)
    : m_cache(cache), m_geometry(geometry) {}

uint64_t FatTable::sector_of(uint32_t cluster) const {
    return m_geometry.fat_start(m_geometry.active_fat) +
           uint64_t(cluster) * 4 / m_geometry.bytes_per_sector;
}

uint32_t FatTable::offset_of(uint32_t cluster) const {
    return uint32_t(uint64_t(cluster) * 4 % m_geometry.bytes_per_sector);
}

ErrorOr<void> FatTable::load_fsinfo() {
    if (!m_geometry.fsinfo_sector)
        return {};
    const uint8_t* s = TRY(m_cache.read(m_geometry.fsinfo_sector));
    if (le32(s) != kFsInfoLead || le32(s + 484) != kFsInfoStruct || le32(s + 508) != kFsInfoTrail)
        return {};
    m_fsinfo_valid = true;
    uint32_t free = le32(s + 488);
    if (free <= m_geometry.cluster_count)
        m_free = free;
    uint32_t hint = le32(s + 492);
    if (m_geometry.valid_cluster(hint))
        m_hint = hint;
    return {};
}

ErrorOr<void> FatTable::store_fsinfo() {
    if (!m_fsinfo_valid || !m_fsinfo_marked)
        return {};
    uint8_t* s = TRY(m_cache.modify(m_geometry.fsinfo_sector));
    put_le32(s + 488, m_free ? *m_free : kUnknown);
    put_le32(s + 492, m_hint);
    TRY(m_cache.write_now(m_geometry.fsinfo_sector));
    m_fsinfo_marked = false;
    return {};
}

ErrorOr<void> FatTable::before_change() {
    if (!m_free)
        m_free = TRY(count_free());
    if (m_fsinfo_valid && !m_fsinfo_marked) {
        uint8_t* s = TRY(m_cache.modify(m_geometry.fsinfo_sector));
        put_le32(s + 488, kUnknown);
        TRY(m_cache.write_now(m_geometry.fsinfo_sector));
        m_fsinfo_marked = true;
    }
    return {};
}

ErrorOr<uint32_t> FatTable::get(uint32_t cluster) {
    if (!m_geometry.valid_cluster(cluster))
        return Error::formatted(EIO, "fat: cluster %u is out of range (2-%u)", cluster,
                                m_geometry.max_cluster());
    const uint8_t* s = TRY(m_cache.read(sector_of(cluster)));
    return le32(s + offset_of(cluster)) & kFatMask;
}

ErrorOr<void> FatTable::set(uint32_t cluster, uint32_t value) {
    if (!m_geometry.valid_cluster(cluster))
        return Error::formatted(EIO, "fat: cluster %u is out of range (2-%u)", cluster,
                                m_geometry.max_cluster());
    TRY(before_change());
    uint8_t* s = TRY(m_cache.modify(sector_of(cluster)));
    uint8_t* p = s + offset_of(cluster);
    put_le32(p, (le32(p) & ~kFatMask) | (value & kFatMask));
    return {};
}

ErrorOr<Chain> FatTable::walk(uint32_t first, uint32_t max_length, const std::string& what) {
    if (!m_geometry.valid_cluster(first))
        return Error::formatted(EIO, "fat: %s starts at cluster %u, out of range (2-%u)",
                                what.c_str(), first, m_geometry.max_cluster());
    Chain chain;
    uint32_t cluster = first;
    for (;;) {
        chain.append(cluster);
        uint32_t next = TRY(get(cluster));
        if (next >= kEndOfChainMin)
            return chain;
        if (!m_geometry.valid_cluster(next))
            return Error::formatted(EIO,
                                    "fat: cluster chain of %s is broken at cluster %u: it links "
                                    "to %#x (%s)",
                                    what.c_str(), cluster, next,
                                    next == 0             ? "a free cluster"
                                    : next == kBadCluster ? "a bad cluster"
                                                          : "out of range");
        if (chain.length() >= max_length)
            return Error::formatted(EIO,
                                    "fat: cluster chain of %s loops or is longer than %u clusters",
                                    what.c_str(), max_length);
        cluster = next;
    }
}

ErrorOr<uint32_t> FatTable::count_free() {
    const uint32_t bps = m_geometry.bytes_per_sector;
    const uint32_t per_sector = bps / 4;
    const uint64_t first = m_geometry.fat_start(m_geometry.active_fat);
    const uint64_t sectors = (uint64_t(m_geometry.max_cluster()) + per_sector) / per_sector;
    constexpr uint32_t kBatch = 64;
    std::vector<uint8_t> buffer(size_t(kBatch) * bps);
    uint32_t free = 0;
    for (uint64_t s = 0; s < sectors; s += kBatch) {
        uint32_t n = uint32_t(std::min<uint64_t>(kBatch, sectors - s));
        for (uint32_t i = 0; i < n; ++i) {
            const uint8_t* data = m_cache.peek(first + s + i);
            if (!data) {
                TRY(m_cache.read_device(first + s + i, buffer.data() + size_t(i) * bps));
                data = buffer.data() + size_t(i) * bps;
            }
            for (uint32_t e = 0; e < per_sector; ++e) {
                uint64_t cluster = (s + i) * per_sector + e;
                if (cluster >= 2 && cluster <= m_geometry.max_cluster() &&
                    !(le32(data + e * 4) & kFatMask))
                    ++free;
            }
        }
    }
    return free;
}

ErrorOr<uint32_t> FatTable::free_clusters() {
    if (!m_free)
        m_free = TRY(count_free());
    return *m_free;
}

ErrorOr<uint32_t> FatTable::allocate(uint32_t preferred) {
    TRY(before_change());
    uint32_t found = 0;
    if (*m_free && m_geometry.valid_cluster(preferred) && TRY(get(preferred)) == 0) {
        found = preferred;
    } else if (*m_free) {
        uint32_t cluster = m_hint;
        uint64_t loaded = UINT64_MAX;
        const uint8_t* data = nullptr;
        for (uint32_t n = 0; n < m_geometry.cluster_count; ++n, ++cluster) {
            if (cluster > m_geometry.max_cluster())
                cluster = 2;
            uint64_t sector = sector_of(cluster);
            if (sector != loaded) {
                data = TRY(m_cache.read(sector));
                loaded = sector;
            }
            if (!(le32(data + offset_of(cluster)) & kFatMask)) {
                found = cluster;
                break;
            }
        }
    }
    if (!found) {
        m_free = 0;
        return Error::formatted(ENOSPC, "fat: no free cluster left (of %u)",
                                m_geometry.cluster_count);
    }
    TRY(set(found, kEndOfChain));
    --*m_free;
    m_hint = found + 1 > m_geometry.max_cluster() ? 2 : found + 1;
    return found;
}

ErrorOr<void> FatTable::release(uint32_t cluster) {
    TRY(set(cluster, 0));
    if (*m_free < m_geometry.cluster_count)
        ++*m_free;
    return {};
}

} // namespace rustos::fat::detail
