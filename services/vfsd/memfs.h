// In-memory file system nodes: tmpfs (/tmp, /run, /dev/shm) and the
// writable directories vfsd builds itself (the root's mount points).
#pragma once

#include "file_data.h"
#include "node.h"

#include <map>

namespace vfsd {

class MemDirectory;

// One memory file system (tmpfs): what its files use, for statfs and for
// its share of the one limit all of them have (a quarter of RAM).
struct MemfsUsage {
    uint64_t bytes = 0;
    uint64_t inodes = 0;
};
MemfsUsage& memfs_usage(uint64_t dev);
uint64_t memfs_limit_bytes();
inline constexpr uint64_t kTmpfsMagic = 0x01021994;

class MemNode : public Node {
public:
    MemNode(FileType type, uint32_t perm, uint64_t dev);
    ~MemNode() override;
    Attributes attributes() override;
    FsStats fs_stats() override;
    ErrorOr<void> set_mode(uint32_t perm) override;
    ErrorOr<void> set_times(Timespec atime, Timespec mtime) override;

protected:
    void touch_modified();
    Attributes m_attr;
    friend class MemDirectory;
};

// File contents live in vfsd's memory: all memory file systems together
// hold at most a quarter of the RAM (tmpfs on Linux: half), then writes
// fail with ENOSPC and growing truncates with EFBIG.
class MemFile final : public MemNode {
public:
    MemFile(uint32_t perm, uint64_t dev) : MemNode(FileType::Regular, perm, dev) {}
    ~MemFile() override;
    Attributes attributes() override;
    ErrorOr<size_t> read(uint64_t offset, char* buf, size_t n) override;
    ErrorOr<size_t> write(uint64_t offset, const char* data, size_t n) override;
    ErrorOr<void> truncate(uint64_t size) override;
    ErrorOr<int64_t> share_memory(bool writable) override { return m_data.share(writable); }

private:
    // Grows or shrinks the file within the file system's limit (ENOSPC).
    ErrorOr<void> account(uint64_t new_size);
    FileData m_data;
};

class MemSymlink final : public MemNode {
public:
    MemSymlink(std::string target, uint64_t dev);
    ErrorOr<std::string> readlink() override { return m_target; }

private:
    std::string m_target;
};

// A node of another kind placed in a MemDirectory (FIFO, socket, device).
class MemDirectory final : public MemNode {
public:
    MemDirectory(uint32_t perm, uint64_t dev, std::weak_ptr<MemDirectory> parent = {});
    Attributes attributes() override;
    ErrorOr<NodePtr> lookup(const std::string& name) override;
    ErrorOr<std::vector<DirEntry>> entries() override;
    ErrorOr<NodePtr> create(const std::string& name, FileType type, uint32_t perm) override;
    ErrorOr<NodePtr> symlink(const std::string& name, const std::string& target) override;
    ErrorOr<void> link(const std::string& name, const NodePtr& target) override;
    ErrorOr<void> unlink(const std::string& name, bool directory) override;
    ErrorOr<void> rename(const std::string& from, Node& to_dir, const std::string& to) override;

    // Puts any node under `name` (devices, sockets; mount points).
    ErrorOr<void> attach(const std::string& name, NodePtr node);
    bool empty() const { return m_children.empty(); }

private:
    // A directory of another file system attached here (/tmp on the root).
    bool is_mount_point(Node& child) const;

    std::map<std::string, NodePtr> m_children;
    std::weak_ptr<MemDirectory> m_parent;
};

std::shared_ptr<MemDirectory> make_memfs_root(uint32_t perm = 0755);

// A node of the given special type in a memory file system (FIFOs and
// sockets get their behaviour from the objects bound to them).
class SpecialNode : public MemNode {
public:
    SpecialNode(FileType type, uint32_t perm, uint64_t dev) : MemNode(type, perm, dev) {}
};

} // namespace vfsd
