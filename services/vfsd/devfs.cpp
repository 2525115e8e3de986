#include "devfs.h"

#include <sys/random.h>

#include <cstring>

namespace vfsd {

namespace {

uint64_t makedev(uint32_t major, uint32_t minor) {
    return (uint64_t(major & 0xfff) << 8) | (minor & 0xff) | (uint64_t(minor & ~0xffu) << 12);
}

enum class Kind { Null, Zero, Full, Random };

class SimpleDeviceFile final : public OpenFile {
public:
    SimpleDeviceFile(NodePtr node, int flags, Kind kind)
        : OpenFile(std::move(node), flags), m_kind(kind) {}
    ErrorOr<size_t> read(char* buf, size_t n) override {
        switch (m_kind) {
        case Kind::Null:
            return size_t(0);
        case Kind::Zero:
        case Kind::Full:
            std::memset(buf, 0, n);
            return n;
        case Kind::Random: {
            size_t done = 0;
            while (done < n) {
                ssize_t r = getrandom(buf + done, n - done, 0);
                if (r <= 0)
                    return Error(EIO, "no randomness");
                done += size_t(r);
            }
            return n;
        }
        }
        return size_t(0);
    }
    ErrorOr<size_t> write(const char*, size_t n) override {
        if (m_kind == Kind::Full)
            return Error(ENOSPC, "no space left on device");
        return n;
    }
    ErrorOr<size_t> pread(uint64_t, char* buf, size_t n) override { return read(buf, n); }
    ErrorOr<size_t> pwrite(uint64_t, const char* d, size_t n) override { return write(d, n); }
    ErrorOr<int64_t> seek(int64_t, int) override { return int64_t(0); }

private:
    Kind m_kind;
};

class SimpleDevice final : public DeviceNode {
public:
    SimpleDevice(uint32_t major, uint32_t minor, Kind kind)
        : DeviceNode(major, minor, 0666), m_kind(kind) {}
    ErrorOr<std::shared_ptr<OpenFile>> open(int flags) override {
        return FilePtr(std::make_shared<SimpleDeviceFile>(shared_from_this(), flags, m_kind));
    }

private:
    Kind m_kind;
};

} // namespace

DeviceNode::DeviceNode(uint32_t major, uint32_t minor, uint32_t perm) {
    m_attr.dev = 0x05;
    m_attr.ino = next_inode();
    m_attr.mode = uint32_t(FileType::CharDevice) | perm;
    m_attr.rdev = makedev(major, minor);
    m_attr.atime = m_attr.mtime = m_attr.ctime = now();
}

ErrorOr<void> DeviceNode::set_mode(uint32_t perm) {
    m_attr.mode = (m_attr.mode & kTypeMask) | (perm & 07777);
    return {};
}

ErrorOr<void> DeviceNode::set_times(Timespec atime, Timespec mtime) {
    m_attr.atime = atime;
    m_attr.mtime = mtime;
    return {};
}

std::shared_ptr<MemDirectory> make_devfs(NodePtr console) {
    auto dev = make_memfs_root(0755);
    (void)dev->attach("null", std::make_shared<SimpleDevice>(1, 3, Kind::Null));
    (void)dev->attach("zero", std::make_shared<SimpleDevice>(1, 5, Kind::Zero));
    (void)dev->attach("full", std::make_shared<SimpleDevice>(1, 7, Kind::Full));
    (void)dev->attach("random", std::make_shared<SimpleDevice>(1, 8, Kind::Random));
    (void)dev->attach("urandom", std::make_shared<SimpleDevice>(1, 9, Kind::Random));
    (void)dev->attach("console", console);
    (void)dev->attach("tty", console);
    (void)dev->attach("ttyS0", console);
    (void)dev->attach("shm", make_memfs_root(01777));
    (void)dev->symlink("fd", "/proc/self/fd");
    (void)dev->symlink("stdin", "/proc/self/fd/0");
    (void)dev->symlink("stdout", "/proc/self/fd/1");
    (void)dev->symlink("stderr", "/proc/self/fd/2");
    return dev;
}

} // namespace vfsd
