#include "memfs.h"

#include "pipe.h"

#include <sys/sysinfo.h>

#include <algorithm>

namespace vfsd {

namespace {
uint64_t g_dev = 0x20; // device numbers of memory file systems start here
constexpr uint64_t kBlock = 4096;
} // namespace

MemfsUsage& memfs_usage(uint64_t dev) {
    static std::map<uint64_t, MemfsUsage> usage;
    return usage[dev];
}

uint64_t memfs_limit_bytes() {
    static uint64_t limit = [] {
        struct sysinfo si {};
        uint64_t ram =
            sysinfo(&si) == 0 ? uint64_t(si.totalram) * (si.mem_unit ? si.mem_unit : 1) : 0;
        return std::max<uint64_t>(ram / 4, 16ull << 20);
    }();
    return limit;
}

namespace {
uint64_t g_all_bytes = 0; // every memory file system together: vfsd's memory
} // namespace

MemNode::MemNode(FileType type, uint32_t perm, uint64_t dev) {
    ++memfs_usage(dev).inodes;
    m_attr.dev = dev;
    m_attr.ino = next_inode();
    m_attr.mode = uint32_t(type) | (perm & 07777);
    m_attr.nlink = 1;
    m_attr.atime = m_attr.mtime = m_attr.ctime = now();
}

MemNode::~MemNode() { --memfs_usage(m_attr.dev).inodes; }

Attributes MemNode::attributes() { return m_attr; }

FsStats MemNode::fs_stats() {
    const MemfsUsage& u = memfs_usage(m_attr.dev);
    uint64_t limit = memfs_limit_bytes();
    FsStats s;
    s.magic = kTmpfsMagic;
    s.blocks = limit / kBlock;
    uint64_t used = (u.bytes + kBlock - 1) / kBlock;
    s.free_blocks = used < s.blocks ? s.blocks - used : 0;
    s.files = s.blocks; // as Linux: one inode per page of the limit
    s.free_files = u.inodes < s.files ? s.files - u.inodes : 0;
    return s;
}

ErrorOr<void> MemNode::set_mode(uint32_t perm) {
    m_attr.mode = (m_attr.mode & kTypeMask) | (perm & 07777);
    m_attr.ctime = now();
    return {};
}

ErrorOr<void> MemNode::set_times(Timespec atime, Timespec mtime) {
    m_attr.atime = atime;
    m_attr.mtime = mtime;
    m_attr.ctime = now();
    return {};
}

void MemNode::touch_modified() { m_attr.mtime = m_attr.ctime = now(); }

Attributes MemFile::attributes() {
    Attributes a = m_attr;
    a.size = m_data.size();
    return a;
}

ErrorOr<size_t> MemFile::read(uint64_t offset, char* buf, size_t n) {
    return m_data.read(offset, buf, n);
}

MemFile::~MemFile() {
    memfs_usage(m_attr.dev).bytes -= m_data.size();
    g_all_bytes -= m_data.size();
}

ErrorOr<void> MemFile::account(uint64_t new_size) {
    MemfsUsage& u = memfs_usage(m_attr.dev);
    uint64_t old_size = m_data.size();
    // All memory file systems share one budget (a quarter of RAM): their
    // bytes are vfsd's memory.
    if (new_size > old_size && g_all_bytes + (new_size - old_size) > memfs_limit_bytes())
        return Error(ENOSPC, "no space left in the memory file systems");
    TRY(m_data.resize(new_size));
    u.bytes = u.bytes - old_size + new_size;
    g_all_bytes = g_all_bytes - old_size + new_size;
    return {};
}

ErrorOr<size_t> MemFile::write(uint64_t offset, const char* data, size_t n) {
    if (offset > FileData::kMaxSize || n > FileData::kMaxSize - offset)
        return Error(EFBIG, "file larger than 2 GiB");
    if (offset + n > m_data.size())
        TRY(account(offset + n));
    size_t done = TRY(m_data.write(offset, data, n));
    touch_modified();
    return done;
}

ErrorOr<void> MemFile::truncate(uint64_t size) {
    // Growing is not sparse here (the bytes are held): past the budget it
    // is EFBIG, as for a file larger than the file system allows.
    auto r = account(size);
    if (r.is_error())
        return r.error().code() == ENOSPC
                   ? Error(EFBIG, "larger than the memory file systems can hold")
                   : r.error();
    touch_modified();
    return {};
}

MemSymlink::MemSymlink(std::string target, uint64_t dev)
    : MemNode(FileType::Symlink, 0777, dev), m_target(std::move(target)) {
    m_attr.size = m_target.size();
}

MemDirectory::MemDirectory(uint32_t perm, uint64_t dev, std::weak_ptr<MemDirectory> parent)
    : MemNode(FileType::Directory, perm, dev), m_parent(std::move(parent)) {
    m_attr.nlink = 2;
}

Attributes MemDirectory::attributes() {
    Attributes a = m_attr;
    a.size = (m_children.size() + 2) * 20; // what Linux tmpfs reports
    return a;
}

ErrorOr<NodePtr> MemDirectory::lookup(const std::string& name) {
    auto it = m_children.find(name);
    if (it == m_children.end())
        return Error(ENOENT, "no such file or directory");
    return it->second;
}

ErrorOr<std::vector<DirEntry>> MemDirectory::entries() {
    std::vector<DirEntry> out;
    for (auto& [name, node] : m_children) {
        Attributes a = node->attributes();
        out.push_back({name, a.ino, FileType(a.mode & kTypeMask)});
    }
    return out;
}

ErrorOr<NodePtr> MemDirectory::create(const std::string& name, FileType type, uint32_t perm) {
    if (m_children.count(name))
        return Error(EEXIST, "file exists");
    NodePtr node;
    switch (type) {
    case FileType::Regular:
        node = std::make_shared<MemFile>(perm, m_attr.dev);
        break;
    case FileType::Directory: {
        auto self = std::static_pointer_cast<MemDirectory>(shared_from_this());
        node = std::make_shared<MemDirectory>(perm, m_attr.dev, self);
        ++m_attr.nlink;
        break;
    }
    case FileType::Fifo:
        node = std::make_shared<FifoNode>(perm, m_attr.dev);
        break;
    default:
        node = std::make_shared<SpecialNode>(type, perm, m_attr.dev);
    }
    m_children[name] = node;
    touch_modified();
    return node;
}

ErrorOr<NodePtr> MemDirectory::symlink(const std::string& name, const std::string& target) {
    if (m_children.count(name))
        return Error(EEXIST, "file exists");
    auto node = std::make_shared<MemSymlink>(target, m_attr.dev);
    m_children[name] = node;
    touch_modified();
    return NodePtr(node);
}

ErrorOr<void> MemDirectory::link(const std::string& name, const NodePtr& target) {
    if (m_children.count(name))
        return Error(EEXIST, "file exists");
    if (target->is_directory())
        return Error(EPERM, "hard links to directories are not allowed");
    auto* mem = dynamic_cast<MemNode*>(target.get());
    if (!mem || target->attributes().dev != m_attr.dev)
        return Error(EXDEV, "hard links cannot cross file systems");
    ++mem->m_attr.nlink;
    mem->m_attr.ctime = now();
    m_children[name] = target;
    touch_modified();
    return {};
}

ErrorOr<void> MemDirectory::attach(const std::string& name, NodePtr node) {
    if (m_children.count(name))
        return Error(EEXIST, "file exists");
    m_children[name] = std::move(node);
    touch_modified();
    return {};
}

bool MemDirectory::is_mount_point(Node& child) const {
    return child.is_directory() && child.attributes().dev != m_attr.dev;
}

ErrorOr<void> MemDirectory::unlink(const std::string& name, bool directory) {
    auto it = m_children.find(name);
    if (it == m_children.end())
        return Error(ENOENT, "no such file or directory");
    NodePtr node = it->second;
    bool is_dir = node->is_directory();
    if (directory && !is_dir)
        return Error(ENOTDIR, "not a directory");
    if (!directory && is_dir)
        return Error(EISDIR, "is a directory");
    if (is_dir) {
        auto* dir = dynamic_cast<MemDirectory*>(node.get());
        if (!dir || is_mount_point(*node))
            return Error(EBUSY, "a mount point");
        if (!dir->empty())
            return Error(ENOTEMPTY, "directory not empty");
        --m_attr.nlink;
        dir->m_attr.nlink = 0;
    } else if (auto* mem = dynamic_cast<MemNode*>(node.get())) {
        if (mem->m_attr.nlink)
            --mem->m_attr.nlink;
        mem->m_attr.ctime = now();
    }
    m_children.erase(it);
    touch_modified();
    return {};
}

ErrorOr<void> MemDirectory::rename(const std::string& from, Node& to_dir_node,
                                   const std::string& to) {
    auto* to_dir = dynamic_cast<MemDirectory*>(&to_dir_node);
    if (!to_dir || to_dir->m_attr.dev != m_attr.dev)
        return Error(EXDEV, "rename across file systems");
    auto it = m_children.find(from);
    if (it == m_children.end())
        return Error(ENOENT, "no such file or directory");
    NodePtr node = it->second;
    if (to_dir == this && from == to)
        return {};
    if (is_mount_point(*node))
        return Error(EBUSY, "a mount point");
    auto existing = to_dir->m_children.find(to);
    if (existing != to_dir->m_children.end()) {
        if (existing->second == node)
            return {}; // two links to the same file: nothing to do
        if (to_dir->is_mount_point(*existing->second))
            return Error(EBUSY, "a mount point");
        bool target_dir = existing->second->is_directory();
        if (node->is_directory() && !target_dir)
            return Error(ENOTDIR, "not a directory");
        if (!node->is_directory() && target_dir)
            return Error(EISDIR, "is a directory");
        if (target_dir) {
            auto* d = dynamic_cast<MemDirectory*>(existing->second.get());
            if (!d || !d->empty())
                return Error(ENOTEMPTY, "directory not empty");
            --to_dir->m_attr.nlink;
            d->m_attr.nlink = 0;
        } else if (auto* mem = dynamic_cast<MemNode*>(existing->second.get())) {
            if (mem->m_attr.nlink)
                --mem->m_attr.nlink;
        }
    }
    if (node->is_directory() && to_dir != this) {
        --m_attr.nlink;
        ++to_dir->m_attr.nlink;
        if (auto* d = dynamic_cast<MemDirectory*>(node.get()))
            d->m_parent = std::static_pointer_cast<MemDirectory>(to_dir->shared_from_this());
    }
    m_children.erase(from);
    to_dir->m_children[to] = node;
    touch_modified();
    to_dir->touch_modified();
    return {};
}

std::shared_ptr<MemDirectory> make_memfs_root(uint32_t perm) {
    return std::make_shared<MemDirectory>(perm, ++g_dev);
}

} // namespace vfsd
