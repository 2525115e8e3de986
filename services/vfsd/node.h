// vfsd's model of files: a Node is a file-system object (regular file,
// directory, symlink, device, FIFO, socket); an OpenFile is what an fd
// refers to (node, offset, flags), shared by dup and fork.
//
// Stream objects (pipes, the tty, sockets) report "no data yet" as EAGAIN;
// the syscall layer turns that into EAGAIN for O_NONBLOCK fds and into a
// parked call otherwise, retried when something changes.
#pragma once

#include <rustos/base/error.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace vfsd {

using rustos::Errno;
using rustos::Error;
using rustos::ErrorOr;

enum class FileType : uint32_t {
    Fifo = 0010000,
    CharDevice = 0020000,
    Directory = 0040000,
    Regular = 0100000,
    Symlink = 0120000,
    Socket = 0140000,
};
inline constexpr uint32_t kTypeMask = 0170000;

struct Timespec {
    int64_t sec = 0;
    int64_t nsec = 0;
};

Timespec now();

struct Attributes {
    uint64_t dev = 0;
    uint64_t ino = 0;
    uint32_t mode = 0; // type | permissions
    uint32_t nlink = 1;
    uint32_t uid = 0, gid = 0;
    uint64_t rdev = 0;
    uint64_t size = 0;
    Timespec atime, mtime, ctime;
};

struct DirEntry {
    std::string name;
    uint64_t ino;
    FileType type;
};

// poll(2) bits.
inline constexpr uint32_t kPollIn = 0x1, kPollPri = 0x2, kPollOut = 0x4, kPollErr = 0x8,
                          kPollHup = 0x10, kPollNval = 0x20;

class OpenFile;
class Node;

// statfs(2): what a file system says about itself (4 KiB blocks).
struct FsStats {
    uint64_t magic = 0; // f_type (Linux's *_SUPER_MAGIC values)
    uint64_t blocks = 0, free_blocks = 0;
    uint64_t files = 0, free_files = 0;
    bool read_only = false;
};

// Where a path walk stands: the chain of directories from the root, so
// ".." and getcwd work without parent pointers in the file systems.
struct Location {
    std::vector<std::pair<std::string, std::shared_ptr<Node>>> chain; // chain[0] = ("", root)
    const std::shared_ptr<Node>& node() const { return chain.back().second; }
    std::string path() const;
};

class Node : public std::enable_shared_from_this<Node> {
public:
    virtual ~Node() = default;

    virtual Attributes attributes() = 0;
    FileType type() { return FileType(attributes().mode & kTypeMask); }
    bool is_directory() { return type() == FileType::Directory; }

    // Directories (ENOTDIR otherwise; EROFS on read-only file systems).
    virtual ErrorOr<std::shared_ptr<Node>> lookup(const std::string& name);
    virtual ErrorOr<std::vector<DirEntry>> entries();
    virtual ErrorOr<std::shared_ptr<Node>> create(const std::string& name, FileType type,
                                                  uint32_t perm);
    virtual ErrorOr<std::shared_ptr<Node>> symlink(const std::string& name,
                                                   const std::string& target);
    virtual ErrorOr<void> link(const std::string& name, const std::shared_ptr<Node>& target);
    // Removes an entry; `directory` selects rmdir semantics.
    virtual ErrorOr<void> unlink(const std::string& name, bool directory);
    virtual ErrorOr<void> rename(const std::string& from, Node& to_dir, const std::string& to);

    // Regular files.
    virtual ErrorOr<size_t> read(uint64_t offset, char* buf, size_t n);
    virtual ErrorOr<size_t> write(uint64_t offset, const char* data, size_t n);
    virtual ErrorOr<void> truncate(uint64_t size);
    // Symlinks.
    virtual ErrorOr<std::string> readlink();

    virtual ErrorOr<void> set_mode(uint32_t perm);
    virtual ErrorOr<void> set_times(Timespec atime, Timespec mtime);

    // What open(2) gets: regular files and directories a plain OpenFile,
    // devices, FIFOs and sockets their own.
    virtual ErrorOr<std::shared_ptr<OpenFile>> open(int flags);
    // Writes fail with EROFS (the boot bundle).
    virtual bool read_only() const { return false; }
    // Regular files that can be mapped without a copy: a new handle to the
    // shared memory holding the file (SharedMemory::share). ENODEV for the
    // others, which mmap copies.
    virtual ErrorOr<int64_t> share_memory(bool writable);
    // The file system this node is on (statfs).
    virtual FsStats fs_stats();
    // fsync, fdatasync, syncfs: write back what the file system holds
    // (nothing for those that keep everything in memory).
    virtual ErrorOr<void> sync() { return {}; }
};

using NodePtr = std::shared_ptr<Node>;

// Linux open flags (x86_64).
enum : int {
    kAccMode = 03,
    kRead = 00,
    kWrite = 01,
    kReadWrite = 02,
    kCreat = 0100,
    kExcl = 0200,
    kNoCtty = 0400,
    kTrunc = 01000,
    kAppend = 02000,
    kNonBlock = 04000,
    kDirectory = 0200000,
    kNoFollow = 0400000,
    kCloExec = 02000000,
    kPath = 010000000,
};

class OpenFile {
public:
    OpenFile(NodePtr node, int flags) : m_node(std::move(node)), m_flags(flags) {}
    virtual ~OpenFile() = default;

    const NodePtr& node() const { return m_node; }
    int flags() const { return m_flags; }
    void set_status_flags(int f) {
        m_flags = (m_flags & ~(kAppend | kNonBlock)) | (f & (kAppend | kNonBlock));
    }
    bool readable() const { return (m_flags & kAccMode) != kWrite && !(m_flags & kPath); }
    bool writable() const { return (m_flags & kAccMode) != kRead && !(m_flags & kPath); }
    bool nonblocking() const { return m_flags & kNonBlock; }
    uint64_t offset = 0;
    std::string path;  // as opened, for /proc/<pid>/fd
    Location location; // directories: where they are, for openat and fchdir

    // EAGAIN: nothing now (the caller parks the call unless O_NONBLOCK).
    virtual ErrorOr<size_t> read(char* buf, size_t n);
    virtual ErrorOr<size_t> write(const char* data, size_t n);
    virtual ErrorOr<size_t> pread(uint64_t offset, char* buf, size_t n);
    virtual ErrorOr<size_t> pwrite(uint64_t offset, const char* data, size_t n);
    virtual ErrorOr<int64_t> seek(int64_t offset, int whence);
    virtual uint32_t poll();
    // Bumped whenever new data or a new state arrives (edge-triggered epoll).
    virtual uint64_t generation() const { return 0; }
    virtual bool is_stream() const { return false; }
    virtual bool is_tty() const { return false; }
    // Directory listing position.
    size_t dir_index = 0;

protected:
    NodePtr m_node;
    int m_flags;
};

using FilePtr = std::shared_ptr<OpenFile>;

uint64_t next_inode();

} // namespace vfsd
