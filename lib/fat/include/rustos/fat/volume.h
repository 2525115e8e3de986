// A mounted FAT32 volume: files and directories addressed by NodeId.
//
// Not thread-safe: the caller (vfsd) serializes calls on one Volume.
// Changes are cached (FAT and directory sectors) and reach the device on
// sync(), on cache eviction, or when the Volume is destroyed. See
// docs/fat.md for the on-disk rules followed and the limits.
#pragma once

#include <rustos/base/error.h>
#include <rustos/fat/block_device.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace rustos::fat {

// Identity of a file or directory, stable while the volume is mounted
// (across renames, moves and other files' changes) and never reused for
// another file during the mount. A removed file's id then fails with ENOENT.
using NodeId = uint64_t;

enum class NodeKind { File, Directory };

// FAT attribute bits (the directory entry's DIR_Attr).
namespace attr {
constexpr uint8_t kReadOnly = 0x01;
constexpr uint8_t kHidden = 0x02;
constexpr uint8_t kSystem = 0x04;
constexpr uint8_t kVolumeId = 0x08;
constexpr uint8_t kDirectory = 0x10;
constexpr uint8_t kArchive = 0x20;
} // namespace attr

// The largest file FAT32 can describe.
constexpr uint64_t kMaxFileSize = 0xFFFFFFFFu;
// The longest long name, in UTF-16 code units.
constexpr size_t kMaxNameUnits = 255;

struct MountOptions {
    bool read_only = false;
    // Current time in Unix seconds. FAT stores local time; we treat it as
    // UTC. Tests inject a fixed clock; empty means the host's time().
    std::function<int64_t()> clock;
    // FAT and directory sectors kept in memory (LRU, write-back).
    size_t cache_sectors = 4096;
    // Also write the access date when a file is read (off: reads never write).
    bool update_access_date_on_read = false;
};

// Times are Unix seconds (UTC). FAT keeps no inode-change time: `ctime` is
// the creation time (10 ms resolution on disk, reported in whole seconds),
// `mtime` the last write (2 s resolution), `atime` the access date (midnight).
struct Stat {
    NodeId node = 0;
    bool is_dir = false;
    bool read_only = false;
    uint8_t attributes = 0;
    uint64_t size = 0;
    uint64_t allocated = 0; // bytes in the cluster chain
    uint32_t first_cluster = 0;
    int64_t mtime = 0;
    int64_t atime = 0;
    int64_t ctime = 0;
};

struct DirEntry {
    std::string name;       // long name (UTF-8), or the 8.3 name shown as FAT shows it
    std::string short_name; // 8.3 alias, e.g. "LONGFI~1.TXT"
    NodeId node = 0;
    bool is_dir = false;
    uint8_t attributes = 0;
    uint64_t size = 0;
    int64_t mtime = 0;
    int64_t atime = 0;
    int64_t ctime = 0;
    // Cookie for readdir() to continue after this entry.
    uint32_t next_cookie = 0;
};

struct FsStat {
    uint32_t cluster_size = 0;
    uint32_t total_clusters = 0;
    uint32_t free_clusters = 0;
    uint32_t serial = 0;
    std::string label; // from the boot sector, trailing spaces removed
};

class BlockDevice;
namespace detail {
struct Geometry;
class SectorCache;
class FatTable;
class Chain;
struct Node;
struct ScannedEntry;
struct EntryLocation;
} // namespace detail

class Volume {
public:
    // Validates the boot sector, the BPB and the root directory's chain;
    // refuses anything that is not a consistent FAT32 volume fitting on
    // `device` (EINVAL for a foreign or unsupported format, EIO for damage).
    // `device` must outlive the Volume.
    static ErrorOr<std::unique_ptr<Volume>> mount(BlockDevice& device, MountOptions options = {});
    // Syncs (errors are lost: call sync() first to see them).
    ~Volume();
    Volume(const Volume&) = delete;
    Volume& operator=(const Volume&) = delete;

    NodeId root() const { return kRootId; }
    bool read_only() const { return m_options.read_only; }

    // Case-insensitive match against long names and 8.3 names, as FAT does.
    // "." and ".." name the directory itself and its parent.
    ErrorOr<NodeId> lookup(NodeId dir, std::string_view name);
    // "/a/b/c" (or "a/b/c") from the root.
    ErrorOr<NodeId> resolve(std::string_view path);
    // Entries in directory order, without "." and "..", starting at
    // `cookie` (0, or a previous entry's next_cookie), at most `max`.
    ErrorOr<std::vector<DirEntry>> readdir(NodeId dir, uint32_t cookie = 0, size_t max = SIZE_MAX);
    ErrorOr<Stat> stat(NodeId node);
    ErrorOr<FsStat> statfs();

    // Bytes read; 0 at or past the end of the file.
    ErrorOr<size_t> read(NodeId file, uint64_t offset, uint8_t* buffer, size_t length);
    // Bytes written. Writing past the end extends the file (a gap reads as
    // zeroes). A volume that fills up mid-write gives a short count; ENOSPC
    // when nothing could be written; EFBIG at kMaxFileSize.
    ErrorOr<size_t> write(NodeId file, uint64_t offset, const uint8_t* data, size_t length);
    ErrorOr<void> truncate(NodeId file, uint64_t size);

    // EEXIST if the name matches any entry (long or short, any case).
    ErrorOr<NodeId> create(NodeId dir, std::string_view name, NodeKind kind);
    ErrorOr<void> unlink(NodeId dir, std::string_view name); // files only (EISDIR)
    ErrorOr<void> rmdir(NodeId dir, std::string_view name);  // empty directories only
    // POSIX rename: replaces an existing target file, or an empty target
    // directory when moving a directory; keeps the NodeId of the moved file.
    ErrorOr<void> rename(NodeId dir, std::string_view name, NodeId new_dir,
                         std::string_view new_name);

    // Unix seconds; nullopt leaves that time alone. No-op on the root.
    ErrorOr<void> set_times(NodeId node, std::optional<int64_t> atime,
                            std::optional<int64_t> mtime);
    ErrorOr<void> set_read_only(NodeId node, bool read_only);

    // Write every cached change and the FSInfo sector, then flush the device.
    ErrorOr<void> sync();

private:
    static constexpr NodeId kRootId = 1;

    Volume(BlockDevice&, MountOptions, std::unique_ptr<detail::Geometry>);

    int64_t now() const;
    ErrorOr<void> check_writable() const;
    ErrorOr<detail::Node*> node(NodeId id);
    ErrorOr<detail::Node*> dir_node(NodeId id);
    ErrorOr<detail::Node*> file_node(NodeId id);
    std::string path_of(const detail::Node&) const;
    ErrorOr<detail::Chain*> chain_of(detail::Node&);
    uint32_t clusters_for(uint64_t bytes) const;
    uint64_t cluster_byte_address(uint32_t cluster) const;

    // Byte-addressed device I/O (data clusters bypass the sector cache).
    ErrorOr<void> read_bytes(uint64_t address, uint8_t* out, size_t length);
    ErrorOr<void> write_bytes(uint64_t address, const uint8_t* in, size_t length);
    ErrorOr<void> transfer_file(detail::Node&, uint64_t offset, uint8_t* out, const uint8_t* in,
                                size_t length);
    ErrorOr<void> zero_file_range(detail::Node&, uint64_t from, uint64_t to);

    // Cluster chains of nodes.
    ErrorOr<void> grow_chain(detail::Node&, uint32_t clusters);
    ErrorOr<void> shrink_chain(detail::Node&, uint32_t clusters);
    ErrorOr<void> release_chain(detail::Node&);
    ErrorOr<uint32_t> allocate_zeroed_cluster(uint32_t preferred);

    // Directory entries.
    ErrorOr<uint8_t*> entry_at(detail::Node& dir, uint32_t offset, bool for_write);
    ErrorOr<uint8_t*> own_entry(detail::Node&, bool for_write);
    using ScanCallback = std::function<ErrorOr<bool>(const detail::ScannedEntry&)>;
    ErrorOr<void> scan(detail::Node& dir, uint32_t cookie, const ScanCallback&);
    ErrorOr<std::optional<detail::ScannedEntry>> find(detail::Node& dir, std::u16string_view name);
    ErrorOr<detail::Node*> node_for(detail::Node& dir, const detail::ScannedEntry&);
    ErrorOr<detail::EntryLocation> insert_entry(detail::Node& dir, std::u16string_view name,
                                                const uint8_t short_entry[32],
                                                const std::vector<uint32_t>& ignore_offsets);
    ErrorOr<void> erase_entries(detail::Node& dir, uint32_t first_offset, uint32_t entry_offset);
    ErrorOr<bool> is_empty_dir(detail::Node&);
    ErrorOr<void> write_node_entry(detail::Node&, bool modified);
    ErrorOr<void> touch_dir(detail::Node& dir);
    ErrorOr<void> remove_node(detail::Node& dir, detail::Node& victim);
    void forget(detail::Node&);

    BlockDevice& m_device;
    MountOptions m_options;
    std::unique_ptr<detail::Geometry> m_geometry;
    std::unique_ptr<detail::SectorCache> m_cache;
    std::unique_ptr<detail::FatTable> m_fat;
    std::unordered_map<NodeId, std::unique_ptr<detail::Node>> m_nodes;
    // (parent directory, offset of the short entry) -> node.
    std::map<std::pair<NodeId, uint32_t>, NodeId> m_by_location;
    NodeId m_next_id = kRootId + 1;
};

} // namespace rustos::fat
