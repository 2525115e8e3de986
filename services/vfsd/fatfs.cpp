#include "fatfs.h"

#include "file_data.h"
#include "memfs.h"

#include <rustos/fat/volume.h>

#include <algorithm>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace vfsd {

namespace fat = rustos::fat;

namespace {

// What Linux's vfat shows for every file and directory with the default
// masks (fmask = dmask = the mounter's umask, 022). The read-only attribute
// takes the write bits from files; directories keep them (no "rodir").
constexpr uint32_t kPerm = 0755;
constexpr uint32_t kWriteBits = 0222;
constexpr uint64_t kBlock = 4096; // statfs unit

// Each mount gets its own device number: block major 259 (Linux's
// "blkext", which NVMe partitions get), the next minor.
uint64_t next_fat_dev() {
    static uint32_t minor = 0;
    ++minor;
    return (uint64_t(259) << 8) | (minor & 0xff) | (uint64_t(minor & ~0xffu) << 12);
}

// Linux's vfat ignores a name's trailing dots (vfat_striptail_len): "a." is
// "a". A name of dots only stays as it is, for the volume to refuse.
std::string_view fat_name(std::string_view name) {
    size_t n = name.size();
    while (n && name[n - 1] == '.')
        --n;
    return n ? name.substr(0, n) : name;
}

Error read_only_error() { return Error(EROFS, "fat: the volume is mounted read-only"); }

class FatNode;

// One mounted volume: what all its nodes share.
struct FatMount : std::enable_shared_from_this<FatMount> {
    std::unique_ptr<fat::BlockDevice> device;
    std::unique_ptr<fat::Volume> volume;
    uint64_t dev = 0;
    bool read_only = false;
    // The live node of each NodeId: a file has one Node while anyone holds
    // it, so the path walk's identity checks (a directory moved into
    // itself, a rename onto the same file) hold.
    std::unordered_map<fat::NodeId, std::weak_ptr<FatNode>> nodes;

    ~FatMount() { volume.reset(); } // written back while the device is still there

    std::shared_ptr<FatNode> cached(fat::NodeId id) {
        auto it = nodes.find(id);
        return it == nodes.end() ? nullptr : it->second.lock();
    }
    ErrorOr<std::shared_ptr<FatNode>> node(fat::NodeId id);
};

std::vector<std::weak_ptr<FatMount>>& live_mounts() {
    static std::vector<std::weak_ptr<FatMount>> mounts;
    return mounts;
}

// What a node removed while still in use keeps: its attributes, and for a
// file someone has open its bytes. The volume frees the clusters at once;
// Linux keeps them until the last close, so programs may go on reading and
// writing an unlinked file (in memory here, gone with the last close).
struct Leftover {
    Attributes attr;
    std::unique_ptr<FileData> data;
};

class FatNode final : public Node {
public:
    FatNode(std::shared_ptr<FatMount> mount, fat::NodeId id, bool is_dir)
        : m_mount(std::move(mount)), m_id(id), m_is_dir(is_dir) {
        m_last.dev = m_mount->dev;
        m_last.ino = id;
        m_last.mode = uint32_t(is_dir ? FileType::Directory : FileType::Regular) | kPerm;
        m_last.nlink = is_dir ? 2 : 1;
    }
    ~FatNode() override {
        auto it = m_mount->nodes.find(m_id);
        if (it != m_mount->nodes.end() && it->second.expired())
            m_mount->nodes.erase(it);
    }

    Attributes attributes() override;
    ErrorOr<NodePtr> lookup(const std::string& name) override;
    ErrorOr<std::vector<DirEntry>> entries() override;
    ErrorOr<NodePtr> create(const std::string& name, FileType type, uint32_t perm) override;
    ErrorOr<NodePtr> symlink(const std::string& name, const std::string& target) override;
    ErrorOr<void> link(const std::string& name, const NodePtr& target) override;
    ErrorOr<void> unlink(const std::string& name, bool directory) override;
    ErrorOr<void> rename(const std::string& from, Node& to_dir, const std::string& to) override;
    ErrorOr<size_t> read(uint64_t offset, char* buf, size_t n) override;
    ErrorOr<size_t> write(uint64_t offset, const char* data, size_t n) override;
    ErrorOr<void> truncate(uint64_t size) override;
    ErrorOr<void> set_mode(uint32_t perm) override;
    ErrorOr<void> set_times(Timespec atime, Timespec mtime) override;
    ErrorOr<FilePtr> open(int flags) override;
    bool read_only() const override { return m_mount->read_only; }
    FsStats fs_stats() override;
    ErrorOr<void> sync() override { return volume().sync(); }

private:
    friend class FatOpenFile;

    fat::Volume& volume() { return *m_mount->volume; }
    // Directory operations: ENOTDIR on a file, ENOENT once removed.
    ErrorOr<void> check_directory() const;
    // The file's bytes after its removal (ENOENT when nobody had it open).
    ErrorOr<FileData*> kept();
    // Removes an entry of this directory with `remove`; the node of
    // `victim`, the file or directory that goes, keeps its Leftover when it
    // is still in use.
    ErrorOr<void> remove_entry(std::optional<fat::NodeId> victim,
                               const std::function<ErrorOr<void>()>& remove);
    ErrorOr<Leftover> leftover();

    std::shared_ptr<FatMount> m_mount;
    fat::NodeId m_id;
    bool m_is_dir;
    Attributes m_last; // as last seen: what stat shows after a removal or a read error
    bool m_removed = false;
    std::unique_ptr<FileData> m_kept;
    uint32_t m_open = 0; // open files on the node
};

// Counts the node's open files: only an open file's bytes outlive its
// removal.
class FatOpenFile final : public OpenFile {
public:
    FatOpenFile(const std::shared_ptr<FatNode>& node, int flags)
        : OpenFile(node, flags), m_fat(*node) {
        ++m_fat.m_open;
    }
    ~FatOpenFile() override { --m_fat.m_open; }

private:
    FatNode& m_fat; // kept alive by m_node
};

ErrorOr<std::shared_ptr<FatNode>> FatMount::node(fat::NodeId id) {
    if (auto n = cached(id))
        return n;
    fat::Stat st = TRY(volume->stat(id));
    auto n = std::make_shared<FatNode>(shared_from_this(), id, st.is_dir);
    nodes[id] = n;
    return n;
}

Attributes FatNode::attributes() {
    if (m_removed) {
        Attributes a = m_last;
        if (m_kept)
            a.size = m_kept->size();
        return a;
    }
    auto st = volume().stat(m_id);
    if (st.is_error())
        return m_last;
    const fat::Stat& s = st.value();
    uint32_t perm = !m_is_dir && s.read_only ? kPerm & ~kWriteBits : kPerm;
    m_last.mode = (m_last.mode & kTypeMask) | perm;
    // A directory's size is its clusters, as Linux shows.
    m_last.size = m_is_dir ? s.allocated : s.size;
    m_last.atime = {s.atime, 0};
    m_last.mtime = {s.mtime, 0};
    m_last.ctime = {s.ctime, 0}; // the creation time: FAT keeps no change time
    return m_last;
}

ErrorOr<void> FatNode::check_directory() const {
    if (!m_is_dir)
        return Error(ENOTDIR, "not a directory");
    if (m_removed)
        return Error(ENOENT, "fat: the directory was removed");
    return {};
}

ErrorOr<NodePtr> FatNode::lookup(const std::string& name) {
    TRY(check_directory());
    fat::NodeId id = TRY(volume().lookup(m_id, fat_name(name)));
    return NodePtr(TRY(m_mount->node(id)));
}

ErrorOr<std::vector<DirEntry>> FatNode::entries() {
    if (m_is_dir && m_removed)
        return std::vector<DirEntry>(); // as Linux lists a removed directory
    TRY(check_directory());
    std::vector<DirEntry> out;
    for (auto& e : TRY(volume().readdir(m_id)))
        out.push_back({e.name, e.node, e.is_dir ? FileType::Directory : FileType::Regular});
    return out;
}

// The mode is not kept: FAT has none (Linux's vfat ignores it too).
ErrorOr<NodePtr> FatNode::create(const std::string& name, FileType type, uint32_t) {
    if (!m_is_dir)
        return Error(ENOTDIR, "not a directory");
    if (read_only())
        return read_only_error();
    if (type != FileType::Regular && type != FileType::Directory)
        return Error(EPERM, "fat: only regular files and directories can be created");
    TRY(check_directory());
    auto kind = type == FileType::Directory ? fat::NodeKind::Directory : fat::NodeKind::File;
    fat::NodeId id = TRY(volume().create(m_id, fat_name(name), kind));
    return NodePtr(TRY(m_mount->node(id)));
}

ErrorOr<NodePtr> FatNode::symlink(const std::string&, const std::string&) {
    TRY(check_directory());
    if (read_only())
        return read_only_error();
    return Error(EPERM, "fat: no symbolic links");
}

ErrorOr<void> FatNode::link(const std::string&, const NodePtr& target) {
    TRY(check_directory());
    auto* other = dynamic_cast<FatNode*>(target.get());
    if (!other || other->m_mount != m_mount)
        return Error(EXDEV, "hard links cannot cross file systems");
    if (read_only())
        return read_only_error();
    return Error(EPERM, "fat: no hard links");
}

ErrorOr<Leftover> FatNode::leftover() {
    Leftover left;
    left.attr = attributes();
    left.attr.nlink = 0;
    if (m_is_dir || !m_open)
        return left;
    uint64_t size = left.attr.size;
    if (size > std::min(memfs_limit_bytes(), FileData::kMaxSize))
        return Error(EBUSY, "fat: the file is open and too large to keep after its removal");
    auto data = std::make_unique<FileData>();
    std::vector<char> buffer(std::min<uint64_t>(size, 1 << 20));
    for (uint64_t offset = 0; offset < size;) {
        size_t n = TRY(
            read(offset, buffer.data(), size_t(std::min<uint64_t>(buffer.size(), size - offset))));
        if (!n)
            break;
        TRY(data->write(offset, buffer.data(), n));
        offset += n;
    }
    left.data = std::move(data);
    return left;
}

ErrorOr<void> FatNode::remove_entry(std::optional<fat::NodeId> victim_id,
                                    const std::function<ErrorOr<void>()>& remove) {
    std::shared_ptr<FatNode> victim = victim_id ? m_mount->cached(*victim_id) : nullptr;
    Leftover left;
    if (victim)
        left = TRY(victim->leftover());
    TRY(remove());
    if (victim) {
        victim->m_removed = true;
        victim->m_last = left.attr;
        victim->m_kept = std::move(left.data);
        m_mount->nodes.erase(victim->m_id); // the volume never reuses the id
    }
    return {};
}

ErrorOr<void> FatNode::unlink(const std::string& name, bool directory) {
    TRY(check_directory());
    if (read_only())
        return read_only_error();
    std::string_view n = fat_name(name);
    fat::NodeId victim = TRY(volume().lookup(m_id, n));
    return remove_entry(
        victim, [&] { return directory ? volume().rmdir(m_id, n) : volume().unlink(m_id, n); });
}

ErrorOr<void> FatNode::rename(const std::string& from, Node& to_dir_node, const std::string& to) {
    auto* to_dir = dynamic_cast<FatNode*>(&to_dir_node);
    if (!to_dir || to_dir->m_mount != m_mount)
        return Error(EXDEV, "rename across file systems");
    TRY(check_directory());
    TRY(to_dir->check_directory());
    if (read_only())
        return read_only_error();
    std::string_view old_name = fat_name(from), new_name = fat_name(to);
    fat::NodeId moved = TRY(volume().lookup(m_id, old_name));
    // What the rename replaces; a name that differs only in case is the
    // moved file itself.
    std::optional<fat::NodeId> victim;
    auto existing = volume().lookup(to_dir->m_id, new_name);
    if (!existing.is_error() && existing.value() != moved)
        victim = existing.value();
    return remove_entry(victim,
                        [&] { return volume().rename(m_id, old_name, to_dir->m_id, new_name); });
}

ErrorOr<FileData*> FatNode::kept() {
    if (m_is_dir)
        return Error(EISDIR, "is a directory");
    if (!m_kept)
        return Error(ENOENT, "fat: the file was removed");
    return m_kept.get();
}

ErrorOr<size_t> FatNode::read(uint64_t offset, char* buf, size_t n) {
    if (m_removed)
        return TRY(kept())->read(offset, buf, n);
    return volume().read(m_id, offset, reinterpret_cast<uint8_t*>(buf), n);
}

ErrorOr<size_t> FatNode::write(uint64_t offset, const char* data, size_t n) {
    if (!m_removed)
        return volume().write(m_id, offset, reinterpret_cast<const uint8_t*>(data), n);
    FileData* kept_data = TRY(kept());
    if (offset + n > memfs_limit_bytes() && offset + n > kept_data->size())
        return Error(ENOSPC, "fat: no more memory for a removed file");
    TRY(kept_data->write(offset, data, n));
    m_last.mtime = now();
    return n;
}

ErrorOr<void> FatNode::truncate(uint64_t size) {
    if (!m_removed)
        return volume().truncate(m_id, size);
    FileData* kept_data = TRY(kept());
    if (size > memfs_limit_bytes() && size > kept_data->size())
        return Error(EFBIG, "fat: no more memory for a removed file");
    TRY(kept_data->resize(size));
    m_last.mtime = now();
    return {};
}

// Only the write bits mean something: none of them sets the read-only
// attribute, any of them clears it. The other bits are ignored (FAT has no
// modes), but set-ID and sticky bits are EPERM, as on Linux's vfat.
ErrorOr<void> FatNode::set_mode(uint32_t perm) {
    if (read_only())
        return read_only_error();
    if (perm & 07000)
        return Error(EPERM, "fat: no set-user-ID, set-group-ID or sticky bits");
    if (m_is_dir)
        return {}; // the read-only attribute does not protect directories
    bool no_write = !(perm & kWriteBits);
    if (m_removed) {
        m_last.mode = (m_last.mode & kTypeMask) | (no_write ? kPerm & ~kWriteBits : kPerm);
        return {};
    }
    return volume().set_read_only(m_id, no_write);
}

// FAT keeps whole seconds (2 s steps for mtime, the day for atime): a time
// that did not change is left alone rather than rounded again.
ErrorOr<void> FatNode::set_times(Timespec atime, Timespec mtime) {
    if (read_only())
        return read_only_error();
    if (m_removed) {
        m_last.atime = atime;
        m_last.mtime = mtime;
        return {};
    }
    Attributes now_attr = attributes();
    std::optional<int64_t> a, m;
    if (atime.sec != now_attr.atime.sec)
        a = atime.sec;
    if (mtime.sec != now_attr.mtime.sec)
        m = mtime.sec;
    if (!a && !m)
        return {};
    return volume().set_times(m_id, a, m);
}

ErrorOr<FilePtr> FatNode::open(int flags) {
    auto self = std::static_pointer_cast<FatNode>(shared_from_this());
    return FilePtr(std::make_shared<FatOpenFile>(self, flags));
}

// Blocks are 4 KiB as vfsd's statfs says; FAT has no inode table, so no
// file counts (Linux's vfat reports 0 too).
FsStats FatNode::fs_stats() {
    FsStats s;
    s.magic = kMsdosMagic;
    s.read_only = read_only();
    auto st = volume().statfs();
    if (!st.is_error()) {
        s.blocks = uint64_t(st->total_clusters) * st->cluster_size / kBlock;
        s.free_blocks = uint64_t(st->free_clusters) * st->cluster_size / kBlock;
    }
    return s;
}

} // namespace

ErrorOr<NodePtr> mount_fat(std::unique_ptr<fat::BlockDevice> device, FatOptions options) {
    if (!device)
        return Error(EINVAL, "fat: no device to mount");
    auto mount = std::make_shared<FatMount>();
    mount->device = std::move(device);
    fat::MountOptions mo;
    mo.read_only = options.read_only;
    mo.clock = std::move(options.clock);
    mo.cache_sectors = options.cache_sectors;
    mount->volume = TRY(fat::Volume::mount(*mount->device, std::move(mo)));
    mount->dev = next_fat_dev();
    mount->read_only = options.read_only;
    auto& mounts = live_mounts();
    std::erase_if(mounts, [](const std::weak_ptr<FatMount>& m) { return m.expired(); });
    mounts.push_back(mount);
    return NodePtr(TRY(mount->node(mount->volume->root())));
}

void sync_fat_volumes() {
    for (auto& weak : live_mounts())
        if (auto mount = weak.lock())
            (void)mount->volume->sync();
}

} // namespace vfsd
