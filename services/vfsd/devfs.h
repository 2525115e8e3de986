// devfs: /dev/null, /dev/zero, /dev/full, /dev/urandom, /dev/random,
// /dev/console and /dev/tty (the console tty), /dev/shm (tmpfs), and the
// /dev/stdin, stdout, stderr and fd links.
#pragma once

#include "memfs.h"

namespace vfsd {

class DeviceNode : public Node {
public:
    DeviceNode(uint32_t major, uint32_t minor, uint32_t perm);
    Attributes attributes() override { return m_attr; }
    ErrorOr<void> set_mode(uint32_t perm) override;
    ErrorOr<void> set_times(Timespec atime, Timespec mtime) override;
    // devtmpfs: a tmpfs without blocks of its own.
    FsStats fs_stats() override { return FsStats{kTmpfsMagic, 0, 0, 0, 0, false}; }

protected:
    Attributes m_attr;
};

std::shared_ptr<MemDirectory> make_devfs(NodePtr console);

} // namespace vfsd
