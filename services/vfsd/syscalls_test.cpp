// vfsd's Linux system calls driven through Vfs::handle with the calls the
// kernel offloads (number, raw arguments, marshalled inputs), checked
// against what Linux returns for the same calls on tmpfs.
#include "test_support.h"

#include "pipe.h"

#include <dirent.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/time.h>
#include <termios.h>

#include <cerrno>

using namespace vfsd;
using namespace vfsd::test;

namespace {

class VfsdSyscalls : public VfsHarness {
protected:
    int64_t fcntl(int64_t fd, int cmd, int64_t arg = 0) {
        return sys(LinuxSyscall::fcntl, {uint64_t(fd), uint64_t(cmd), uint64_t(arg)});
    }
    int64_t lseek(int64_t fd, int64_t off, int whence) {
        return sys(LinuxSyscall::lseek, {uint64_t(fd), uint64_t(off), uint64_t(whence)});
    }
    int64_t dup2(int64_t oldfd, int64_t newfd) {
        return sys(LinuxSyscall::dup2, {uint64_t(oldfd), uint64_t(newfd)});
    }
    int64_t dup3(int64_t oldfd, int64_t newfd, int flags) {
        return sys(LinuxSyscall::dup3, {uint64_t(oldfd), uint64_t(newfd), uint64_t(flags)});
    }
    int64_t unlinkat(int dirfd, std::string_view path, int flags) {
        return sys(LinuxSyscall::unlinkat, {at(dirfd), 0, uint64_t(flags)},
                   {{1, std::string(path)}});
    }
    std::string getcwd(size_t size = 4096) {
        int64_t r = sys(LinuxSyscall::getcwd, {0, size});
        std::string out = output(0);
        if (r > 0) {
            EXPECT_EQ(size_t(r), out.size());
            EXPECT_EQ(out.back(), '\0');
            out.pop_back();
        }
        return out;
    }
    std::string readlink(std::string_view path, size_t size = 4096) {
        sys(LinuxSyscall::readlink, {0, 0, size}, {{0, std::string(path)}});
        return output(1);
    }
    mode_t mode_of(std::string_view path, int flags = 0) {
        struct stat st {};
        EXPECT_EQ(stat(path, &st, flags), 0) << path;
        return st.st_mode;
    }
    struct Dirent {
        uint64_t ino, off;
        uint16_t reclen;
        uint8_t type;
        std::string name;
    };
    // One getdents64 call: the records it returned (result in last.result).
    std::vector<Dirent> getdents64(int64_t fd, size_t cap = 4096) {
        std::vector<Dirent> out;
        int64_t n = sys(LinuxSyscall::getdents64, {uint64_t(fd), 0, cap});
        std::string buf = output(1);
        EXPECT_EQ(n < 0 ? 0 : size_t(n), buf.size());
        for (size_t pos = 0; pos + 19 <= buf.size();) {
            Dirent d;
            std::memcpy(&d.ino, buf.data() + pos, 8);
            std::memcpy(&d.off, buf.data() + pos + 8, 8);
            std::memcpy(&d.reclen, buf.data() + pos + 16, 2);
            d.type = uint8_t(buf[pos + 18]);
            d.name = std::string(buf.c_str() + pos + 19);
            EXPECT_EQ(d.reclen % 8, 0u) << d.name;
            EXPECT_GE(d.reclen, 19 + d.name.size() + 1) << d.name;
            if (d.reclen == 0)
                break;
            pos += d.reclen;
            out.push_back(d);
        }
        return out;
    }
    static std::vector<std::string> names(const std::vector<Dirent>& list) {
        std::vector<std::string> out;
        for (auto& d : list)
            out.push_back(d.name);
        return out;
    }
    uint64_t ino_of(std::string_view path) {
        struct stat st {};
        EXPECT_EQ(stat(path, &st), 0) << path;
        return st.st_ino;
    }
};

// --- openat ---

TEST_F(VfsdSyscalls, OpenCreatExcl) {
    EXPECT_EQ(open("/tmp/f", O_RDONLY), -ENOENT);
    int64_t fd = open("/tmp/f", O_WRONLY | O_CREAT | O_EXCL, 0600);
    ASSERT_GE(fd, 0);
    EXPECT_EQ(open("/tmp/f", O_WRONLY | O_CREAT | O_EXCL), -EEXIST);
    EXPECT_GE(open("/tmp/f", O_WRONLY | O_CREAT), 0);
    EXPECT_EQ(mode_of("/tmp/f"), S_IFREG | 0600);
    // O_EXCL does not follow a symlink, not even a dangling one.
    ASSERT_EQ(symlink("/tmp/target", "/tmp/dangling"), 0);
    EXPECT_EQ(open("/tmp/dangling", O_WRONLY | O_CREAT | O_EXCL), -EEXIST);
    EXPECT_EQ(open("/tmp/target", O_RDONLY), -ENOENT);
    // Without O_EXCL, O_CREAT creates the dangling link's target.
    EXPECT_GE(open("/tmp/dangling", O_WRONLY | O_CREAT), 0);
    EXPECT_EQ(mode_of("/tmp/target"), S_IFREG | 0644);
}

TEST_F(VfsdSyscalls, OpenCreateAppliesTheUmask) {
    EXPECT_EQ(sys(LinuxSyscall::umask, {027}), 022);
    ASSERT_GE(open("/tmp/m", O_CREAT | O_WRONLY, 0666), 0);
    EXPECT_EQ(mode_of("/tmp/m"), S_IFREG | 0640);
    EXPECT_EQ(sys(LinuxSyscall::umask, {0777777}), 027);
    EXPECT_EQ(sys(LinuxSyscall::umask, {022}), 0777);
}

TEST_F(VfsdSyscalls, OpenTruncAndAppend) {
    put_file("/tmp/f", "0123456789");
    int64_t ro = open("/tmp/f", O_RDONLY);
    EXPECT_EQ(read(ro, 4), "0123");
    int64_t fd = open("/tmp/f", O_WRONLY | O_TRUNC);
    ASSERT_GE(fd, 0);
    EXPECT_EQ(get_file("/tmp/f"), "");
    EXPECT_EQ(read(ro, 4), ""); // past the end now
    EXPECT_EQ(write(fd, "abc"), 3);
    int64_t ap = open("/tmp/f", O_WRONLY | O_APPEND);
    EXPECT_EQ(lseek(ap, 0, SEEK_SET), 0);
    EXPECT_EQ(write(ap, "XY"), 2); // at the end whatever the offset
    EXPECT_EQ(lseek(ap, 0, SEEK_CUR), 5);
    EXPECT_EQ(write(fd, "d"), 1); // fd's own offset was 3
    EXPECT_EQ(get_file("/tmp/f"), "abcdY");
    EXPECT_EQ(fcntl(ap, F_GETFL) & O_APPEND, O_APPEND);
    // O_TRUNC truncates whatever the access mode, as on Linux.
    int64_t rt = open("/tmp/f", O_RDONLY | O_TRUNC);
    ASSERT_GE(rt, 0);
    EXPECT_EQ(get_file("/tmp/f"), "");
}

TEST_F(VfsdSyscalls, OpenDirectories) {
    ASSERT_EQ(mkdir("/tmp/d"), 0);
    put_file("/tmp/f", "x");
    EXPECT_GE(open("/tmp/d", O_RDONLY | O_DIRECTORY), 0);
    EXPECT_EQ(open("/tmp/f", O_RDONLY | O_DIRECTORY), -ENOTDIR);
    EXPECT_EQ(open("/tmp/d", O_WRONLY), -EISDIR);
    EXPECT_EQ(open("/tmp/d", O_RDWR), -EISDIR);
    EXPECT_EQ(open("/tmp/d", O_RDONLY | O_CREAT), -EISDIR);
    int64_t fd = open("/tmp/d", O_RDONLY);
    EXPECT_EQ(read(fd, 10), "");
    EXPECT_EQ(last.result, -EISDIR);
    EXPECT_EQ(write(fd, "x"), -EBADF);
}

TEST_F(VfsdSyscalls, OpenWithTrailingSlashes) {
    put_file("/tmp/f", "x");
    ASSERT_EQ(mkdir("/tmp/d"), 0);
    EXPECT_EQ(open("/tmp/f/", O_RDONLY), -ENOTDIR);
    EXPECT_GE(open("/tmp/d/", O_RDONLY), 0);
    // With O_CREAT a trailing slash is EISDIR, whatever is there (Linux's
    // open_last_lookups).
    EXPECT_EQ(open("/tmp/new/", O_WRONLY | O_CREAT), -EISDIR);
    EXPECT_EQ(open("/tmp/f/", O_WRONLY | O_CREAT), -EISDIR);
    EXPECT_EQ(open("/tmp/d/", O_RDONLY | O_CREAT), -EISDIR);
    EXPECT_EQ(open("/tmp/missing/x/", O_WRONLY | O_CREAT), -ENOENT);
    EXPECT_EQ(open("/tmp/new", O_RDONLY), -ENOENT);
}

TEST_F(VfsdSyscalls, OpenNoFollowAndPath) {
    put_file("/tmp/f", "data");
    ASSERT_EQ(symlink("f", "/tmp/link"), 0);
    ASSERT_EQ(symlink("/tmp", "/tmp/dirlink"), 0);
    EXPECT_EQ(open("/tmp/link", O_RDONLY | O_NOFOLLOW), -ELOOP);
    EXPECT_GE(open("/tmp/dirlink/f", O_RDONLY | O_NOFOLLOW), 0); // only the last one counts
    int64_t fd = open("/tmp/link", O_PATH | O_NOFOLLOW);
    ASSERT_GE(fd, 0);
    struct stat st;
    ASSERT_EQ(fstat(fd, &st), 0);
    EXPECT_TRUE(S_ISLNK(st.st_mode));
    EXPECT_EQ(read(fd, 4), "");
    EXPECT_EQ(last.result, -EBADF); // O_PATH fds do no I/O
    int64_t p = open("/tmp/f", O_PATH);
    EXPECT_EQ(write(p, "x"), -EBADF);
    EXPECT_EQ(fcntl(p, F_GETFL) & O_PATH, O_PATH);
}

TEST_F(VfsdSyscalls, OpenCloexecAndAccessModes) {
    put_file("/tmp/f", "data");
    int64_t fd = open("/tmp/f", O_RDONLY | O_CLOEXEC);
    EXPECT_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
    EXPECT_EQ(write(fd, "x"), -EBADF);
    int64_t wo = open("/tmp/f", O_WRONLY);
    EXPECT_EQ(fcntl(wo, F_GETFD), 0);
    EXPECT_EQ(read(wo, 1), "");
    EXPECT_EQ(last.result, -EBADF);
    EXPECT_EQ(fcntl(wo, F_GETFL) & O_ACCMODE, O_WRONLY);
    int64_t rw = open("/tmp/f", O_RDWR);
    EXPECT_EQ(read(rw, 2), "da");
    EXPECT_EQ(write(rw, "TA"), 2);
    EXPECT_EQ(get_file("/tmp/f"), "daTA");
}

TEST_F(VfsdSyscalls, OpenatRelativeToADirectoryFd) {
    ASSERT_EQ(mkdir("/tmp/d"), 0);
    put_file("/tmp/d/inner", "in");
    put_file("/tmp/f", "");
    int64_t dfd = open("/tmp/d", O_RDONLY | O_DIRECTORY);
    int64_t ffd = open("/tmp/f", O_RDONLY);
    int64_t fd = open("inner", O_RDONLY, 0, int(dfd));
    ASSERT_GE(fd, 0);
    EXPECT_EQ(read(fd, 10), "in");
    EXPECT_GE(open("../f", O_RDONLY, 0, int(dfd)), 0);
    EXPECT_GE(open("/tmp/f", O_RDONLY, 0, 999), 0); // absolute: dirfd unused
    EXPECT_EQ(open("inner", O_RDONLY, 0, 999), -EBADF);
    EXPECT_EQ(open("inner", O_RDONLY, 0, int(ffd)), -ENOTDIR);
    EXPECT_GE(open("new", O_WRONLY | O_CREAT, 0644, int(dfd)), 0);
    EXPECT_EQ(mode_of("/tmp/d/new"), S_IFREG | 0644);
}

TEST_F(VfsdSyscalls, OpenFdsAreTheLowestFree) {
    put_file("/tmp/f", "");
    EXPECT_EQ(open("/tmp/f", O_RDONLY), 0);
    EXPECT_EQ(open("/tmp/f", O_RDONLY), 1);
    EXPECT_EQ(open("/tmp/f", O_RDONLY), 2);
    EXPECT_EQ(close(1), 0);
    EXPECT_EQ(close(1), -EBADF);
    EXPECT_EQ(open("/tmp/f", O_RDONLY), 1);
    process().fd_limit = 3;
    EXPECT_EQ(open("/tmp/f", O_RDONLY), -EMFILE);
}

// --- read, write, lseek ---

TEST_F(VfsdSyscalls, ReadWriteLseek) {
    int64_t fd = open("/tmp/f", O_RDWR | O_CREAT);
    EXPECT_EQ(write(fd, "hello world"), 11);
    EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 11);
    EXPECT_EQ(lseek(fd, 6, SEEK_SET), 6);
    EXPECT_EQ(read(fd, 100), "world");
    EXPECT_EQ(read(fd, 100), "");
    EXPECT_EQ(last.result, 0);
    EXPECT_EQ(lseek(fd, -5, SEEK_END), 6);
    EXPECT_EQ(lseek(fd, -1, SEEK_CUR), 5);
    EXPECT_EQ(lseek(fd, -6, SEEK_CUR), -EINVAL);
    EXPECT_EQ(lseek(fd, 0, 7), -EINVAL);
    EXPECT_EQ(lseek(fd, INT64_MAX, SEEK_END), -EINVAL);
    // Past the end, a write leaves a hole of zeros.
    EXPECT_EQ(lseek(fd, 13, SEEK_SET), 13);
    EXPECT_EQ(write(fd, "!"), 1);
    EXPECT_EQ(get_file("/tmp/f"), std::string("hello world\0\0!", 14));
    EXPECT_EQ(read(99, 1), "");
    EXPECT_EQ(last.result, -EBADF);
    EXPECT_EQ(write(99, "x"), -EBADF);
    EXPECT_EQ(lseek(99, 0, SEEK_SET), -EBADF);
}

TEST_F(VfsdSyscalls, PreadPwriteKeepTheOffset) {
    int64_t fd = open("/tmp/f", O_RDWR | O_CREAT);
    ASSERT_EQ(write(fd, "abcdef"), 6);
    ASSERT_EQ(lseek(fd, 1, SEEK_SET), 1);
    EXPECT_EQ(sys(LinuxSyscall::pread64, {uint64_t(fd), 0, 3, 2}), 3);
    EXPECT_EQ(output(1), "cde");
    EXPECT_EQ(sys(LinuxSyscall::pwrite64, {uint64_t(fd), 0, 2, 4}, {{1, "XY"}}), 2);
    EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 1);
    EXPECT_EQ(get_file("/tmp/f"), "abcdXY");
    EXPECT_EQ(sys(LinuxSyscall::pread64, {uint64_t(fd), 0, 3, uint64_t(-1)}), -EINVAL);
    EXPECT_EQ(sys(LinuxSyscall::pwrite64, {uint64_t(fd), 0, 1, uint64_t(-1)}, {{1, "x"}}), -EINVAL);
    auto [r, w] = pipe();
    EXPECT_EQ(sys(LinuxSyscall::pread64, {uint64_t(r), 0, 1, 0}), -ESPIPE);
    EXPECT_EQ(lseek(r, 0, SEEK_CUR), -ESPIPE);
}

TEST_F(VfsdSyscalls, ForkedProcessesShareTheOffset) {
    put_file("/tmp/f", "abcdef");
    int64_t fd = open("/tmp/f", O_RDONLY);
    vfs.procs.fork(kPid, kPid + 1);
    EXPECT_EQ(read(fd, 2), "ab");
    sys(LinuxSyscall::read, {uint64_t(fd), 0, 2}, {}, kPid + 1);
    EXPECT_EQ(output(1), "cd");
    EXPECT_EQ(close(fd), 0);
    sys(LinuxSyscall::read, {uint64_t(fd), 0, 2}, {}, kPid + 1);
    EXPECT_EQ(output(1), "ef");
}

// --- getdents64 ---

TEST_F(VfsdSyscalls, Getdents64Format) {
    ASSERT_EQ(mkdir("/tmp/d"), 0);
    put_file("/tmp/d/file", "");
    ASSERT_EQ(mkdir("/tmp/d/sub"), 0);
    ASSERT_EQ(symlink("file", "/tmp/d/a-link"), 0);
    std::string long_name(255, 'L');
    put_file("/tmp/d/" + long_name, "");
    int64_t fd = open("/tmp/d", O_RDONLY | O_DIRECTORY);
    auto list = getdents64(fd);
    ASSERT_EQ(list.size(), 6u);
    EXPECT_EQ(names(list),
              (std::vector<std::string>{".", "..", long_name, "a-link", "file", "sub"}));
    EXPECT_EQ(list[0].ino, ino_of("/tmp/d"));
    EXPECT_EQ(list[1].ino, ino_of("/tmp"));
    EXPECT_EQ(list[4].ino, ino_of("/tmp/d/file"));
    EXPECT_EQ(list[0].type, DT_DIR);
    EXPECT_EQ(list[1].type, DT_DIR);
    EXPECT_EQ(list[3].type, DT_LNK);
    EXPECT_EQ(list[4].type, DT_REG);
    EXPECT_EQ(list[5].type, DT_DIR);
    EXPECT_EQ(list[2].reclen, (19 + 255 + 1 + 7) & ~7);
    EXPECT_EQ(list[0].reclen, 24);
    for (size_t i = 0; i < list.size(); ++i)
        EXPECT_EQ(list[i].off, i + 1); // what lseek back to it takes
    // The end: 0.
    EXPECT_TRUE(getdents64(fd).empty());
    EXPECT_EQ(last.result, 0);
    // Rewound with lseek, the listing starts again.
    EXPECT_EQ(lseek(fd, 0, SEEK_SET), 0);
    EXPECT_EQ(getdents64(fd).size(), 6u);
    EXPECT_EQ(lseek(fd, 4, SEEK_SET), 4);
    EXPECT_EQ(names(getdents64(fd)), (std::vector<std::string>{"file", "sub"}));
}

TEST_F(VfsdSyscalls, Getdents64InSmallBuffers) {
    ASSERT_EQ(mkdir("/tmp/d"), 0);
    for (const char* n : {"a", "b", "c"})
        put_file(std::string("/tmp/d/") + n, "");
    int64_t fd = open("/tmp/d", O_RDONLY);
    EXPECT_TRUE(getdents64(fd, 10).empty());
    EXPECT_EQ(last.result, -EINVAL); // not even one record fits
    std::vector<std::string> all;
    for (int i = 0; i < 10; ++i) {
        auto part = getdents64(fd, 50); // two 24-byte records at a time
        if (part.empty())
            break;
        EXPECT_LE(part.size(), 2u);
        for (auto& n : names(part))
            all.push_back(n);
    }
    EXPECT_EQ(all, (std::vector<std::string>{".", "..", "a", "b", "c"}));
}

TEST_F(VfsdSyscalls, GetdentsOfTheRootAndOfNonDirectories) {
    int64_t fd = open("/", O_RDONLY);
    auto list = getdents64(fd);
    ASSERT_GE(list.size(), 3u);
    EXPECT_EQ(list[1].name, "..");
    EXPECT_EQ(list[1].ino, list[0].ino); // the root's ".." is itself
    EXPECT_EQ(list[2].name, "tmp");
    put_file("/tmp/f", "");
    int64_t file = open("/tmp/f", O_RDONLY);
    EXPECT_TRUE(getdents64(file).empty());
    EXPECT_EQ(last.result, -ENOTDIR);
    EXPECT_EQ(sys(LinuxSyscall::getdents64, {99, 0, 100}), -EBADF);
}

TEST_F(VfsdSyscalls, OldGetdentsPutsTheTypeLast) {
    ASSERT_EQ(mkdir("/tmp/d"), 0);
    int64_t fd = open("/tmp/d", O_RDONLY);
    int64_t n = sys(LinuxSyscall::getdents, {uint64_t(fd), 0, 4096});
    std::string buf = output(1);
    ASSERT_EQ(n, 48); // "." and "..", 24 bytes each
    uint16_t reclen = value_of<uint16_t>(buf.substr(16));
    EXPECT_EQ(reclen, 24);
    EXPECT_EQ(buf.substr(18, 2), std::string(".\0", 2));
    EXPECT_EQ(buf[reclen - 1], DT_DIR);
}

// --- fcntl, dup ---

TEST_F(VfsdSyscalls, FcntlDupfdAndFdFlags) {
    put_file("/tmp/f", "");
    int64_t fd = open("/tmp/f", O_RDONLY | O_CLOEXEC);
    int64_t d = fcntl(fd, F_DUPFD, 10);
    EXPECT_EQ(d, 10);
    EXPECT_EQ(fcntl(d, F_GETFD), 0); // F_DUPFD clears FD_CLOEXEC
    EXPECT_EQ(fcntl(fd, F_DUPFD_CLOEXEC, 10), 11);
    EXPECT_EQ(fcntl(11, F_GETFD), FD_CLOEXEC);
    EXPECT_EQ(fcntl(fd, F_SETFD, 0), 0);
    EXPECT_EQ(fcntl(fd, F_GETFD), 0);
    EXPECT_EQ(fcntl(fd, F_DUPFD, 1024), -EINVAL);
    EXPECT_EQ(fcntl(fd, F_DUPFD, -1), -EINVAL);
    EXPECT_EQ(fcntl(99, F_GETFD), -EBADF);
    EXPECT_EQ(fcntl(fd, 12345), -EINVAL);
}

TEST_F(VfsdSyscalls, FcntlStatusFlags) {
    put_file("/tmp/f", "");
    int64_t fd = open("/tmp/f", O_RDWR);
    int64_t d = sys(LinuxSyscall::dup, {uint64_t(fd)});
    EXPECT_EQ(fcntl(fd, F_GETFL) & (O_ACCMODE | O_APPEND | O_NONBLOCK), O_RDWR);
    // F_SETFL changes O_APPEND and O_NONBLOCK, never the access mode; the
    // status flags belong to the open file, so a dup sees them.
    EXPECT_EQ(fcntl(fd, F_SETFL, O_WRONLY | O_APPEND | O_NONBLOCK | O_TRUNC), 0);
    EXPECT_EQ(fcntl(d, F_GETFL) & (O_ACCMODE | O_APPEND | O_NONBLOCK | O_TRUNC),
              O_RDWR | O_APPEND | O_NONBLOCK);
    EXPECT_EQ(fcntl(fd, F_SETFL, 0), 0);
    EXPECT_EQ(fcntl(d, F_GETFL) & (O_APPEND | O_NONBLOCK), 0);
}

TEST_F(VfsdSyscalls, FcntlPipeSizeAndLocks) {
    auto [r, w] = pipe();
    put_file("/tmp/f", "");
    int64_t fd = open("/tmp/f", O_RDWR);
    EXPECT_EQ(fcntl(r, F_GETPIPE_SZ), 65536);
    EXPECT_EQ(fcntl(fd, F_GETPIPE_SZ), -EBADF);
    EXPECT_GE(fcntl(w, F_SETPIPE_SZ, 4096), 4096);
    EXPECT_EQ(fcntl(fd, F_SETPIPE_SZ, 4096), -EBADF);
    struct flock fl {};
    fl.l_type = F_WRLCK;
    EXPECT_EQ(sys(LinuxSyscall::fcntl, {uint64_t(fd), F_GETLK, 1}, {{2, bytes_of(fl)}}), 0);
    EXPECT_EQ(value_of<struct flock>(output(2)).l_type, F_UNLCK);
    EXPECT_EQ(sys(LinuxSyscall::fcntl, {uint64_t(fd), F_SETLK, 1}, {{2, bytes_of(fl)}}), 0);
}

TEST_F(VfsdSyscalls, DupSharesTheOffset) {
    put_file("/tmp/f", "abcd");
    int64_t fd = open("/tmp/f", O_RDONLY);
    int64_t d = sys(LinuxSyscall::dup, {uint64_t(fd)});
    EXPECT_EQ(d, fd + 1);
    EXPECT_EQ(read(fd, 2), "ab");
    EXPECT_EQ(read(d, 2), "cd");
    EXPECT_EQ(sys(LinuxSyscall::dup, {99}), -EBADF);
}

TEST_F(VfsdSyscalls, Dup2AndDup3) {
    put_file("/tmp/f", "");
    int64_t fd = open("/tmp/f", O_RDONLY);
    EXPECT_EQ(dup2(fd, fd), fd);
    EXPECT_EQ(dup2(99, 99), -EBADF);
    EXPECT_EQ(dup2(fd, 7), 7);
    EXPECT_EQ(fcntl(7, F_GETFD), 0);
    EXPECT_EQ(dup3(fd, 8, O_CLOEXEC), 8);
    EXPECT_EQ(fcntl(8, F_GETFD), FD_CLOEXEC);
    EXPECT_EQ(dup2(fd, 8), 8); // dup2 onto an fd clears its FD_CLOEXEC
    EXPECT_EQ(fcntl(8, F_GETFD), 0);
    EXPECT_EQ(dup3(fd, fd, 0), -EINVAL);
    EXPECT_EQ(dup3(fd, 9, O_NONBLOCK), -EINVAL);
    EXPECT_EQ(dup2(fd, 1024), -EBADF);
    EXPECT_EQ(dup2(fd, -1), -EBADF);
    EXPECT_EQ(dup3(99, 99, 0), -EINVAL); // Linux checks oldfd == newfd first
}

TEST_F(VfsdSyscalls, Dup2OverAnOpenFdClosesIt) {
    auto [r, w] = pipe();
    put_file("/tmp/f", "");
    int64_t fd = open("/tmp/f", O_WRONLY);
    EXPECT_EQ(dup2(fd, w), w);
    // The pipe's only writer went: its reader sees end of file.
    EXPECT_EQ(read(r, 1), "");
    EXPECT_EQ(last.result, 0);
}

// --- metadata ---

TEST_F(VfsdSyscalls, NewfstatatFollowsUnlessAskedNot) {
    put_file("/tmp/f", "12345");
    ASSERT_EQ(symlink("f", "/tmp/link"), 0);
    struct stat st;
    ASSERT_EQ(stat("/tmp/f", &st), 0);
    EXPECT_EQ(st.st_mode, S_IFREG | 0644);
    EXPECT_EQ(st.st_size, 5);
    EXPECT_EQ(st.st_nlink, 1u);
    EXPECT_EQ(st.st_blocks, 1);
    EXPECT_EQ(st.st_blksize, 4096);
    uint64_t ino = st.st_ino;
    ASSERT_EQ(stat("/tmp/link", &st), 0);
    EXPECT_EQ(st.st_ino, ino);
    ASSERT_EQ(stat("/tmp/link", &st, AT_SYMLINK_NOFOLLOW), 0);
    EXPECT_TRUE(S_ISLNK(st.st_mode));
    EXPECT_EQ(st.st_size, 1);
    EXPECT_NE(st.st_ino, ino);
    EXPECT_EQ(stat("/tmp/missing", &st), -ENOENT);
    EXPECT_EQ(stat("/tmp/f", &st, 0x4000), -EINVAL);
    ASSERT_EQ(sys(LinuxSyscall::lstat, {0, 0}, {{0, "/tmp/link"}}), 0);
    EXPECT_TRUE(S_ISLNK(value_of<struct stat>(output(1)).st_mode));
}

TEST_F(VfsdSyscalls, NewfstatatEmptyPath) {
    put_file("/tmp/f", "x");
    int64_t fd = open("/tmp/f", O_RDONLY);
    struct stat st;
    EXPECT_EQ(stat("", &st, 0, int(fd)), -ENOENT);
    ASSERT_EQ(stat("", &st, AT_EMPTY_PATH, int(fd)), 0);
    EXPECT_EQ(st.st_ino, ino_of("/tmp/f"));
    ASSERT_EQ(chdir("/tmp"), 0);
    ASSERT_EQ(stat("", &st, AT_EMPTY_PATH), 0); // AT_FDCWD: the cwd
    EXPECT_EQ(st.st_ino, ino_of("/tmp"));
    EXPECT_EQ(stat("", &st, AT_EMPTY_PATH, 99), -EBADF);
    // Relative to a directory fd.
    int64_t dfd = open("/tmp", O_RDONLY);
    ASSERT_EQ(stat("f", &st, 0, int(dfd)), 0);
    EXPECT_EQ(st.st_size, 1);
}

TEST_F(VfsdSyscalls, StatxBasics) {
    put_file("/tmp/f", "123");
    ASSERT_EQ(sys(LinuxSyscall::statx, {at(AT_FDCWD), 0, 0, 0x7ff, 1}, {{1, "/tmp/f"}}), 0);
    std::string out = output(4);
    ASSERT_EQ(out.size(), 256u);
    EXPECT_EQ(value_of<uint32_t>(out), 0x7ffu);                      // stx_mask
    EXPECT_EQ(value_of<uint16_t>(out.substr(28)), S_IFREG | 0644);   // stx_mode
    EXPECT_EQ(value_of<uint64_t>(out.substr(32)), ino_of("/tmp/f")); // stx_ino
    EXPECT_EQ(value_of<uint64_t>(out.substr(40)), 3u);               // stx_size
    EXPECT_EQ(sys(LinuxSyscall::statx, {at(AT_FDCWD), 0, 0x6000, 0x7ff, 1}, {{1, "/tmp/f"}}),
              -EINVAL);
}

TEST_F(VfsdSyscalls, ChmodUtimensatTruncate) {
    put_file("/tmp/f", "abcdef");
    EXPECT_EQ(sys(LinuxSyscall::chmod, {0, 0600}, {{0, "/tmp/f"}}), 0);
    EXPECT_EQ(mode_of("/tmp/f"), S_IFREG | 0600);
    int64_t fd = open("/tmp/f", O_RDWR);
    EXPECT_EQ(sys(LinuxSyscall::fchmod, {uint64_t(fd), 04711}), 0);
    EXPECT_EQ(mode_of("/tmp/f"), S_IFREG | 04711);

    struct timespec times[2] = {{10, 1}, {20, UTIME_OMIT}};
    struct stat before;
    ASSERT_EQ(stat("/tmp/f", &before), 0);
    EXPECT_EQ(sys(LinuxSyscall::utimensat, {at(AT_FDCWD), 0, 0, 0},
                  {{1, "/tmp/f"}, {2, bytes_of(times)}}),
              0);
    struct stat st;
    ASSERT_EQ(stat("/tmp/f", &st), 0);
    EXPECT_EQ(st.st_atim.tv_sec, 10);
    EXPECT_EQ(st.st_atim.tv_nsec, 1);
    EXPECT_EQ(st.st_mtim.tv_sec, before.st_mtim.tv_sec);
    struct timespec bad[2] = {{0, 1000000000}, {0, 0}};
    EXPECT_EQ(
        sys(LinuxSyscall::utimensat, {at(AT_FDCWD), 0, 0, 0}, {{1, "/tmp/f"}, {2, bytes_of(bad)}}),
        -EINVAL);

    EXPECT_EQ(sys(LinuxSyscall::truncate, {0, 2}, {{0, "/tmp/f"}}), 0);
    EXPECT_EQ(get_file("/tmp/f"), "ab");
    EXPECT_EQ(sys(LinuxSyscall::ftruncate, {uint64_t(fd), 4}), 0);
    EXPECT_EQ(get_file("/tmp/f"), std::string("ab\0\0", 4));
    EXPECT_EQ(sys(LinuxSyscall::truncate, {0, uint64_t(-1)}, {{0, "/tmp/f"}}), -EINVAL);
    EXPECT_EQ(sys(LinuxSyscall::truncate, {0, 0}, {{0, "/tmp"}}), -EISDIR);
    int64_t ro = open("/tmp/f", O_RDONLY);
    EXPECT_EQ(sys(LinuxSyscall::ftruncate, {uint64_t(ro), 0}), -EINVAL);
}

TEST_F(VfsdSyscalls, Access) {
    put_file("/tmp/f", "");
    EXPECT_EQ(sys(LinuxSyscall::access, {0, R_OK | W_OK}, {{0, "/tmp/f"}}), 0);
    // Even root needs an x bit to execute a file.
    EXPECT_EQ(sys(LinuxSyscall::access, {0, X_OK}, {{0, "/tmp/f"}}), -EACCES);
    EXPECT_EQ(sys(LinuxSyscall::access, {0, X_OK}, {{0, "/tmp"}}), 0);
    EXPECT_EQ(sys(LinuxSyscall::access, {0, 8}, {{0, "/tmp/f"}}), -EINVAL);
    EXPECT_EQ(sys(LinuxSyscall::access, {0, F_OK}, {{0, "/tmp/none"}}), -ENOENT);
}

// --- namespace changes ---

TEST_F(VfsdSyscalls, Mkdir) {
    EXPECT_EQ(mkdir("/tmp/d", 0777), 0);
    EXPECT_EQ(mode_of("/tmp/d"), S_IFDIR | 0755); // the umask
    struct stat st;
    ASSERT_EQ(stat("/tmp", &st), 0);
    EXPECT_EQ(st.st_nlink, 3u);
    EXPECT_EQ(mkdir("/tmp/d"), -EEXIST);
    EXPECT_EQ(mkdir("/tmp/e/"), 0);
    EXPECT_EQ(mkdir("/tmp/missing/x"), -ENOENT);
    EXPECT_EQ(mkdir("/tmp/d/."), -EEXIST);
    EXPECT_EQ(mkdir("/tmp/d/.."), -EEXIST);
    EXPECT_EQ(mkdir("/"), -EEXIST);
    EXPECT_EQ(mkdir("/tmp/" + std::string(256, 'n')), -ENAMETOOLONG);
    put_file("/tmp/f", "");
    EXPECT_EQ(mkdir("/tmp/f"), -EEXIST);
    EXPECT_EQ(mkdir("/tmp/f/"), -EEXIST); // Linux's filename_create
    EXPECT_EQ(mkdir("/tmp/f/x"), -ENOTDIR);
    ASSERT_EQ(symlink("/tmp/nowhere", "/tmp/dangling"), 0);
    EXPECT_EQ(mkdir("/tmp/dangling"), -EEXIST);
    EXPECT_EQ(sys(LinuxSyscall::mkdirat, {at(AT_FDCWD), 0, 0700}, {{1, "/tmp/g"}}), 0);
    EXPECT_EQ(mode_of("/tmp/g"), S_IFDIR | 0700);
}

TEST_F(VfsdSyscalls, MknodMakesFifosAndFiles) {
    EXPECT_EQ(sys(LinuxSyscall::mknod, {0, S_IFIFO | 0666}, {{0, "/tmp/fifo"}}), 0);
    EXPECT_EQ(mode_of("/tmp/fifo"), S_IFIFO | 0644);
    EXPECT_EQ(sys(LinuxSyscall::mknod, {0, 0600}, {{0, "/tmp/plain"}}), 0);
    EXPECT_EQ(mode_of("/tmp/plain"), S_IFREG | 0600);
    EXPECT_EQ(sys(LinuxSyscall::mknod, {0, S_IFCHR | 0600}, {{0, "/tmp/dev"}}), -EPERM);
    EXPECT_EQ(sys(LinuxSyscall::mknod, {0, S_IFIFO | 0600}, {{0, "/tmp/fifo"}}), -EEXIST);
}

TEST_F(VfsdSyscalls, UnlinkAndRmdir) {
    put_file("/tmp/f", "");
    ASSERT_EQ(mkdir("/tmp/d"), 0);
    put_file("/tmp/d/inner", "");
    EXPECT_EQ(unlink("/tmp/d"), -EISDIR);
    EXPECT_EQ(rmdir("/tmp/f"), -ENOTDIR);
    EXPECT_EQ(rmdir("/tmp/d"), -ENOTEMPTY);
    EXPECT_EQ(rmdir("/tmp/d/."), -EINVAL);
    EXPECT_EQ(rmdir("/tmp/d/.."), -ENOTEMPTY);
    EXPECT_EQ(rmdir("/"), -EBUSY);
    EXPECT_EQ(unlink("/tmp/d/"), -EISDIR);
    EXPECT_EQ(unlink("/tmp/f/"), -ENOTDIR);
    EXPECT_EQ(unlink("/tmp/none"), -ENOENT);
    EXPECT_EQ(unlinkat(AT_FDCWD, "/tmp/d", 0x1), -EINVAL);
    EXPECT_EQ(unlink("/tmp/d/inner"), 0);
    EXPECT_EQ(unlinkat(AT_FDCWD, "/tmp/d", AT_REMOVEDIR), 0);
    EXPECT_EQ(stat("/tmp/d", nullptr), -ENOENT);
    int64_t dfd = open("/tmp", O_RDONLY);
    EXPECT_EQ(unlinkat(int(dfd), "f", 0), 0);
    EXPECT_EQ(stat("/tmp/f", nullptr), -ENOENT);
}

TEST_F(VfsdSyscalls, UnlinkedFilesLiveOnWhileOpen) {
    put_file("/tmp/f", "kept");
    int64_t fd = open("/tmp/f", O_RDWR);
    ASSERT_EQ(unlink("/tmp/f"), 0);
    EXPECT_EQ(read(fd, 10), "kept");
    struct stat st;
    ASSERT_EQ(fstat(fd, &st), 0);
    EXPECT_EQ(st.st_nlink, 0u);
    // A new file under the name is another file.
    put_file("/tmp/f", "new");
    EXPECT_EQ(sys(LinuxSyscall::pread64, {uint64_t(fd), 0, 10, 0}), 4);
}

TEST_F(VfsdSyscalls, UnlinkASymlinkLeavesItsTarget) {
    put_file("/tmp/f", "x");
    ASSERT_EQ(symlink("f", "/tmp/link"), 0);
    ASSERT_EQ(symlink("/tmp", "/tmp/dirlink"), 0);
    EXPECT_EQ(unlink("/tmp/link"), 0);
    EXPECT_EQ(get_file("/tmp/f"), "x");
    EXPECT_EQ(rmdir("/tmp/dirlink"), -ENOTDIR);
    EXPECT_EQ(unlink("/tmp/dirlink"), 0);
}

TEST_F(VfsdSyscalls, RenameFiles) {
    put_file("/tmp/a", "A");
    put_file("/tmp/b", "B");
    EXPECT_EQ(rename("/tmp/a", "/tmp/c"), 0);
    EXPECT_EQ(get_file("/tmp/c"), "A");
    EXPECT_EQ(stat("/tmp/a", nullptr), -ENOENT);
    EXPECT_EQ(rename("/tmp/c", "/tmp/b", RENAME_NOREPLACE), -EEXIST);
    EXPECT_EQ(rename("/tmp/c", "/tmp/b"), 0);
    EXPECT_EQ(get_file("/tmp/b"), "A");
    EXPECT_EQ(rename("/tmp/none", "/tmp/x"), -ENOENT);
    EXPECT_EQ(rename("/tmp/b", "/tmp/missing/x"), -ENOENT);
    EXPECT_EQ(rename("/tmp/b", "/tmp/x", 0x80), -EINVAL);
    EXPECT_EQ(rename("/tmp/b", "/tmp/b"), 0);
    EXPECT_EQ(sys(LinuxSyscall::rename, {0, 0}, {{0, "/tmp/b"}, {1, "/tmp/old"}}), 0);
    EXPECT_EQ(get_file("/tmp/old"), "A");
}

TEST_F(VfsdSyscalls, RenameWithTrailingSlashes) {
    // Linux: a trailing slash on either name asks for a directory.
    put_file("/tmp/f", "");
    ASSERT_EQ(mkdir("/tmp/d"), 0);
    EXPECT_EQ(rename("/tmp/f", "/tmp/g/"), -ENOTDIR);
    EXPECT_EQ(rename("/tmp/f/", "/tmp/g"), -ENOTDIR);
    EXPECT_EQ(stat("/tmp/f", nullptr), 0);
    EXPECT_EQ(rename("/tmp/d/", "/tmp/e/"), 0);
    EXPECT_EQ(mode_of("/tmp/e"), S_IFDIR | 0755);
}

TEST_F(VfsdSyscalls, RenameDirectories) {
    ASSERT_EQ(mkdir("/tmp/d"), 0);
    ASSERT_EQ(mkdir("/tmp/d/sub"), 0);
    ASSERT_EQ(mkdir("/tmp/empty"), 0);
    put_file("/tmp/f", "");
    EXPECT_EQ(rename("/tmp/d", "/tmp/d/sub/x"), -EINVAL); // into its own subtree
    EXPECT_EQ(rename("/tmp/d", "/tmp/d/sub"), -EINVAL);
    EXPECT_EQ(rename("/tmp/d", "/tmp/d"), 0); // onto itself: nothing to do
    EXPECT_EQ(rename("/tmp/d", "/tmp/f"), -ENOTDIR);
    EXPECT_EQ(rename("/tmp/f", "/tmp/d"), -EISDIR);
    EXPECT_EQ(rename("/tmp/empty", "/tmp/d"), -ENOTEMPTY);
    EXPECT_EQ(rename("/tmp/d", "/tmp/empty"), 0);
    EXPECT_EQ(mode_of("/tmp/empty/sub"), S_IFDIR | 0755);
    EXPECT_EQ(rename("/tmp/empty/sub", "/tmp/up"), 0);
    EXPECT_EQ(rename("/tmp/.", "/tmp/x"), -EBUSY);
    EXPECT_EQ(rename("/tmp/up", "/tmp/.."), -EBUSY);
    EXPECT_EQ(rename("/", "/tmp/x"), -EBUSY);
}

TEST_F(VfsdSyscalls, RenameAcrossMountsAndOfMountPoints) {
    put_file("/tmp/f", "");
    ASSERT_EQ(mkdir("/d"), 0);
    EXPECT_EQ(rename("/tmp/f", "/f"), -EXDEV);
    EXPECT_EQ(rename("/d", "/tmp/d"), -EXDEV);
    EXPECT_EQ(rename("/tmp", "/elsewhere"), -EBUSY);
    EXPECT_EQ(rmdir("/tmp"), -EBUSY);
    EXPECT_EQ(mode_of("/tmp"), S_IFDIR | 01777);
}

TEST_F(VfsdSyscalls, HardLinks) {
    put_file("/tmp/f", "shared");
    EXPECT_EQ(sys(LinuxSyscall::link, {0, 0}, {{0, "/tmp/f"}, {1, "/tmp/g"}}), 0);
    struct stat st;
    ASSERT_EQ(stat("/tmp/g", &st), 0);
    EXPECT_EQ(st.st_nlink, 2u);
    EXPECT_EQ(st.st_ino, ino_of("/tmp/f"));
    EXPECT_EQ(sys(LinuxSyscall::link, {0, 0}, {{0, "/tmp/f"}, {1, "/tmp/g"}}), -EEXIST);
    EXPECT_EQ(sys(LinuxSyscall::link, {0, 0}, {{0, "/tmp"}, {1, "/tmp/d2"}}), -EPERM);
    EXPECT_EQ(sys(LinuxSyscall::link, {0, 0}, {{0, "/tmp/f"}, {1, "/f"}}), -EXDEV);
    // linkat links the symlink itself unless AT_SYMLINK_FOLLOW.
    ASSERT_EQ(symlink("f", "/tmp/l"), 0);
    EXPECT_EQ(sys(LinuxSyscall::linkat, {at(AT_FDCWD), 0, at(AT_FDCWD), 0, 0},
                  {{1, "/tmp/l"}, {3, "/tmp/l2"}}),
              0);
    EXPECT_TRUE(S_ISLNK(mode_of("/tmp/l2", AT_SYMLINK_NOFOLLOW)));
    EXPECT_EQ(sys(LinuxSyscall::linkat, {at(AT_FDCWD), 0, at(AT_FDCWD), 0, AT_SYMLINK_FOLLOW},
                  {{1, "/tmp/l"}, {3, "/tmp/h"}}),
              0);
    EXPECT_EQ(ino_of("/tmp/h"), ino_of("/tmp/f"));
}

TEST_F(VfsdSyscalls, SymlinkAndReadlink) {
    EXPECT_EQ(symlink("some/where", "/tmp/l"), 0);
    EXPECT_EQ(readlink("/tmp/l"), "some/where");
    EXPECT_EQ(last.result, 10);
    EXPECT_EQ(readlink("/tmp/l", 4), "some"); // truncated, no NUL
    EXPECT_EQ(last.result, 4);
    EXPECT_EQ(readlink("/tmp/l", 0), "");
    EXPECT_EQ(last.result, -EINVAL);
    put_file("/tmp/f", "");
    EXPECT_EQ(readlink("/tmp/f"), "");
    EXPECT_EQ(last.result, -EINVAL);
    EXPECT_EQ(readlink(""), "");
    EXPECT_EQ(last.result, -ENOENT);
    EXPECT_EQ(symlink("x", "/tmp/l"), -EEXIST);
    EXPECT_EQ(symlink("", "/tmp/e"), -ENOENT);
    EXPECT_EQ(symlink("x", "/tmp/f/"), -EEXIST);
    EXPECT_EQ(symlink("x", "/tmp/new/"), -ENOENT); // Linux's filename_create
    EXPECT_EQ(sys(LinuxSyscall::readlinkat, {at(AT_FDCWD), 0, 0, 100}, {{1, "/tmp/l"}}), 10);
    EXPECT_EQ(output(2), "some/where");
}

// --- the current directory ---

TEST_F(VfsdSyscalls, GetcwdAndChdir) {
    EXPECT_EQ(getcwd(), "/");
    EXPECT_EQ(last.result, 2);
    ASSERT_EQ(mkdir("/tmp/d"), 0);
    EXPECT_EQ(chdir("/tmp"), 0);
    EXPECT_EQ(getcwd(), "/tmp");
    EXPECT_EQ(chdir("d"), 0);
    EXPECT_EQ(getcwd(), "/tmp/d");
    put_file("here", "relative");
    EXPECT_EQ(get_file("/tmp/d/here"), "relative");
    EXPECT_EQ(chdir("../.."), 0);
    EXPECT_EQ(getcwd(), "/");
    EXPECT_EQ(chdir(".."), 0);
    EXPECT_EQ(getcwd(), "/");
    EXPECT_EQ(chdir("/tmp/d/here"), -ENOTDIR);
    EXPECT_EQ(chdir("/none"), -ENOENT);
    EXPECT_EQ(getcwd(), "/");
}

TEST_F(VfsdSyscalls, GetcwdBufferTooSmall) {
    ASSERT_EQ(chdir("/tmp"), 0);
    EXPECT_EQ(getcwd(4), "");
    EXPECT_EQ(last.result, -ERANGE);
    EXPECT_EQ(getcwd(5), "/tmp");
}

TEST_F(VfsdSyscalls, ChdirThroughASymlinkIsPhysical) {
    ASSERT_EQ(mkdir("/tmp/real"), 0);
    ASSERT_EQ(symlink("/tmp/real", "/link"), 0);
    EXPECT_EQ(chdir("/link"), 0);
    EXPECT_EQ(getcwd(), "/tmp/real");
    EXPECT_EQ(chdir(".."), 0);
    EXPECT_EQ(getcwd(), "/tmp");
}

TEST_F(VfsdSyscalls, Fchdir) {
    ASSERT_EQ(mkdir("/tmp/d"), 0);
    int64_t dfd = open("/tmp/d", O_RDONLY | O_DIRECTORY);
    put_file("/tmp/f", "");
    int64_t ffd = open("/tmp/f", O_RDONLY);
    EXPECT_EQ(sys(LinuxSyscall::fchdir, {uint64_t(dfd)}), 0);
    EXPECT_EQ(getcwd(), "/tmp/d");
    EXPECT_EQ(sys(LinuxSyscall::fchdir, {uint64_t(ffd)}), -ENOTDIR);
    EXPECT_EQ(sys(LinuxSyscall::fchdir, {99}), -EBADF);
}

// --- pipes and blocking ---

TEST_F(VfsdSyscalls, Pipe2) {
    auto [r, w] = pipe();
    ASSERT_GE(r, 0);
    EXPECT_EQ(w, r + 1);
    EXPECT_EQ(write(w, "through"), 7);
    EXPECT_EQ(read(r, 100), "through");
    EXPECT_EQ(write(r, "x"), -EBADF);
    struct stat st;
    ASSERT_EQ(fstat(r, &st), 0);
    EXPECT_TRUE(S_ISFIFO(st.st_mode));
    auto [r2, w2] = pipe(O_CLOEXEC | O_NONBLOCK);
    EXPECT_EQ(fcntl(r2, F_GETFD), FD_CLOEXEC);
    EXPECT_EQ(fcntl(w2, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_WRONLY | O_NONBLOCK);
    EXPECT_EQ(pipe(O_APPEND).first, -EINVAL);
    EXPECT_EQ(sys(LinuxSyscall::ioctl, {uint64_t(r), 0x541B /* FIONREAD */, 1}), 0);
    EXPECT_EQ(value_of<int32_t>(output(2)), 0);
    EXPECT_EQ(write(w, "abc"), 3);
    EXPECT_EQ(sys(LinuxSyscall::ioctl, {uint64_t(r), 0x541B, 1}), 0);
    EXPECT_EQ(value_of<int32_t>(output(2)), 3);
}

TEST_F(VfsdSyscalls, BlockingReadParksUntilDataComes) {
    auto [r, w] = pipe();
    LinuxCall rd = make_call(LinuxSyscall::read, {uint64_t(r), 0, 100});
    CallState state;
    Outcome first = vfs.handle(rd, state);
    EXPECT_TRUE(first.park);
    // Parked calls run again when some stream changed.
    g_state_changed = false;
    ASSERT_EQ(write(w, "wake"), 4);
    EXPECT_TRUE(g_state_changed);
    state.retry = true;
    Outcome again = vfs.handle(rd, state);
    ASSERT_FALSE(again.park);
    EXPECT_EQ(again.reply.result, 4);
    ASSERT_EQ(again.reply.outputs.size(), 1u);
    EXPECT_EQ(again.reply.outputs[0], std::make_pair(uint32_t(1), std::string("wake")));
    // The writer's close ends a parked read with EOF.
    EXPECT_TRUE(vfs.handle(rd, state).park);
    ASSERT_EQ(close(w), 0);
    Outcome eof = vfs.handle(rd, state);
    ASSERT_FALSE(eof.park);
    EXPECT_EQ(eof.reply.result, 0);
}

TEST_F(VfsdSyscalls, NonblockingReadIsEagain) {
    auto [r, w] = pipe(O_NONBLOCK);
    EXPECT_EQ(read(r, 10), "");
    EXPECT_EQ(last.result, -EAGAIN);
    // A later part of a large read (the kernel's no-wait flag) never parks.
    auto [r2, w2] = pipe();
    LinuxCall c = make_call(LinuxSyscall::read, {uint64_t(r2), 0, 10});
    c.flags = rustos::ipc::kOffloadNoWait;
    Outcome o = handle(c);
    EXPECT_FALSE(o.park);
    EXPECT_EQ(o.reply.result, -EAGAIN);
}

TEST_F(VfsdSyscalls, BlockingWriteToAFullPipeParks) {
    auto [r, w] = pipe();
    std::string chunk(16384, 'x');
    for (int i = 0; i < 4; ++i)
        ASSERT_EQ(write(w, chunk), 16384);
    EXPECT_TRUE(handle(make_call(LinuxSyscall::write, {uint64_t(w), 0, 1}, {{1, "y"}})).park);
    ASSERT_EQ(close(r), 0);
    EXPECT_EQ(write(w, "y"), -EPIPE);
}

TEST_F(VfsdSyscalls, Poll) {
    auto [r, w] = pipe();
    std::array<struct pollfd, 3> fds = {
        {{int(r), POLLIN, 0}, {int(w), POLLOUT, 0}, {99, POLLIN, 0}}};
    EXPECT_EQ(sys(LinuxSyscall::poll, {1, 3, 0}, {{0, bytes_of(fds)}}), 2);
    auto out = value_of<decltype(fds)>(output(0));
    EXPECT_EQ(out[0].revents, 0);
    EXPECT_EQ(out[1].revents, POLLOUT);
    EXPECT_EQ(out[2].revents, POLLNVAL);
    // Nothing ready and a timeout of -1: the call parks; with the deadline
    // passed it answers 0.
    struct pollfd only_r = {int(r), POLLIN, 0};
    LinuxCall c = make_call(LinuxSyscall::poll, {1, 1, uint64_t(-1)}, {{0, bytes_of(only_r)}});
    EXPECT_TRUE(handle(c).park);
    LinuxCall timed = make_call(LinuxSyscall::poll, {1, 1, 10}, {{0, bytes_of(only_r)}});
    EXPECT_EQ(after_timeout(timed).result, 0);
    EXPECT_EQ(value_of<struct pollfd>(output(0)).revents, 0);
    ASSERT_EQ(write(w, "x"), 1);
    EXPECT_EQ(sys(LinuxSyscall::poll, {1, 1, uint64_t(-1)}, {{0, bytes_of(only_r)}}), 1);
    EXPECT_EQ(value_of<struct pollfd>(output(0)).revents, POLLIN);
    // A negative fd is skipped.
    struct pollfd skipped = {-1, POLLIN, 0};
    EXPECT_EQ(sys(LinuxSyscall::poll, {1, 1, 0}, {{0, bytes_of(skipped)}}), 0);
}

TEST_F(VfsdSyscalls, Select) {
    auto [r, w] = pipe();
    uint64_t readset = 1ull << r, writeset = 1ull << w;
    struct timespec zero = {0, 0};
    EXPECT_EQ(sys(LinuxSyscall::pselect6, {uint64_t(w + 1), 1, 1, 0, 1, 0},
                  {{1, bytes_of(readset)}, {2, bytes_of(writeset)}, {4, bytes_of(zero)}}),
              1);
    EXPECT_EQ(value_of<uint64_t>(output(1)), 0u);
    EXPECT_EQ(value_of<uint64_t>(output(2)), writeset);
    uint64_t bad = 1ull << 40;
    EXPECT_EQ(
        sys(LinuxSyscall::pselect6, {41, 1, 0, 0, 1, 0}, {{1, bytes_of(bad)}, {4, bytes_of(zero)}}),
        -EBADF);
    EXPECT_EQ(sys(LinuxSyscall::pselect6, {uint64_t(-1), 0, 0, 0, 0, 0}), -EINVAL);
}

TEST_F(VfsdSyscalls, SendfileFromAFile) {
    put_file("/tmp/f", "0123456789");
    int64_t in = open("/tmp/f", O_RDONLY);
    auto [r, w] = pipe();
    EXPECT_EQ(sys(LinuxSyscall::sendfile, {uint64_t(w), uint64_t(in), 0, 4}), 4);
    EXPECT_EQ(lseek(in, 0, SEEK_CUR), 4);
    EXPECT_EQ(read(r, 100), "0123");
    // With an offset: read there, the offset comes back, the fd's stays.
    EXPECT_EQ(
        sys(LinuxSyscall::sendfile, {uint64_t(w), uint64_t(in), 1, 3}, {{2, bytes_of(int64_t(7))}}),
        3);
    EXPECT_EQ(value_of<int64_t>(output(2)), 10);
    EXPECT_EQ(lseek(in, 0, SEEK_CUR), 4);
    EXPECT_EQ(read(r, 100), "789");
    EXPECT_EQ(sys(LinuxSyscall::sendfile, {uint64_t(w), uint64_t(in), 0, 100}), 6);
    EXPECT_EQ(sys(LinuxSyscall::sendfile, {uint64_t(w), uint64_t(in), 0, 100}), 0); // the end
    EXPECT_EQ(sys(LinuxSyscall::sendfile, {uint64_t(in), uint64_t(r), 0, 1}), -EBADF);
}

TEST_F(VfsdSyscalls, SendfileIntoAFullPipeWaitsAndLosesNothing) {
    // busybox copies with sendfile (cat file | slow reader): a full pipe
    // must park the call with the file offset unmoved.
    put_file("/tmp/f", std::string(20000, 'a') + "tail");
    int64_t in = open("/tmp/f", O_RDONLY);
    auto [r, w] = pipe();
    ASSERT_EQ(write(w, std::string(65536 - 100, 'p')), 65436);
    LinuxCall c = make_call(LinuxSyscall::sendfile, {uint64_t(w), uint64_t(in), 0, 20004});
    EXPECT_TRUE(handle(c).park);
    EXPECT_EQ(lseek(in, 0, SEEK_CUR), 0);
    // Non-blocking: as much as fits goes, and the offset moves by that much.
    ASSERT_EQ(fcntl(w, F_SETFL, O_NONBLOCK), 0);
    ASSERT_EQ(read(r, 65436).size(), 65436u);
    ASSERT_EQ(write(w, std::string(65536 - 5000, 'p')), 60536);
    EXPECT_EQ(sys(LinuxSyscall::sendfile, {uint64_t(w), uint64_t(in), 0, 20004}), 5000);
    EXPECT_EQ(lseek(in, 0, SEEK_CUR), 5000);
    ASSERT_EQ(read(r, 65536).size(), 65536u);
    EXPECT_EQ(sys(LinuxSyscall::sendfile, {uint64_t(w), uint64_t(in), 0, 20004}), 15004);
    EXPECT_EQ(read(r, 65536), std::string(15000, 'a') + "tail");
}

TEST_F(VfsdSyscalls, Ioctls) {
    put_file("/tmp/f", "");
    int64_t fd = open("/tmp/f", O_RDONLY);
    EXPECT_EQ(sys(LinuxSyscall::ioctl, {uint64_t(fd), FIOCLEX}), 0);
    EXPECT_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
    EXPECT_EQ(sys(LinuxSyscall::ioctl, {uint64_t(fd), FIONCLEX}), 0);
    EXPECT_EQ(fcntl(fd, F_GETFD), 0);
    EXPECT_EQ(sys(LinuxSyscall::ioctl, {uint64_t(fd), FIONBIO, 1}, {{2, bytes_of(int32_t(1))}}), 0);
    EXPECT_EQ(fcntl(fd, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
    EXPECT_EQ(sys(LinuxSyscall::ioctl, {uint64_t(fd), FIONBIO, 1}), -EFAULT);
    // Terminal requests on a file that is not a tty: ENOTTY (isatty's answer).
    EXPECT_EQ(sys(LinuxSyscall::ioctl, {uint64_t(fd), TCGETS, 1}), -ENOTTY);
    ASSERT_EQ(mkdir("/tmp/d"), 0);
    int64_t dir = open("/tmp/d", O_RDONLY);
    EXPECT_EQ(sys(LinuxSyscall::ioctl, {uint64_t(dir), FIONREAD, 1}), -ENOTTY);
    EXPECT_EQ(sys(LinuxSyscall::ioctl, {99, FIOCLEX}), -EBADF);
}

TEST_F(VfsdSyscalls, FionreadOfAFileIsWhatIsLeft) {
    put_file("/tmp/f", "hello");
    int64_t fd = open("/tmp/f", O_RDONLY);
    ASSERT_EQ(lseek(fd, 1, SEEK_SET), 1);
    EXPECT_EQ(sys(LinuxSyscall::ioctl, {uint64_t(fd), FIONREAD, 1}), 0);
    EXPECT_EQ(value_of<int32_t>(output(2)), 4);
    ASSERT_EQ(lseek(fd, 10, SEEK_SET), 10);
    EXPECT_EQ(sys(LinuxSyscall::ioctl, {uint64_t(fd), FIONREAD, 1}), 0);
    EXPECT_EQ(value_of<int32_t>(output(2)), -5); // as Linux says
}

TEST_F(VfsdSyscalls, StatfsOfTmpfs) {
    ASSERT_EQ(sys(LinuxSyscall::statfs, {0, 1}, {{0, "/tmp"}}), 0);
    auto st = value_of<struct statfs>(output(1));
    EXPECT_EQ(st.f_type, 0x01021994); // TMPFS_MAGIC
    EXPECT_EQ(st.f_bsize, 4096);
    EXPECT_EQ(st.f_namelen, 255);
    EXPECT_EQ(st.f_flags & 1, 0); // not ST_RDONLY
    EXPECT_EQ(sys(LinuxSyscall::statfs, {0, 1}, {{0, "/none"}}), -ENOENT);
}

TEST_F(VfsdSyscalls, Preadv2AtTheCurrentOffset) {
    put_file("/tmp/f", "abcdef");
    int64_t fd = open("/tmp/f", O_RDWR);
    // An offset of -1 reads and moves the fd's own offset, like readv.
    EXPECT_EQ(sys(LinuxSyscall::preadv2, {uint64_t(fd), 0, 2, uint64_t(-1), 0, 0}), 2);
    EXPECT_EQ(output(1), "ab");
    EXPECT_EQ(sys(LinuxSyscall::preadv2, {uint64_t(fd), 0, 2, 4, 0, 0}), 2);
    EXPECT_EQ(output(1), "ef");
    EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 2);
    EXPECT_EQ(sys(LinuxSyscall::preadv2, {uint64_t(fd), 0, 2, 0, 0, 0x100}), -EOPNOTSUPP);
}

TEST_F(VfsdSyscalls, SelectTimesOut) {
    auto [r, w] = pipe();
    uint64_t readset = 1ull << r;
    struct timeval tv = {0, 5000};
    LinuxCall c = make_call(LinuxSyscall::select, {uint64_t(r + 1), 1, 0, 0, 1},
                            {{1, bytes_of(readset)}, {4, bytes_of(tv)}});
    EXPECT_EQ(after_timeout(c).result, 0);
    EXPECT_EQ(value_of<uint64_t>(output(1)), 0u);
    // select (not pselect) leaves the time not slept in the timeval: none.
    EXPECT_EQ(value_of<struct timeval>(output(4)).tv_usec, 0);
    // Linux normalizes a second or more in tv_usec; only negative values
    // are refused.
    struct timeval bad = {0, -1};
    EXPECT_EQ(sys(LinuxSyscall::select, {uint64_t(r + 1), 1, 0, 0, 1},
                  {{1, bytes_of(readset)}, {4, bytes_of(bad)}}),
              -EINVAL);
    struct timeval long_usec = {0, 1000000};
    LinuxCall c2 = make_call(LinuxSyscall::select, {uint64_t(r + 1), 1, 0, 0, 1},
                             {{1, bytes_of(readset)}, {4, bytes_of(long_usec)}});
    EXPECT_EQ(after_timeout(c2).result, 0);
}

TEST_F(VfsdSyscalls, ChownNeedsAnExistingFile) {
    put_file("/tmp/f", "");
    EXPECT_EQ(sys(LinuxSyscall::chown, {0, 0, 0}, {{0, "/tmp/f"}}), 0);
    EXPECT_EQ(sys(LinuxSyscall::chown, {0, 0, 0}, {{0, "/tmp/none"}}), -ENOENT);
    EXPECT_EQ(sys(LinuxSyscall::fchown, {99, 0, 0}), -EBADF);
}

// The file a live process runs may not be written (and a forked child runs
// it too); once no process runs it, it may.
TEST_F(VfsdSyscalls, RunningProgramsAreTextBusy) {
    put_file("/tmp/prog", "program");
    auto node = vfs.ns.resolve(vfs.procs.initial_cwd, "/tmp/prog", {});
    ASSERT_FALSE(node.is_error());
    vfs.procs.get(kPid + 1).exe_node = node->node;
    vfs.procs.fork(kPid + 1, kPid + 2);
    EXPECT_EQ(open("/tmp/prog", O_WRONLY), -ETXTBSY);
    EXPECT_EQ(open("/tmp/prog", O_RDONLY | O_TRUNC), -ETXTBSY);
    EXPECT_EQ(sys(LinuxSyscall::truncate, {0, 0}, {{0, "/tmp/prog"}}), -ETXTBSY);
    EXPECT_GE(open("/tmp/prog", O_RDONLY), 0);
    vfs.procs.remove(kPid + 1);
    EXPECT_EQ(open("/tmp/prog", O_WRONLY), -ETXTBSY); // the child still runs it
    vfs.procs.get(kPid + 2).exited = true;
    EXPECT_GE(open("/tmp/prog", O_WRONLY), 0);
    EXPECT_EQ(get_file("/tmp/prog"), "program");
}

TEST_F(VfsdSyscalls, UnknownCallsAreEnosys) { EXPECT_EQ(sys(LinuxSyscall::getpid, {}), -ENOSYS); }

} // namespace
