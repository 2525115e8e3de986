#include <rustos/fat/volume.h>

#include "fat_table.h"
#include "fat_time.h"
#include "layout.h"
#include "names.h"
#include "sector_cache.h"

#include <algorithm>
#include <ctime>
#include <set>

namespace rustos::fat {

namespace detail {

// A file or directory seen during this mount. The on-disk short entry
// (located by `parent` and `entry_offset`) holds the times; the fields
// below mirror what the operations change.
struct Node {
    NodeId id = 0;
    NodeId parent = 0; // directory holding the entry (the root: itself)
    bool is_dir = false;
    uint32_t entry_offset = 0; // byte offset of the short entry in the parent
    uint32_t lfn_offset = 0;   // of its first long-name entry (== entry_offset without one)
    uint32_t first_cluster = 0;
    uint32_t size = 0;
    uint8_t attributes = 0;
    std::string name; // UTF-8, for paths in errors
    std::optional<Chain> chain;
};

// One entry found by Volume::scan().
struct ScannedEntry {
    uint32_t offset = 0;
    uint32_t lfn_offset = 0;
    uint8_t raw[32] = {};
    std::u16string name;       // the long name, or the 8.3 name as shown
    std::u16string short_name; // the 8.3 name, upper case
};

struct EntryLocation {
    uint32_t lfn_offset = 0;
    uint32_t entry_offset = 0;
};

} // namespace detail

using namespace detail;

namespace {

constexpr size_t kIoChunk = 1 << 20;

const uint8_t kDotName[11] = {'.', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' '};
const uint8_t kDotDotName[11] = {'.', '.', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' '};

// Offsets of the 13 UTF-16 units in a long-name entry.
constexpr uint8_t kLfnUnitOffsets[kLfnUnits] = {1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30};

bool usable_long_name(std::u16string_view name) {
    if (name.empty() || name == u"." || name == u"..")
        return false;
    for (char16_t c : name)
        if (c < 0x20 || c == u'/')
            return false;
    return true;
}

void stamp(uint8_t* e, size_t time_at, size_t date_at, const FatTime& t) {
    put_le16(e + time_at, t.time);
    put_le16(e + date_at, t.date);
}

Error read_only_error() { return Error(EROFS, "fat: the volume is mounted read-only"); }

std::string shown(std::string_view name) { return std::string(name.substr(0, 255)); }

} // namespace

Volume::Volume(BlockDevice& device, MountOptions options, std::unique_ptr<Geometry> geometry)
    : m_device(device), m_options(std::move(options)), m_geometry(std::move(geometry)) {}

Volume::~Volume() {
    if (!m_options.read_only && m_cache) {
        auto result = sync();
        (void)result;
    }
}

ErrorOr<std::unique_ptr<Volume>> Volume::mount(BlockDevice& device, MountOptions options) {
    uint32_t sector_size = device.sector_size();
    if (sector_size < 512 || sector_size > 4096 || (sector_size & (sector_size - 1)))
        return Error::formatted(EINVAL, "fat: unsupported device sector size %u", sector_size);
    if (device.sector_count() == 0)
        return Error(EINVAL, "fat: the device is empty");
    std::vector<uint8_t> boot(sector_size);
    TRY(device.read(0, 1, boot.data()));
    Geometry geometry =
        TRY(parse_boot_sector(boot.data(), device.sector_count() * sector_size, sector_size));

    std::unique_ptr<Volume> volume(
        new Volume(device, std::move(options), std::make_unique<Geometry>(std::move(geometry))));
    Volume* v = volume.get();
    const Geometry& g = *v->m_geometry;
    auto write_back = [v, &g](uint64_t sector, const uint8_t* data) -> ErrorOr<void> {
        uint64_t active = g.fat_start(g.active_fat);
        if (g.mirrored && sector >= active && sector < active + g.fat_sectors) {
            for (uint32_t fat = 0; fat < g.fat_count; ++fat)
                TRY(v->m_cache->write_device(sector - active + g.fat_start(fat), data));
            return {};
        }
        return v->m_cache->write_device(sector, data);
    };
    v->m_cache = std::make_unique<SectorCache>(device, g.bytes_per_sector, g.device_per_sector,
                                               v->m_options.cache_sectors, write_back);
    v->m_fat = std::make_unique<FatTable>(*v->m_cache, g);
    TRY(v->m_fat->load_fsinfo());

    auto root = std::make_unique<Node>();
    root->id = kRootId;
    root->parent = kRootId;
    root->is_dir = true;
    root->first_cluster = g.root_cluster;
    root->attributes = attr::kDirectory;
    Node& root_ref = *root;
    v->m_nodes.emplace(kRootId, std::move(root));
    TRY(v->chain_of(root_ref));
    return volume;
}

int64_t Volume::now() const {
    return m_options.clock ? m_options.clock() : int64_t(std::time(nullptr));
}

ErrorOr<void> Volume::check_writable() const {
    if (m_options.read_only)
        return read_only_error();
    return {};
}

ErrorOr<Node*> Volume::node(NodeId id) {
    auto it = m_nodes.find(id);
    if (it == m_nodes.end())
        return Error::formatted(ENOENT, "fat: node %llu does not exist (removed?)",
                                (unsigned long long)id);
    return it->second.get();
}

ErrorOr<Node*> Volume::dir_node(NodeId id) {
    Node* n = TRY(node(id));
    if (!n->is_dir)
        return Error::formatted(ENOTDIR, "fat: %s is not a directory", path_of(*n).c_str());
    return n;
}

ErrorOr<Node*> Volume::file_node(NodeId id) {
    Node* n = TRY(node(id));
    if (n->is_dir)
        return Error::formatted(EISDIR, "fat: %s is a directory", path_of(*n).c_str());
    return n;
}

std::string Volume::path_of(const Node& n) const {
    if (n.id == kRootId)
        return "/";
    std::string path;
    const Node* p = &n;
    for (size_t depth = 0; p->id != kRootId && depth < m_nodes.size(); ++depth) {
        path = "/" + p->name + path;
        auto it = m_nodes.find(p->parent);
        if (it == m_nodes.end())
            break;
        p = it->second.get();
    }
    return path;
}

uint32_t Volume::clusters_for(uint64_t bytes) const {
    return uint32_t((bytes + m_geometry->cluster_size - 1) / m_geometry->cluster_size);
}

uint64_t Volume::cluster_byte_address(uint32_t cluster) const {
    return m_geometry->cluster_sector(cluster) * m_geometry->bytes_per_sector;
}

ErrorOr<Chain*> Volume::chain_of(Node& n) {
    if (n.chain)
        return &*n.chain;
    const Geometry& g = *m_geometry;
    Chain chain;
    if (n.first_cluster) {
        uint32_t limit =
            n.is_dir ? std::min(g.cluster_count, kMaxDirBytes / g.cluster_size) : g.cluster_count;
        chain = TRY(
            m_fat->walk(n.first_cluster, limit, (n.is_dir ? "directory " : "file ") + path_of(n)));
    } else if (n.is_dir) {
        return Error::formatted(EIO, "fat: directory %s has no cluster", path_of(n).c_str());
    }
    if (!n.is_dir && chain.length() < clusters_for(n.size))
        return Error::formatted(EIO, "fat: %s is %u bytes but its cluster chain holds only %u",
                                path_of(n).c_str(), n.size, chain.length() * g.cluster_size);
    n.chain = std::move(chain);
    return &*n.chain;
}

// ---- Device I/O ----------------------------------------------------------

ErrorOr<void> Volume::read_bytes(uint64_t address, uint8_t* out, size_t length) {
    const uint32_t ss = m_device.sector_size();
    std::vector<uint8_t> bounce;
    while (length) {
        uint64_t lba = address / ss;
        uint32_t within = uint32_t(address % ss);
        if (within || length < ss) {
            bounce.resize(ss);
            TRY(m_device.read(lba, 1, bounce.data()));
            size_t n = std::min<size_t>(ss - within, length);
            std::memcpy(out, bounce.data() + within, n);
            out += n, address += n, length -= n;
            continue;
        }
        size_t n = std::min(length / ss * ss, kIoChunk);
        TRY(m_device.read(lba, uint32_t(n / ss), out));
        out += n, address += n, length -= n;
    }
    return {};
}

ErrorOr<void> Volume::write_bytes(uint64_t address, const uint8_t* in, size_t length) {
    const uint32_t ss = m_device.sector_size();
    std::vector<uint8_t> bounce;
    while (length) {
        uint64_t lba = address / ss;
        uint32_t within = uint32_t(address % ss);
        if (within || length < ss) {
            bounce.resize(ss);
            TRY(m_device.read(lba, 1, bounce.data()));
            size_t n = std::min<size_t>(ss - within, length);
            std::memcpy(bounce.data() + within, in, n);
            TRY(m_device.write(lba, 1, bounce.data()));
            in += n, address += n, length -= n;
            continue;
        }
        size_t n = std::min(length / ss * ss, kIoChunk);
        TRY(m_device.write(lba, uint32_t(n / ss), in));
        in += n, address += n, length -= n;
    }
    return {};
}

// Precondition: the node's chain is loaded and covers [offset, offset + length).
ErrorOr<void> Volume::transfer_file(Node& n, uint64_t offset, uint8_t* out, const uint8_t* in,
                                    size_t length) {
    const Chain& chain = *n.chain;
    const uint32_t cs = m_geometry->cluster_size;
    while (length) {
        uint32_t index = uint32_t(offset / cs);
        uint32_t within = uint32_t(offset % cs);
        uint64_t run = chain.contiguous_from(index, UINT32_MAX);
        size_t n_bytes = size_t(std::min<uint64_t>(length, run * cs - within));
        uint64_t address = cluster_byte_address(chain.at(index)) + within;
        if (in) {
            TRY(write_bytes(address, in, n_bytes));
            in += n_bytes;
        } else {
            TRY(read_bytes(address, out, n_bytes));
            out += n_bytes;
        }
        offset += n_bytes;
        length -= n_bytes;
    }
    return {};
}

ErrorOr<void> Volume::zero_file_range(Node& n, uint64_t from, uint64_t to) {
    static const std::vector<uint8_t> zeroes(kIoChunk);
    while (from < to) {
        size_t len = size_t(std::min<uint64_t>(to - from, zeroes.size()));
        TRY(transfer_file(n, from, nullptr, zeroes.data(), len));
        from += len;
    }
    return {};
}

// ---- Cluster chains ------------------------------------------------------

ErrorOr<void> Volume::grow_chain(Node& n, uint32_t clusters) {
    Chain& chain = *TRY(chain_of(n));
    while (chain.length() < clusters) {
        uint32_t preferred = chain.empty() ? 0 : chain.last() + 1;
        uint32_t c = TRY(m_fat->allocate(preferred));
        if (chain.empty())
            n.first_cluster = c;
        else
            TRY(m_fat->set(chain.last(), c));
        chain.append(c);
    }
    return {};
}

ErrorOr<void> Volume::shrink_chain(Node& n, uint32_t keep) {
    Chain& chain = *TRY(chain_of(n));
    if (keep >= chain.length())
        return {};
    if (keep)
        TRY(m_fat->set(chain.at(keep - 1), kEndOfChain));
    const Geometry& g = *m_geometry;
    for (const Chain::Run& run : chain.runs()) {
        uint32_t skip = keep > run.index ? std::min(keep - run.index, run.count) : 0;
        for (uint32_t i = skip; i < run.count; ++i)
            TRY(m_fat->release(run.cluster + i));
        if (skip < run.count)
            m_cache->discard(g.cluster_sector(run.cluster + skip),
                             uint64_t(run.count - skip) * g.sectors_per_cluster);
    }
    chain.truncate(keep);
    if (!keep)
        n.first_cluster = 0;
    return {};
}

ErrorOr<void> Volume::release_chain(Node& n) { return shrink_chain(n, 0); }

ErrorOr<uint32_t> Volume::allocate_zeroed_cluster(uint32_t preferred) {
    uint32_t c = TRY(m_fat->allocate(preferred));
    const Geometry& g = *m_geometry;
    for (uint32_t i = 0; i < g.sectors_per_cluster; ++i)
        TRY(m_cache->overwrite(g.cluster_sector(c) + i));
    return c;
}

// ---- Directory entries ---------------------------------------------------

ErrorOr<uint8_t*> Volume::entry_at(Node& dir, uint32_t offset, bool for_write) {
    const Chain& chain = *TRY(chain_of(dir));
    const Geometry& g = *m_geometry;
    uint32_t index = offset / g.cluster_size;
    if (index >= chain.length())
        return Error::formatted(EIO, "fat: entry at byte %u is past the end of directory %s",
                                offset, path_of(dir).c_str());
    uint32_t within = offset % g.cluster_size;
    uint64_t sector = g.cluster_sector(chain.at(index)) + within / g.bytes_per_sector;
    uint8_t* data = for_write ? TRY(m_cache->modify(sector)) : TRY(m_cache->read(sector));
    return data + within % g.bytes_per_sector;
}

ErrorOr<uint8_t*> Volume::own_entry(Node& n, bool for_write) {
    Node* parent = TRY(node(n.parent));
    return entry_at(*parent, n.entry_offset, for_write);
}

ErrorOr<void> Volume::scan(Node& dir, uint32_t cookie, const ScanCallback& callback) {
    const Chain& chain = *TRY(chain_of(dir));
    const uint64_t end = uint64_t(chain.length()) * m_geometry->cluster_size;
    char16_t units[20 * kLfnUnits];
    uint32_t lfn_parts = 0; // parts in the sequence being read; 0: none
    uint32_t next_ordinal = 0;
    uint8_t checksum = 0;
    uint32_t lfn_start = 0;
    for (uint64_t offset = cookie; offset < end; offset += kDirEntrySize) {
        uint8_t e[32];
        std::memcpy(e, TRY(entry_at(dir, uint32_t(offset), false)), 32);
        if (e[0] == kEntryFree)
            return {};
        if (e[0] == kEntryDeleted) {
            lfn_parts = 0;
            continue;
        }
        if (is_lfn_entry(e)) {
            uint32_t ordinal = e[0] & 0x1F;
            if (e[0] & kLfnLast) {
                lfn_parts = ordinal >= 1 && ordinal <= 20 ? ordinal : 0;
                checksum = e[13];
                lfn_start = uint32_t(offset);
                std::fill(units, units + 20 * kLfnUnits, char16_t(0));
            } else if (!lfn_parts || !ordinal || ordinal != next_ordinal || e[13] != checksum) {
                lfn_parts = 0;
            }
            if (lfn_parts) {
                for (uint32_t i = 0; i < kLfnUnits; ++i)
                    units[(ordinal - 1) * kLfnUnits + i] = char16_t(le16(e + kLfnUnitOffsets[i]));
                next_ordinal = ordinal - 1;
            }
            continue;
        }
        bool has_long = lfn_parts && next_ordinal == 0 && lfn_checksum(e) == checksum;
        lfn_parts = 0;
        if (e[kEntAttr] & attr::kVolumeId)
            continue; // the volume label (or garbage claiming to be one)
        if (!std::memcmp(e, kDotName, 11) || !std::memcmp(e, kDotDotName, 11))
            continue;
        ScannedEntry entry;
        entry.offset = uint32_t(offset);
        std::memcpy(entry.raw, e, 32);
        entry.short_name = short_name_to_string(e, 0);
        entry.name = short_name_to_string(e, e[kEntNtCase]);
        entry.lfn_offset = entry.offset;
        if (has_long) {
            std::u16string_view all(units, 20 * kLfnUnits);
            std::u16string_view name = all.substr(0, all.find(u'\0'));
            if (usable_long_name(name)) {
                entry.name = std::u16string(name);
                entry.lfn_offset = lfn_start;
            }
        }
        if (!TRY(callback(entry)))
            return {};
    }
    return {};
}

ErrorOr<std::optional<ScannedEntry>> Volume::find(Node& dir, std::u16string_view name) {
    std::optional<ScannedEntry> found;
    TRY(scan(dir, 0, [&](const ScannedEntry& e) -> ErrorOr<bool> {
        if (same_name(e.name, name) || same_name(e.short_name, name)) {
            found = e;
            return false;
        }
        return true;
    }));
    return found;
}

ErrorOr<Node*> Volume::node_for(Node& dir, const ScannedEntry& e) {
    auto known = m_by_location.find({dir.id, e.offset});
    if (known != m_by_location.end())
        return m_nodes.at(known->second).get();
    const Geometry& g = *m_geometry;
    std::string name = utf16_to_utf8(e.name);
    uint8_t attributes = e.raw[kEntAttr];
    uint32_t cluster = entry_cluster(e.raw);
    uint32_t size = le32(e.raw + kEntSize);
    bool is_dir = attributes & attr::kDirectory;
    auto where = [&] { // only for errors
        std::string path = path_of(dir);
        return path == "/" ? path : path + "/";
    };
    if (is_dir &&
        (!g.valid_cluster(cluster) || cluster == g.root_cluster || cluster == dir.first_cluster))
        return Error::formatted(
            EIO, "fat: directory %s%s starts at cluster %u (out of range or a cycle)",
            where().c_str(), name.c_str(), cluster);
    if (!is_dir && cluster && !g.valid_cluster(cluster))
        return Error::formatted(EIO, "fat: file %s%s starts at cluster %u, out of range (2-%u)",
                                where().c_str(), name.c_str(), cluster, g.max_cluster());
    if (!is_dir && !cluster && size)
        return Error::formatted(EIO, "fat: file %s%s is %u bytes but has no cluster",
                                where().c_str(), name.c_str(), size);
    auto n = std::make_unique<Node>();
    n->id = m_next_id++;
    n->parent = dir.id;
    n->is_dir = is_dir;
    n->entry_offset = e.offset;
    n->lfn_offset = e.lfn_offset;
    n->first_cluster = cluster;
    n->size = is_dir ? 0 : size;
    n->attributes = attributes;
    n->name = std::move(name);
    Node* raw = n.get();
    m_nodes.emplace(raw->id, std::move(n));
    m_by_location[{dir.id, e.offset}] = raw->id;
    return raw;
}

ErrorOr<EntryLocation> Volume::insert_entry(Node& dir, std::u16string_view name,
                                            const uint8_t short_entry[32],
                                            const std::vector<uint32_t>& ignore_offsets) {
    const Geometry& g = *m_geometry;
    // Names already in use, for a unique alias.
    std::set<ShortName> shorts;
    std::set<std::u16string> longs;
    TRY(scan(dir, 0, [&](const ScannedEntry& e) -> ErrorOr<bool> {
        if (std::find(ignore_offsets.begin(), ignore_offsets.end(), e.offset) !=
            ignore_offsets.end())
            return true;
        ShortName s;
        std::memcpy(s.data(), e.raw, 11);
        shorts.insert(s);
        std::u16string folded = e.name;
        for (char16_t& c : folded)
            c = fold_case(c);
        longs.insert(std::move(folded));
        return true;
    }));
    auto taken = [&](const ShortName& candidate) {
        if (shorts.count(candidate))
            return true;
        std::u16string shown = short_name_to_string(candidate.data(), 0);
        for (char16_t& c : shown)
            c = fold_case(c);
        return longs.count(shown) > 0;
    };

    ShortName raw;
    uint8_t nt_case = 0;
    uint32_t lfn_entries = 0;
    if (auto plain = plain_short_name(name)) {
        raw = plain->raw;
        nt_case = plain->nt_case;
        if (shorts.count(raw))
            return Error::formatted(EEXIST, "fat: %s already has an entry named %s",
                                    path_of(dir).c_str(), utf16_to_utf8(name).c_str());
    } else {
        AliasBasis basis = alias_basis(name);
        bool found = false;
        if (!basis.needs_tail) {
            raw = alias_name(basis, 0);
            found = !taken(raw);
        }
        for (uint32_t n = 1; !found && n <= 999999; ++n) {
            raw = alias_name(basis, n);
            found = !taken(raw);
        }
        if (!found)
            return Error::formatted(ENOSPC, "fat: no free 8.3 alias for '%s' in %s",
                                    utf16_to_utf8(name).c_str(), path_of(dir).c_str());
        lfn_entries = uint32_t((name.size() + kLfnUnits - 1) / kLfnUnits);
    }
    const uint32_t needed = lfn_entries + 1;

    // The first run of `needed` free entries; free space at the end may
    // continue into clusters added to the directory.
    Chain& chain = *TRY(chain_of(dir));
    const uint32_t total = chain.length() * (g.cluster_size / kDirEntrySize);
    uint32_t run_start = 0, run_length = 0;
    bool found = false;
    for (uint32_t i = 0; i < total; ++i) {
        uint8_t first = TRY(entry_at(dir, i * kDirEntrySize, false))[0];
        if (first == kEntryFree) {
            if (!run_length)
                run_start = i;
            run_length = total - run_start;
            break;
        }
        if (first == kEntryDeleted) {
            if (!run_length++)
                run_start = i;
            if (run_length >= needed)
                break;
        } else {
            run_length = 0;
        }
    }
    found = run_length >= needed;
    if (!found) {
        uint32_t start = run_length ? run_start : total;
        uint64_t bytes = uint64_t(start + needed) * kDirEntrySize;
        if (bytes > kMaxDirBytes)
            return Error::formatted(ENOSPC, "fat: directory %s is full (65536 entries)",
                                    path_of(dir).c_str());
        while (uint64_t(chain.length()) * g.cluster_size < bytes) {
            uint32_t c = TRY(allocate_zeroed_cluster(chain.last() + 1));
            TRY(m_fat->set(chain.last(), c));
            chain.append(c);
        }
        run_start = start;
    }

    uint8_t checksum = lfn_checksum(raw.data());
    for (uint32_t i = 0; i < lfn_entries; ++i) {
        uint32_t ordinal = lfn_entries - i;
        uint8_t e[32] = {};
        e[0] = uint8_t(ordinal | (i == 0 ? kLfnLast : 0));
        e[kEntAttr] = kAttrLongName;
        e[13] = checksum;
        for (uint32_t u = 0; u < kLfnUnits; ++u) {
            size_t at = (ordinal - 1) * kLfnUnits + u;
            uint16_t unit = at < name.size() ? name[at] : at == name.size() ? 0 : 0xFFFF;
            put_le16(e + kLfnUnitOffsets[u], unit);
        }
        std::memcpy(TRY(entry_at(dir, (run_start + i) * kDirEntrySize, true)), e, 32);
    }
    uint8_t e[32];
    std::memcpy(e, short_entry, 32);
    std::memcpy(e, raw.data(), 11);
    e[kEntNtCase] = nt_case;
    uint32_t entry_offset = (run_start + lfn_entries) * kDirEntrySize;
    std::memcpy(TRY(entry_at(dir, entry_offset, true)), e, 32);
    return EntryLocation{run_start * kDirEntrySize, entry_offset};
}

ErrorOr<void> Volume::erase_entries(Node& dir, uint32_t first_offset, uint32_t entry_offset) {
    for (uint32_t offset = first_offset; offset <= entry_offset; offset += kDirEntrySize) {
        uint8_t* e = TRY(entry_at(dir, offset, true));
        if (offset == entry_offset || is_lfn_entry(e))
            e[0] = kEntryDeleted;
    }
    return {};
}

ErrorOr<bool> Volume::is_empty_dir(Node& dir) {
    bool empty = true;
    TRY(scan(dir, 0, [&](const ScannedEntry&) -> ErrorOr<bool> {
        empty = false;
        return false;
    }));
    return empty;
}

ErrorOr<void> Volume::write_node_entry(Node& n, bool modified) {
    FatTime t = to_fat_time(now());
    if (modified && !n.is_dir)
        n.attributes |= attr::kArchive;
    uint8_t* e = TRY(own_entry(n, true));
    set_entry_cluster(e, n.first_cluster);
    put_le32(e + kEntSize, n.is_dir ? 0 : n.size);
    e[kEntAttr] = n.attributes;
    if (modified) {
        stamp(e, kEntMtime, kEntMdate, t);
        put_le16(e + kEntAdate, t.date);
    }
    return {};
}

ErrorOr<void> Volume::touch_dir(Node& dir) {
    if (dir.id == kRootId)
        return {};
    return write_node_entry(dir, true);
}

ErrorOr<void> Volume::remove_node(Node& dir, Node& victim) {
    TRY(chain_of(victim)); // refuse a damaged chain before changing anything
    TRY(erase_entries(dir, victim.lfn_offset, victim.entry_offset));
    TRY(release_chain(victim));
    forget(victim);
    return {};
}

void Volume::forget(Node& n) {
    m_by_location.erase({n.parent, n.entry_offset});
    m_nodes.erase(n.id);
}

// ---- Public operations ---------------------------------------------------

ErrorOr<NodeId> Volume::lookup(NodeId dir, std::string_view name) {
    Node* d = TRY(dir_node(dir));
    if (name == ".")
        return d->id;
    if (name == "..")
        return d->parent;
    auto name16 = utf8_to_utf16(name);
    if (name16 && name16->size() > kMaxNameUnits)
        return Error::formatted(ENAMETOOLONG, "fat: name '%s...' is longer than 255 units",
                                shown(name.substr(0, 32)).c_str());
    std::optional<ScannedEntry> found;
    if (name16 && !name.empty())
        found = TRY(find(*d, *name16));
    if (!found)
        return Error::formatted(ENOENT, "fat: %s has no entry '%s'", path_of(*d).c_str(),
                                shown(name).c_str());
    return TRY(node_for(*d, *found))->id;
}

ErrorOr<NodeId> Volume::resolve(std::string_view path) {
    NodeId id = kRootId;
    while (!path.empty()) {
        size_t slash = path.find('/');
        std::string_view part = path.substr(0, slash);
        path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
        if (!part.empty())
            id = TRY(lookup(id, part));
    }
    return id;
}

ErrorOr<std::vector<DirEntry>> Volume::readdir(NodeId dir, uint32_t cookie, size_t max) {
    Node* d = TRY(dir_node(dir));
    if (cookie % kDirEntrySize)
        return Error::formatted(EINVAL, "fat: readdir cookie %u is not an entry boundary", cookie);
    std::vector<DirEntry> entries;
    if (!max)
        return entries;
    TRY(scan(*d, cookie, [&](const ScannedEntry& e) -> ErrorOr<bool> {
        Node* n = TRY(node_for(*d, e));
        DirEntry out;
        out.name = utf16_to_utf8(e.name);
        out.short_name = utf16_to_utf8(e.short_name);
        out.node = n->id;
        out.is_dir = n->is_dir;
        out.attributes = n->attributes;
        out.size = n->size;
        out.mtime = from_fat_time(le16(e.raw + kEntMdate), le16(e.raw + kEntMtime));
        out.atime = from_fat_time(le16(e.raw + kEntAdate), 0);
        out.ctime =
            from_fat_time(le16(e.raw + kEntCdate), le16(e.raw + kEntCtime), e.raw[kEntCtimeCs]);
        out.next_cookie = e.offset + kDirEntrySize;
        entries.push_back(std::move(out));
        return entries.size() < max;
    }));
    return entries;
}

ErrorOr<Stat> Volume::stat(NodeId id) {
    Node* n = TRY(node(id));
    Stat s;
    s.node = n->id;
    s.is_dir = n->is_dir;
    s.attributes = n->attributes;
    s.read_only = n->attributes & attr::kReadOnly;
    s.size = n->size;
    s.first_cluster = n->first_cluster;
    if (n->is_dir)
        s.allocated = uint64_t(TRY(chain_of(*n))->length()) * m_geometry->cluster_size;
    else
        s.allocated = uint64_t(clusters_for(n->size)) * m_geometry->cluster_size;
    if (n->id == kRootId)
        return s;
    const uint8_t* e = TRY(own_entry(*n, false));
    s.mtime = from_fat_time(le16(e + kEntMdate), le16(e + kEntMtime));
    s.atime = from_fat_time(le16(e + kEntAdate), 0);
    s.ctime = from_fat_time(le16(e + kEntCdate), le16(e + kEntCtime), e[kEntCtimeCs]);
    return s;
}

ErrorOr<FsStat> Volume::statfs() {
    FsStat s;
    s.cluster_size = m_geometry->cluster_size;
    s.total_clusters = m_geometry->cluster_count;
    s.free_clusters = TRY(m_fat->free_clusters());
    s.serial = m_geometry->serial;
    s.label = m_geometry->label;
    return s;
}

ErrorOr<size_t> Volume::read(NodeId file, uint64_t offset, uint8_t* buffer, size_t length) {
    Node* n = TRY(file_node(file));
    if (offset >= n->size || !length)
        return size_t(0);
    length = size_t(std::min<uint64_t>(length, n->size - offset));
    TRY(chain_of(*n));
    TRY(transfer_file(*n, offset, buffer, nullptr, length));
    if (m_options.update_access_date_on_read && !m_options.read_only) {
        uint16_t today = to_fat_time(now()).date;
        uint8_t* e = TRY(own_entry(*n, false));
        if (le16(e + kEntAdate) != today)
            put_le16(TRY(own_entry(*n, true)) + kEntAdate, today);
    }
    return length;
}

ErrorOr<size_t> Volume::write(NodeId file, uint64_t offset, const uint8_t* data, size_t length) {
    TRY(check_writable());
    Node* n = TRY(file_node(file));
    if (!length)
        return size_t(0);
    if (offset >= kMaxFileSize)
        return Error::formatted(EFBIG, "fat: %s cannot grow past %llu bytes", path_of(*n).c_str(),
                                (unsigned long long)kMaxFileSize);
    length = size_t(std::min<uint64_t>(length, kMaxFileSize - offset));
    Chain& chain = *TRY(chain_of(*n));
    const uint32_t before = chain.length();
    auto undo = [&](Error error) -> Error {
        auto result = shrink_chain(*n, before);
        (void)result;
        return error;
    };
    uint64_t end = offset + length;
    auto grown = grow_chain(*n, clusters_for(end));
    if (grown.is_error() && grown.error().code() != ENOSPC)
        return undo(grown.error());
    uint64_t capacity = uint64_t(chain.length()) * m_geometry->cluster_size;
    if (capacity <= offset)
        return undo(grown.is_error() ? grown.error() : Error(ENOSPC, "fat: no free cluster left"));
    end = std::min(end, capacity);
    if (offset > n->size) {
        auto zeroed = zero_file_range(*n, n->size, offset);
        if (zeroed.is_error())
            return undo(zeroed.error());
    }
    auto written = transfer_file(*n, offset, nullptr, data, size_t(end - offset));
    if (written.is_error())
        return undo(written.error());
    n->size = uint32_t(std::max<uint64_t>(n->size, end));
    TRY(write_node_entry(*n, true));
    return size_t(end - offset);
}

ErrorOr<void> Volume::truncate(NodeId file, uint64_t size) {
    TRY(check_writable());
    Node* n = TRY(file_node(file));
    if (size > kMaxFileSize)
        return Error::formatted(EFBIG, "fat: %s cannot grow past %llu bytes", path_of(*n).c_str(),
                                (unsigned long long)kMaxFileSize);
    if (size == n->size)
        return {};
    Chain& chain = *TRY(chain_of(*n));
    if (size < n->size) {
        TRY(shrink_chain(*n, clusters_for(size)));
    } else {
        const uint32_t before = chain.length();
        auto grown = grow_chain(*n, clusters_for(size));
        if (!grown.is_error())
            grown = zero_file_range(*n, n->size, size);
        if (grown.is_error()) {
            auto result = shrink_chain(*n, before);
            (void)result;
            return grown.error();
        }
    }
    n->size = uint32_t(size);
    return write_node_entry(*n, true);
}

ErrorOr<NodeId> Volume::create(NodeId dir, std::string_view name, NodeKind kind) {
    TRY(check_writable());
    Node* d = TRY(dir_node(dir));
    if (name == "." || name == "..")
        return Error::formatted(EEXIST, "fat: '%s' already exists", shown(name).c_str());
    std::u16string name16 = TRY(check_new_name(name));
    if (TRY(find(*d, name16)))
        return Error::formatted(EEXIST, "fat: %s already has an entry named '%s'",
                                path_of(*d).c_str(), shown(name).c_str());
    FatTime t = to_fat_time(now());
    uint8_t e[32] = {};
    bool is_dir = kind == NodeKind::Directory;
    e[kEntAttr] = is_dir ? attr::kDirectory : attr::kArchive;
    e[kEntCtimeCs] = t.centis;
    stamp(e, kEntCtime, kEntCdate, t);
    stamp(e, kEntMtime, kEntMdate, t);
    put_le16(e + kEntAdate, t.date);
    uint32_t cluster = 0;
    if (is_dir) {
        cluster = TRY(allocate_zeroed_cluster(0));
        const Geometry& g = *m_geometry;
        auto dots = m_cache->modify(g.cluster_sector(cluster));
        if (dots.is_error()) {
            auto result = m_fat->release(cluster);
            (void)result;
            return dots.error();
        }
        uint8_t* s = dots.value();
        std::memcpy(s, e, 32);
        std::memcpy(s, kDotName, 11);
        set_entry_cluster(s, cluster);
        std::memcpy(s + 32, e, 32);
        std::memcpy(s + 32, kDotDotName, 11);
        set_entry_cluster(s + 32, d->id == kRootId ? 0 : d->first_cluster);
        set_entry_cluster(e, cluster);
    }
    auto location = insert_entry(*d, name16, e, {});
    if (location.is_error()) {
        if (cluster) {
            auto result = m_fat->release(cluster);
            (void)result;
            m_cache->discard(m_geometry->cluster_sector(cluster), m_geometry->sectors_per_cluster);
        }
        return location.error();
    }
    TRY(touch_dir(*d));
    auto n = std::make_unique<Node>();
    n->id = m_next_id++;
    n->parent = d->id;
    n->is_dir = is_dir;
    n->entry_offset = location->entry_offset;
    n->lfn_offset = location->lfn_offset;
    n->first_cluster = cluster;
    n->attributes = e[kEntAttr];
    n->name = std::string(name);
    NodeId id = n->id;
    m_by_location[{d->id, n->entry_offset}] = id;
    m_nodes.emplace(id, std::move(n));
    return id;
}

ErrorOr<void> Volume::unlink(NodeId dir, std::string_view name) {
    TRY(check_writable());
    Node* d = TRY(dir_node(dir));
    Node* victim = TRY(node(TRY(lookup(dir, name))));
    if (victim->is_dir)
        return Error::formatted(EISDIR, "fat: %s is a directory", path_of(*victim).c_str());
    TRY(remove_node(*d, *victim));
    return touch_dir(*d);
}

ErrorOr<void> Volume::rmdir(NodeId dir, std::string_view name) {
    TRY(check_writable());
    Node* d = TRY(dir_node(dir));
    if (name == ".")
        return Error(EINVAL, "fat: cannot remove '.'");
    if (name == "..")
        return Error(ENOTEMPTY, "fat: cannot remove '..'");
    Node* victim = TRY(node(TRY(lookup(dir, name))));
    if (!victim->is_dir)
        return Error::formatted(ENOTDIR, "fat: %s is not a directory", path_of(*victim).c_str());
    if (!TRY(is_empty_dir(*victim)))
        return Error::formatted(ENOTEMPTY, "fat: directory %s is not empty",
                                path_of(*victim).c_str());
    TRY(remove_node(*d, *victim));
    return touch_dir(*d);
}

ErrorOr<void> Volume::rename(NodeId dir, std::string_view name, NodeId new_dir,
                             std::string_view new_name) {
    TRY(check_writable());
    Node* from_dir = TRY(dir_node(dir));
    Node* to_dir = TRY(dir_node(new_dir));
    if (name == "." || name == ".." || new_name == "." || new_name == "..")
        return Error(EINVAL, "fat: cannot rename '.' or '..'");
    Node* src = TRY(node(TRY(lookup(dir, name))));
    std::u16string name16 = TRY(check_new_name(new_name));
    if (src->is_dir) {
        for (Node* p = to_dir; p->id != kRootId;) {
            if (p == src)
                return Error::formatted(EINVAL, "fat: cannot move %s into itself",
                                        path_of(*src).c_str());
            p = TRY(node(p->parent));
        }
    }
    Node* target = nullptr;
    if (auto existing = TRY(find(*to_dir, name16))) {
        target = TRY(node_for(*to_dir, *existing));
        if (target == src) {
            if (utf16_to_utf8(existing->name) == new_name)
                return {};    // same name: nothing to do
            target = nullptr; // a change of case
        } else if (src->is_dir && !target->is_dir) {
            return Error::formatted(ENOTDIR, "fat: %s is not a directory",
                                    path_of(*target).c_str());
        } else if (!src->is_dir && target->is_dir) {
            return Error::formatted(EISDIR, "fat: %s is a directory", path_of(*target).c_str());
        } else if (target->is_dir && !TRY(is_empty_dir(*target))) {
            return Error::formatted(ENOTEMPTY, "fat: directory %s is not empty",
                                    path_of(*target).c_str());
        }
        if (target)
            TRY(chain_of(*target));
    }

    // Add the new entry first: if that fails (a full volume), nothing changed.
    uint8_t e[32];
    std::memcpy(e, TRY(own_entry(*src, false)), 32);
    std::vector<uint32_t> ignore;
    if (target)
        ignore.push_back(target->entry_offset);
    if (to_dir == from_dir)
        ignore.push_back(src->entry_offset);
    EntryLocation location = TRY(insert_entry(*to_dir, name16, e, ignore));

    if (target)
        TRY(remove_node(*to_dir, *target));
    TRY(erase_entries(*from_dir, src->lfn_offset, src->entry_offset));
    m_by_location.erase({src->parent, src->entry_offset});
    src->parent = to_dir->id;
    src->entry_offset = location.entry_offset;
    src->lfn_offset = location.lfn_offset;
    src->name = std::string(new_name);
    m_by_location[{to_dir->id, src->entry_offset}] = src->id;
    if (src->is_dir && to_dir != from_dir) {
        uint8_t* dotdot = TRY(entry_at(*src, kDirEntrySize, true));
        if (!std::memcmp(dotdot, kDotDotName, 11))
            set_entry_cluster(dotdot, to_dir->id == kRootId ? 0 : to_dir->first_cluster);
    }
    TRY(touch_dir(*from_dir));
    if (to_dir != from_dir)
        TRY(touch_dir(*to_dir));
    return {};
}

ErrorOr<void> Volume::set_times(NodeId id, std::optional<int64_t> atime,
                                std::optional<int64_t> mtime) {
    TRY(check_writable());
    Node* n = TRY(node(id));
    if (n->id == kRootId)
        return {};
    uint8_t* e = TRY(own_entry(*n, true));
    if (atime)
        put_le16(e + kEntAdate, to_fat_time(*atime).date);
    if (mtime)
        stamp(e, kEntMtime, kEntMdate, to_fat_time(*mtime));
    return {};
}

ErrorOr<void> Volume::set_read_only(NodeId id, bool read_only) {
    TRY(check_writable());
    Node* n = TRY(node(id));
    if (n->id == kRootId)
        return {};
    if (read_only)
        n->attributes |= attr::kReadOnly;
    else
        n->attributes &= uint8_t(~attr::kReadOnly);
    return write_node_entry(*n, false);
}

ErrorOr<void> Volume::sync() {
    if (m_options.read_only)
        return {};
    TRY(m_cache->flush());
    if (m_fat->fsinfo_stale()) {
        // The FAT reaches the device before FSInfo claims a count for it.
        TRY(m_device.flush());
        TRY(m_fat->store_fsinfo());
    }
    return m_device.flush();
}

} // namespace rustos::fat
