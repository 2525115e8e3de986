// bootfs: the boot bundle (cpio newc, mapped read-only with BOOTFS_MAP) as
// a read-only file system. It is the root until the FAT boot volume can be
// mounted from disk.
#pragma once

#include "node.h"
#include "shared_memory.h"

#include <rustos/base/span.h>

#include <map>

namespace vfsd {

class BootNode final : public Node {
public:
    BootNode(FileType type, uint32_t perm, uint64_t mtime, std::string_view data);
    Attributes attributes() override { return m_attr; }
    ErrorOr<NodePtr> lookup(const std::string& name) override;
    ErrorOr<std::vector<DirEntry>> entries() override;
    ErrorOr<size_t> read(uint64_t offset, char* buf, size_t n) override;
    ErrorOr<std::string> readlink() override;
    ErrorOr<void> truncate(uint64_t) override { return Error(EROFS, "read-only file system"); }
    ErrorOr<size_t> write(uint64_t, const char*, size_t) override {
        return Error(EROFS, "read-only file system");
    }
    bool read_only() const override { return true; }
    // The page cache of a mapped boot-bundle file: filled once, shared by
    // every mapping (shared libraries map without a copy each time).
    ErrorOr<int64_t> share_memory(bool writable) override;
    FsStats fs_stats() override;

    std::map<std::string, std::shared_ptr<BootNode>> children;

private:
    Attributes m_attr;
    std::string_view m_data;
    std::unique_ptr<SharedMemory> m_cache;
};

// Builds the tree from a cpio archive (which must stay mapped).
ErrorOr<std::shared_ptr<BootNode>> load_bootfs(rustos::ReadonlyBytes archive, size_t* files);

} // namespace vfsd
