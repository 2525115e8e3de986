#include "syscalls.h"

#include "epoll.h"
#include "fatfs.h"
#include "memfs.h"
#include "pipe.h"
#include "socket.h"

#include <rustos/abi/syscalls.h>

#include <cstring>

namespace vfsd {

using rustos::abi::LinuxSyscall;
using rustos::service::LinuxCall;
using rustos::service::LinuxReply;

namespace {

constexpr int kAtFdCwd = -100;
constexpr int kAtSymlinkNofollow = 0x100, kAtRemoveDir = 0x200, kAtEmptyPath = 0x1000;
constexpr int kFdCloexec = 1;
constexpr uint32_t kSockStream = 1, kSockDgram = 2, kAfUnix = 1;

Outcome done(int64_t result) { return Outcome{LinuxReply(result)}; }
Outcome fail(Errno e) { return Outcome{LinuxReply::error(e)}; }
Outcome fail(const Error& e) { return Outcome{LinuxReply::from(e)}; }
Outcome park() {
    Outcome o;
    o.park = true;
    return o;
}

#define TRY_OR_FAIL(expr)                                                                          \
    ({                                                                                             \
        auto _r = (expr);                                                                          \
        if (_r.is_error())                                                                         \
            return fail(_r.error());                                                               \
        _r.release_value();                                                                        \
    })

// struct stat (x86_64).
struct KStat {
    uint64_t dev, ino, nlink;
    uint32_t mode, uid, gid, pad0;
    uint64_t rdev;
    int64_t size, blksize, blocks;
    int64_t atime, atime_nsec, mtime, mtime_nsec, ctime, ctime_nsec;
    int64_t reserved[3];
};
static_assert(sizeof(KStat) == 144);

KStat to_stat(const Attributes& a) {
    KStat s{};
    s.dev = a.dev;
    s.ino = a.ino;
    s.nlink = a.nlink;
    s.mode = a.mode;
    s.uid = a.uid;
    s.gid = a.gid;
    s.rdev = a.rdev;
    s.size = int64_t(a.size);
    s.blksize = 4096;
    s.blocks = int64_t((a.size + 511) / 512);
    s.atime = a.atime.sec, s.atime_nsec = a.atime.nsec;
    s.mtime = a.mtime.sec, s.mtime_nsec = a.mtime.nsec;
    s.ctime = a.ctime.sec, s.ctime_nsec = a.ctime.nsec;
    return s;
}

struct StatxTimestamp {
    int64_t sec;
    uint32_t nsec;
    int32_t reserved;
};

struct KStatx {
    uint32_t mask, blksize;
    uint64_t attributes;
    uint32_t nlink, uid, gid;
    uint16_t mode, pad1;
    uint64_t ino, size, blocks, attributes_mask;
    StatxTimestamp atime, btime, ctime, mtime;
    uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
    uint64_t spare[14];
};
static_assert(sizeof(KStatx) == 256);

KStatx to_statx(const Attributes& a) {
    KStatx s{};
    s.mask = 0x7ff; // STATX_BASIC_STATS
    s.blksize = 4096;
    s.nlink = a.nlink;
    s.uid = a.uid;
    s.gid = a.gid;
    s.mode = uint16_t(a.mode);
    s.ino = a.ino;
    s.size = a.size;
    s.blocks = (a.size + 511) / 512;
    s.atime = {a.atime.sec, uint32_t(a.atime.nsec), 0};
    s.btime = s.ctime = {a.ctime.sec, uint32_t(a.ctime.nsec), 0};
    s.mtime = {a.mtime.sec, uint32_t(a.mtime.nsec), 0};
    s.rdev_major = uint32_t((a.rdev >> 8) & 0xfff);
    s.rdev_minor = uint32_t((a.rdev & 0xff) | ((a.rdev >> 12) & ~0xffull));
    s.dev_major = uint32_t((a.dev >> 8) & 0xfff);
    s.dev_minor = uint32_t(a.dev & 0xff);
    return s;
}

uint8_t dirent_type(FileType t) {
    switch (t) {
    case FileType::Fifo:
        return 1;
    case FileType::CharDevice:
        return 2;
    case FileType::Directory:
        return 4;
    case FileType::Regular:
        return 8;
    case FileType::Symlink:
        return 10;
    case FileType::Socket:
        return 12;
    }
    return 0;
}

// struct sockaddr_un → the path ("" for unnamed; "\0name" abstract).
ErrorOr<std::string> sockaddr_path(std::string_view addr) {
    if (addr.size() < 2)
        return Error(EINVAL, "address too short");
    uint16_t family;
    std::memcpy(&family, addr.data(), 2);
    if (family != kAfUnix)
        return Error(EINVAL, "not AF_UNIX"); // Linux's unix_validate_addr
    std::string_view path = addr.substr(2);
    if (path.empty())
        return Error(EINVAL, "empty socket path");
    if (path[0] == '\0')
        return std::string(path); // abstract namespace
    size_t nul = path.find('\0');
    return std::string(path.substr(0, nul));
}

std::string sockaddr_of(const std::string& path) {
    std::string out(2, '\0');
    uint16_t family = kAfUnix;
    std::memcpy(out.data(), &family, 2);
    if (!path.empty()) {
        out += path;
        if (path[0] != '\0')
            out += '\0';
    }
    return out;
}

// Writes an address output and its length (addr, addrlen inout pointers).
void out_address(LinuxReply& r, const LinuxCall& c, uint32_t addr_arg, uint32_t len_arg,
                 const std::string& addr) {
    if (!c.args[addr_arg] || !c.has_input(len_arg))
        return;
    auto len = c.input_as<uint32_t>(len_arg);
    uint32_t cap = len ? *len : 0;
    r.out(addr_arg, addr.data(), std::min<size_t>(cap, addr.size()));
    r.out(len_arg, uint32_t(addr.size()));
}

std::map<std::string, std::weak_ptr<UnixSocket>> g_abstract_sockets;

} // namespace

ErrorOr<Resolved> Vfs::resolve_at(Process& p, int dirfd, std::string_view path,
                                  ResolveOptions options) {
    Location start = p.cwd;
    if (!path.empty() && path[0] != '/' && dirfd != kAtFdCwd) {
        FilePtr f = TRY(p.file(dirfd));
        if (!f->node()->is_directory())
            return Error(ENOTDIR, "dirfd is not a directory");
        start = f->location.chain.empty() ? ns.root() : f->location;
    }
    return ns.resolve(start, path, options);
}

ErrorOr<std::pair<std::string, FilePtr>> Vfs::open_for(uint32_t pid, const std::string& path) {
    // A process vfsd has not met (rootd, a foundational service) opens
    // from the root.
    Process* p = procs.find(pid);
    uint32_t saved = g_current_pid;
    g_current_pid = pid;
    auto r = ns.resolve(p ? p->cwd : procs.initial_cwd, path, {});
    g_current_pid = saved;
    if (r.is_error())
        return r.error();
    if (r->node->is_directory())
        return Error(EACCES, "a directory");
    FilePtr f = TRY(r->node->open(kRead));
    return std::make_pair(r->full.path(), f);
}

namespace {

struct Handler {
    Vfs& vfs;
    Process& p;
    const LinuxCall& c;
    CallState& state;

    int64_t arg(int i) const { return int64_t(c.args[i]); }
    int fd_arg(int i) const { return int32_t(c.args[i]); }

    // EAGAIN instead of waiting: a later part of a large read, or
    // MSG_DONTWAIT on recv/send.
    bool no_wait() const {
        constexpr uint64_t kMsgDontWait = 0x40;
        auto nr = LinuxSyscall(c.nr);
        bool msg = nr == LinuxSyscall::recvfrom || nr == LinuxSyscall::sendto;
        return c.no_wait() || (msg && (c.args[3] & kMsgDontWait));
    }

    Outcome stream_result(ErrorOr<size_t> r, const FilePtr& f, LinuxReply reply = {}) {
        if (r.is_error()) {
            if (r.error().code() == EAGAIN && !f->nonblocking() && !no_wait())
                return park();
            return fail(r.error());
        }
        reply.result = int64_t(r.value());
        return Outcome{std::move(reply)};
    }

    static bool has_trailing_slash(std::string_view path) {
        return !path.empty() && path.back() == '/';
    }
    static std::string_view without_trailing_slashes(std::string_view path) {
        while (path.size() > 1 && path.back() == '/')
            path.remove_suffix(1);
        return path;
    }
    // A path resolved for a new entry under its last name: that name not
    // followed, trailing slashes dropped.
    ErrorOr<Resolved> resolve_parent(int dirfd, std::string_view path) {
        ResolveOptions o;
        o.follow_last = false;
        o.must_exist = false;
        return vfs.resolve_at(p, dirfd, without_trailing_slashes(path), o);
    }

    // Where a new entry goes, as Linux's filename_create: the last
    // component is not followed and must not exist (EEXIST); a trailing
    // slash names a directory, so only a new directory may have one
    // (ENOENT otherwise).
    ErrorOr<Resolved> resolve_new(int dirfd, std::string_view path, bool directory) {
        Resolved r = TRY(resolve_parent(dirfd, path));
        if (r.node || r.name == "." || r.name == ".." || r.name.empty())
            return Error(EEXIST, "file exists");
        if (has_trailing_slash(path) && !directory)
            return Error(ENOENT, "a trailing slash names a directory");
        return r;
    }

    // --- open, close, read, write ---
    Outcome open(int dirfd, std::string_view path, int flags, uint32_t mode) {
        bool creat = flags & kCreat, excl = flags & kExcl;
        if (creat && has_trailing_slash(path)) {
            // Linux's open_last_lookups: EISDIR once the parent is found,
            // whatever the name is.
            TRY_OR_FAIL(resolve_parent(dirfd, path));
            return fail(EISDIR);
        }
        ResolveOptions opts;
        opts.follow_last = !(flags & kNoFollow) && !(creat && excl);
        opts.must_exist = !creat;
        Resolved r = TRY_OR_FAIL(vfs.resolve_at(p, dirfd, path, opts));
        NodePtr node = r.node;
        Location loc = r.full;
        if (!node) {
            if (r.name == "." || r.name == ".." || r.name.empty())
                return fail(EEXIST);
            NodePtr dir = r.parent.node();
            if (dir->read_only())
                return fail(EROFS);
            node = TRY_OR_FAIL(dir->create(r.name, FileType::Regular, mode & ~p.umask & 07777));
            loc = r.parent;
            loc.chain.push_back({r.name, node});
        } else {
            if (creat && excl)
                return fail(EEXIST);
            FileType t = node->type();
            if (t == FileType::Symlink && !(flags & kPath))
                return fail(ELOOP);
            if ((flags & kDirectory) && t != FileType::Directory)
                return fail(ENOTDIR);
            bool wants_write = (flags & kAccMode) != kRead;
            if (t == FileType::Directory && (wants_write || creat))
                return fail(EISDIR);
            if (wants_write && node->read_only())
                return fail(EROFS);
            // Linux truncates on O_TRUNC whatever the access mode
            // (O_RDONLY|O_TRUNC too), so it needs a writable file system.
            if ((flags & kTrunc) && t == FileType::Regular && node->read_only())
                return fail(EROFS);
            if ((wants_write || (flags & kTrunc)) && t == FileType::Regular &&
                vfs.procs.executes(node.get()))
                return fail(ETXTBSY);
            if ((flags & kTrunc) && t == FileType::Regular)
                TRY_OR_FAIL(node->truncate(0));
        }
        FilePtr f = TRY_OR_FAIL(node->open(flags & ~(kCreat | kExcl | kTrunc | kNoCtty)));
        f->path = loc.path();
        if (node->is_directory())
            f->location = loc;
        int fd = TRY_OR_FAIL(p.install(f, flags & kCloExec));
        return done(fd);
    }

    Outcome read() {
        FilePtr f = TRY_OR_FAIL(p.file(fd_arg(0)));
        if (!f->readable())
            return fail(EBADF);
        std::string buf(size_t(c.args[2]), '\0');
        auto n = f->read(buf.data(), buf.size());
        if (n.is_error())
            return stream_result(std::move(n), f);
        LinuxReply r{int64_t(n.value())};
        r.out(1, buf.data(), n.value());
        return Outcome{std::move(r)};
    }

    Outcome write(std::string_view data) {
        FilePtr f = TRY_OR_FAIL(p.file(fd_arg(0)));
        if (!f->writable())
            return fail(EBADF);
        // EPIPE: the kernel raises SIGPIPE before the call returns.
        return stream_result(f->write(data.data(), data.size()), f);
    }

    Outcome pread() {
        FilePtr f = TRY_OR_FAIL(p.file(fd_arg(0)));
        if (!f->readable())
            return fail(EBADF);
        if (arg(3) < 0)
            return fail(EINVAL);
        std::string buf(size_t(c.args[2]), '\0');
        size_t n = TRY_OR_FAIL(f->pread(c.args[3], buf.data(), buf.size()));
        LinuxReply r{int64_t(n)};
        r.out(1, buf.data(), n);
        return Outcome{std::move(r)};
    }

    Outcome pwrite() {
        FilePtr f = TRY_OR_FAIL(p.file(fd_arg(0)));
        if (!f->writable())
            return fail(EBADF);
        if (arg(3) < 0)
            return fail(EINVAL);
        std::string_view data = c.input(1);
        return done(int64_t(TRY_OR_FAIL(f->pwrite(c.args[3], data.data(), data.size()))));
    }

    Outcome lseek() {
        FilePtr f = TRY_OR_FAIL(p.file(fd_arg(0)));
        return done(TRY_OR_FAIL(f->seek(arg(1), int(arg(2)))));
    }

    // --- fds ---
    Outcome dup2(int oldfd, int newfd, int flags, bool is_dup3) {
        // dup3's EINVAL comes before the fd is looked up (Linux's ksys_dup3).
        if (is_dup3 && ((flags & ~kCloExec) || oldfd == newfd))
            return fail(EINVAL);
        FilePtr f = TRY_OR_FAIL(p.file(oldfd));
        if (oldfd == newfd)
            return done(newfd);
        if (newfd < 0 || uint32_t(newfd) >= p.fd_limit)
            return fail(EBADF);
        TRY_OR_FAIL(p.install_at(newfd, f, flags & kCloExec));
        return done(newfd);
    }

    Outcome fcntl() {
        int fd = fd_arg(0);
        FdEntry* e = p.entry(fd);
        if (!e)
            return fail(EBADF);
        switch (int(arg(1))) {
        case 0:    // F_DUPFD
        case 1030: // F_DUPFD_CLOEXEC
            return done(TRY_OR_FAIL(p.install(e->file, arg(1) == 1030, int(arg(2)))));
        case 1: // F_GETFD
            return done(e->cloexec ? kFdCloexec : 0);
        case 2: // F_SETFD
            e->cloexec = arg(2) & kFdCloexec;
            return done(0);
        case 3: // F_GETFL
            return done(e->file->flags() & (kAccMode | kAppend | kNonBlock | kPath | kDirectory));
        case 4: // F_SETFL
            e->file->set_status_flags(int(arg(2)));
            return done(0);
        case 5: { // F_GETLK: nothing holds a lock
            auto fl = c.input(2);
            if (fl.size() < 32)
                return fail(EFAULT);
            std::string out(fl);
            int16_t unlocked = 2; // F_UNLCK
            std::memcpy(out.data(), &unlocked, 2);
            LinuxReply r(0);
            r.out(2, out.data(), out.size());
            return Outcome{std::move(r)};
        }
        case 6:
        case 7:
        case 36:
        case 37:
        case 38: // locks always succeed: one vfsd, no lock conflicts tracked
            return done(0);
        case 1031: // F_SETPIPE_SZ: the size stays
        case 1032: // F_GETPIPE_SZ
            if (!dynamic_cast<PipeEnd*>(e->file.get()))
                return fail(EBADF);
            return done(Pipe::kCapacity);
        case 8:  // F_SETOWN
        case 9:  // F_GETOWN
        case 10: // F_SETSIG
        case 11: // F_GETSIG
            return done(0);
        default:
            return fail(EINVAL);
        }
    }

    Outcome ioctl() {
        int fd = fd_arg(0);
        FdEntry* e = p.entry(fd);
        if (!e)
            return fail(EBADF);
        uint32_t request = uint32_t(c.args[1]);
        switch (request) {
        case 0x5451: // FIOCLEX
            e->cloexec = true;
            return done(0);
        case 0x5450: // FIONCLEX
            e->cloexec = false;
            return done(0);
        case 0x5421: { // FIONBIO
            auto v = c.input_as<int32_t>(2);
            if (!v)
                return fail(EFAULT);
            int flags = e->file->flags();
            e->file->set_status_flags(*v ? (flags | kNonBlock) : (flags & ~kNonBlock));
            return done(0);
        }
        default:
            break;
        }
        if (e->file->is_tty() && vfs.tty_ioctl) {
            LinuxReply r;
            auto res = vfs.tty_ioctl(p, request, c, r);
            if (res.is_error())
                return fail(res.error());
            r.result = res.value();
            return Outcome{std::move(r)};
        }
        if (request == 0x541B) { // FIONREAD
            int32_t avail = 0;
            if (auto* pe = dynamic_cast<PipeEnd*>(e->file.get()))
                avail = int32_t(pe->pipe()->available());
            else if (e->file->node()->type() == FileType::Regular)
                // What is left to read; Linux's do_vfs_ioctl answers size
                // minus offset, negative past the end.
                avail =
                    int32_t(int64_t(e->file->node()->attributes().size) - int64_t(e->file->offset));
            else if (!e->file->is_stream())
                return fail(ENOTTY);
            LinuxReply r(0);
            r.out(2, avail);
            return Outcome{std::move(r)};
        }
        return fail(ENOTTY);
    }

    // --- metadata ---
    Outcome stat_path(int dirfd, std::string_view path, int flags, uint32_t out_arg, bool statx) {
        constexpr int kAtNoAutomount = 0x800, kAtStatxSyncType = 0x6000;
        int allowed = kAtSymlinkNofollow | kAtNoAutomount | kAtEmptyPath;
        if (statx)
            allowed |= kAtStatxSyncType;
        if ((flags & ~allowed) || (flags & kAtStatxSyncType) == kAtStatxSyncType)
            return fail(EINVAL);
        NodePtr node;
        if (path.empty()) {
            if (!(flags & kAtEmptyPath))
                return fail(ENOENT);
            if (dirfd == kAtFdCwd)
                node = p.cwd.node();
            else
                node = TRY_OR_FAIL(p.file(dirfd))->node();
        } else {
            ResolveOptions o;
            o.follow_last = !(flags & kAtSymlinkNofollow);
            node = TRY_OR_FAIL(vfs.resolve_at(p, dirfd, path, o)).node;
        }
        return stat_reply(node->attributes(), out_arg, statx);
    }

    Outcome stat_reply(const Attributes& a, uint32_t out_arg, bool statx) {
        LinuxReply r(0);
        if (statx)
            r.out(out_arg, to_statx(a));
        else
            r.out(out_arg, to_stat(a));
        return Outcome{std::move(r)};
    }

    Outcome getdents(bool is64) {
        FilePtr f = TRY_OR_FAIL(p.file(fd_arg(0)));
        if (!f->node()->is_directory())
            return fail(ENOTDIR);
        std::vector<DirEntry> list;
        Attributes self = f->node()->attributes();
        list.push_back({".", self.ino, FileType::Directory});
        list.push_back(
            {"..",
             f->location.chain.size() > 1
                 ? f->location.chain[f->location.chain.size() - 2].second->attributes().ino
                 : self.ino,
             FileType::Directory});
        auto entries = TRY_OR_FAIL(f->node()->entries());
        list.insert(list.end(), entries.begin(), entries.end());
        size_t cap = size_t(c.args[2]);
        std::string out;
        size_t i = f->dir_index;
        for (; i < list.size(); ++i) {
            const DirEntry& d = list[i];
            size_t reclen = is64 ? (19 + d.name.size() + 1 + 7) & ~size_t(7)
                                 : (18 + d.name.size() + 2 + 7) & ~size_t(7);
            if (out.size() + reclen > cap)
                break;
            std::string rec(reclen, '\0');
            uint64_t ino = d.ino, off = i + 1;
            uint16_t len = uint16_t(reclen);
            std::memcpy(rec.data(), &ino, 8);
            std::memcpy(rec.data() + 8, &off, 8);
            std::memcpy(rec.data() + 16, &len, 2);
            if (is64) {
                rec[18] = char(dirent_type(d.type));
                std::memcpy(rec.data() + 19, d.name.data(), d.name.size());
            } else {
                std::memcpy(rec.data() + 18, d.name.data(), d.name.size());
                rec[reclen - 1] = char(dirent_type(d.type));
            }
            out += rec;
        }
        if (out.empty() && i < list.size())
            return fail(EINVAL); // the buffer cannot hold one entry
        f->dir_index = i;
        f->offset = i;
        LinuxReply r{int64_t(out.size())};
        r.out(1, out.data(), out.size());
        return Outcome{std::move(r)};
    }

    // --- namespace changes ---
    Outcome mkdir(int dirfd, std::string_view path, uint32_t mode) {
        Resolved r = TRY_OR_FAIL(resolve_new(dirfd, path, true));
        if (r.parent.node()->read_only())
            return fail(EROFS);
        TRY_OR_FAIL(r.parent.node()->create(r.name, FileType::Directory, mode & ~p.umask & 07777));
        return done(0);
    }

    Outcome mknod(int dirfd, std::string_view path, uint32_t mode) {
        Resolved r = TRY_OR_FAIL(resolve_new(dirfd, path, false));
        FileType t = FileType(mode & kTypeMask);
        if (t == FileType(0))
            t = FileType::Regular;
        if (t != FileType::Regular && t != FileType::Fifo)
            return fail(EPERM); // no device nodes outside devfs
        TRY_OR_FAIL(r.parent.node()->create(r.name, t, mode & ~p.umask & 07777));
        return done(0);
    }

    Outcome unlink(int dirfd, std::string_view path, int flags) {
        if (flags & ~kAtRemoveDir)
            return fail(EINVAL);
        bool dir = flags & kAtRemoveDir;
        ResolveOptions o;
        o.follow_last = false;
        Resolved r = TRY_OR_FAIL(vfs.resolve_at(p, dirfd, path, o));
        if (dir && r.name == ".")
            return fail(EINVAL);
        if (dir && r.name == "..")
            return fail(ENOTEMPTY);
        if (r.full.chain.size() <= 1)
            return fail(EBUSY);
        if (!dir && !path.empty() && path.back() == '/')
            return fail(r.node->is_directory() ? EISDIR : ENOTDIR);
        NodePtr parent = r.full.chain[r.full.chain.size() - 2].second;
        std::string name = r.full.chain.back().first;
        if (parent->read_only())
            return fail(EROFS);
        TRY_OR_FAIL(parent->unlink(name, dir));
        return done(0);
    }

    Outcome rename(int olddirfd, std::string_view oldpath, int newdirfd, std::string_view newpath,
                   int flags) {
        constexpr int kNoReplace = 1, kExchange = 2;
        if (flags & ~(kNoReplace | kExchange))
            return fail(EINVAL);
        if (flags & kExchange)
            return fail(EINVAL);
        ResolveOptions o;
        o.follow_last = false;
        Resolved from = TRY_OR_FAIL(vfs.resolve_at(p, olddirfd, oldpath, o));
        ResolveOptions n;
        n.follow_last = false;
        n.must_exist = false;
        Resolved to = TRY_OR_FAIL(vfs.resolve_at(p, newdirfd, newpath, n));
        if (from.full.chain.size() <= 1 || from.name == "." || from.name == "..")
            return fail(EBUSY);
        if (to.name == "." || to.name == ".." || to.name.empty())
            return fail(EBUSY);
        if (to.node && (flags & kNoReplace))
            return fail(EEXIST);
        if (!from.node->is_directory() && has_trailing_slash(newpath))
            return fail(ENOTDIR); // the new name asks for a directory
        if (to.node == from.node)
            return done(0); // the same file (Linux: "rename() does nothing")
        NodePtr from_dir = from.full.chain[from.full.chain.size() - 2].second;
        NodePtr to_dir =
            to.node ? to.full.chain[to.full.chain.size() - 2].second : to.parent.node();
        // A directory cannot move into itself.
        if (from.node->is_directory()) {
            Location target = to.node ? to.full : to.parent;
            for (auto& [name, node] : target.chain)
                if (node == from.node)
                    return fail(EINVAL);
        }
        if (from_dir->read_only() || to_dir->read_only())
            return fail(EROFS);
        std::string to_name = to.node ? to.full.chain.back().first : to.name;
        TRY_OR_FAIL(from_dir->rename(from.full.chain.back().first, *to_dir, to_name));
        return done(0);
    }

    Outcome link(int olddirfd, std::string_view oldpath, int newdirfd, std::string_view newpath,
                 int flags) {
        ResolveOptions o;
        o.follow_last = flags & 0x400; // AT_SYMLINK_FOLLOW
        Resolved from = TRY_OR_FAIL(vfs.resolve_at(p, olddirfd, oldpath, o));
        Resolved to = TRY_OR_FAIL(resolve_new(newdirfd, newpath, false));
        if (from.node->is_directory())
            return fail(EPERM);
        TRY_OR_FAIL(to.parent.node()->link(to.name, from.node));
        return done(0);
    }

    Outcome symlink(std::string_view target, int newdirfd, std::string_view linkpath) {
        if (target.empty())
            return fail(ENOENT);
        Resolved to = TRY_OR_FAIL(resolve_new(newdirfd, linkpath, false));
        if (to.parent.node()->read_only())
            return fail(EROFS);
        TRY_OR_FAIL(to.parent.node()->symlink(to.name, std::string(target)));
        return done(0);
    }

    Outcome readlink(int dirfd, std::string_view path, uint32_t out_arg, int64_t size) {
        if (size <= 0)
            return fail(EINVAL);
        ResolveOptions o;
        o.follow_last = false;
        NodePtr node;
        if (path.empty())
            return fail(ENOENT);
        node = TRY_OR_FAIL(vfs.resolve_at(p, dirfd, path, o)).node;
        std::string target = TRY_OR_FAIL(node->readlink());
        size_t n = std::min<size_t>(target.size(), size_t(size));
        LinuxReply r{int64_t(n)};
        r.out(out_arg, target.data(), n);
        return Outcome{std::move(r)};
    }

    Outcome access(int dirfd, std::string_view path, int mode, int flags) {
        if (mode & ~7)
            return fail(EINVAL);
        ResolveOptions o;
        o.follow_last = !(flags & kAtSymlinkNofollow);
        NodePtr node = TRY_OR_FAIL(vfs.resolve_at(p, dirfd, path, o)).node;
        if ((mode & 2) && node->read_only())
            return fail(EROFS);
        if (mode & 1) { // X_OK: even root needs an x bit on a non-directory
            Attributes a = node->attributes();
            if (!node->is_directory() && !(a.mode & 0111))
                return fail(EACCES);
        }
        return done(0);
    }

    Outcome chdir(NodePtr node, Location loc) {
        if (!node->is_directory())
            return fail(ENOTDIR);
        p.cwd = std::move(loc);
        return done(0);
    }

    Outcome getcwd() {
        std::string path = p.cwd.path();
        if (path.size() + 1 > c.args[1])
            return fail(ERANGE);
        LinuxReply r{int64_t(path.size() + 1)};
        r.out(0, path.c_str(), path.size() + 1);
        return Outcome{std::move(r)};
    }

    Outcome set_times(NodePtr node, std::string_view times) {
        constexpr int64_t kNow = (1ll << 30) - 1, kOmit = (1ll << 30) - 2;
        Attributes a = node->attributes();
        Timespec t = now(), at = t, mt = t;
        if (times.size() >= 32) {
            int64_t v[4];
            std::memcpy(v, times.data(), 32);
            if ((v[1] < 0 || v[1] >= 1000000000) && v[1] != kNow && v[1] != kOmit)
                return fail(EINVAL);
            if ((v[3] < 0 || v[3] >= 1000000000) && v[3] != kNow && v[3] != kOmit)
                return fail(EINVAL);
            at = v[1] == kOmit ? a.atime : v[1] == kNow ? t : Timespec{v[0], v[1]};
            mt = v[3] == kOmit ? a.mtime : v[3] == kNow ? t : Timespec{v[2], v[3]};
        }
        TRY_OR_FAIL(node->set_times(at, mt));
        return done(0);
    }

    // --- pipes, poll, select, epoll ---
    Outcome pipe(int flags) {
        if (flags & ~(kCloExec | kNonBlock | 040000 /* O_DIRECT */))
            return fail(EINVAL);
        auto [r, w] = make_pipe(flags);
        int rfd = TRY_OR_FAIL(p.install(r, flags & kCloExec));
        auto wfd = p.install(w, flags & kCloExec);
        if (wfd.is_error()) {
            (void)p.close(rfd);
            return fail(wfd.error());
        }
        int32_t fds[2] = {rfd, wfd.value()};
        LinuxReply reply(0);
        reply.out(0, fds, sizeof fds);
        return Outcome{std::move(reply)};
    }

    uint64_t deadline_from_ms(int64_t ms) {
        if (ms < 0)
            return 0;
        if (!state.deadline_ns)
            state.deadline_ns = rustos::service::monotonic_ns() + uint64_t(ms) * 1000000ull + 1;
        return state.deadline_ns;
    }

    uint64_t deadline_from_timespec(std::string_view ts_in, bool timeval) {
        if (ts_in.size() < 16)
            return 0;
        int64_t v[2];
        std::memcpy(v, ts_in.data(), 16);
        uint64_t ns = uint64_t(v[0]) * 1000000000ull + uint64_t(timeval ? v[1] * 1000 : v[1]);
        if (!state.deadline_ns)
            state.deadline_ns = rustos::service::monotonic_ns() + ns + 1;
        return state.deadline_ns;
    }

    Outcome poll(std::string_view fds_in, int64_t timeout_ms, bool has_timeout) {
        struct PollFd {
            int32_t fd;
            int16_t events, revents;
        };
        size_t n = fds_in.size() / sizeof(PollFd);
        if (c.args[1] > p.fd_limit)
            return fail(EINVAL);
        std::vector<PollFd> fds(n);
        std::memcpy(fds.data(), fds_in.data(), n * sizeof(PollFd));
        int ready = 0;
        for (auto& pf : fds) {
            pf.revents = 0;
            if (pf.fd < 0)
                continue;
            FdEntry* e = p.entry(pf.fd);
            if (!e)
                pf.revents = int16_t(kPollNval);
            else
                pf.revents = int16_t(e->file->poll() &
                                     (uint32_t(uint16_t(pf.events)) | kPollErr | kPollHup));
            if (pf.revents)
                ++ready;
        }
        bool immediate = has_timeout && timeout_ms == 0;
        if (ready || immediate || state.timed_out) {
            LinuxReply r(ready);
            r.out(0, fds.data(), n * sizeof(PollFd));
            return Outcome{std::move(r)};
        }
        Outcome o = park();
        o.deadline_ns = has_timeout ? deadline_from_ms(timeout_ms) : 0;
        return o;
    }

    Outcome select(bool pselect) {
        int nfds = int(arg(0));
        if (nfds < 0 || nfds > int(p.fd_limit))
            return fail(EINVAL);
        // The timeout is checked first, as Linux does. select's timeval may
        // carry a second or more in tv_usec (Linux normalizes it); only
        // negative values are refused. pselect's timespec must be exact.
        std::string_view timeout = c.input(4);
        bool has_timeout = !timeout.empty();
        bool zero = false;
        if (has_timeout) {
            int64_t v[2];
            std::memcpy(v, timeout.data(), 16);
            if (v[0] < 0 || v[1] < 0 || (pselect && v[1] >= 1000000000))
                return fail(EINVAL);
            zero = v[0] == 0 && v[1] == 0;
        }
        size_t bytes = size_t((nfds + 63) / 64 * 8);
        std::string sets[3];
        bool present[3];
        for (int i = 0; i < 3; ++i) {
            present[i] = c.has_input(uint32_t(i + 1));
            sets[i] = present[i] ? std::string(c.input(uint32_t(i + 1))) : std::string(bytes, '\0');
            sets[i].resize(bytes, '\0');
        }
        std::string out[3] = {std::string(bytes, '\0'), std::string(bytes, '\0'),
                              std::string(bytes, '\0')};
        int ready = 0;
        for (int fd = 0; fd < nfds; ++fd) {
            bool want[3];
            for (int i = 0; i < 3; ++i)
                want[i] = (uint8_t(sets[i][size_t(fd / 8)]) >> (fd % 8)) & 1;
            if (!want[0] && !want[1] && !want[2])
                continue;
            FdEntry* e = p.entry(fd);
            if (!e)
                return fail(EBADF);
            uint32_t ev = e->file->poll();
            bool got[3] = {want[0] && (ev & (kPollIn | kPollHup | kPollErr)),
                           want[1] && (ev & (kPollOut | kPollErr)), want[2] && (ev & kPollPri)};
            for (int i = 0; i < 3; ++i)
                if (got[i]) {
                    out[i][size_t(fd / 8)] =
                        char(uint8_t(out[i][size_t(fd / 8)]) | (1 << (fd % 8)));
                    ++ready;
                }
        }
        if (ready || zero || state.timed_out) {
            LinuxReply r(ready);
            for (int i = 0; i < 3; ++i)
                if (present[i])
                    r.out(uint32_t(i + 1), out[i].data(), out[i].size());
            if (!pselect && has_timeout && state.timed_out) {
                int64_t z[2] = {0, 0};
                r.out(4, z, sizeof z);
            }
            return Outcome{std::move(r)};
        }
        Outcome o = park();
        o.deadline_ns = has_timeout ? deadline_from_timespec(timeout, !pselect) : 0;
        return o;
    }

    Outcome epoll_wait() {
        FilePtr f = TRY_OR_FAIL(p.file(fd_arg(0)));
        auto* ep = dynamic_cast<EpollFile*>(f.get());
        if (!ep)
            return fail(EINVAL);
        int max = int(arg(2));
        if (max <= 0)
            return fail(EINVAL);
        auto events = ep->ready(size_t(max));
        int64_t timeout = int32_t(arg(3));
        if (!events.empty() || timeout == 0 || state.timed_out) {
            LinuxReply r{int64_t(events.size())};
            r.out(1, events.data(), events.size() * sizeof(EpollEvent));
            return Outcome{std::move(r)};
        }
        Outcome o = park();
        o.deadline_ns = timeout > 0 ? deadline_from_ms(timeout) : 0;
        return o;
    }

    // --- sockets ---
    Outcome socket(bool pair) {
        uint32_t domain = uint32_t(arg(0)), type = uint32_t(arg(1));
        if (domain != kAfUnix)
            return fail(EAFNOSUPPORT);
        uint32_t kind = type & 0xf;
        int flags = int(type & (kNonBlock | kCloExec));
        if (type & ~(0xfu | kNonBlock | kCloExec))
            return fail(EINVAL);
        if (kind > 10) // SOCK_MAX
            return fail(EINVAL);
        if (kind != kSockStream && kind != kSockDgram && kind != 5 /* SEQPACKET */)
            return fail(ESOCKTNOSUPPORT);
        if (kind == 5)
            return fail(EPROTONOSUPPORT);
        if (arg(2) != 0 && arg(2) != kAfUnix) // 0 or PF_UNIX
            return fail(EPROTONOSUPPORT);
        auto a = std::make_shared<UnixSocket>(int(kind), flags & kNonBlock);
        if (!pair) {
            a->path = "socket:";
            return done(TRY_OR_FAIL(p.install(a, flags & kCloExec)));
        }
        auto b = std::make_shared<UnixSocket>(int(kind), flags & kNonBlock);
        UnixSocket::pair(a, b);
        int fa = TRY_OR_FAIL(p.install(a, flags & kCloExec));
        auto fb = p.install(b, flags & kCloExec);
        if (fb.is_error()) {
            (void)p.close(fa);
            return fail(fb.error());
        }
        int32_t fds[2] = {fa, fb.value()};
        LinuxReply r(0);
        r.out(3, fds, sizeof fds);
        return Outcome{std::move(r)};
    }

    ErrorOr<std::shared_ptr<UnixSocket>> socket_of(int fd) {
        FilePtr f = TRY(p.file(fd));
        auto s = std::dynamic_pointer_cast<UnixSocket>(f);
        if (!s)
            return Error(ENOTSOCK, "not a socket");
        return s;
    }

    Outcome bind() {
        auto s = TRY_OR_FAIL(socket_of(fd_arg(0)));
        std::string path = TRY_OR_FAIL(sockaddr_path(c.input(1)));
        if (path[0] == '\0') {
            auto& slot = g_abstract_sockets[path];
            if (!slot.expired())
                return fail(EADDRINUSE);
            slot = s;
            TRY_OR_FAIL(s->bind(path, std::make_shared<SocketNode>(0777)));
            return done(0);
        }
        ResolveOptions o;
        o.must_exist = false;
        o.follow_last = false;
        Resolved r = TRY_OR_FAIL(vfs.resolve_at(p, kAtFdCwd, path, o));
        if (r.node)
            return fail(EADDRINUSE);
        auto* dir = dynamic_cast<MemDirectory*>(r.parent.node().get());
        if (!dir)
            return fail(r.parent.node()->read_only() ? EROFS : EPERM);
        auto node = std::make_shared<SocketNode>(0777 & ~p.umask);
        TRY_OR_FAIL(s->bind(path, node));
        TRY_OR_FAIL(dir->attach(r.name, node));
        return done(0);
    }

    Outcome connect() {
        auto s = TRY_OR_FAIL(socket_of(fd_arg(0)));
        if (s->state() == UnixSocket::State::Connected)
            return fail(EISCONN);
        std::string path = TRY_OR_FAIL(sockaddr_path(c.input(1)));
        std::shared_ptr<UnixSocket> listener;
        if (path[0] == '\0') {
            auto it = g_abstract_sockets.find(path);
            if (it == g_abstract_sockets.end() || it->second.expired())
                return fail(ECONNREFUSED);
            listener = it->second.lock();
        } else {
            Resolved r = TRY_OR_FAIL(vfs.resolve_at(p, kAtFdCwd, path, {}));
            auto* node = dynamic_cast<SocketNode*>(r.node.get());
            if (!node)
                return fail(r.node->type() == FileType::Socket ? ECONNREFUSED : ECONNREFUSED);
            listener = node->socket.lock();
            if (!listener)
                return fail(ECONNREFUSED);
        }
        auto r = s->connect(listener, path);
        if (r.is_error() && r.error().code() == EAGAIN && !s->nonblocking())
            return park();
        if (r.is_error())
            return fail(r.error());
        return done(0);
    }

    Outcome accept(int flags) {
        if (flags & ~(kNonBlock | kCloExec))
            return fail(EINVAL);
        auto s = TRY_OR_FAIL(socket_of(fd_arg(0)));
        auto conn = s->accept();
        if (conn.is_error()) {
            if (conn.error().code() == EAGAIN && !s->nonblocking())
                return park();
            return fail(conn.error());
        }
        auto peer = conn.value();
        if (flags & kNonBlock)
            peer->set_status_flags(kNonBlock);
        peer->path = "socket:";
        int fd = TRY_OR_FAIL(p.install(peer, flags & kCloExec));
        LinuxReply r(fd);
        out_address(r, c, 1, 2, sockaddr_of(peer->peer_path()));
        return Outcome{std::move(r)};
    }

    Outcome sockname(bool peer) {
        auto s = TRY_OR_FAIL(socket_of(fd_arg(0)));
        if (peer && s->state() != UnixSocket::State::Connected)
            return fail(ENOTCONN);
        LinuxReply r(0);
        out_address(r, c, 1, 2, sockaddr_of(peer ? s->peer_path() : s->bound_path()));
        return Outcome{std::move(r)};
    }

    Outcome getsockopt() {
        auto s = TRY_OR_FAIL(socket_of(fd_arg(0)));
        int level = int(arg(1)), opt = int(arg(2));
        if (level != 1) // SOL_SOCKET; AF_UNIX has no options of other levels
            return fail(EOPNOTSUPP);
        std::string value;
        auto put = [&](int32_t v) { value.assign(reinterpret_cast<const char*>(&v), 4); };
        switch (opt) {
        case 3: // SO_TYPE
            put(s->type());
            break;
        case 4: // SO_ERROR
            put(0);
            break;
        case 7: // SO_SNDBUF
        case 8: // SO_RCVBUF
            put(212992);
            break;
        case 17: { // SO_PEERCRED
            int32_t cred[3] = {0, 0, 0};
            value.assign(reinterpret_cast<const char*>(cred), sizeof cred);
            break;
        }
        default:
            put(0);
        }
        auto len = c.input_as<uint32_t>(4);
        if (!len)
            return fail(EFAULT);
        LinuxReply r(0);
        r.out(3, value.data(), std::min<size_t>(*len, value.size()));
        r.out(4, uint32_t(value.size()));
        return Outcome{std::move(r)};
    }

    Outcome statfs(NodePtr node, uint32_t out_arg) {
        struct KStatfs {
            int64_t type, bsize, blocks, bfree, bavail, files, ffree;
            int32_t fsid[2];
            int64_t namelen, frsize, flags, spare[4];
        } s{};
        Attributes a = node->attributes();
        FsStats fs = node->fs_stats();
        s.type = int64_t(fs.magic);
        s.bsize = s.frsize = 4096;
        s.blocks = int64_t(fs.blocks);
        s.bfree = s.bavail = int64_t(fs.free_blocks);
        s.files = int64_t(fs.files);
        s.ffree = int64_t(fs.free_files);
        s.fsid[0] = int32_t(a.dev);
        s.namelen = 255;
        constexpr int64_t kStRdonly = 1;
        s.flags = fs.read_only ? kStRdonly : 0;
        LinuxReply r(0);
        r.out(out_arg, s);
        return Outcome{std::move(r)};
    }

    Outcome sendfile() {
        FilePtr out = TRY_OR_FAIL(p.file(fd_arg(0)));
        FilePtr in = TRY_OR_FAIL(p.file(fd_arg(1)));
        if (!out->writable() || !in->readable())
            return fail(EBADF);
        size_t count = std::min<uint64_t>(c.args[3], 16384);
        std::string buf(count, '\0');
        auto off = c.input_as<int64_t>(2);
        // A file is read at the offset and its offset moves by what was
        // written: a short write, or a full pipe that parks the call, loses
        // nothing. (Bytes taken from a stream are gone either way.)
        bool positional = off || !in->is_stream();
        uint64_t start = off ? uint64_t(*off) : in->offset;
        ErrorOr<size_t> n =
            positional ? in->pread(start, buf.data(), count) : in->read(buf.data(), count);
        if (n.is_error())
            return stream_result(std::move(n), in);
        size_t wrote = 0;
        if (n.value()) {
            auto w = out->write(buf.data(), n.value());
            if (w.is_error())
                return positional ? stream_result(std::move(w), out) : fail(w.error());
            wrote = w.value();
        }
        if (!off && positional)
            in->offset = start + wrote;
        LinuxReply r{int64_t(wrote)};
        if (off) {
            int64_t next = *off + int64_t(wrote);
            r.out(2, next);
        }
        return Outcome{std::move(r)};
    }

    Outcome run();
};

Outcome Handler::run() {
    switch (LinuxSyscall(c.nr)) {
    case LinuxSyscall::read:
    case LinuxSyscall::recvfrom:
        return read();
    case LinuxSyscall::readv:
        return read(); // args[2] is the total byte count; the kernel scatters
    case LinuxSyscall::write:
    case LinuxSyscall::writev:
    case LinuxSyscall::sendto:
        return write(c.input(1));
    case LinuxSyscall::pread64:
    case LinuxSyscall::preadv: // args[2] is the total byte count; the kernel scatters
        return pread();
    case LinuxSyscall::pwrite64:
    case LinuxSyscall::pwritev:
        return pwrite();
    case LinuxSyscall::preadv2:
    case LinuxSyscall::pwritev2: {
        // RWF_HIPRI, RWF_DSYNC, RWF_SYNC, RWF_NOWAIT, RWF_APPEND: hints
        // here (every write is synchronous in memory).
        constexpr uint64_t kRwfKnown = 0x1f;
        if (c.args[5] & ~kRwfKnown)
            return fail(EOPNOTSUPP);
        bool is_read = LinuxSyscall(c.nr) == LinuxSyscall::preadv2;
        if (arg(3) == -1)
            return is_read ? read() : write(c.input(1));
        return is_read ? pread() : pwrite();
    }
    case LinuxSyscall::open:
        return open(kAtFdCwd, c.input(0), int(arg(1)), uint32_t(arg(2)));
    case LinuxSyscall::creat:
        return open(kAtFdCwd, c.input(0), kCreat | kWrite | kTrunc, uint32_t(arg(1)));
    case LinuxSyscall::openat:
        return open(fd_arg(0), c.input(1), int(arg(2)), uint32_t(arg(3)));
    case LinuxSyscall::close:
        return p.close(fd_arg(0)).is_error() ? fail(EBADF) : done(0);
    case LinuxSyscall::lseek:
        return lseek();
    case LinuxSyscall::dup: {
        FilePtr f = TRY_OR_FAIL(p.file(fd_arg(0)));
        return done(TRY_OR_FAIL(p.install(f, false)));
    }
    case LinuxSyscall::dup2:
        return dup2(fd_arg(0), fd_arg(1), 0, false);
    case LinuxSyscall::dup3:
        return dup2(fd_arg(0), fd_arg(1), int(arg(2)), true);
    case LinuxSyscall::fcntl:
        return fcntl();
    case LinuxSyscall::ioctl:
        return ioctl();
    case LinuxSyscall::stat:
        return stat_path(kAtFdCwd, c.input(0), 0, 1, false);
    case LinuxSyscall::lstat:
        return stat_path(kAtFdCwd, c.input(0), kAtSymlinkNofollow, 1, false);
    case LinuxSyscall::fstat:
        return stat_reply(TRY_OR_FAIL(p.file(fd_arg(0)))->node()->attributes(), 1, false);
    case LinuxSyscall::newfstatat:
        return stat_path(fd_arg(0), c.input(1), int(arg(3)), 2, false);
    case LinuxSyscall::statx:
        return stat_path(fd_arg(0), c.input(1), int(arg(2)), 4, true);
    case LinuxSyscall::getdents64:
        return getdents(true);
    case LinuxSyscall::getdents:
        return getdents(false);
    case LinuxSyscall::mkdir:
        return mkdir(kAtFdCwd, c.input(0), uint32_t(arg(1)));
    case LinuxSyscall::mkdirat:
        return mkdir(fd_arg(0), c.input(1), uint32_t(arg(2)));
    case LinuxSyscall::mknod:
        return mknod(kAtFdCwd, c.input(0), uint32_t(arg(1)));
    case LinuxSyscall::mknodat:
        return mknod(fd_arg(0), c.input(1), uint32_t(arg(2)));
    case LinuxSyscall::rmdir:
        return unlink(kAtFdCwd, c.input(0), kAtRemoveDir);
    case LinuxSyscall::unlink:
        return unlink(kAtFdCwd, c.input(0), 0);
    case LinuxSyscall::unlinkat:
        return unlink(fd_arg(0), c.input(1), int(arg(2)));
    case LinuxSyscall::rename:
        return rename(kAtFdCwd, c.input(0), kAtFdCwd, c.input(1), 0);
    case LinuxSyscall::renameat:
        return rename(fd_arg(0), c.input(1), fd_arg(2), c.input(3), 0);
    case LinuxSyscall::renameat2:
        return rename(fd_arg(0), c.input(1), fd_arg(2), c.input(3), int(arg(4)));
    case LinuxSyscall::link:
        return link(kAtFdCwd, c.input(0), kAtFdCwd, c.input(1), 0);
    case LinuxSyscall::linkat:
        return link(fd_arg(0), c.input(1), fd_arg(2), c.input(3), int(arg(4)));
    case LinuxSyscall::symlink:
        return symlink(c.input(0), kAtFdCwd, c.input(1));
    case LinuxSyscall::symlinkat:
        return symlink(c.input(0), fd_arg(1), c.input(2));
    case LinuxSyscall::readlink:
        return readlink(kAtFdCwd, c.input(0), 1, arg(2));
    case LinuxSyscall::readlinkat:
        return readlink(fd_arg(0), c.input(1), 2, arg(3));
    case LinuxSyscall::access:
        return access(kAtFdCwd, c.input(0), int(arg(1)), 0);
    case LinuxSyscall::faccessat:
        return access(fd_arg(0), c.input(1), int(arg(2)), 0);
    case LinuxSyscall::faccessat2:
        return access(fd_arg(0), c.input(1), int(arg(2)), int(arg(3)));
    case LinuxSyscall::chdir: {
        Resolved r = TRY_OR_FAIL(vfs.resolve_at(p, kAtFdCwd, c.input(0), {}));
        return chdir(r.node, r.full);
    }
    case LinuxSyscall::fchdir: {
        FilePtr f = TRY_OR_FAIL(p.file(fd_arg(0)));
        return chdir(f->node(), f->location);
    }
    case LinuxSyscall::getcwd:
        return getcwd();
    case LinuxSyscall::chmod:
        TRY_OR_FAIL(TRY_OR_FAIL(vfs.resolve_at(p, kAtFdCwd, c.input(0), {}))
                        .node->set_mode(uint32_t(arg(1))));
        return done(0);
    case LinuxSyscall::fchmodat:
        TRY_OR_FAIL(TRY_OR_FAIL(vfs.resolve_at(p, fd_arg(0), c.input(1), {}))
                        .node->set_mode(uint32_t(arg(2))));
        return done(0);
    case LinuxSyscall::fchmod:
        TRY_OR_FAIL(TRY_OR_FAIL(p.file(fd_arg(0)))->node()->set_mode(uint32_t(arg(1))));
        return done(0);
    case LinuxSyscall::chown:
    case LinuxSyscall::lchown:
        TRY_OR_FAIL(vfs.resolve_at(p, kAtFdCwd, c.input(0), {}));
        return done(0);
    case LinuxSyscall::fchownat:
        TRY_OR_FAIL(vfs.resolve_at(p, fd_arg(0), c.input(1), {}));
        return done(0);
    case LinuxSyscall::fchown:
        TRY_OR_FAIL(p.file(fd_arg(0)));
        return done(0);
    case LinuxSyscall::umask: {
        uint32_t old = p.umask;
        p.umask = uint32_t(arg(0)) & 0777;
        return done(old);
    }
    case LinuxSyscall::utimensat: {
        NodePtr node;
        if (!c.has_input(1)) {
            node = fd_arg(0) == kAtFdCwd ? p.cwd.node() : TRY_OR_FAIL(p.file(fd_arg(0)))->node();
        } else {
            ResolveOptions o;
            o.follow_last = !(arg(3) & kAtSymlinkNofollow);
            node = TRY_OR_FAIL(vfs.resolve_at(p, fd_arg(0), c.input(1), o)).node;
        }
        return set_times(node, c.input(2));
    }
    case LinuxSyscall::utimes:
    case LinuxSyscall::utime: {
        NodePtr node = TRY_OR_FAIL(vfs.resolve_at(p, kAtFdCwd, c.input(0), {})).node;
        if (!c.has_input(1))
            return set_times(node, {});
        int64_t v[4] = {};
        std::string_view in = c.input(1);
        if (LinuxSyscall(c.nr) == LinuxSyscall::utimes && in.size() >= 32) {
            std::memcpy(v, in.data(), 32);
            v[1] *= 1000, v[3] *= 1000;
        } else if (in.size() >= 16) {
            int64_t t[2];
            std::memcpy(t, in.data(), 16);
            v[0] = t[0], v[2] = t[1];
        }
        return set_times(node, std::string_view(reinterpret_cast<const char*>(v), sizeof v));
    }
    case LinuxSyscall::truncate: {
        if (arg(1) < 0)
            return fail(EINVAL);
        NodePtr node = TRY_OR_FAIL(vfs.resolve_at(p, kAtFdCwd, c.input(0), {})).node;
        if (node->is_directory())
            return fail(EISDIR);
        if (node->read_only())
            return fail(EROFS);
        if (vfs.procs.executes(node.get()))
            return fail(ETXTBSY);
        TRY_OR_FAIL(node->truncate(c.args[1]));
        return done(0);
    }
    case LinuxSyscall::ftruncate: {
        FilePtr f = TRY_OR_FAIL(p.file(fd_arg(0)));
        if (arg(1) < 0)
            return fail(EINVAL);
        if (!f->writable() || f->node()->type() != FileType::Regular)
            return fail(EINVAL);
        TRY_OR_FAIL(f->node()->truncate(c.args[1]));
        return done(0);
    }
    case LinuxSyscall::fsync:
    case LinuxSyscall::fdatasync:
    case LinuxSyscall::syncfs: {
        FilePtr f = TRY_OR_FAIL(p.file(fd_arg(0)));
        const NodePtr& node = f->node();
        bool syncfs = LinuxSyscall(c.nr) == LinuxSyscall::syncfs;
        // As on Linux: only files and directories can be synced (pipes,
        // sockets and devices are EINVAL); syncfs takes any fd.
        if (!node || (!syncfs && node->type() != FileType::Regular && !node->is_directory()))
            return syncfs ? done(0) : fail(EINVAL);
        auto r = node->sync();
        if (r.is_error() && !(syncfs && r.error().code() == EINVAL))
            return fail(r.error());
        return done(0);
    }
    case LinuxSyscall::flock:
    case LinuxSyscall::fadvise64:
        TRY_OR_FAIL(p.file(fd_arg(0)));
        return done(0);
    case LinuxSyscall::sync:
        sync_fat_volumes();
        return done(0);
    case LinuxSyscall::statfs:
        return statfs(TRY_OR_FAIL(vfs.resolve_at(p, kAtFdCwd, c.input(0), {})).node, 1);
    case LinuxSyscall::fstatfs:
        return statfs(TRY_OR_FAIL(p.file(fd_arg(0)))->node(), 1);
    case LinuxSyscall::getxattr:
    case LinuxSyscall::lgetxattr:
        TRY_OR_FAIL(vfs.resolve_at(p, kAtFdCwd, c.input(0), {}));
        return fail(ENODATA);
    case LinuxSyscall::fgetxattr:
        TRY_OR_FAIL(p.file(fd_arg(0)));
        return fail(ENODATA);
    case LinuxSyscall::listxattr:
    case LinuxSyscall::llistxattr:
        TRY_OR_FAIL(vfs.resolve_at(p, kAtFdCwd, c.input(0), {}));
        return done(0);
    case LinuxSyscall::flistxattr:
        TRY_OR_FAIL(p.file(fd_arg(0)));
        return done(0);
    case LinuxSyscall::pipe:
        return pipe(0);
    case LinuxSyscall::pipe2:
        return pipe(int(arg(1)));
    case LinuxSyscall::poll:
        return poll(c.input(0), int32_t(arg(2)), int32_t(arg(2)) >= 0);
    case LinuxSyscall::ppoll: {
        std::string_view ts = c.input(2);
        if (ts.empty())
            return poll(c.input(0), -1, false);
        int64_t v[2];
        std::memcpy(v, ts.data(), 16);
        if (v[0] < 0 || v[1] < 0 || v[1] >= 1000000000)
            return fail(EINVAL);
        return poll(c.input(0), v[0] * 1000 + (v[1] + 999999) / 1000000, true);
    }
    case LinuxSyscall::select:
        return select(false);
    case LinuxSyscall::pselect6:
        return select(true);
    case LinuxSyscall::epoll_create:
        if (arg(0) <= 0)
            return fail(EINVAL);
        [[fallthrough]];
    case LinuxSyscall::epoll_create1: {
        int flags = LinuxSyscall(c.nr) == LinuxSyscall::epoll_create1 ? int(arg(0)) : 0;
        if (flags & ~kCloExec)
            return fail(EINVAL);
        auto ep = std::make_shared<EpollFile>(std::make_shared<MemFile>(0600, 0x40), kRead);
        ep->path = "anon_inode:[eventpoll]";
        return done(TRY_OR_FAIL(p.install(ep, flags & kCloExec)));
    }
    case LinuxSyscall::epoll_ctl: {
        FilePtr f = TRY_OR_FAIL(p.file(fd_arg(0)));
        auto* ep = dynamic_cast<EpollFile*>(f.get());
        FilePtr target = TRY_OR_FAIL(p.file(fd_arg(2)));
        if (!ep)
            return fail(EINVAL);
        if (!target->is_stream() && !dynamic_cast<EpollFile*>(target.get()) && !target->is_tty())
            return fail(EPERM); // regular files and directories cannot be watched (as on Linux)
        auto ev = c.input_as<EpollEvent>(3);
        TRY_OR_FAIL(ep->ctl(int(arg(1)), fd_arg(2), target, ev ? &*ev : nullptr));
        return done(0);
    }
    case LinuxSyscall::epoll_wait:
    case LinuxSyscall::epoll_pwait:
        return epoll_wait();
    case LinuxSyscall::socket:
        return socket(false);
    case LinuxSyscall::socketpair:
        return socket(true);
    case LinuxSyscall::bind:
        return bind();
    case LinuxSyscall::listen: {
        auto s = TRY_OR_FAIL(socket_of(fd_arg(0)));
        TRY_OR_FAIL(s->listen(int(arg(1))));
        return done(0);
    }
    case LinuxSyscall::connect:
        return connect();
    case LinuxSyscall::accept:
        return accept(0);
    case LinuxSyscall::accept4:
        return accept(int(arg(3)));
    case LinuxSyscall::shutdown: {
        auto s = TRY_OR_FAIL(socket_of(fd_arg(0)));
        TRY_OR_FAIL(s->shutdown(int(arg(1))));
        return done(0);
    }
    case LinuxSyscall::getsockname:
        return sockname(false);
    case LinuxSyscall::getpeername:
        return sockname(true);
    case LinuxSyscall::setsockopt:
        TRY_OR_FAIL(socket_of(fd_arg(0)));
        return done(0);
    case LinuxSyscall::getsockopt:
        return getsockopt();
    case LinuxSyscall::sendfile:
        return sendfile();
    default:
        return fail(ENOSYS);
    }
}

} // namespace

Outcome Vfs::handle(const LinuxCall& call, CallState& state) {
    Process& p = procs.get(call.pid);
    g_current_pid = call.pid;
    g_current_tid = call.tid;
    Handler h{*this, p, call, state};
    Outcome o = h.run();
    return o;
}

} // namespace vfsd
