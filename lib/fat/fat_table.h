// The file allocation table: cluster chains, allocation with the FSInfo
// next-free hint, the free cluster count. Internal to lib/fat.
#pragma once

#include "layout.h"
#include "sector_cache.h"

#include <optional>
#include <string>
#include <vector>

namespace rustos::fat::detail {

// A file's or directory's clusters in order, kept as runs of consecutive
// cluster numbers (a contiguous file is one run).
class Chain {
public:
    struct Run {
        uint32_t index;   // position of the run's first cluster in the chain
        uint32_t cluster; // its cluster number
        uint32_t count;
    };

    uint32_t length() const { return m_length; }
    bool empty() const { return m_length == 0; }
    uint32_t first() const { return m_runs.front().cluster; }
    uint32_t last() const { return m_runs.back().cluster + m_runs.back().count - 1; }
    // Precondition: index < length().
    uint32_t at(uint32_t index) const;
    // How many clusters from `index` on are consecutive on disk (>= 1), at most `max`.
    uint32_t contiguous_from(uint32_t index, uint32_t max) const;
    void append(uint32_t cluster);
    // Keep the first `length` clusters.
    void truncate(uint32_t length);
    const std::vector<Run>& runs() const { return m_runs; }

private:
    const Run& run_of(uint32_t index) const;

    std::vector<Run> m_runs;
    uint32_t m_length = 0;
};

class FatTable {
public:
    FatTable(SectorCache& cache, const Geometry& geometry);

    // Reads the FSInfo sector's free count and next-free hint (ignored
    // when its signatures or values are wrong).
    ErrorOr<void> load_fsinfo();
    // Writes the current free count and hint into the FSInfo sector, right
    // away. Call once the FAT itself is on the device.
    ErrorOr<void> store_fsinfo();
    bool fsinfo_stale() const { return m_fsinfo_marked; }

    // The (28-bit) entry of a valid cluster.
    ErrorOr<uint32_t> get(uint32_t cluster);
    ErrorOr<void> set(uint32_t cluster, uint32_t value);

    // The chain starting at `first`; EIO when it leaves the valid cluster
    // range, hits a free or bad cluster, or exceeds `max_length` (a loop).
    // `what` names the owner in errors.
    ErrorOr<Chain> walk(uint32_t first, uint32_t max_length, const std::string& what);

    // A free cluster, now marked end-of-chain: `preferred` if free, else
    // the first free one from the next-free hint on. ENOSPC when full.
    ErrorOr<uint32_t> allocate(uint32_t preferred);
    ErrorOr<void> release(uint32_t cluster);
    ErrorOr<uint32_t> free_clusters();

private:
    // Before the first change since the last store_fsinfo(): count the free
    // clusters if that is not known yet, and mark FSInfo's count unknown on
    // the device.
    ErrorOr<void> before_change();
    ErrorOr<uint32_t> count_free();
    uint64_t sector_of(uint32_t cluster) const;
    uint32_t offset_of(uint32_t cluster) const;

    SectorCache& m_cache;
    const Geometry& m_geometry;
    std::optional<uint32_t> m_free;
    uint32_t m_hint = 2;
    bool m_fsinfo_valid = false;
    // The FSInfo sector on the device says "free count unknown" until the
    // next store_fsinfo(), so a crash in between leaves no wrong count.
    bool m_fsinfo_marked = false;
};

} // namespace rustos::fat::detail
