#include "bootfs.h"

#include <rustos/cpio/cpio.h>

namespace vfsd {

namespace {
constexpr uint64_t kBootDev = 0x11;
}

BootNode::BootNode(FileType type, uint32_t perm, uint64_t mtime, std::string_view data)
    : m_data(data) {
    m_attr.dev = kBootDev;
    m_attr.ino = next_inode();
    m_attr.mode = uint32_t(type) | (perm & 07777);
    m_attr.nlink = type == FileType::Directory ? 2 : 1;
    m_attr.size = type == FileType::Directory ? 4096 : data.size();
    m_attr.atime = m_attr.mtime = m_attr.ctime = Timespec{int64_t(mtime), 0};
}

ErrorOr<NodePtr> BootNode::lookup(const std::string& name) {
    if (!is_directory())
        return Error(ENOTDIR, "not a directory");
    auto it = children.find(name);
    if (it == children.end())
        return Error(ENOENT, "no such file or directory");
    return NodePtr(it->second);
}

ErrorOr<std::vector<DirEntry>> BootNode::entries() {
    if (!is_directory())
        return Error(ENOTDIR, "not a directory");
    std::vector<DirEntry> out;
    for (auto& [name, node] : children)
        out.push_back({name, node->m_attr.ino, node->type()});
    return out;
}

ErrorOr<size_t> BootNode::read(uint64_t offset, char* buf, size_t n) {
    if (is_directory())
        return Error(EISDIR, "is a directory");
    if (offset >= m_data.size())
        return size_t(0);
    size_t got = std::min<uint64_t>(n, m_data.size() - offset);
    __builtin_memcpy(buf, m_data.data() + offset, got);
    return got;
}

ErrorOr<int64_t> BootNode::share_memory(bool writable) {
    if (type() != FileType::Regular)
        return Error(ENODEV, "not a regular file");
    if (writable)
        return Error(EROFS, "read-only file system");
    if (!m_cache) {
        auto mem = TRY(SharedMemory::create(m_data.size()));
        __builtin_memcpy(mem->data(), m_data.data(), m_data.size());
        m_cache = std::move(mem);
    }
    return m_cache->share(false);
}

namespace {
// The one boot bundle: its size and file count, for statfs.
FsStats g_bootfs_stats;
} // namespace

FsStats BootNode::fs_stats() { return g_bootfs_stats; }

ErrorOr<std::string> BootNode::readlink() {
    if (type() != FileType::Symlink)
        return Error(EINVAL, "not a symbolic link");
    return std::string(m_data);
}

ErrorOr<std::shared_ptr<BootNode>> load_bootfs(rustos::ReadonlyBytes archive, size_t* files) {
    auto root = std::make_shared<BootNode>(FileType::Directory, 0755, 0, std::string_view());
    rustos::cpio::Reader reader(archive);
    rustos::cpio::Entry e;
    *files = 0;
    while (TRY(reader.next(e))) {
        std::string path(e.name.data(), e.name.size());
        if (path.empty() || path == ".")
            continue;
        // Walk/create the parent directories.
        std::shared_ptr<BootNode> dir = root;
        size_t start = 0;
        for (;;) {
            size_t slash = path.find('/', start);
            if (slash == std::string::npos)
                break;
            std::string part = path.substr(start, slash - start);
            auto& child = dir->children[part];
            if (!child)
                child = std::make_shared<BootNode>(FileType::Directory, 0755, e.mtime,
                                                   std::string_view());
            dir = child;
            start = slash + 1;
        }
        std::string name = path.substr(start);
        uint32_t type = e.mode & rustos::cpio::kTypeMask;
        FileType ft = type == rustos::cpio::kTypeDirectory ? FileType::Directory
                      : type == rustos::cpio::kTypeSymlink ? FileType::Symlink
                                                           : FileType::Regular;
        std::string_view data(reinterpret_cast<const char*>(e.data.data()), e.data.size());
        auto& slot = dir->children[name];
        if (slot && ft == FileType::Directory)
            continue; // already created as a parent
        slot = std::make_shared<BootNode>(ft, e.mode & 07777, e.mtime, data);
        ++*files;
    }
    constexpr uint64_t kRustosBootfsMagic = 0x626f6f74; // "boot"
    g_bootfs_stats =
        FsStats{kRustosBootfsMagic, (archive.size() + 4095) / 4096, 0, uint64_t(*files), 0, true};
    return root;
}

} // namespace vfsd
