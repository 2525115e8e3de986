#include "node.h"

#include <ctime>

namespace vfsd {

Timespec now() {
    timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return {ts.tv_sec, ts.tv_nsec};
}

uint64_t next_inode() {
    static uint64_t next = 1000;
    return ++next;
}

ErrorOr<NodePtr> Node::lookup(const std::string&) { return Error(ENOTDIR, "not a directory"); }
ErrorOr<std::vector<DirEntry>> Node::entries() { return Error(ENOTDIR, "not a directory"); }
ErrorOr<NodePtr> Node::create(const std::string&, FileType, uint32_t) {
    return Error(is_directory() ? EROFS : ENOTDIR, "cannot create here");
}
ErrorOr<NodePtr> Node::symlink(const std::string&, const std::string&) {
    return Error(is_directory() ? EROFS : ENOTDIR, "cannot create here");
}
ErrorOr<void> Node::link(const std::string&, const NodePtr&) {
    return Error(is_directory() ? EROFS : ENOTDIR, "cannot link here");
}
ErrorOr<void> Node::unlink(const std::string&, bool) {
    return Error(is_directory() ? EROFS : ENOTDIR, "cannot remove here");
}
ErrorOr<void> Node::rename(const std::string&, Node&, const std::string&) {
    return Error(is_directory() ? EROFS : ENOTDIR, "cannot rename here");
}
ErrorOr<size_t> Node::read(uint64_t, char*, size_t) {
    return Error(is_directory() ? EISDIR : EINVAL, "not a regular file");
}
ErrorOr<size_t> Node::write(uint64_t, const char*, size_t) {
    return Error(is_directory() ? EISDIR : EINVAL, "not a regular file");
}
ErrorOr<void> Node::truncate(uint64_t) {
    return Error(is_directory() ? EISDIR : EINVAL, "not a regular file");
}
ErrorOr<std::string> Node::readlink() { return Error(EINVAL, "not a symbolic link"); }
ErrorOr<void> Node::set_mode(uint32_t) { return Error(EROFS, "read-only file system"); }
ErrorOr<void> Node::set_times(Timespec, Timespec) { return Error(EROFS, "read-only file system"); }

ErrorOr<std::shared_ptr<OpenFile>> Node::open(int flags) {
    return std::make_shared<OpenFile>(shared_from_this(), flags);
}

ErrorOr<size_t> OpenFile::read(char* buf, size_t n) {
    if (m_node->is_directory())
        return Error(EISDIR, "is a directory");
    size_t got = TRY(m_node->read(offset, buf, n));
    offset += got;
    return got;
}

ErrorOr<size_t> OpenFile::write(const char* data, size_t n) {
    if (m_flags & kAppend)
        offset = m_node->attributes().size;
    size_t done = TRY(m_node->write(offset, data, n));
    offset += done;
    return done;
}

ErrorOr<size_t> OpenFile::pread(uint64_t off, char* buf, size_t n) {
    if (m_node->is_directory())
        return Error(EISDIR, "is a directory");
    return m_node->read(off, buf, n);
}

ErrorOr<size_t> OpenFile::pwrite(uint64_t off, const char* data, size_t n) {
    return m_node->write(off, data, n);
}

ErrorOr<int64_t> OpenFile::seek(int64_t off, int whence) {
    int64_t base;
    switch (whence) {
    case 0: // SEEK_SET
        base = 0;
        break;
    case 1: // SEEK_CUR
        base = int64_t(offset);
        break;
    case 2: // SEEK_END
        base = int64_t(m_node->attributes().size);
        break;
    default:
        return Error(EINVAL, "bad whence");
    }
    if (m_node->is_directory()) {
        // Directories seek by entry index (telldir/seekdir values).
        if (whence != 0 || off < 0)
            return Error(EINVAL, "bad directory offset");
        dir_index = size_t(off);
        offset = uint64_t(off);
        return off;
    }
    if (off > 0 && base > INT64_MAX - off)
        return Error(EINVAL, "offset overflow"); // as Linux's vfs_setpos
    int64_t pos = base + off;
    if (pos < 0)
        return Error(EINVAL, "negative offset");
    offset = uint64_t(pos);
    return pos;
}

uint32_t OpenFile::poll() { return kPollIn | kPollOut; }

ErrorOr<int64_t> Node::share_memory(bool) {
    return Error(ENODEV, "no shared memory behind this file");
}

FsStats Node::fs_stats() { return {}; }

} // namespace vfsd
