/* Files: open/openat, read/write/lseek, fds, stat, directories. */
#include "conformance.h"

#include <dirent.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/uio.h>

/* ---- open ------------------------------------------------------------------- */

static void open_creat_excl_exists(void) {
    put_str("f", "x");
    EXPECT_ERR(open("f", O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
    int fd = OK(open("g", O_WRONLY | O_CREAT | O_EXCL, 0644));
    close(fd);
}

static void open_creat_excl_dangling_symlink(void) {
    OK(symlink("target", "l"));
    EXPECT_ERR(open("l", O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
    EXPECT_ERR(access("target", F_OK), ENOENT);
}

static void open_missing(void) {
    EXPECT_ERR(open("missing", O_RDONLY), ENOENT);
    EXPECT_ERR(open("missing", O_WRONLY), ENOENT);
}

static void open_missing_parent(void) {
    EXPECT_ERR(open("nodir/f", O_RDONLY), ENOENT);
    EXPECT_ERR(open("nodir/f", O_WRONLY | O_CREAT, 0644), ENOENT);
}

static void open_empty_path(void) { EXPECT_ERR(open("", O_RDONLY), ENOENT); }

static void open_directory_on_file(void) {
    put_str("f", "x");
    EXPECT_ERR(open("f", O_RDONLY | O_DIRECTORY), ENOTDIR);
    OK(mkdir("d", 0755));
    int fd = OK(open("d", O_RDONLY | O_DIRECTORY));
    close(fd);
}

static void open_through_file(void) {
    put_str("f", "x");
    EXPECT_ERR(open("f/x", O_RDONLY), ENOTDIR);
    EXPECT_ERR(open("f/x", O_WRONLY | O_CREAT, 0644), ENOTDIR);
    EXPECT_ERR(open("f/", O_RDONLY), ENOTDIR);
}

static void open_wronly_dir(void) {
    OK(mkdir("d", 0755));
    EXPECT_ERR(open("d", O_WRONLY), EISDIR);
    EXPECT_ERR(open("d", O_RDWR), EISDIR);
    EXPECT_ERR(open("d", O_WRONLY | O_CREAT, 0644), EISDIR);
    EXPECT_ERR(open("new/", O_WRONLY | O_CREAT, 0644), EISDIR);
}

static void open_nofollow_symlink(void) {
    put_str("t", "x");
    OK(symlink("t", "l"));
    EXPECT_ERR(open("l", O_RDONLY | O_NOFOLLOW), ELOOP);
    int fd = OK(open("l", O_RDONLY));
    close(fd);
    fd = OK(open("t", O_RDONLY | O_NOFOLLOW));
    close(fd);
}

static void open_symlink_loop(void) {
    OK(symlink("b", "a"));
    OK(symlink("a", "b"));
    OK(symlink("self", "self"));
    EXPECT_ERR(open("a", O_RDONLY), ELOOP);
    EXPECT_ERR(open("self", O_RDONLY), ELOOP);
    EXPECT_ERR(open("a/x", O_RDONLY), ELOOP);
}

static void open_openat_dirfd(void) {
    OK(mkdir("d", 0755));
    put_str("d/f", "hello");
    int dfd = OK(open("d", O_RDONLY | O_DIRECTORY));
    int fd = OK(openat(dfd, "f", O_RDONLY));
    char buf[16] = {0};
    EXPECT_EQ(read(fd, buf, sizeof buf), 5);
    EXPECT_MEM(buf, "hello", 5);
    close(fd);
    fd = OK(openat(dfd, "g", O_WRONLY | O_CREAT | O_EXCL, 0644));
    close(fd);
    OK(access("d/g", F_OK));
    close(dfd);
}

static void open_openat_at_fdcwd(void) {
    put_str("f", "hi");
    int fd = OK(openat(AT_FDCWD, "f", O_RDONLY));
    char buf[8];
    EXPECT_EQ(read(fd, buf, sizeof buf), 2);
    EXPECT_MEM(buf, "hi", 2);
    close(fd);
}

static void open_openat_absolute_ignores_dirfd(void) {
    char path[PATH_MAX];
    EXPECT(getcwd(path, sizeof path - 8) != NULL, "expected getcwd to succeed / got NULL %s",
           errname(errno));
    strcat(path, "/f");
    put_str("f", "abs");
    int fd = OK(open("f", O_RDONLY));
    close(fd); /* fd is now a closed descriptor */
    int fd2 = OK(openat(fd, path, O_RDONLY));
    close(fd2);
}

static void open_dotdot(void) {
    OK(mkdir("d", 0755));
    OK(mkdir("d/e", 0755));
    put_str("f", "top");
    char buf[8] = {0};
    int fd = OK(open("d/e/../../f", O_RDONLY));
    EXPECT_EQ(read(fd, buf, sizeof buf), 3);
    EXPECT_MEM(buf, "top", 3);
    close(fd);
    fd = OK(open("d/./e/.././../f", O_RDONLY));
    close(fd);
    struct stat a, b;
    OK(stat("d/e/..", &a));
    OK(stat("d", &b));
    EXPECT(a.st_ino == b.st_ino && a.st_dev == b.st_dev,
           "expected d/e/.. to be d / got inode %lu vs %lu", (unsigned long)a.st_ino,
           (unsigned long)b.st_ino);
    OK(stat("/..", &a));
    OK(stat("/", &b));
    EXPECT(a.st_ino == b.st_ino && a.st_dev == b.st_dev,
           "expected /.. to be / / got inode %lu vs %lu", (unsigned long)a.st_ino,
           (unsigned long)b.st_ino);
}

static void open_name_too_long(void) {
    char name[300];
    memset(name, 'a', 256);
    name[256] = 0;
    EXPECT_ERR(open(name, O_RDONLY), ENAMETOOLONG);
    EXPECT_ERR(open(name, O_WRONLY | O_CREAT, 0644), ENAMETOOLONG);
    name[255] = 0; /* 255 bytes is the limit, and allowed */
    int fd = OK(open(name, O_WRONLY | O_CREAT, 0644));
    close(fd);
    OK(unlink(name));
}

static void open_path_too_long(void) {
    static char path[PATH_MAX + 100];
    for (size_t i = 0; i < sizeof path - 1; i += 2) {
        path[i] = 'a';
        path[i + 1] = '/';
    }
    path[sizeof path - 1] = 0;
    EXPECT_ERR(open(path, O_RDONLY), ENAMETOOLONG);
}

static void open_trunc(void) {
    put_str("f", "hello");
    int fd = OK(open("f", O_WRONLY | O_TRUNC));
    struct stat st;
    OK(fstat(fd, &st));
    EXPECT_EQ(st.st_size, 0);
    EXPECT_EQ(write(fd, "ab", 2), 2);
    close(fd);
    char buf[16];
    EXPECT_EQ(get_file("f", buf, sizeof buf), 2);
    EXPECT_STR(buf, "ab");
    /* Linux truncates on O_TRUNC whatever the access mode. */
    fd = OK(open("f", O_RDONLY | O_TRUNC));
    OK(fstat(fd, &st));
    EXPECT_EQ(st.st_size, 0);
    EXPECT_ERR(write(fd, "ab", 2), EBADF);
    close(fd);
}

/* fsync and fdatasync: files and directories yes; pipes, sockets, devices
 * and procfs files EINVAL; a closed fd EBADF. */
static void fsync_kinds(void) {
    put_str("f", "x");
    int f = OK(open("f", O_RDONLY));
    int d = OK(open(".", O_RDONLY | O_DIRECTORY));
    OK(fsync(f));
    OK(fdatasync(f));
    OK(fsync(d));
    int p[2];
    xpipe(p, 0);
    EXPECT_ERR(fsync(p[0]), EINVAL);
    EXPECT_ERR(fdatasync(p[1]), EINVAL);
    int n = OK(open("/dev/null", O_RDWR));
    EXPECT_ERR(fsync(n), EINVAL);
    int s = OK(open("/proc/self/status", O_RDONLY));
    EXPECT_ERR(fsync(s), EINVAL);
    close(f);
    EXPECT_ERR(fsync(f), EBADF);
    close(d);
    close(p[0]);
    close(p[1]);
    close(n);
    close(s);
}

static void open_append(void) {
    put_str("f", "abc");
    int fd = OK(open("f", O_WRONLY | O_APPEND));
    EXPECT_EQ(lseek(fd, 0, SEEK_SET), 0);
    EXPECT_EQ(write(fd, "de", 2), 2);
    EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 5);
    close(fd);
    char buf[16];
    get_file("f", buf, sizeof buf);
    EXPECT_STR(buf, "abcde");
}

static void open_cloexec(void) {
    put_str("f", "x");
    int fd = OK(open("f", O_RDONLY | O_CLOEXEC));
    EXPECT_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
    int fd2 = OK(open("f", O_RDONLY));
    EXPECT_EQ(fcntl(fd2, F_GETFD), 0);
    close(fd);
    close(fd2);
}

static void open_creat_mode(void) {
    umask(022);
    int fd = OK(open("f", O_WRONLY | O_CREAT, 0666));
    struct stat st;
    OK(fstat(fd, &st));
    EXPECT_EQ(st.st_mode & 07777, 0644);
    EXPECT(S_ISREG(st.st_mode), "expected S_ISREG / got mode 0%o", st.st_mode);
    close(fd);
    umask(077);
    fd = OK(open("g", O_WRONLY | O_CREAT, 0666));
    OK(fstat(fd, &st));
    EXPECT_EQ(st.st_mode & 07777, 0600);
    close(fd);
    EXPECT_EQ(umask(022), 077);
}

static void open_openat_bad_dirfd(void) {
    put_str("f", "x");
    int fd = OK(open("f", O_RDONLY));
    close(fd);
    EXPECT_ERR(openat(fd, "f", O_RDONLY), EBADF);
    EXPECT_ERR(openat(-1, "f", O_RDONLY), EBADF);
}

static void open_openat_notdir_dirfd(void) {
    put_str("f", "x");
    int fd = OK(open("f", O_RDONLY));
    EXPECT_ERR(openat(fd, "x", O_RDONLY), ENOTDIR);
    EXPECT_ERR(openat(fd, "x", O_WRONLY | O_CREAT, 0644), ENOTDIR);
    close(fd);
}

/* ---- read / write / lseek ------------------------------------------------------ */

static void io_closed_fd_ebadf(void) {
    put_str("f", "x");
    int fd = OK(open("f", O_RDWR));
    close(fd);
    char c;
    EXPECT_ERR(read(fd, &c, 1), EBADF);
    EXPECT_ERR(write(fd, "x", 1), EBADF);
    EXPECT_ERR(lseek(fd, 0, SEEK_SET), EBADF);
    EXPECT_ERR(read(-1, &c, 1), EBADF);
}

static void io_wrong_mode_ebadf(void) {
    put_str("f", "abc");
    int fd = OK(open("f", O_RDONLY));
    EXPECT_ERR(write(fd, "x", 1), EBADF);
    close(fd);
    fd = OK(open("f", O_WRONLY));
    char c;
    EXPECT_ERR(read(fd, &c, 1), EBADF);
    close(fd);
}

static void io_lseek_whence(void) {
    put_str("f", "0123456789");
    int fd = OK(open("f", O_RDONLY));
    EXPECT_EQ(lseek(fd, 3, SEEK_SET), 3);
    EXPECT_EQ(lseek(fd, 2, SEEK_CUR), 5);
    char c;
    EXPECT_EQ(read(fd, &c, 1), 1);
    EXPECT_EQ(c, '5');
    EXPECT_EQ(lseek(fd, -1, SEEK_END), 9);
    EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 9);
    EXPECT_EQ(lseek(fd, 0, SEEK_END), 10);
    close(fd);
}

static void io_lseek_negative_einval(void) {
    put_str("f", "0123456789");
    int fd = OK(open("f", O_RDONLY));
    EXPECT_EQ(lseek(fd, 4, SEEK_SET), 4);
    EXPECT_ERR(lseek(fd, -1, SEEK_SET), EINVAL);
    EXPECT_ERR(lseek(fd, -5, SEEK_CUR), EINVAL);
    EXPECT_ERR(lseek(fd, -11, SEEK_END), EINVAL);
    EXPECT_ERR(lseek(fd, 0, 99), EINVAL);
    EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 4);
    close(fd);
}

static void io_lseek_pipe_espipe(void) {
    int p[2];
    xpipe(p, 0);
    EXPECT_ERR(lseek(p[0], 0, SEEK_CUR), ESPIPE);
    EXPECT_ERR(lseek(p[1], 0, SEEK_SET), ESPIPE);
    char c;
    EXPECT_ERR(pread(p[0], &c, 1, 0), ESPIPE);
    EXPECT_ERR(pwrite(p[1], "x", 1, 0), ESPIPE);
    close(p[0]);
    close(p[1]);
}

static void io_lseek_past_end_hole(void) {
    put_str("f", "ab");
    int fd = OK(open("f", O_RDWR));
    EXPECT_EQ(lseek(fd, 100, SEEK_SET), 100);
    EXPECT_EQ(write(fd, "z", 1), 1);
    struct stat st;
    OK(fstat(fd, &st));
    EXPECT_EQ(st.st_size, 101);
    char buf[101], want[101];
    memset(want, 0, sizeof want);
    want[0] = 'a';
    want[1] = 'b';
    want[100] = 'z';
    EXPECT_EQ(pread(fd, buf, sizeof buf, 0), 101);
    EXPECT_MEM(buf, want, 101);
    close(fd);
}

static void io_read_eof(void) {
    put_str("f", "abc");
    int fd = OK(open("f", O_RDONLY));
    char buf[16];
    EXPECT_EQ(read(fd, buf, sizeof buf), 3);
    EXPECT_EQ(read(fd, buf, sizeof buf), 0);
    EXPECT_EQ(read(fd, buf, sizeof buf), 0);
    EXPECT_EQ(read(fd, buf, 0), 0);
    close(fd);
}

static void io_pread_keeps_offset(void) {
    put_str("f", "0123456789");
    int fd = OK(open("f", O_RDONLY));
    EXPECT_EQ(lseek(fd, 2, SEEK_SET), 2);
    char buf[8];
    EXPECT_EQ(pread(fd, buf, 3, 5), 3);
    EXPECT_MEM(buf, "567", 3);
    EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 2);
    EXPECT_EQ(read(fd, buf, 2), 2);
    EXPECT_MEM(buf, "23", 2);
    EXPECT_EQ(pread(fd, buf, 8, 20), 0);
    EXPECT_ERR(pread(fd, buf, 1, -1), EINVAL);
    close(fd);
}

static void io_pwrite_keeps_offset(void) {
    put_str("f", "0123456789");
    int fd = OK(open("f", O_RDWR));
    EXPECT_EQ(pwrite(fd, "XY", 2, 4), 2);
    EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 0);
    EXPECT_EQ(pwrite(fd, "E", 1, 12), 1);
    close(fd);
    char buf[32];
    EXPECT_EQ(get_file("f", buf, sizeof buf), 13);
    EXPECT_MEM(buf, "0123XY6789\0\0E", 13);
}

static void io_readv_writev(void) {
    int fd = OK(open("f", O_RDWR | O_CREAT, 0644));
    struct iovec w[3] = {{"ab", 2}, {"", 0}, {"cde", 3}};
    EXPECT_EQ(writev(fd, w, 3), 5);
    EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 5);
    char a[2], b[8];
    struct iovec r[2] = {{a, sizeof a}, {b, sizeof b}};
    EXPECT_EQ(lseek(fd, 0, SEEK_SET), 0);
    EXPECT_EQ(readv(fd, r, 2), 5);
    EXPECT_MEM(a, "ab", 2);
    EXPECT_MEM(b, "cde", 3);
    EXPECT_ERR(syscall(SYS_readv, fd, r, -1), EINVAL);
    EXPECT_ERR(syscall(SYS_writev, fd, w, 1025), EINVAL);
    EXPECT_EQ(pwritev(fd, w, 1, 1), 2);
    close(fd);
    char buf[16];
    get_file("f", buf, sizeof buf);
    EXPECT_STR(buf, "aabde");
}

static void io_read_dir_eisdir(void) {
    OK(mkdir("d", 0755));
    int fd = OK(open("d", O_RDONLY | O_DIRECTORY));
    char buf[16];
    EXPECT_ERR(read(fd, buf, sizeof buf), EISDIR);
    close(fd);
}

static void io_dev_null(void) {
    int fd = OK(open("/dev/null", O_RDWR));
    EXPECT_EQ(write(fd, "hello", 5), 5);
    char buf[8];
    EXPECT_EQ(read(fd, buf, sizeof buf), 0);
    struct stat st;
    OK(fstat(fd, &st));
    EXPECT(S_ISCHR(st.st_mode), "expected /dev/null to be S_ISCHR / got mode 0%o", st.st_mode);
    close(fd);
}

static void io_dev_zero(void) {
    int fd = OK(open("/dev/zero", O_RDONLY));
    char buf[100], zero[100];
    memset(buf, 0xff, sizeof buf);
    memset(zero, 0, sizeof zero);
    EXPECT_EQ(read(fd, buf, sizeof buf), 100);
    EXPECT_MEM(buf, zero, 100);
    close(fd);
}

static void io_ftruncate(void) {
    put_str("f", "hello world");
    int fd = OK(open("f", O_RDWR));
    OK(ftruncate(fd, 5));
    struct stat st;
    OK(fstat(fd, &st));
    EXPECT_EQ(st.st_size, 5);
    OK(ftruncate(fd, 8));
    char buf[16];
    EXPECT_EQ(pread(fd, buf, sizeof buf, 0), 8);
    EXPECT_MEM(buf, "hello\0\0\0", 8);
    EXPECT_ERR(ftruncate(fd, -1), EINVAL);
    close(fd);
    fd = OK(open("f", O_RDONLY));
    EXPECT_ERR(ftruncate(fd, 0), EINVAL);
    close(fd);
    OK(truncate("f", 2));
    EXPECT_EQ(get_file("f", buf, sizeof buf), 2);
}

/* ---- close / dup / fcntl ------------------------------------------------------- */

static void fd_close_twice(void) {
    int fd = OK(open(".", O_RDONLY));
    OK(close(fd));
    EXPECT_ERR(close(fd), EBADF);
    EXPECT_ERR(close(-1), EBADF);
}

static void fd_dup2_same(void) {
    int fd = OK(open(".", O_RDONLY));
    EXPECT_EQ(dup2(fd, fd), fd);
    EXPECT(fd_is_open(fd), "expected fd %d open after dup2(fd, fd) / got closed", fd);
    close(fd);
    EXPECT_ERR(dup2(fd, fd), EBADF);
}

static void fd_dup2_replaces(void) {
    put_str("a", "AAAA");
    put_str("b", "BBBB");
    int a = OK(open("a", O_RDONLY));
    int b = OK(open("b", O_RDONLY | O_CLOEXEC));
    EXPECT_EQ(dup2(a, b), b);
    EXPECT_EQ(fcntl(b, F_GETFD), 0);
    char buf[4];
    EXPECT_EQ(read(b, buf, 4), 4);
    EXPECT_MEM(buf, "AAAA", 4);
    EXPECT_ERR(dup2(a, -1), EBADF);
    close(a);
    close(b);
}

static void fd_dup3(void) {
    int fd = OK(open(".", O_RDONLY));
    EXPECT_ERR(syscall(SYS_dup3, fd, fd, 0), EINVAL);
    EXPECT_ERR(syscall(SYS_dup3, fd, fd, O_CLOEXEC), EINVAL);
    int target = lowest_free_fd(30);
    EXPECT_ERR(syscall(SYS_dup3, fd, target, O_NONBLOCK), EINVAL);
    EXPECT_EQ(syscall(SYS_dup3, fd, target, O_CLOEXEC), target);
    EXPECT_EQ(fcntl(target, F_GETFD), FD_CLOEXEC);
    EXPECT_EQ(syscall(SYS_dup3, fd, target, 0), target);
    EXPECT_EQ(fcntl(target, F_GETFD), 0);
    close(target);
    close(fd);
}

static void fd_dup_shares_offset(void) {
    put_str("f", "0123456789");
    int fd = OK(open("f", O_RDONLY | O_CLOEXEC));
    int d = OK(dup(fd));
    EXPECT_EQ(fcntl(d, F_GETFD), 0);
    char buf[3];
    EXPECT_EQ(read(fd, buf, 3), 3);
    EXPECT_EQ(lseek(d, 0, SEEK_CUR), 3);
    EXPECT_EQ(read(d, buf, 2), 2);
    EXPECT_MEM(buf, "34", 2);
    OK(fcntl(fd, F_SETFL, O_NONBLOCK));
    EXPECT(fcntl(d, F_GETFL) & O_NONBLOCK, "expected O_NONBLOCK shared with the dup / got 0x%x",
           fcntl(d, F_GETFL));
    close(fd);
    close(d);
}

static void fd_dup_lowest(void) {
    int fd = OK(open(".", O_RDONLY));
    int want = lowest_free_fd(0);
    EXPECT_EQ(dup(fd), want);
    close(want);
    close(fd);
}

static void fd_fcntl_getfd_setfd(void) {
    int fd = OK(open(".", O_RDONLY));
    EXPECT_EQ(fcntl(fd, F_GETFD), 0);
    OK(fcntl(fd, F_SETFD, FD_CLOEXEC));
    EXPECT_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
    OK(fcntl(fd, F_SETFD, 0));
    EXPECT_EQ(fcntl(fd, F_GETFD), 0);
    close(fd);
    EXPECT_ERR(fcntl(fd, F_GETFD), EBADF);
}

static void fd_fcntl_getfl(void) {
    int fd = OK(open("f", O_RDWR | O_APPEND | O_CREAT, 0644));
    int fl = OK(fcntl(fd, F_GETFL));
    EXPECT_EQ(fl & O_ACCMODE, O_RDWR);
    EXPECT(fl & O_APPEND, "expected O_APPEND in F_GETFL / got 0x%x", fl);
    EXPECT(!(fl & O_NONBLOCK), "expected no O_NONBLOCK in F_GETFL / got 0x%x", fl);
    OK(fcntl(fd, F_SETFL, O_NONBLOCK | O_WRONLY));
    fl = OK(fcntl(fd, F_GETFL));
    EXPECT_EQ(fl & O_ACCMODE, O_RDWR); /* the access mode cannot change */
    EXPECT(fl & O_NONBLOCK, "expected O_NONBLOCK after F_SETFL / got 0x%x", fl);
    EXPECT(!(fl & O_APPEND), "expected O_APPEND cleared by F_SETFL / got 0x%x", fl);
    close(fd);
    fd = OK(open("f", O_RDONLY));
    EXPECT_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDONLY);
    close(fd);
    fd = OK(open("f", O_WRONLY));
    EXPECT_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_WRONLY);
    close(fd);
}

static void fd_dupfd_cloexec(void) {
    int fd = OK(open(".", O_RDONLY));
    int want = lowest_free_fd(0);
    EXPECT_EQ(fcntl(fd, F_DUPFD_CLOEXEC, 0), want);
    EXPECT_EQ(fcntl(want, F_GETFD), FD_CLOEXEC);
    close(want);
    close(fd);
}

static void fd_dupfd_lowest(void) {
    int fd = OK(open(".", O_RDONLY));
    int first = lowest_free_fd(20);
    EXPECT_EQ(fcntl(fd, F_DUPFD, 20), first);
    EXPECT_EQ(fcntl(first, F_GETFD), 0);
    int second = lowest_free_fd(20);
    EXPECT_EQ(fcntl(fd, F_DUPFD, 20), second);
    EXPECT(second > first, "expected a second F_DUPFD above %d / got %d", first, second);
    EXPECT_ERR(fcntl(fd, F_DUPFD, -1), EINVAL);
    close(first);
    close(second);
    close(fd);
}

static void fd_fcntl_bad_cmd(void) {
    int fd = OK(open(".", O_RDONLY));
    EXPECT_ERR(fcntl(fd, 9999), EINVAL);
    close(fd);
}

/* ---- stat ---------------------------------------------------------------------- */

static void stat_types(void) {
    put_str("f", "x");
    OK(mkdir("d", 0755));
    OK(symlink("f", "l"));
    struct stat st;
    OK(stat("f", &st));
    EXPECT(S_ISREG(st.st_mode), "expected f S_ISREG / got mode 0%o", st.st_mode);
    OK(stat("d", &st));
    EXPECT(S_ISDIR(st.st_mode), "expected d S_ISDIR / got mode 0%o", st.st_mode);
    OK(lstat("l", &st));
    EXPECT(S_ISLNK(st.st_mode), "expected lstat(l) S_ISLNK / got mode 0%o", st.st_mode);
    EXPECT_EQ(st.st_size, 1);
    OK(stat("l", &st));
    EXPECT(S_ISREG(st.st_mode), "expected stat(l) S_ISREG / got mode 0%o", st.st_mode);
    OK(lstat("d", &st));
    EXPECT(S_ISDIR(st.st_mode), "expected lstat(d) S_ISDIR / got mode 0%o", st.st_mode);
}

static void stat_size_after_writes(void) {
    int fd = OK(open("f", O_RDWR | O_CREAT, 0644));
    struct stat st;
    OK(fstat(fd, &st));
    EXPECT_EQ(st.st_size, 0);
    char buf[100];
    memset(buf, 'q', sizeof buf);
    EXPECT_EQ(write(fd, buf, 100), 100);
    OK(fstat(fd, &st));
    EXPECT_EQ(st.st_size, 100);
    EXPECT_EQ(pwrite(fd, "z", 1, 1000), 1);
    OK(stat("f", &st));
    EXPECT_EQ(st.st_size, 1001);
    close(fd);
}

static void stat_missing(void) {
    struct stat st;
    put_str("f", "x");
    EXPECT_ERR(stat("missing", &st), ENOENT);
    EXPECT_ERR(lstat("missing", &st), ENOENT);
    EXPECT_ERR(stat("nodir/x", &st), ENOENT);
    EXPECT_ERR(stat("f/x", &st), ENOTDIR);
    EXPECT_ERR(stat("", &st), ENOENT);
    OK(symlink("missing", "dangling"));
    EXPECT_ERR(stat("dangling", &st), ENOENT);
    OK(lstat("dangling", &st));
}

static void stat_fstatat_nofollow(void) {
    put_str("f", "hello");
    OK(symlink("f", "l"));
    struct stat st;
    OK(syscall(SYS_newfstatat, AT_FDCWD, "l", &st, AT_SYMLINK_NOFOLLOW));
    EXPECT(S_ISLNK(st.st_mode), "expected S_ISLNK with AT_SYMLINK_NOFOLLOW / got mode 0%o",
           st.st_mode);
    OK(syscall(SYS_newfstatat, AT_FDCWD, "l", &st, 0));
    EXPECT(S_ISREG(st.st_mode), "expected S_ISREG without AT_SYMLINK_NOFOLLOW / got mode 0%o",
           st.st_mode);
    EXPECT_EQ(st.st_size, 5);
    EXPECT_ERR(syscall(SYS_newfstatat, AT_FDCWD, "f", &st, 0x40000000), EINVAL);
}

static void stat_fstatat_dirfd(void) {
    OK(mkdir("d", 0755));
    put_str("d/f", "abc");
    int dfd = OK(open("d", O_RDONLY | O_DIRECTORY));
    struct stat st;
    OK(syscall(SYS_newfstatat, dfd, "f", &st, 0));
    EXPECT_EQ(st.st_size, 3);
    close(dfd);
}

static void stat_empty_path(void) {
    put_str("f", "hello");
    int fd = OK(open("f", O_RDONLY));
    struct stat a, b;
    OK(syscall(SYS_newfstatat, fd, "", &a, AT_EMPTY_PATH));
    OK(syscall(SYS_fstat, fd, &b));
    EXPECT(a.st_ino == b.st_ino && a.st_dev == b.st_dev,
           "expected AT_EMPTY_PATH to stat the fd / got inode %lu vs %lu", (unsigned long)a.st_ino,
           (unsigned long)b.st_ino);
    EXPECT_EQ(a.st_size, 5);
    EXPECT_ERR(syscall(SYS_newfstatat, fd, "", &a, 0), ENOENT);
    close(fd);
    EXPECT_ERR(syscall(SYS_newfstatat, fd, "", &a, AT_EMPTY_PATH), EBADF);
}

static void stat_raw_syscalls(void) {
    put_str("f", "hello");
    OK(symlink("f", "l"));
    struct stat a, b, c, d;
    OK(syscall(SYS_stat, "f", &a));
    OK(syscall(SYS_lstat, "l", &b));
    int fd = OK(open("f", O_RDONLY));
    OK(syscall(SYS_fstat, fd, &c));
    OK(syscall(SYS_newfstatat, AT_FDCWD, "f", &d, 0));
    close(fd);
    EXPECT(S_ISREG(a.st_mode) && a.st_size == 5, "expected stat: regular, 5 bytes / got 0%o %ld",
           a.st_mode, (long)a.st_size);
    EXPECT(S_ISLNK(b.st_mode), "expected lstat S_ISLNK / got mode 0%o", b.st_mode);
    EXPECT(a.st_ino == c.st_ino && a.st_ino == d.st_ino && b.st_ino != a.st_ino,
           "expected stat/fstat/newfstatat to agree on the inode / got %lu %lu %lu",
           (unsigned long)a.st_ino, (unsigned long)c.st_ino, (unsigned long)d.st_ino);
    EXPECT_ERR(syscall(SYS_stat, "missing", &a), ENOENT);
    EXPECT_ERR(syscall(SYS_fstat, -1, &a), EBADF);
}

static void stat_chmod(void) {
    put_str("f", "x");
    OK(chmod("f", 0600));
    struct stat st;
    OK(stat("f", &st));
    EXPECT_EQ(st.st_mode & 07777, 0600);
    int fd = OK(open("f", O_RDONLY));
    OK(fchmod(fd, 0640));
    OK(fstat(fd, &st));
    EXPECT_EQ(st.st_mode & 07777, 0640);
    close(fd);
    EXPECT_ERR(chmod("missing", 0600), ENOENT);
}

static void stat_utimensat(void) {
    put_str("f", "x");
    struct timespec ts[2] = {{1000000000, 123456789}, {1100000000, 987654321}};
    OK(utimensat(AT_FDCWD, "f", ts, 0));
    struct stat st;
    OK(stat("f", &st));
    EXPECT_EQ(st.st_atim.tv_sec, 1000000000);
    EXPECT_EQ(st.st_atim.tv_nsec, 123456789);
    EXPECT_EQ(st.st_mtim.tv_sec, 1100000000);
    EXPECT_EQ(st.st_mtim.tv_nsec, 987654321);
    EXPECT_ERR(utimensat(AT_FDCWD, "missing", ts, 0), ENOENT);
}

/* ---- directories --------------------------------------------------------------- */

static void dir_mkdir_exists(void) {
    OK(mkdir("d", 0755));
    EXPECT_ERR(mkdir("d", 0755), EEXIST);
    put_str("f", "x");
    EXPECT_ERR(mkdir("f", 0755), EEXIST);
    EXPECT_ERR(mkdir("nodir/d", 0755), ENOENT);
    EXPECT_ERR(mkdir("f/d", 0755), ENOTDIR);
    struct stat st;
    OK(stat("d", &st));
    EXPECT_EQ(st.st_mode & 07777, 0755);
}

static void dir_rmdir_nonempty(void) {
    OK(mkdir("d", 0755));
    put_str("d/f", "x");
    EXPECT_ERR(rmdir("d"), ENOTEMPTY);
    OK(unlink("d/f"));
    OK(rmdir("d"));
    EXPECT_ERR(rmdir("d"), ENOENT);
}

static void dir_rmdir_file(void) {
    put_str("f", "x");
    EXPECT_ERR(rmdir("f"), ENOTDIR);
    OK(mkdir("d", 0755));
    EXPECT_ERR(rmdir("d/."), EINVAL);
}

static void dir_unlink_dir(void) {
    OK(mkdir("d", 0755));
    EXPECT_ERR(unlink("d"), EISDIR);
    EXPECT_ERR(unlink("missing"), ENOENT);
}

static void dir_unlinkat_flags(void) {
    OK(mkdir("d", 0755));
    int dfd = OK(open("d", O_RDONLY | O_DIRECTORY));
    OK(mkdirat(dfd, "sub", 0755));
    put_str("d/f", "x");
    EXPECT_ERR(unlinkat(dfd, "sub", 0), EISDIR);
    EXPECT_ERR(unlinkat(dfd, "f", AT_REMOVEDIR), ENOTDIR);
    OK(unlinkat(dfd, "sub", AT_REMOVEDIR));
    OK(unlinkat(dfd, "f", 0));
    close(dfd);
    OK(rmdir("d"));
}

static void dir_rename_over_file(void) {
    put_str("a", "AAA");
    put_str("b", "BB");
    OK(rename("a", "b"));
    char buf[8];
    get_file("b", buf, sizeof buf);
    EXPECT_STR(buf, "AAA");
    EXPECT_ERR(access("a", F_OK), ENOENT);
    EXPECT_ERR(rename("a", "c"), ENOENT);
}

static void dir_rename_missing_dir(void) {
    put_str("a", "x");
    EXPECT_ERR(rename("a", "nodir/a"), ENOENT);
    OK(access("a", F_OK));
}

static void dir_rename_dirs(void) {
    OK(mkdir("d", 0755));
    OK(mkdir("full", 0755));
    put_str("full/f", "x");
    OK(mkdir("empty", 0755));
    put_str("file", "x");
    EXPECT_ERR(rename("d", "full"), ENOTEMPTY);
    EXPECT_ERR(rename("file", "empty"), EISDIR);
    EXPECT_ERR(rename("d", "file"), ENOTDIR);
    EXPECT_ERR(rename("d", "d/sub"), EINVAL);
    OK(rename("d", "empty"));
    struct stat st;
    OK(stat("empty", &st));
    EXPECT_ERR(stat("d", &st), ENOENT);
}

static void dir_renameat2_noreplace(void) {
    put_str("a", "A");
    put_str("b", "B");
    EXPECT_ERR(syscall(SYS_renameat2, AT_FDCWD, "a", AT_FDCWD, "b", 1 /* RENAME_NOREPLACE */),
               EEXIST);
    OK(syscall(SYS_renameat2, AT_FDCWD, "a", AT_FDCWD, "c", 1));
    char buf[4];
    get_file("c", buf, sizeof buf);
    EXPECT_STR(buf, "A");
}

struct dirent_list {
    char names[16][32];
    unsigned char types[16];
    int count;
};

static void list_dir(const char* path, struct dirent_list* out, size_t bufsize) {
    int fd = OK(open(path, O_RDONLY | O_DIRECTORY));
    char buf[4096];
    out->count = 0;
    for (;;) {
        long n = OK(syscall(SYS_getdents64, fd, buf, bufsize));
        if (n == 0)
            break;
        for (long off = 0; off < n;) {
            uint64_t ino;
            unsigned short reclen;
            memcpy(&ino, buf + off, 8);
            memcpy(&reclen, buf + off + 16, 2);
            EXPECT(reclen >= 20 && off + reclen <= n && reclen % 8 == 0,
                   "expected a sane d_reclen / got %u at offset %ld of %ld", reclen, off, n);
            EXPECT(out->count < 16, "expected at most 16 entries / got more");
            EXPECT(ino != 0, "expected a nonzero d_ino / got 0");
            snprintf(out->names[out->count], 32, "%s", buf + off + 19);
            out->types[out->count] = (unsigned char)buf[off + 18];
            out->count++;
            off += reclen;
        }
    }
    close(fd);
}

static int find_entry(const struct dirent_list* l, const char* name) {
    for (int i = 0; i < l->count; i++)
        if (strcmp(l->names[i], name) == 0)
            return i;
    return -1;
}

static void dir_getdents64(void) {
    OK(mkdir("d", 0755));
    put_str("d/alpha", "x");
    put_str("d/beta", "x");
    OK(mkdir("d/gamma", 0755));
    OK(symlink("alpha", "d/delta"));
    /* A small buffer forces several calls that must continue where they stopped. */
    size_t sizes[2] = {4096, 48};
    for (int s = 0; s < 2; s++) {
        struct dirent_list l;
        list_dir("d", &l, sizes[s]);
        EXPECT_EQ(l.count, 6);
        const char* names[6] = {".", "..", "alpha", "beta", "gamma", "delta"};
        unsigned char types[6] = {DT_DIR, DT_DIR, DT_REG, DT_REG, DT_DIR, DT_LNK};
        for (int i = 0; i < 6; i++) {
            int at = find_entry(&l, names[i]);
            EXPECT(at >= 0, "expected %s in getdents64(bufsize %zu) / got %d names without it",
                   names[i], sizes[s], l.count);
            EXPECT(l.types[at] == types[i] || l.types[at] == DT_UNKNOWN,
                   "expected d_type %d for %s / got %d", types[i], names[i], l.types[at]);
        }
    }
}

static void dir_getdents64_errors(void) {
    OK(mkdir("d", 0755));
    put_str("f", "x");
    int fd = OK(open("d", O_RDONLY | O_DIRECTORY));
    char buf[8];
    EXPECT_ERR(syscall(SYS_getdents64, fd, buf, 1), EINVAL);
    close(fd);
    fd = OK(open("f", O_RDONLY));
    char big[512];
    EXPECT_ERR(syscall(SYS_getdents64, fd, big, sizeof big), ENOTDIR);
    close(fd);
    EXPECT_ERR(syscall(SYS_getdents64, fd, big, sizeof big), EBADF);
}

static void dir_readdir(void) {
    OK(mkdir("d", 0755));
    put_str("d/one", "x");
    put_str("d/two", "x");
    DIR* d = opendir("d");
    EXPECT(d != NULL, "expected opendir to succeed / got NULL %s", errname(errno));
    int seen = 0, total = 0;
    struct dirent* e;
    while ((e = readdir(d)) != NULL) {
        total++;
        if (strcmp(e->d_name, "one") == 0 || strcmp(e->d_name, "two") == 0)
            seen++;
    }
    closedir(d);
    EXPECT(seen == 2 && total == 4, "expected ., .., one, two / got %d entries, %d of ours", total,
           seen);
}

static void dir_chdir_getcwd_fchdir(void) {
    char orig[PATH_MAX], now[PATH_MAX], want[PATH_MAX + 8];
    EXPECT(getcwd(orig, sizeof orig) != NULL, "expected getcwd to succeed / got NULL %s",
           errname(errno));
    EXPECT(orig[0] == '/', "expected an absolute cwd / got %s", quote(orig, strlen(orig)));
    OK(mkdir("sub", 0755));
    int ofd = OK(open(".", O_RDONLY | O_DIRECTORY));
    OK(chdir("sub"));
    EXPECT(getcwd(now, sizeof now) != NULL, "expected getcwd to succeed / got NULL %s",
           errname(errno));
    snprintf(want, sizeof want, "%s/sub", orig);
    EXPECT_STR(now, want);
    put_str("inside", "x");
    OK(fchdir(ofd));
    EXPECT(getcwd(now, sizeof now) != NULL, "expected getcwd to succeed / got NULL %s",
           errname(errno));
    EXPECT_STR(now, orig);
    OK(access("sub/inside", F_OK));
    OK(chdir(".."));
    OK(chdir(orig));
    close(ofd);
}

static void dir_chdir_errors(void) {
    put_str("f", "x");
    EXPECT_ERR(chdir("missing"), ENOENT);
    EXPECT_ERR(chdir("f"), ENOTDIR);
    int fd = OK(open("f", O_RDONLY));
    EXPECT_ERR(fchdir(fd), ENOTDIR);
    close(fd);
    EXPECT_ERR(fchdir(fd), EBADF);
}

static void dir_getcwd_erange(void) {
    char buf[PATH_MAX];
    long n = OK(syscall(SYS_getcwd, buf, sizeof buf));
    EXPECT_EQ(n, (long)strlen(buf) + 1);
    char small[4];
    EXPECT_ERR(syscall(SYS_getcwd, small, 1), ERANGE);
    EXPECT_ERR(syscall(SYS_getcwd, buf, strlen(buf)), ERANGE);
    EXPECT_EQ(syscall(SYS_getcwd, buf, strlen(buf) + 1), n);
}

static void dir_symlink_readlink(void) {
    OK(symlink("target/path", "l"));
    char buf[64];
    memset(buf, '#', sizeof buf);
    EXPECT_EQ(readlink("l", buf, sizeof buf), 11);
    EXPECT_MEM(buf, "target/path#", 12); /* not NUL-terminated */
    EXPECT_EQ(readlink("l", buf, 3), 3);
    EXPECT_MEM(buf, "tar", 3);
    EXPECT_ERR(symlink("other", "l"), EEXIST);
    EXPECT_ERR(readlink("missing", buf, sizeof buf), ENOENT);
    int dfd = OK(open(".", O_RDONLY | O_DIRECTORY));
    EXPECT_EQ(readlinkat(dfd, "l", buf, sizeof buf), 11);
    close(dfd);
}

static void dir_readlink_not_symlink(void) {
    put_str("f", "x");
    char buf[16];
    EXPECT_ERR(readlink("f", buf, sizeof buf), EINVAL);
    EXPECT_ERR(readlink(".", buf, sizeof buf), EINVAL);
}

static void dir_access(void) {
    EXPECT_ERR(access("missing", F_OK), ENOENT);
    EXPECT_ERR(access("missing", R_OK), ENOENT);
    EXPECT_ERR(access("missing", W_OK), ENOENT);
    EXPECT_ERR(access("missing", X_OK), ENOENT);
    put_str("f", "x");
    OK(access("f", F_OK));
    OK(access("f", R_OK));
    EXPECT_ERR(access("f", 0x10), EINVAL);
    EXPECT_ERR(faccessat(AT_FDCWD, "missing", F_OK, 0), ENOENT);
}

static void dir_unlink_open_file(void) {
    put_str("f", "still here");
    int fd = OK(open("f", O_RDONLY));
    OK(unlink("f"));
    struct stat st;
    EXPECT_ERR(stat("f", &st), ENOENT);
    OK(fstat(fd, &st));
    EXPECT_EQ(st.st_nlink, 0);
    char buf[16];
    EXPECT_EQ(read(fd, buf, sizeof buf), 10);
    EXPECT_MEM(buf, "still here", 10);
    close(fd);
}

static void dir_link(void) {
    put_str("a", "x");
    OK(link("a", "b"));
    struct stat sa, sb;
    OK(stat("a", &sa));
    OK(stat("b", &sb));
    EXPECT_EQ(sa.st_nlink, 2);
    EXPECT(sa.st_ino == sb.st_ino, "expected a hard link to share the inode / got %lu vs %lu",
           (unsigned long)sa.st_ino, (unsigned long)sb.st_ino);
    EXPECT_ERR(link("a", "b"), EEXIST);
    EXPECT_ERR(link("missing", "c"), ENOENT);
    OK(mkdir("d", 0755));
    EXPECT_ERR(link("d", "e"), EPERM);
    OK(unlink("a"));
    OK(stat("b", &sb));
    EXPECT_EQ(sb.st_nlink, 1);
}

static void dir_rename_onto_itself(void) {
    OK(mkdir("d", 0755));
    OK(rename("d", "d"));
    put_str("f", "x");
    OK(rename("f", "f"));
    struct stat st;
    OK(stat("d", &st));
    OK(stat("f", &st));
}

/* A trailing slash names a directory: new names other than directories
   may not have one (filename_create), and O_CREAT with one is EISDIR. */
static void dir_trailing_slash_new_names(void) {
    put_str("f", "x");
    EXPECT_ERR(open("f/", O_WRONLY | O_CREAT, 0644), EISDIR);
    EXPECT_ERR(open("new/", O_WRONLY | O_CREAT, 0644), EISDIR);
    EXPECT_ERR(mkdir("f/", 0755), EEXIST);
    EXPECT_ERR(symlink("x", "new/"), ENOENT);
    EXPECT_ERR(symlink("x", "f/"), EEXIST);
    EXPECT_ERR(rename("f", "g/"), ENOTDIR);
    OK(mkdir("d/", 0755));
    struct stat st;
    EXPECT_ERR(stat("new", &st), ENOENT);
    EXPECT_ERR(stat("g", &st), ENOENT);
}

const struct check fs_checks[] = {
    CHECK_ENTRY(open, creat_excl_exists),
    CHECK_ENTRY(open, creat_excl_dangling_symlink),
    CHECK_ENTRY(open, missing),
    CHECK_ENTRY(open, missing_parent),
    CHECK_ENTRY(open, empty_path),
    CHECK_ENTRY(open, directory_on_file),
    CHECK_ENTRY(open, through_file),
    CHECK_ENTRY(open, wronly_dir),
    CHECK_ENTRY(open, nofollow_symlink),
    CHECK_ENTRY(open, symlink_loop),
    CHECK_ENTRY(open, openat_dirfd),
    CHECK_ENTRY(open, openat_at_fdcwd),
    CHECK_ENTRY(open, openat_absolute_ignores_dirfd),
    CHECK_ENTRY(open, dotdot),
    CHECK_ENTRY(open, name_too_long),
    CHECK_ENTRY(open, path_too_long),
    CHECK_ENTRY(open, trunc),
    CHECK_ENTRY(open, append),
    CHECK_ENTRY(fsync, kinds),
    CHECK_ENTRY(open, cloexec),
    CHECK_ENTRY(open, creat_mode),
    CHECK_ENTRY(open, openat_bad_dirfd),
    CHECK_ENTRY(open, openat_notdir_dirfd),

    CHECK_ENTRY(io, closed_fd_ebadf),
    CHECK_ENTRY(io, wrong_mode_ebadf),
    CHECK_ENTRY(io, lseek_whence),
    CHECK_ENTRY(io, lseek_negative_einval),
    CHECK_ENTRY(io, lseek_pipe_espipe),
    CHECK_ENTRY(io, lseek_past_end_hole),
    CHECK_ENTRY(io, read_eof),
    CHECK_ENTRY(io, pread_keeps_offset),
    CHECK_ENTRY(io, pwrite_keeps_offset),
    CHECK_ENTRY(io, readv_writev),
    CHECK_ENTRY(io, read_dir_eisdir),
    CHECK_ENTRY(io, dev_null),
    CHECK_ENTRY(io, dev_zero),
    CHECK_ENTRY(io, ftruncate),

    CHECK_ENTRY(fd, close_twice),
    CHECK_ENTRY(fd, dup2_same),
    CHECK_ENTRY(fd, dup2_replaces),
    CHECK_ENTRY(fd, dup3),
    CHECK_ENTRY(fd, dup_shares_offset),
    CHECK_ENTRY(fd, dup_lowest),
    CHECK_ENTRY(fd, fcntl_getfd_setfd),
    CHECK_ENTRY(fd, fcntl_getfl),
    CHECK_ENTRY(fd, dupfd_cloexec),
    CHECK_ENTRY(fd, dupfd_lowest),
    CHECK_ENTRY(fd, fcntl_bad_cmd),

    CHECK_ENTRY(stat, types),
    CHECK_ENTRY(stat, size_after_writes),
    CHECK_ENTRY(stat, missing),
    CHECK_ENTRY(stat, fstatat_nofollow),
    CHECK_ENTRY(stat, fstatat_dirfd),
    CHECK_ENTRY(stat, empty_path),
    CHECK_ENTRY(stat, raw_syscalls),
    CHECK_ENTRY(stat, chmod),
    CHECK_ENTRY(stat, utimensat),

    CHECK_ENTRY(dir, mkdir_exists),
    CHECK_ENTRY(dir, rmdir_nonempty),
    CHECK_ENTRY(dir, rmdir_file),
    CHECK_ENTRY(dir, unlink_dir),
    CHECK_ENTRY(dir, unlinkat_flags),
    CHECK_ENTRY(dir, rename_over_file),
    CHECK_ENTRY(dir, rename_missing_dir),
    CHECK_ENTRY(dir, rename_dirs),
    CHECK_ENTRY(dir, renameat2_noreplace),
    CHECK_ENTRY(dir, getdents64),
    CHECK_ENTRY(dir, getdents64_errors),
    CHECK_ENTRY(dir, readdir),
    CHECK_ENTRY(dir, chdir_getcwd_fchdir),
    CHECK_ENTRY(dir, chdir_errors),
    CHECK_ENTRY(dir, getcwd_erange),
    CHECK_ENTRY(dir, symlink_readlink),
    CHECK_ENTRY(dir, readlink_not_symlink),
    CHECK_ENTRY(dir, access),
    CHECK_ENTRY(dir, unlink_open_file),
    CHECK_ENTRY(dir, link),
    CHECK_ENTRY(dir, rename_onto_itself),
    CHECK_ENTRY(dir, trailing_slash_new_names),
};
const size_t fs_checks_count = sizeof fs_checks / sizeof fs_checks[0];
