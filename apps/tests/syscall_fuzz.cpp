// Feeds the Linux system calls bad arguments through raw `syscall`: first
// a list of edge cases whose answers Linux fixes (this program runs on
// the build machine too, as the oracle), then seeded random arguments for
// the families the kernel offloads to vfsd, syscalld, procd and loaderd
// (and the ones it answers itself). Paths that are unmapped, unterminated,
// too long or garbage; unknown flags; wild pointers; bad descriptors; huge
// sizes. Every call must come back with -errno or a sane value.
//
// The random calls run in children, a batch each, so that a death Linux
// would cause does not end the run — but none is expected: the arguments
// never point the fuzzer at its own code, stack or heap, signals are
// caught or ignored, and a watchdog timer interrupts every call that
// would block. The parent kills a batch that hangs anyway and reports it.
//
//   syscall-fuzz [CALLS [SEED [CALLS_PER_BATCH]]]   (defaults: 6000, 1, 500)
#include "seeded_rng.h"

#include <rustos/user/syscall.h>

#include <fcntl.h>
#include <linux/futex.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

constexpr long kPage = 4096;
constexpr int kReportFd = 777;      // the child's console; never fuzzed
constexpr int kWatchdogSignal = 40; // interrupts blocking calls; never fuzzed
constexpr long kWatchdogNs = 20'000'000;
constexpr int kMaxReported = 30;
constexpr uint64_t kSaRestorer = 0x04000000;

long raw(long nr, uint64_t a = 0, uint64_t b = 0, uint64_t c = 0, uint64_t d = 0, uint64_t e = 0,
         uint64_t f = 0) {
    return long(rustos::user::raw_syscall(uint64_t(nr), a, b, c, d, e, f));
}

uint64_t u(const void* p) { return reinterpret_cast<uint64_t>(p); }

using Rng = SeededRng;

int g_out = 1; // where reports go (kReportFd in a child)
int g_reported = 0;

void say(const char* fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n > 0)
        (void)!write(g_out, buf, size_t(n) < sizeof buf ? size_t(n) : sizeof buf - 1);
}

const char* err_name(long r) {
    static char buf[32];
    if (r >= 0 || r < -4095) {
        snprintf(buf, sizeof buf, "%ld", r);
        return buf;
    }
    const char* n = strerrorname_np(int(-r));
    return n ? n : "E?";
}

// --- memory the calls may point at ---

struct Memory {
    uint8_t* scratch;      // kScratch bytes, read-write, random; a PROT_NONE page after it
    uint8_t* guard;        // that PROT_NONE page
    uint8_t* ro;           // a read-only page
    uint64_t hole;         // an unmapped page
    uint8_t* arena;        // kArena bytes the memory calls may reshape at will
    uint8_t* craft;        // structs built for one call (never an output)
    char* path;            // the path of one call (never an output)
    char* path2;           // the second path of one call
    uint8_t* unterminated; // kPage bytes of 'a' ending where `hole` begins
};
constexpr size_t kScratch = 16 * kPage, kArena = 64 * kPage;

Memory g_mem;

uint8_t* map(size_t len, int prot) {
    void* p = mmap(nullptr, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        say("syscall-fuzz: mmap failed: %s\n", strerror(errno));
        _exit(3);
    }
    return static_cast<uint8_t*>(p);
}

void setup_memory() {
    uint8_t* s = map(kScratch + kPage, PROT_READ | PROT_WRITE);
    mprotect(s + kScratch, kPage, PROT_NONE);
    g_mem.scratch = s;
    g_mem.guard = s + kScratch;
    g_mem.ro = map(kPage, PROT_READ);
    g_mem.arena = map(kArena, PROT_READ | PROT_WRITE);
    g_mem.craft = map(kPage, PROT_READ | PROT_WRITE);
    uint8_t* paths = map(3 * kPage, PROT_READ | PROT_WRITE);
    g_mem.path = reinterpret_cast<char*>(paths);
    g_mem.path2 = reinterpret_cast<char*>(paths + 3 * kPage / 2);
    // Last, so that no later mapping of ours fills the hole.
    uint8_t* u2 = map(2 * kPage, PROT_READ | PROT_WRITE);
    munmap(u2 + kPage, kPage);
    g_mem.unterminated = u2;
    memset(u2, 'a', kPage);
    g_mem.hole = uint64_t(u2 + kPage);
}

// --- the edge cases: what Linux answers ---

int g_edge_total = 0, g_edge_bad = 0;

struct Progress;
extern Progress* g_progress;
void edge_done(const char* what);

// `also`: a second answer that counts as right (1: none).
void expect(const char* what, long got, long want, long also = 1) {
    ++g_edge_total;
    if (got != want && (also == 1 || got != also)) {
        ++g_edge_bad;
        say("syscall-fuzz: EDGE %s: got %s, want %s\n", what, err_name(got), err_name(want));
    }
    edge_done(what);
}

// A result that is a success of any value.
void expect_ok(const char* what, long got) {
    ++g_edge_total;
    if (got < 0) {
        ++g_edge_bad;
        say("syscall-fuzz: EDGE %s: got %s, want success\n", what, err_name(got));
    }
    edge_done(what);
}

void edge_alarm(int) {}

bool on_rustos() {
    struct utsname u {};
    return uname(&u) == 0 && strstr(u.version, "RustOS");
}

// The pid of the process called `name` (/proc/<pid>/comm), 0 if none.
int pid_of(const char* name) {
    for (int pid = 1; pid < 64; ++pid) {
        char path[64], comm[64] = {};
        snprintf(path, sizeof path, "/proc/%d/comm", pid);
        int f = open(path, O_RDONLY);
        if (f < 0)
            continue;
        ssize_t n = read(f, comm, sizeof comm - 1);
        close(f);
        if (n > 0 && strncmp(comm, name, strlen(name)) == 0 &&
            (comm[strlen(name)] == '\n' || comm[strlen(name)] == 0))
            return pid;
    }
    return 0;
}

constexpr uint64_t kKernel = 0xffffffff80100000ull, kNonCanonical = 0x0000900000000000ull,
                   kWrap = 0xfffffffffffff000ull;

void edge_cases() {
    Memory& m = g_mem;
    char* p = m.path;
    int dir = open("/", O_RDONLY | O_DIRECTORY);
    int file = open("/etc/passwd", O_RDONLY);
    int fds[2];
    (void)!pipe(fds);
    int sock = socket(AF_UNIX, SOCK_STREAM, 0);
    uint8_t* buf = m.scratch;
    // Run as an ordinary user on the build machine (the safe way to ask the
    // oracle), some answers are EACCES instead.
    long not_root = geteuid() ? -EACCES : 1;

    // Paths.
    expect("open(NULL)", raw(SYS_open, 0, O_RDONLY), -EFAULT);
    expect("open(0x1)", raw(SYS_open, 1, O_RDONLY), -EFAULT);
    expect("open(kernel address)", raw(SYS_open, kKernel, O_RDONLY), -EFAULT);
    expect("open(non-canonical)", raw(SYS_open, kNonCanonical, O_RDONLY), -EFAULT);
    expect("open(unmapped page)", raw(SYS_open, m.hole, O_RDONLY), -EFAULT);
    expect("open(PROT_NONE page)", raw(SYS_open, u(m.guard), O_RDONLY), -EFAULT);
    expect("open(unterminated, runs into an unmapped page)",
           raw(SYS_open, u(m.unterminated + kPage - 100), O_RDONLY), -EFAULT);
    expect("open(4096 bytes without a NUL)", raw(SYS_open, u(m.unterminated), O_RDONLY),
           -ENAMETOOLONG, -EFAULT);
    memset(p, 'a', 5000);
    p[0] = '/';
    p[5000] = 0;
    expect("open(5000-byte path)", raw(SYS_open, u(p), O_RDONLY), -ENAMETOOLONG);
    p[4096] = 0;
    expect("open(4096-byte path)", raw(SYS_open, u(p), O_RDONLY), -ENAMETOOLONG);
    strcpy(p, "");
    expect("open(\"\")", raw(SYS_open, u(p), O_RDONLY), -ENOENT);
    strcpy(p, "/nonexistent/\x01\xff\x7f/..");
    expect("open(garbage path)", raw(SYS_open, u(p), O_RDONLY), -ENOENT);
    strcpy(p, "/etc/passwd/");
    expect("open(file with a trailing slash)", raw(SYS_open, u(p), O_RDONLY), -ENOTDIR);
    strcpy(p, "/etc/passwd/x");
    expect("open(file as a directory)", raw(SYS_open, u(p), O_RDONLY), -ENOTDIR);
    strcpy(p, "/etc/passwd");
    expect("open(O_DIRECTORY on a file)", raw(SYS_open, u(p), O_RDONLY | O_DIRECTORY), -ENOTDIR);
    strcpy(p, "/");
    expect("open(directory for writing)", raw(SYS_open, u(p), O_WRONLY), -EISDIR);
    strcpy(p, "/tmp");
    expect("open(O_CREAT|O_EXCL on an existing dir)", raw(SYS_open, u(p), O_CREAT | O_EXCL, 0600),
           -EEXIST);
    strcpy(p, "/tmp/fuzz-edge");
    long fd = raw(SYS_open, u(p), O_CREAT | O_RDWR | 0x40000000 /* unknown: ignored */, 0600);
    expect_ok("open(O_CREAT with an unknown flag)", fd);
    expect("openat(bad dirfd, relative)", raw(SYS_openat, 9999, u("x"), O_RDONLY), -EBADF);
    expect("openat(file as dirfd, relative)", raw(SYS_openat, file, u("x"), O_RDONLY), -ENOTDIR);
    expect_ok("openat(bad dirfd, absolute)", raw(SYS_openat, 9999, u("/etc/passwd"), O_RDONLY));
    expect("openat(NULL)", raw(SYS_openat, AT_FDCWD, 0, O_RDONLY), -EFAULT);

    // /proc with pids and descriptors that do not exist.
    const char* no_such[] = {
        "/proc/0/status",     "/proc/99999999999/status",     "/proc/-1/status",
        "/proc/self/fd/9999", "/proc/self/task/99999/status", "/proc/1x/status"};
    for (const char* path : no_such)
        expect(path, raw(SYS_open, u(path), O_RDONLY), -ENOENT);
    expect("readlink(/proc/self/fd/9999)", raw(SYS_readlink, u("/proc/self/fd/9999"), u(buf), 64),
           -ENOENT);

    // read, write, pread, lseek.
    expect("read(-1)", raw(SYS_read, uint64_t(-1), u(buf), 10), -EBADF);
    expect("read(99999)", raw(SYS_read, 99999, u(buf), 10), -EBADF);
    expect("read(fd, NULL, 10)", raw(SYS_read, file, 0, 10), -EFAULT);
    expect("read(fd, kernel, 10)", raw(SYS_read, file, kKernel, 10), -EFAULT);
    expect("read(fd, read-only page, 10)", raw(SYS_read, file, u(m.ro), 10), -EFAULT);
    expect("read(fd, buf, 0)", raw(SYS_read, file, u(buf), 0), 0);
    expect("read(directory)", raw(SYS_read, dir, u(buf), 10), -EISDIR);
    expect("read(write-only fd)", raw(SYS_read, fds[1], u(buf), 10), -EBADF);
    expect("write(read-only fd)", raw(SYS_write, file, u(buf), 10), -EBADF);
    expect("write(fd, unmapped, 10)", raw(SYS_write, fd, m.hole, 10), -EFAULT);
    expect("write(fd, wrapping range, 0x2000)", raw(SYS_write, fd, kWrap, 0x2000), -EFAULT);
    expect("write(-5)", raw(SYS_write, uint64_t(-5), u(buf), 1), -EBADF);
    expect("pread(fd, buf, 10, -1)", raw(SYS_pread64, file, u(buf), 10, uint64_t(-1)), -EINVAL);
    expect("pread(pipe)", raw(SYS_pread64, fds[0], u(buf), 10, 0), -ESPIPE);
    expect("pwrite(fd, buf, 1, -4096)", raw(SYS_pwrite64, fd, u(buf), 1, uint64_t(-4096)), -EINVAL);
    expect("lseek(fd, 0, 99)", raw(SYS_lseek, file, 0, 99), -EINVAL);
    expect("lseek(fd, -1, SEEK_SET)", raw(SYS_lseek, file, uint64_t(-1), SEEK_SET), -EINVAL);
    expect("lseek(pipe)", raw(SYS_lseek, fds[0], 0, SEEK_SET), -ESPIPE);
    expect("lseek(-1)", raw(SYS_lseek, uint64_t(-1), 0, SEEK_SET), -EBADF);
    expect("readv(fd, NULL, 1)", raw(SYS_readv, file, 0, 1), -EFAULT);
    expect("readv(fd, iov, -1)", raw(SYS_readv, file, u(buf), uint64_t(-1)), -EINVAL);
    expect("writev(fd, iov, 1025)", raw(SYS_writev, fd, u(buf), 1025), -EINVAL);
    {
        struct iovec* iov = reinterpret_cast<struct iovec*>(m.craft);
        iov[0] = {m.scratch, 8};
        iov[1] = {reinterpret_cast<void*>(m.hole), 8};
        expect("writev(second iovec unmapped)", raw(SYS_writev, fd, u(iov), 2), -EFAULT, 8);
        iov[0] = {m.scratch, size_t(-1)};
        expect("writev(iov_len -1)", raw(SYS_writev, fd, u(iov), 1), -EINVAL);
    }

    // stat and friends.
    expect("stat(NULL, buf)", raw(SYS_stat, 0, u(buf)), -EFAULT);
    expect("stat(\"/\", NULL)", raw(SYS_stat, u("/"), 0), -EFAULT);
    expect("stat(\"/\", read-only page)", raw(SYS_stat, u("/"), u(m.ro)), -EFAULT);
    expect("fstat(-1)", raw(SYS_fstat, uint64_t(-1), u(buf)), -EBADF);
    expect("newfstatat(\"\", 0)", raw(SYS_newfstatat, AT_FDCWD, u(""), u(buf), 0), -ENOENT);
    expect("newfstatat(fd, \"\", AT_EMPTY_PATH)",
           raw(SYS_newfstatat, file, u(""), u(buf), AT_EMPTY_PATH), 0);
    expect("newfstatat(bad dirfd, relative)", raw(SYS_newfstatat, 4242, u("x"), u(buf), 0), -EBADF);
    expect("lstat(unmapped)", raw(SYS_lstat, m.hole, u(buf)), -EFAULT);
    expect("statx(NULL path, AT_EMPTY_PATH)", raw(SYS_statx, file, 0, AT_EMPTY_PATH, 0x7ff, u(buf)),
           0, -EFAULT);
    expect("access(\"/\", 0x10)", raw(SYS_access, u("/"), 0x10), -EINVAL);
    expect("readlink(\"/\")", raw(SYS_readlink, u("/"), u(buf), 64), -EINVAL);
    expect("readlink(link, buf, 0)", raw(SYS_readlink, u("/proc/self/exe"), u(buf), 0), -EINVAL);
    expect("getcwd(buf, 1)", raw(SYS_getcwd, u(buf), 1), -ERANGE);
    expect("getcwd(NULL, 4096)", raw(SYS_getcwd, 0, 4096), -EFAULT);
    expect("chdir(file)", raw(SYS_chdir, u("/etc/passwd")), -ENOTDIR);
    expect("fchdir(-1)", raw(SYS_fchdir, uint64_t(-1)), -EBADF);
    expect("mkdir(\"/\")", raw(SYS_mkdir, u("/"), 0755), -EEXIST);
    expect("rmdir(\"/tmp/.\")", raw(SYS_rmdir, u("/tmp/."), 0), -EINVAL);
    expect("rmdir(file)", raw(SYS_rmdir, u("/tmp/fuzz-edge")), -ENOTDIR);
    expect("unlink(directory)", raw(SYS_unlink, u("/tmp")), -EISDIR, not_root);
    expect("unlinkat(AT_FDCWD, x, 0x1234)", raw(SYS_unlinkat, AT_FDCWD, u("/tmp/x"), 0x1234),
           -EINVAL);
    expect("rename(\"/tmp\", \"/tmp/x\")", raw(SYS_rename, u("/tmp"), u("/tmp/x")), -EINVAL,
           -EBUSY);
    expect("renameat2(flags 0x80)",
           raw(SYS_renameat2, AT_FDCWD, u("/tmp/fuzz-edge"), AT_FDCWD, u("/tmp/y"), 0x80), -EINVAL);
    expect("truncate(file, -1)", raw(SYS_truncate, u("/tmp/fuzz-edge"), uint64_t(-1)), -EINVAL);
    expect("ftruncate(read-only fd)", raw(SYS_ftruncate, file, 0), -EINVAL, -EBADF);
    expect("ftruncate(fd, -1)", raw(SYS_ftruncate, fd, uint64_t(-1)), -EINVAL);
    expect("symlink(\"\", x)", raw(SYS_symlink, u(""), u("/tmp/fuzz-sym")), -ENOENT);
    expect("link(dir, x)", raw(SYS_link, u("/tmp"), u("/tmp/fuzz-link")), -EPERM);
    {
        // A mount point cannot be removed, even when it is empty (only
        // asked where /dev/shm is one).
        struct stat shm {
        }, dev{};
        if (stat("/dev/shm", &shm) == 0 && stat("/dev", &dev) == 0 && shm.st_dev != dev.st_dev)
            expect("rmdir(\"/dev/shm\") (a mount point)", raw(SYS_rmdir, u("/dev/shm")), -EBUSY,
                   not_root);
        expect("rmdir(\"/proc\") (a mount point)", raw(SYS_rmdir, u("/proc")), -EBUSY, not_root);
    }

    // Directories, ioctl, fcntl, dup.
    expect("getdents64(file)", raw(SYS_getdents64, file, u(buf), 4096), -ENOTDIR);
    expect("getdents64(dir, buf, 1)", raw(SYS_getdents64, dir, u(buf), 1), -EINVAL);
    expect("getdents64(dir, NULL, 4096)", raw(SYS_getdents64, dir, 0, 4096), -EFAULT);
    expect("getdents64(-1)", raw(SYS_getdents64, uint64_t(-1), u(buf), 4096), -EBADF);
    expect("ioctl(file, TCGETS)", raw(SYS_ioctl, file, 0x5401, u(buf)), -ENOTTY);
    expect("ioctl(-1, TCGETS)", raw(SYS_ioctl, uint64_t(-1), 0x5401, u(buf)), -EBADF);
    expect("ioctl(file, 0xdeadbeef)", raw(SYS_ioctl, file, 0xdeadbeef, 0), -ENOTTY);
    expect("ioctl(file, FIONBIO, NULL)", raw(SYS_ioctl, file, 0x5421, 0), -EFAULT);
    expect("fcntl(fd, 9999)", raw(SYS_fcntl, file, 9999), -EINVAL);
    expect("fcntl(-1, F_GETFD)", raw(SYS_fcntl, uint64_t(-1), F_GETFD), -EBADF);
    expect("fcntl(fd, F_DUPFD, -1)", raw(SYS_fcntl, file, F_DUPFD, uint64_t(-1)), -EINVAL);
    expect("fcntl(fd, F_DUPFD, 1<<20)", raw(SYS_fcntl, file, F_DUPFD, 1 << 20), -EINVAL);
    expect("fcntl(fd, F_GETLK, NULL)", raw(SYS_fcntl, file, F_GETLK, 0), -EFAULT);
    expect("dup(-1)", raw(SYS_dup, uint64_t(-1)), -EBADF);
    expect("dup2(fd, -1)", raw(SYS_dup2, file, uint64_t(-1)), -EBADF);
    expect("dup2(fd, 1<<20)", raw(SYS_dup2, file, 1 << 20), -EBADF);
    expect("dup2(-1, 5)", raw(SYS_dup2, uint64_t(-1), 5), -EBADF);
    expect("dup3(fd, fd, 0)", raw(SYS_dup3, file, file, 0), -EINVAL);
    expect("dup3(fd, 200, 0x1234)", raw(SYS_dup3, file, 200, 0x1234), -EINVAL);
    expect("pipe2(NULL, 0)", raw(SYS_pipe2, 0, 0), -EFAULT);
    expect("pipe2(read-only, 0)", raw(SYS_pipe2, u(m.ro), 0), -EFAULT);
    expect("pipe2(buf, 0xffff)", raw(SYS_pipe2, u(buf), 0xffff), -EINVAL);

    // Sockets.
    expect("socket(999, STREAM, 0)", raw(SYS_socket, 999, SOCK_STREAM, 0), -EAFNOSUPPORT);
    expect("socket(AF_UNIX, 999, 0)", raw(SYS_socket, AF_UNIX, 999, 0), -EINVAL);
    expect("socket(AF_UNIX, STREAM, 99)", raw(SYS_socket, AF_UNIX, SOCK_STREAM, 99),
           -EPROTONOSUPPORT);
    expect("bind(file, addr)", raw(SYS_bind, file, u(buf), 16), -ENOTSOCK);
    expect("bind(sock, NULL, 16)", raw(SYS_bind, sock, 0, 16), -EFAULT);
    expect("bind(sock, addr, 1)", raw(SYS_bind, sock, u(buf), 1), -EINVAL);
    expect("bind(sock, addr, -1)", raw(SYS_bind, sock, u(buf), uint64_t(-1)), -EINVAL);
    {
        auto* sa = reinterpret_cast<sockaddr_un*>(m.craft);
        memset(sa, 0, sizeof *sa);
        sa->sun_family = AF_UNIX;
        strcpy(sa->sun_path, "/tmp/no-such-socket");
        expect("connect(nonexistent path)", raw(SYS_connect, sock, u(sa), sizeof *sa), -ENOENT);
        sa->sun_family = 2;
        expect("connect(AF_INET address to AF_UNIX)", raw(SYS_connect, sock, u(sa), sizeof *sa),
               -EAFNOSUPPORT, -EINVAL);
        expect("connect(-1)", raw(SYS_connect, uint64_t(-1), u(sa), sizeof *sa), -EBADF);
    }
    expect("listen(file)", raw(SYS_listen, file, 5), -ENOTSOCK);
    expect("accept(file)", raw(SYS_accept, file, 0, 0), -ENOTSOCK);
    expect("accept4(sock, flags 0x1234)", raw(SYS_accept4, sock, 0, 0, 0x1234), -EINVAL);
    expect("getsockname(sock, buf, NULL)", raw(SYS_getsockname, sock, u(buf), 0), -EFAULT);
    expect("getpeername(unconnected)", raw(SYS_getpeername, sock, u(buf), u(buf + 200)), -ENOTCONN,
           -EFAULT);
    expect("shutdown(file, 0)", raw(SYS_shutdown, file, 0), -ENOTSOCK);
    expect("socketpair(AF_UNIX, STREAM, 0, NULL)", raw(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, 0),
           -EFAULT);

    // poll, select, epoll.
    expect("poll(NULL, 1, 0)", raw(SYS_poll, 0, 1, 0), -EFAULT);
    expect("poll(fds, 1<<30, 0)", raw(SYS_poll, u(buf), 1 << 30, 0), -EINVAL);
    {
        struct pollfd* pf = reinterpret_cast<struct pollfd*>(m.craft);
        pf[0] = {-1, POLLIN, 0};
        expect("poll({-1}, 1, 0)", raw(SYS_poll, u(pf), 1, 0), 0);
        pf[0] = {9999, POLLIN, 0};
        expect("poll({9999}, 1, 0) (POLLNVAL)", raw(SYS_poll, u(pf), 1, 0), 1);
        struct timespec* ts = reinterpret_cast<struct timespec*>(m.craft + 64);
        *ts = {0, 2000000000};
        expect("ppoll(timeout nsec 2e9)", raw(SYS_ppoll, u(pf), 1, u(ts), 0, 8), -EINVAL);
        *ts = {-1, 0};
        expect("ppoll(negative timeout)", raw(SYS_ppoll, u(pf), 1, u(ts), 0, 8), -EINVAL);
        expect("ppoll(timeout unmapped)", raw(SYS_ppoll, u(pf), 1, m.hole, 0, 8), -EFAULT);
    }
    expect("select(-1)", raw(SYS_select, uint64_t(-1), 0, 0, 0, 0), -EINVAL);
    {
        auto* tv = reinterpret_cast<struct timeval*>(m.craft);
        *tv = {0, 0};
        // Linux caps nfds at the descriptor table's size (the manual says EINVAL).
        expect("select(1<<20, zero timeout)", raw(SYS_select, 1 << 20, 0, 0, 0, u(tv)), 0, -EINVAL);
        *tv = {0, -1};
        expect("select(timeout usec -1)", raw(SYS_select, 0, 0, 0, 0, u(tv)), -EINVAL);
        *tv = {0, 0};
        expect("select(readfds unmapped)", raw(SYS_select, 8, m.hole, 0, 0, u(tv)), -EFAULT);
        memset(m.craft + 64, 0xff, 128);
        *tv = {0, 0};
        expect("select(every fd below 1024 wanted)",
               raw(SYS_select, 1024, u(m.craft + 64), 0, 0, u(tv)), -EBADF);
    }
    expect("epoll_create(0)", raw(SYS_epoll_create, 0), -EINVAL);
    expect("epoll_create1(0x1234)", raw(SYS_epoll_create1, 0x1234), -EINVAL);
    {
        long ep = raw(SYS_epoll_create1, 0);
        expect_ok("epoll_create1(0)", ep);
        auto* ev = reinterpret_cast<uint32_t*>(m.craft);
        ev[0] = EPOLLIN;
        expect("epoll_ctl(op 99)", raw(SYS_epoll_ctl, ep, 99, fds[0], u(ev)), -EINVAL);
        expect("epoll_ctl(ADD, itself)", raw(SYS_epoll_ctl, ep, 1, ep, u(ev)), -EINVAL);
        expect("epoll_ctl(ADD, a regular file)", raw(SYS_epoll_ctl, ep, 1, file, u(ev)), -EPERM);
        expect("epoll_ctl(ADD, event unmapped)", raw(SYS_epoll_ctl, ep, 1, fds[0], m.hole),
               -EFAULT);
        expect("epoll_ctl(DEL, not added)", raw(SYS_epoll_ctl, ep, 2, fds[0], u(ev)), -ENOENT);
        expect("epoll_ctl(not an epoll fd)", raw(SYS_epoll_ctl, file, 1, fds[0], u(ev)), -EINVAL);
        // Two epoll sets watching each other: a loop.
        long ep2 = raw(SYS_epoll_create1, 0);
        expect("epoll_ctl(ADD, another epoll)", raw(SYS_epoll_ctl, ep2, 1, ep, u(ev)), 0);
        expect("epoll_ctl(ADD, a loop)", raw(SYS_epoll_ctl, ep, 1, ep2, u(ev)), -ELOOP);
        expect("epoll_wait(on a loop attempt)", raw(SYS_epoll_wait, ep, u(buf), 4, 0), 0);
        expect("epoll_wait(the other)", raw(SYS_epoll_wait, ep2, u(buf), 4, 0), 0);
        close(int(ep2));
        expect("epoll_wait(maxevents 0)", raw(SYS_epoll_wait, ep, u(buf), 0, 0), -EINVAL);
        expect("epoll_wait(maxevents -1)", raw(SYS_epoll_wait, ep, u(buf), uint64_t(-1), 0),
               -EINVAL);
        expect("epoll_wait(not an epoll fd)", raw(SYS_epoll_wait, file, u(buf), 1, 0), -EINVAL);
        close(int(ep));
    }

    // Memory.
    expect("mmap(len 0)",
           raw(SYS_mmap, 0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, uint64_t(-1), 0), -EINVAL);
    expect("mmap(no MAP_PRIVATE/SHARED)",
           raw(SYS_mmap, 0, kPage, PROT_READ, MAP_ANONYMOUS, uint64_t(-1), 0), -EINVAL);
    expect("mmap(len -1)",
           raw(SYS_mmap, 0, uint64_t(-1), PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, uint64_t(-1), 0),
           -ENOMEM);
    expect("mmap(len 1<<47)",
           raw(SYS_mmap, 0, 1ull << 47, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, uint64_t(-1), 0),
           -ENOMEM);
    expect("mmap(fd -1, not anonymous)",
           raw(SYS_mmap, 0, kPage, PROT_READ, MAP_PRIVATE, uint64_t(-1), 0), -EBADF);
    expect("mmap(fd 9999)", raw(SYS_mmap, 0, kPage, PROT_READ, MAP_PRIVATE, 9999, 0), -EBADF);
    expect("mmap(offset not page aligned)",
           raw(SYS_mmap, 0, kPage, PROT_READ, MAP_PRIVATE, file, 123), -EINVAL);
    expect("mmap(MAP_FIXED, unaligned)",
           raw(SYS_mmap, u(m.arena) + 1, kPage, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
               uint64_t(-1), 0),
           -EINVAL);
    expect("mmap(MAP_FIXED, kernel)",
           raw(SYS_mmap, kKernel, kPage, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
               uint64_t(-1), 0),
           -ENOMEM, -EINVAL);
    expect("mmap(directory)", raw(SYS_mmap, 0, kPage, PROT_READ, MAP_PRIVATE, dir, 0), -ENODEV);
    expect("mmap(pipe)", raw(SYS_mmap, 0, kPage, PROT_READ, MAP_PRIVATE, fds[0], 0), -ENODEV,
           -EACCES);
    expect("mmap(MAP_SHARED|PROT_WRITE of an O_RDONLY file)",
           raw(SYS_mmap, 0, kPage, PROT_READ | PROT_WRITE, MAP_SHARED, file, 0), -EACCES);
    expect("munmap(unaligned)", raw(SYS_munmap, u(m.arena) + 1, kPage), -EINVAL);
    expect("munmap(len 0)", raw(SYS_munmap, u(m.arena), 0), -EINVAL);
    expect("munmap(kernel)", raw(SYS_munmap, kKernel, kPage), -EINVAL);
    expect("munmap(wrapping)", raw(SYS_munmap, kWrap, 0x2000), -EINVAL);
    expect("mprotect(unaligned)", raw(SYS_mprotect, u(m.arena) + 1, kPage, PROT_READ), -EINVAL);
    expect("mprotect(prot 0xff)", raw(SYS_mprotect, u(m.arena), kPage, 0xff), -EINVAL);
    expect("mprotect(unmapped)", raw(SYS_mprotect, m.hole, kPage, PROT_READ), -ENOMEM);
    expect("mprotect(kernel)", raw(SYS_mprotect, kKernel, kPage, PROT_READ), -ENOMEM, -EINVAL);
    expect("mremap(flags 0x80)", raw(SYS_mremap, u(m.arena), kPage, kPage, 0x80), -EINVAL);
    expect("mremap(unaligned)", raw(SYS_mremap, u(m.arena) + 1, kPage, kPage, 0), -EINVAL);
    expect("mremap(unmapped)", raw(SYS_mremap, m.hole, kPage, 2 * kPage, 0), -EFAULT);
    expect("mremap(new size 0)", raw(SYS_mremap, u(m.arena), kPage, 0, 1), -EINVAL);
    expect("madvise(unaligned)", raw(SYS_madvise, u(m.arena) + 1, kPage, MADV_DONTNEED), -EINVAL);
    expect("madvise(advice 9999)", raw(SYS_madvise, u(m.arena), kPage, 9999), -EINVAL);
    expect("msync(unaligned)", raw(SYS_msync, u(m.arena) + 1, kPage, MS_SYNC), -EINVAL);
    {
        long cur = raw(SYS_brk, 0);
        expect("brk(kernel address) leaves brk", raw(SYS_brk, kKernel), cur);
        expect("brk(1) leaves brk", raw(SYS_brk, 1), cur);
        expect("brk(non-canonical) leaves brk", raw(SYS_brk, kNonCanonical), cur);
    }

    // Signals.
    {
        struct KSigaction {
            uint64_t handler, flags, restorer, mask;
        };
        auto* act = reinterpret_cast<KSigaction*>(m.craft);
        *act = {uint64_t(SIG_IGN), 0, 0, 0};
        expect("rt_sigaction(0)", raw(SYS_rt_sigaction, 0, u(act), 0, 8), -EINVAL);
        expect("rt_sigaction(65)", raw(SYS_rt_sigaction, 65, u(act), 0, 8), -EINVAL);
        expect("rt_sigaction(SIGKILL)", raw(SYS_rt_sigaction, SIGKILL, u(act), 0, 8), -EINVAL);
        expect("rt_sigaction(SIGSTOP)", raw(SYS_rt_sigaction, SIGSTOP, u(act), 0, 8), -EINVAL);
        expect("rt_sigaction(sigsetsize 4)", raw(SYS_rt_sigaction, SIGUSR1, u(act), 0, 4), -EINVAL);
        expect("rt_sigaction(act unmapped)", raw(SYS_rt_sigaction, SIGUSR1, m.hole, 0, 8), -EFAULT);
        expect("rt_sigaction(oldact read-only)", raw(SYS_rt_sigaction, SIGUSR1, 0, u(m.ro), 8),
               -EFAULT);
        expect("rt_sigaction(SIGKILL, NULL, old)", raw(SYS_rt_sigaction, SIGKILL, 0, u(buf), 8), 0);
    }
    expect("rt_sigprocmask(how 99)", raw(SYS_rt_sigprocmask, 99, u(buf), 0, 8), -EINVAL);
    expect("rt_sigprocmask(sigsetsize 4)", raw(SYS_rt_sigprocmask, SIG_BLOCK, u(buf), 0, 4),
           -EINVAL);
    expect("rt_sigprocmask(set unmapped)", raw(SYS_rt_sigprocmask, SIG_BLOCK, m.hole, 0, 8),
           -EFAULT);
    expect("rt_sigprocmask(old read-only)", raw(SYS_rt_sigprocmask, SIG_BLOCK, 0, u(m.ro), 8),
           -EFAULT);
    expect("rt_sigpending(read-only)", raw(SYS_rt_sigpending, u(m.ro), 8), -EFAULT);
    {
        struct KStack {
            uint64_t sp;
            int32_t flags, pad;
            uint64_t size;
        };
        auto* ss = reinterpret_cast<KStack*>(m.craft);
        *ss = {u(m.scratch), 0x1234, 0, 65536};
        expect("sigaltstack(flags 0x1234)", raw(SYS_sigaltstack, u(ss), 0), -EINVAL);
        *ss = {u(m.scratch), 0, 0, 100};
        expect("sigaltstack(size 100)", raw(SYS_sigaltstack, u(ss), 0), -ENOMEM);
        expect("sigaltstack(unmapped)", raw(SYS_sigaltstack, m.hole, 0), -EFAULT);
        expect("sigaltstack(old read-only)", raw(SYS_sigaltstack, 0, u(m.ro)), -EFAULT);
    }
    expect("kill(self, 65)", raw(SYS_kill, getpid(), 65), -EINVAL);
    expect("kill(self, -1)", raw(SYS_kill, getpid(), uint64_t(-1)), -EINVAL);
    expect("kill(0x7ffffff0, 0)", raw(SYS_kill, 0x7ffffff0, 0), -ESRCH);
    expect("kill(INT_MIN, 0)", raw(SYS_kill, uint64_t(int64_t(INT32_MIN)), 0), -ESRCH);
    expect("kill(-0x7ffffff0, 0)", raw(SYS_kill, uint64_t(-0x7ffffff0ll), 0), -ESRCH);
    expect("tgkill(0, tid, 0)", raw(SYS_tgkill, 0, gettid(), 0), -EINVAL);
    expect("tgkill(pid, -1, 0)", raw(SYS_tgkill, getpid(), uint64_t(-1), 0), -EINVAL);
    expect("tgkill(pid, tid, 65)", raw(SYS_tgkill, getpid(), gettid(), 65), -EINVAL);
    expect("tgkill(0x7ffffff0, 0x7ffffff0, 0)", raw(SYS_tgkill, 0x7ffffff0, 0x7ffffff0, 0), -ESRCH);
    expect("tkill(-1, 0)", raw(SYS_tkill, uint64_t(-1), 0), -EINVAL);

    // Clocks and timers.
    {
        auto* ts = reinterpret_cast<struct timespec*>(m.craft);
        expect("nanosleep(NULL)", raw(SYS_nanosleep, 0, 0), -EFAULT);
        *ts = {0, 2000000000};
        expect("nanosleep(nsec 2e9)", raw(SYS_nanosleep, u(ts), 0), -EINVAL);
        *ts = {-1, 0};
        expect("nanosleep(negative)", raw(SYS_nanosleep, u(ts), 0), -EINVAL);
        *ts = {0, 1000};
        expect("nanosleep(1 us, rem read-only)", raw(SYS_nanosleep, u(ts), u(m.ro)), 0);
        expect("clock_nanosleep(clock 99)", raw(SYS_clock_nanosleep, 99, 0, u(ts), 0), -EINVAL);
        expect("clock_nanosleep(CLOCK_THREAD_CPUTIME_ID)",
               raw(SYS_clock_nanosleep, CLOCK_THREAD_CPUTIME_ID, 0, u(ts), 0), -EINVAL,
               -EOPNOTSUPP);
        expect("clock_nanosleep(unmapped)", raw(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, m.hole, 0),
               -EFAULT);
        expect("clock_gettime(clock 99)", raw(SYS_clock_gettime, 99, u(buf)), -EINVAL);
        expect("clock_gettime(read-only)", raw(SYS_clock_gettime, CLOCK_MONOTONIC, u(m.ro)),
               -EFAULT);
        expect("clock_getres(clock 99)", raw(SYS_clock_getres, 99, u(buf)), -EINVAL);
        auto* it = reinterpret_cast<int64_t*>(m.craft + 64);
        it[0] = 0, it[1] = 0, it[2] = 0, it[3] = 2000000;
        expect("setitimer(which 99)", raw(SYS_setitimer, 99, u(it), 0), -EINVAL);
        expect("setitimer(usec 2e6)", raw(SYS_setitimer, ITIMER_REAL, u(it), 0), -EINVAL);
        expect("setitimer(unmapped)", raw(SYS_setitimer, ITIMER_REAL, m.hole, 0), -EFAULT);
        expect("getitimer(which 99)", raw(SYS_getitimer, 99, u(buf)), -EINVAL);
        expect("getitimer(read-only)", raw(SYS_getitimer, ITIMER_REAL, u(m.ro)), -EFAULT);
        expect("timer_create(clock 99)", raw(SYS_timer_create, 99, 0, u(buf)), -EINVAL);
        auto* sev = reinterpret_cast<int32_t*>(m.craft + 128);
        memset(sev, 0, 64);
        sev[2] = SIGUSR1;
        sev[3] = 99; // sigev_notify
        expect("timer_create(sigev_notify 99)",
               raw(SYS_timer_create, CLOCK_MONOTONIC, u(sev), u(buf)), -EINVAL);
        sev[2] = 0;
        sev[3] = SIGEV_SIGNAL;
        expect("timer_create(signal 0)", raw(SYS_timer_create, CLOCK_MONOTONIC, u(sev), u(buf)),
               -EINVAL);
        expect("timer_create(timerid read-only)",
               raw(SYS_timer_create, CLOCK_MONOTONIC, 0, u(m.ro)), -EFAULT);
        it[3] = 0;
        expect("timer_settime(id 12345)", raw(SYS_timer_settime, 12345, 0, u(it), 0), -EINVAL);
        expect("timer_gettime(id -1)", raw(SYS_timer_gettime, uint64_t(-1), u(buf)), -EINVAL);
        expect("timer_getoverrun(id 12345)", raw(SYS_timer_getoverrun, 12345), -EINVAL);
        expect("timer_delete(id 12345)", raw(SYS_timer_delete, 12345), -EINVAL);
    }

    // Limits.
    expect("prlimit64(0, 999)", raw(SYS_prlimit64, 0, 999, 0, u(buf)), -EINVAL);
    expect("prlimit64(0x7ffffff0, NOFILE)",
           raw(SYS_prlimit64, 0x7ffffff0, RLIMIT_NOFILE, 0, u(buf)), -ESRCH);
    {
        auto* rl = reinterpret_cast<uint64_t*>(m.craft);
        rl[0] = 100, rl[1] = 10;
        expect("prlimit64(NOFILE, cur > max)", raw(SYS_prlimit64, 0, RLIMIT_NOFILE, u(rl), 0),
               -EINVAL);
        expect("prlimit64(new unmapped)", raw(SYS_prlimit64, 0, RLIMIT_NOFILE, m.hole, 0), -EFAULT);
        expect("prlimit64(old read-only)", raw(SYS_prlimit64, 0, RLIMIT_NOFILE, 0, u(m.ro)),
               -EFAULT);
        expect("getrlimit(999)", raw(SYS_getrlimit, 999, u(buf)), -EINVAL);
        expect("setrlimit(NOFILE, unmapped)", raw(SYS_setrlimit, RLIMIT_NOFILE, m.hole), -EFAULT);
        expect("getrusage(99)", raw(SYS_getrusage, 99, u(buf)), -EINVAL);
    }

    // Programs and processes.
    expect("execve(NULL)", raw(SYS_execve, 0, 0, 0), -EFAULT);
    expect("execve(\"/nonexistent\")", raw(SYS_execve, u("/nonexistent"), 0, 0), -ENOENT);
    expect("execve(\"/\")", raw(SYS_execve, u("/"), 0, 0), -EACCES);
    expect("execve(\"/dev/null\")", raw(SYS_execve, u("/dev/null"), 0, 0), -EACCES);
    expect("execve(\"/etc/passwd\") (not executable)", raw(SYS_execve, u("/etc/passwd"), 0, 0),
           -EACCES);
    // Linux checks the file before it copies the arguments; RustOS copies first.
    expect("execve(argv unmapped)", raw(SYS_execve, u("/etc/passwd"), m.hole, 0), -EFAULT, -EACCES);
    expect("execve(envp unmapped)", raw(SYS_execve, u("/etc/passwd"), 0, m.hole), -EFAULT, -EACCES);
    {
        auto* argv = reinterpret_cast<uint64_t*>(m.craft);
        argv[0] = m.hole;
        argv[1] = 0;
        expect("execve(argv[0] unmapped)", raw(SYS_execve, u("/etc/passwd"), u(argv), 0), -EFAULT,
               -EACCES);
    }
    memset(p, 'a', 5000);
    p[0] = '/';
    p[5000] = 0;
    expect("execve(5000-byte path)", raw(SYS_execve, u(p), 0, 0), -ENAMETOOLONG);
    {
        // An executable script whose interpreter does not exist.
        int s = open("/tmp/fuzz-script", O_CREAT | O_TRUNC | O_WRONLY, 0755);
        (void)!write(s, "#!/nonexistent/interpreter\n", 27);
        close(s);
        expect("execve(script, missing interpreter)", raw(SYS_execve, u("/tmp/fuzz-script"), 0, 0),
               -ENOENT);
        s = open("/tmp/fuzz-script", O_CREAT | O_TRUNC | O_WRONLY, 0755);
        (void)!write(s,
                     "\x7f"
                     "ELF garbage",
                     12);
        close(s);
        expect("execve(truncated ELF)", raw(SYS_execve, u("/tmp/fuzz-script"), 0, 0), -ENOEXEC,
               -EIO);
        unlink("/tmp/fuzz-script");
    }
    expect("execveat(bad dirfd, relative)", raw(SYS_execveat, 9999, u("x"), 0, 0, 0), -EBADF,
           -ENOENT);
    expect("execveat(flags 0x1234)", raw(SYS_execveat, AT_FDCWD, u("/x"), 0, 0, 0x1234), -EINVAL);
    expect("wait4(-1) without children", raw(SYS_wait4, uint64_t(-1), u(buf), WNOHANG, 0), -ECHILD);
    expect("wait4(0x7ffffff0)", raw(SYS_wait4, 0x7ffffff0, u(buf), 0, 0), -ECHILD);
    expect("wait4(options 0xdead00)", raw(SYS_wait4, uint64_t(-1), 0, 0xdead00, 0), -EINVAL);
    expect("wait4(INT_MIN)", raw(SYS_wait4, uint64_t(int64_t(INT32_MIN)), 0, 0, 0), -ESRCH);
    expect("waitid(idtype 99)", raw(SYS_waitid, 99, 0, u(buf), WEXITED, 0), -EINVAL);
    expect("waitid(no options)", raw(SYS_waitid, P_ALL, 0, u(buf), 0, 0), -EINVAL);
    expect("waitid(P_PID 0)", raw(SYS_waitid, P_PID, 0, u(buf), WEXITED, 0), -EINVAL);
    expect("waitid(P_ALL) without children", raw(SYS_waitid, P_ALL, 0, u(buf), WEXITED, 0),
           -ECHILD);
    expect("setpgid(0, -1)", raw(SYS_setpgid, 0, uint64_t(-1)), -EINVAL);
    expect("setpgid(0x7ffffff0, 0)", raw(SYS_setpgid, 0x7ffffff0, 0), -ESRCH);
    expect("getpgid(0x7ffffff0)", raw(SYS_getpgid, 0x7ffffff0), -ESRCH);
    expect("getsid(0x7ffffff0)", raw(SYS_getsid, 0x7ffffff0), -ESRCH);
    expect("clone(CLONE_THREAD without CLONE_SIGHAND)", raw(SYS_clone, CLONE_THREAD, 0, 0, 0, 0),
           -EINVAL);
    expect("clone3(size 1)", raw(SYS_clone3, u(buf), 1), -EINVAL);
    expect("clone3(unmapped)", raw(SYS_clone3, m.hole, 88), -EFAULT);
    expect("futex(unmapped, WAIT)", raw(SYS_futex, m.hole, FUTEX_WAIT, 0, 0, 0, 0), -EFAULT);
    expect("futex(unaligned, WAIT)", raw(SYS_futex, u(buf) + 1, FUTEX_WAIT, 0, 0, 0, 0), -EINVAL);
    expect("futex(op 99)", raw(SYS_futex, u(buf), 99, 0, 0, 0, 0), -ENOSYS);
    expect("getrandom(buf, 16, 0x100)", raw(SYS_getrandom, u(buf), 16, 0x100), -EINVAL);
    expect("getrandom(read-only, 16)", raw(SYS_getrandom, u(m.ro), 16, 0), -EFAULT);
    expect("uname(read-only)", raw(SYS_uname, u(m.ro)), -EFAULT);
    expect("sysinfo(read-only)", raw(SYS_sysinfo, u(m.ro)), -EFAULT);
    expect("syscall 1000", raw(1000), -ENOSYS);
    expect("syscall 0x40000000 (x32)", raw(0x40000000), -ENOSYS);
    expect("syscall -1", raw(-1), -ENOSYS);

    // What a process can make vfsd hold is bounded: a datagram peer that
    // never reads fills up (EAGAIN), a huge sparse file is either sparse
    // (Linux) or refused (RustOS keeps files in memory).
    {
        int sv[2];
        socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv);
        long r = 0;
        for (int i = 0; i < 4096 && r >= 0; ++i)
            r = raw(SYS_write, sv[0], u(m.scratch), 16384);
        expect("write(datagrams nobody reads) until the queue is full", r, -EAGAIN);
        close(sv[0]);
        close(sv[1]);
        int big = open("/tmp/fuzz-big", O_CREAT | O_RDWR | O_TRUNC, 0600);
        expect("ftruncate(2 GiB - 1)", raw(SYS_ftruncate, big, (1ull << 31) - 1), 0, -EFBIG);
        expect("pwrite(at 1 GiB)", raw(SYS_pwrite64, big, u(buf), 1, 1ull << 30), 1, -ENOSPC);
        expect("pwrite(at 3 GiB)", raw(SYS_pwrite64, big, u(buf), 1, 3ull << 30), 1, -EFBIG);
        close(big);
        unlink("/tmp/fuzz-big");
        expect("stat(\"/\") still answers", raw(SYS_stat, u("/"), u(buf)), 0);
    }

    // Calls that wait end with EINTR when a signal arrives (SIGALRM after
    // 50 ms, a handler without SA_RESTART), wherever they wait.
    {
        struct sigaction sa {};
        sa.sa_handler = edge_alarm;
        sigaction(SIGALRM, &sa, nullptr);
        auto interrupted = [&](const char* what, auto&& call) {
            struct itimerval it {
                {0, 0}, { 0, 50000 }
            };
            setitimer(ITIMER_REAL, &it, nullptr);
            expect(what, call(), -EINTR);
            struct itimerval off {};
            setitimer(ITIMER_REAL, &off, nullptr);
        };
        int p2[2];
        (void)!pipe(p2);
        interrupted("read(empty pipe), interrupted",
                    [&] { return raw(SYS_read, p2[0], u(buf), 1); });
        struct pollfd* pf = reinterpret_cast<struct pollfd*>(m.craft);
        pf[0] = {p2[0], POLLIN, 0};
        interrupted("poll(empty pipe, -1), interrupted",
                    [&] { return raw(SYS_poll, u(pf), 1, -1); });
        auto* ts = reinterpret_cast<struct timespec*>(m.craft + 64);
        *ts = {10, 0};
        interrupted("nanosleep(10 s), interrupted", [&] { return raw(SYS_nanosleep, u(ts), 0); });
        auto* word = reinterpret_cast<uint32_t*>(m.craft + 128);
        *word = 0;
        interrupted("futex(WAIT), interrupted",
                    [&] { return raw(SYS_futex, u(word), FUTEX_WAIT, 0, 0, 0, 0); });
        int ls = socket(AF_UNIX, SOCK_STREAM, 0);
        auto* sa_un = reinterpret_cast<sockaddr_un*>(m.craft + 256);
        memset(sa_un, 0, sizeof *sa_un);
        sa_un->sun_family = AF_UNIX;
        strcpy(sa_un->sun_path + 1, "syscall-fuzz-edge"); // abstract
        bind(ls, reinterpret_cast<sockaddr*>(sa_un), sizeof *sa_un);
        listen(ls, 1);
        interrupted("accept(nobody connects), interrupted",
                    [&] { return raw(SYS_accept, ls, 0, 0); });
        close(ls);
        pid_t child = fork();
        if (child == 0) {
            for (;;)
                pause();
        }
        interrupted("wait4(a child that does not end), interrupted",
                    [&] { return raw(SYS_wait4, child, 0, 0, 0); });
        interrupted("waitid(a child that does not end), interrupted",
                    [&] { return raw(SYS_waitid, P_PID, child, u(buf), WEXITED, 0); });
        kill(child, SIGKILL);
        waitpid(child, nullptr, 0);
        close(p2[0]);
        close(p2[1]);
    }

    // Signals a process cannot deliver: init gets only those it handles
    // (Linux), and rootd and the services that started before syscalld
    // none (RustOS; like kernel threads on Linux). The integration test
    // checks that init and vfsd are still there.
    if (on_rustos() || geteuid() != 0) {
        expect("kill(1, SIGKILL) (init ignores it)", raw(SYS_kill, 1, SIGKILL), 0, -EPERM);
        expect("stat(\"/proc/1/status\") afterwards", raw(SYS_stat, u("/proc/1/status"), u(buf)),
               0);
    }
    if (int vfsd = on_rustos() ? pid_of("vfsd") : 0; vfsd > 0) {
        expect("kill(vfsd, SIGSTOP)", raw(SYS_kill, uint64_t(vfsd), SIGSTOP), 0, -EPERM);
        expect("kill(vfsd, SIGKILL)", raw(SYS_kill, uint64_t(vfsd), SIGKILL), 0, -EPERM);
        expect("stat(\"/\") afterwards: vfsd still answers", raw(SYS_stat, u("/"), u(buf)), 0);
    }

    close(int(fd));
    unlink("/tmp/fuzz-edge");
    close(file);
    close(dir);
    close(fds[0]);
    close(fds[1]);
    close(sock);
}

// --- random calls ---

enum class K : uint8_t {
    Fd,        // a descriptor number
    Path,      // a path to look up (stat, access, readlink: any file)
    OPath,     // a path to open, run or link to: only harmless files
    WPath,     // a path a call may change: only under the scratch directory
    Buf,       // a buffer pointer (in or out)
    Len,       // a size
    Flags,     // random bits
    Int,       // an interesting integer
    KillPid,   // whom a signal may go to: ourselves or nobody
    Pid,       // a pid to ask about
    Sig,       // a signal number that cannot hurt us
    MmAddr,    // an address for a memory call: the arena or invalid
    MmLen,     // a length for a memory call: within the arena unless the address is invalid
    Timeout,   // a struct timespec pointer (short, invalid or wild)
    Timeval,   // a struct timeval / itimerval pointer
    Sigaction, // a struct sigaction pointer with a harmless handler
    Sigset,    // a sigset pointer that never blocks the watchdog
    Sigevent,  // a struct sigevent pointer with a harmless signal
    Stack,     // a stack_t pointer
    Sockaddr,  // a sockaddr pointer
    Ioctl,     // an ioctl request
    Fcntl,     // an fcntl command
    StrVec,    // an argv/envp pointer
    TimerId,   // a timer id (never the watchdog's)
    Resource,  // an rlimit resource
    Ms,        // a poll timeout in ms
    Siginfo,   // a siginfo pointer that does not look like a fault
    Domain,    // a socket domain: AF_UNIX or none at all (never the network)
    Zero,
};

struct CallSpec {
    long nr;
    const char* name;
    K args[6];
    int nargs;
};

template <typename... Ks>
constexpr CallSpec spec(long nr, const char* name, Ks... ks) {
    return CallSpec{nr, name, {ks...}, int(sizeof...(ks))};
}
#define C(nr, ...) spec(SYS_##nr, #nr, ##__VA_ARGS__)
#define C0(nr) spec(SYS_##nr, #nr)

using enum K;
const CallSpec kCalls[] = {
    // Files (vfsd).
    C(read, Fd, Buf, Len),
    C(write, Fd, Buf, Len),
    C(open, OPath, Flags, Int),
    C(openat, Fd, OPath, Flags, Int),
    C(open, WPath, Flags, Int),
    C(creat, WPath, Int),
    C(close, Fd),
    C(stat, Path, Buf),
    C(fstat, Fd, Buf),
    C(lstat, Path, Buf),
    C(newfstatat, Fd, Path, Buf, Flags),
    C(statx, Fd, Path, Flags, Flags, Buf),
    C(poll, Buf, Len, Ms),
    C(ppoll, Buf, Len, Timeout, Sigset, Len),
    C(select, Int, Buf, Buf, Buf, Timeval),
    C(pselect6, Int, Buf, Buf, Buf, Timeout, Buf),
    C(lseek, Fd, Int, Int),
    C(ioctl, Fd, Ioctl, Buf),
    C(pread64, Fd, Buf, Len, Int),
    C(pwrite64, Fd, Buf, Len, Int),
    C(readv, Fd, Buf, Len),
    C(writev, Fd, Buf, Len),
    C(access, Path, Int),
    C(faccessat, Fd, Path, Int),
    C(pipe, Buf),
    C(pipe2, Buf, Flags),
    C(dup, Fd),
    C(dup2, Fd, Fd),
    C(dup3, Fd, Fd, Flags),
    C(fcntl, Fd, Fcntl, Int),
    C(fcntl, Fd, Fcntl, Buf),
    C(flock, Fd, Int),
    C(fsync, Fd),
    C(fdatasync, Fd),
    C(truncate, WPath, Len),
    C(ftruncate, Fd, Len),
    C(getdents64, Fd, Buf, Len),
    C(getdents, Fd, Buf, Len),
    C(getcwd, Buf, Len),
    C(chdir, OPath),
    C(fchdir, Fd),
    C(rename, WPath, WPath),
    C(renameat2, Fd, WPath, Fd, WPath, Flags),
    C(mkdir, WPath, Int),
    C(mkdirat, Fd, WPath, Int),
    C(rmdir, WPath),
    C(link, WPath, WPath),
    C(unlink, WPath),
    C(unlinkat, Fd, WPath, Flags),
    C(symlink, OPath, WPath),
    C(readlink, Path, Buf, Len),
    C(readlinkat, Fd, Path, Buf, Len),
    C(chmod, WPath, Int),
    C(fchmod, Fd, Int),
    C(chown, WPath, Int, Int),
    C(umask, Int),
    C(utimensat, Fd, WPath, Timeout, Flags),
    C(mknod, WPath, Int, Int),
    C(statfs, Path, Buf),
    C(fstatfs, Fd, Buf),
    C(getxattr, Path, Path, Buf, Len),
    C(listxattr, Path, Buf, Len),
    C(sendfile, Fd, Fd, Buf, Len),
    C(socket, Domain, Flags, Int),
    C(socketpair, Domain, Flags, Int, Buf),
    C(bind, Fd, Sockaddr, Len),
    C(connect, Fd, Sockaddr, Len),
    C(listen, Fd, Int),
    C(accept, Fd, Buf, Buf),
    C(accept4, Fd, Buf, Buf, Flags),
    C(sendto, Fd, Buf, Len, Flags, Sockaddr, Len),
    C(recvfrom, Fd, Buf, Len, Flags, Buf, Buf),
    C(shutdown, Fd, Int),
    C(getsockname, Fd, Buf, Buf),
    C(getpeername, Fd, Buf, Buf),
    C(setsockopt, Fd, Int, Int, Buf, Len),
    C(getsockopt, Fd, Int, Int, Buf, Buf),
    C(epoll_create, Int),
    C(epoll_create1, Flags),
    C(epoll_ctl, Fd, Int, Fd, Buf),
    C(epoll_wait, Fd, Buf, Int, Ms),
    C(epoll_pwait, Fd, Buf, Int, Ms, Sigset, Len),
    // Memory, signals, clocks, limits (syscalld).
    C(mmap, MmAddr, MmLen, Flags, Flags, Fd, Int),
    C(munmap, MmAddr, MmLen),
    C(mprotect, MmAddr, MmLen, Int),
    C(mremap, MmAddr, MmLen, MmLen, Flags, MmAddr),
    C(madvise, MmAddr, MmLen, Int),
    C(msync, MmAddr, MmLen, Flags),
    C(mlock, MmAddr, MmLen),
    C(munlock, MmAddr, MmLen),
    C(rt_sigaction, Sig, Sigaction, Buf, Len),
    C(rt_sigprocmask, Int, Sigset, Buf, Len),
    C(rt_sigpending, Buf, Len),
    C(rt_sigtimedwait, Sigset, Buf, Timeout, Len),
    C(rt_sigqueueinfo, KillPid, Sig, Siginfo),
    C(sigaltstack, Stack, Buf),
    C(kill, KillPid, Sig),
    C(tkill, KillPid, Sig),
    C(tgkill, KillPid, KillPid, Sig),
    C(nanosleep, Timeout, Buf),
    C(clock_nanosleep, Int, Flags, Timeout, Buf),
    C(alarm, Int),
    C(getitimer, Int, Buf),
    C(setitimer, Int, Timeval, Buf),
    C(timer_create, Int, Sigevent, Buf),
    C(timer_settime, TimerId, Flags, Timeval, Buf),
    C(timer_gettime, TimerId, Buf),
    C(timer_getoverrun, TimerId),
    C(timer_delete, TimerId),
    C(getrlimit, Resource, Buf),
    C(prlimit64, KillPid, Resource, Buf, Buf),
    C(getrusage, Int, Buf),
    C(times, Buf),
    C(getgroups, Int, Buf),
    C(getresuid, Buf, Buf, Buf),
    C(getpriority, Int, Int),
    C(sched_getaffinity, Int, Len, Buf),
    C(prctl, Int, Int, Int, Int, Int),
    // Processes and programs (procd, loaderd).
    C(wait4, Pid, Buf, Flags, Buf),
    C(waitid, Int, Pid, Buf, Flags, Buf),
    C0(getppid),
    C(setpgid, Pid, Pid),
    C(getpgid, Pid),
    C0(getpgrp),
    C(getsid, Pid),
    C(execve, OPath, StrVec, StrVec),
    C(execveat, Fd, OPath, StrVec, StrVec, Flags),
    // Answered by the kernel.
    C(brk, Int),
    C(futex, Buf, Int, Int, Timeout, Buf, Int),
    C(clock_gettime, Int, Buf),
    C(clock_getres, Int, Buf),
    C(gettimeofday, Buf, Buf),
    C(time, Buf),
    C(getrandom, Buf, Len, Flags),
    C(uname, Buf),
    C(sysinfo, Buf),
    C(set_robust_list, Buf, Len),
    C(set_tid_address, Buf),
    C0(sched_yield),
    C(clone3, Buf, Len),
    C(mincore, MmAddr, MmLen, Buf),
    C(arch_prctl, Int, Buf),
};

#undef C
#undef C0

struct Call {
    const CallSpec* spec;
    uint64_t a[6];
};

// What the child is doing, in a page the parent can read after a death.
struct Progress {
    uint64_t batch, index;
    Call call;
    uint64_t edge_total, edge_bad;
    const char* last_edge; // the same address in parent and child
};
Progress* g_progress;

void edge_done(const char* what) {
    g_progress->last_edge = what;
    g_progress->edge_total = uint64_t(g_edge_total);
    g_progress->edge_bad = uint64_t(g_edge_bad);
}

class Generator {
public:
    Generator(uint64_t seed, int watchdog_timer)
        : m_rng{seed}, m_timer(watchdog_timer), m_self(getpid()), m_tid(gettid()) {}

    Rng& rng() { return m_rng; }

    // Descriptors of our own things only: this also runs on the build
    // machine as root, where fchmod of a system file's descriptor would
    // change that file.
    void open_descriptors() {
        m_fds[m_nfds++] = open("/tmp/fuzz/file", O_CREAT | O_RDWR, 0644);
        m_fds[m_nfds++] = open("/tmp/fuzz", O_RDONLY | O_DIRECTORY);
        m_fds[m_nfds++] = open("/tmp/fuzz/dir", O_RDONLY | O_DIRECTORY);
        m_fds[m_nfds++] = open("/proc/self/maps", O_RDONLY);
        m_fds[m_nfds++] = open("/proc/self", O_RDONLY | O_DIRECTORY);
        int p[2];
        if (pipe(p) == 0)
            m_fds[m_nfds++] = p[0], m_fds[m_nfds++] = p[1];
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0)
            m_fds[m_nfds++] = sv[0], m_fds[m_nfds++] = sv[1];
        m_fds[m_nfds++] = socket(AF_UNIX, SOCK_STREAM, 0);
        m_fds[m_nfds++] = int(raw(SYS_epoll_create1, 0));
    }

    uint64_t fd() {
        if (m_rng.one_in(2) && m_nfds)
            return uint64_t(m_fds[m_rng.below(uint32_t(m_nfds))]);
        const int64_t pool[] = {-1, -100, 0,  1,    2,    3,    4,     5,          6,        7,
                                8,  9,    10, 11,   12,   13,   14,    15,         16,       17,
                                20, 31,   64, 1023, 1024, 4095, 65535, 0x7fffffff, INT32_MIN};
        uint64_t v = m_rng.one_in(16) ? m_rng.next() : uint64_t(m_rng.pick(pool));
        return int32_t(v) == kReportFd ? 3 : v;
    }

    enum PathUse { kLookup, kOpen, kChange };

    uint64_t path(PathUse use) {
        // Looked up only: anything.
        const char* lookup[] = {"/",
                                "/etc/passwd",
                                "/dev/null",
                                "/proc/1/status",
                                "..",
                                "/system/boot/smoke-programs",
                                "/proc/self/exe",
                                "/proc/self/fd"};
        // Opened, run, linked to, made the working directory: ours or
        // harmless (the cwd is /tmp/fuzz).
        const char* open[] = {"file",
                              "dir",
                              "dir/../file",
                              "link",
                              "sock",
                              "fifo",
                              "x",
                              "",
                              ".",
                              "/tmp/fuzz/link",
                              "/tmp/fuzz/file",
                              "/proc/self/maps",
                              "/proc/self/status",
                              "/proc/self",
                              "/proc",
                              "/nonexistent/file",
                              "file/",
                              "/tmp/fuzz/dir/",
                              "dir/sub"};
        // Changed: only below /tmp/fuzz.
        const char* change[] = {"file",
                                "dir",
                                "dir/sub",
                                "link",
                                "sock",
                                "fifo",
                                "x",
                                "dir/x",
                                "/tmp/fuzz/file",
                                "/tmp/fuzz/dir",
                                "/tmp/fuzz/new",
                                "/nonexistent/x",
                                "",
                                "/tmp/fuzz/dir/../x",
                                "dir/",
                                "file/"};
        char* p = m_path_turn++ % 2 ? g_mem.path2 : g_mem.path;
        switch (m_rng.below(12)) {
        case 0:
            return wild();
        case 1: // unterminated, running into an unmapped page
            return uint64_t(g_mem.unterminated + kPage - 1 - m_rng.below(64));
        case 2: { // too long
            size_t n = 4000 + m_rng.below(200);
            memset(p, 'a', n);
            p[n] = 0;
            return uint64_t(p);
        }
        case 3: { // garbage, relative: it stays in the scratch directory
            size_t n = m_rng.below(64);
            for (size_t i = 0; i < n; ++i)
                p[i] = char(m_rng.next() | 1);
            p[n] = 0;
            if (n && (p[0] == '/' || p[0] == '.'))
                p[0] = 'g';
            return uint64_t(p);
        }
        default:
            if (use == kLookup && m_rng.one_in(2))
                strcpy(p, m_rng.pick(lookup));
            else if (use == kChange)
                strcpy(p, m_rng.pick(change));
            else
                strcpy(p, m_rng.pick(open));
            return uint64_t(p);
        }
    }

    // Pointers no call may harm us through.
    uint64_t wild() {
        const uint64_t pool[] = {0,
                                 1,
                                 0xfff,
                                 g_mem.hole,
                                 uint64_t(g_mem.guard),
                                 0xffffffff80000000ull,
                                 0xffff800000000000ull,
                                 0x0000800000000000ull,
                                 0x8000000000000000ull,
                                 0xfffffffffffffff0ull,
                                 0x00007ffffffff000ull + 0x1000};
        return m_rng.one_in(8) ? (m_rng.next() | 0x8000000000000000ull) : m_rng.pick(pool);
    }

    uint64_t buf() {
        switch (m_rng.below(8)) {
        case 0:
        case 1:
            return wild();
        case 2:
            return uint64_t(g_mem.ro + m_rng.below(kPage));
        case 3: // near the end: a struct runs into the guard page
            return uint64_t(g_mem.guard - 1 - m_rng.below(256));
        default:
            return uint64_t(g_mem.scratch + (m_rng.one_in(2) ? 0 : m_rng.below(kScratch)));
        }
    }

    uint64_t len() {
        const uint64_t pool[] = {0,          1,     2,          7,          8,         16,
                                 64,         128,   4096,       16384,      65536,     1 << 20,
                                 1ull << 31, ~0ull, 0x7fffffff, 0x80000000, 1ull << 62};
        return m_rng.one_in(4) ? m_rng.below(512) : m_rng.pick(pool);
    }

    uint64_t integer() {
        const int64_t pool[] = {0,         1,      2,      3,    4,         5,         8,
                                10,        16,     64,     100,  255,       256,       1024,
                                4096,      -1,     -2,     -100, INT32_MAX, INT32_MIN, INT64_MAX,
                                INT64_MIN, 0x5401, 0x1000, 0777, 01777};
        return m_rng.one_in(4) ? m_rng.next() >> m_rng.below(64) : uint64_t(m_rng.pick(pool));
    }

    uint64_t flags() {
        switch (m_rng.below(4)) {
        case 0:
            return 0;
        case 1:
            return m_rng.next();
        case 2:
            return uint32_t(m_rng.next());
        default:
            return 1ull << m_rng.below(32);
        }
    }

    // Ourselves or nobody: never another process (not even on the build
    // machine, where this runs as the oracle).
    uint64_t kill_pid() {
        const int64_t pool[] = {m_self,      m_self,    m_tid,   0x7ffffff0,
                                -0x7ffffff0, INT32_MIN, -1 << 30};
        return uint64_t(m_rng.pick(pool));
    }

    uint64_t pid() {
        const int64_t pool[] = {0, m_self, -1, 1, 2, 0x7ffffff0, INT32_MIN, -0x7ffffff0, 99999};
        return uint64_t(m_rng.pick(pool));
    }

    // Signals whose arrival we survive: every catchable one is caught.
    uint64_t sig() {
        if (m_rng.one_in(6)) {
            const int64_t bad[] = {-1, 65, 128, 1000, INT32_MIN};
            return uint64_t(m_rng.pick(bad));
        }
        int s;
        do
            s = int(m_rng.below(65));
        while (s == SIGKILL || s == SIGSTOP);
        return uint64_t(s);
    }

    uint64_t mm_addr() {
        switch (m_rng.below(6)) {
        case 0: {
            // Not ours: 0 or outside user space (never the hole or the
            // guard page, whose neighbours we use).
            const uint64_t pool[] = {0,
                                     0xffffffff80000000ull,
                                     0xffff800000000000ull,
                                     0x0000800000000000ull,
                                     0xfffffffffffff000ull,
                                     0x00007ffffffff000ull + 0x1000};
            return m_rng.pick(pool);
        }
        case 1:
            return uint64_t(g_mem.arena) + m_rng.below(uint32_t(kArena)); // unaligned too
        default:
            return uint64_t(g_mem.arena) + kPage * m_rng.below(uint32_t(kArena / kPage));
        }
    }

    // Lengths for memory calls never reach beyond the arena from inside it.
    uint64_t mm_len(uint64_t addr) {
        uint64_t a = uint64_t(g_mem.arena);
        if (addr >= a && addr < a + kArena) {
            uint64_t room = a + kArena - addr;
            switch (m_rng.below(4)) {
            case 0:
                return 0;
            case 1:
                return 1 + m_rng.below(uint32_t(room));
            default:
                return kPage * (1 + m_rng.below(uint32_t(room / kPage ? room / kPage : 1)));
            }
        }
        if (addr >= 0x0000800000000000ull || (addr & (kPage - 1)))
            return len();              // refused whatever the length
        return kPage * m_rng.below(4); // a hint, or a page we do not use
    }

    uint8_t* craft(size_t n) {
        if (m_craft_used + n > uint64_t(kPage))
            m_craft_used = 0;
        uint8_t* p = g_mem.craft + m_craft_used;
        m_craft_used += (n + 15) & ~size_t(15);
        memset(p, 0, n);
        return p;
    }

    uint64_t timeout(bool timeval) {
        switch (m_rng.below(8)) {
        case 0:
            return wild();
        case 1:
            return 0;
        default: {
            auto* t = reinterpret_cast<int64_t*>(craft(32));
            const int64_t secs[] = {0, 0, 0, -1, 1ll << 40, INT64_MAX};
            const int64_t subs[] = {0, 1, 1000, 999999, 5000000, 1000000000, -1, INT64_MAX};
            for (int i = 0; i < 4; ++i)
                t[i] = m_rng.one_in(2) ? 0 : (i % 2 ? m_rng.pick(subs) : m_rng.pick(secs));
            if (timeval && m_rng.one_in(2))
                t[1] %= 1000000, t[3] %= 1000000;
            return uint64_t(t);
        }
        }
    }

    uint64_t sigaction() {
        if (m_rng.one_in(4))
            return m_rng.one_in(2) ? 0 : wild();
        auto* a = reinterpret_cast<uint64_t*>(craft(32));
        a[0] = m_rng.one_in(2) ? uint64_t(SIG_IGN) : m_handler;
        // Random flags but SA_ONSTACK (a fuzzed alternate stack is no place
        // to run) and SA_RESETHAND (the default would kill us next time).
        a[1] = (m_rng.next() & ~uint64_t(SA_ONSTACK | SA_RESETHAND)) | kSaRestorer;
        a[2] = m_restorer;
        a[3] = sigset_value();
        return uint64_t(a);
    }

    uint64_t sigset_value() { return m_rng.next() & ~(1ull << (kWatchdogSignal - 1)); }

    uint64_t sigset() {
        if (m_rng.one_in(4))
            return m_rng.one_in(2) ? 0 : wild();
        auto* s = reinterpret_cast<uint64_t*>(craft(8));
        *s = sigset_value();
        return uint64_t(s);
    }

    uint64_t sigevent() {
        if (m_rng.one_in(4))
            return m_rng.one_in(2) ? 0 : wild();
        auto* e = reinterpret_cast<int32_t*>(craft(64));
        uint64_t v = m_rng.next();
        memcpy(e, &v, 8);
        e[2] = int32_t(sig());
        const int32_t notify[] = {SIGEV_SIGNAL,         SIGEV_NONE, SIGEV_THREAD_ID,
                                  2 /* SIGEV_THREAD */, 99,         -1};
        e[3] = m_rng.pick(notify);
        e[4] = m_rng.one_in(2) ? m_tid : int32_t(m_rng.next());
        return uint64_t(e);
    }

    uint64_t stack() {
        if (m_rng.one_in(3))
            return m_rng.one_in(2) ? 0 : wild();
        auto* s = reinterpret_cast<uint64_t*>(craft(24));
        s[0] = m_rng.one_in(2) ? wild() : uint64_t(g_mem.scratch);
        const uint64_t flags[] = {0, 1, 2, 4, 0x80000000ull, 0xffffffffull};
        s[1] = m_rng.pick(flags);
        s[2] = len();
        return uint64_t(s);
    }

    uint64_t sockaddr() {
        if (m_rng.one_in(4))
            return wild();
        auto* sa = reinterpret_cast<sockaddr_un*>(craft(sizeof(sockaddr_un)));
        const uint16_t fam[] = {AF_UNIX, AF_UNIX, AF_UNIX, 0, 2, 10, 0xffff};
        sa->sun_family = m_rng.pick(fam);
        const char* names[] = {"sock", "/tmp/fuzz/sock", "/nonexistent/sock", "",
                               "dir",  "/tmp/fuzz/file"};
        if (m_rng.one_in(4)) {
            sa->sun_path[0] = 0; // abstract
            snprintf(sa->sun_path + 1, 20, "fuzz%u", m_rng.below(4));
        } else if (m_rng.one_in(4)) {
            for (size_t i = 0; i < sizeof sa->sun_path; ++i)
                sa->sun_path[i] = char(m_rng.next() | 1); // no NUL at all
            sa->sun_path[0] = 'g';
        } else {
            strcpy(sa->sun_path, m_rng.pick(names));
        }
        return uint64_t(sa);
    }

    uint64_t ioctl_request() {
        const uint64_t pool[] = {0x5401, 0x5402, 0x5403, 0x5404, 0x540F, 0x5410,
                                 0x5413, 0x5414, 0x541B, 0x5421, 0x5450, 0x5451,
                                 0x5429, 0x540E, 0x5422, 0x5411, 0x5452, 0x80045430};
        return m_rng.one_in(4) ? m_rng.next() : m_rng.pick(pool);
    }

    uint64_t fcntl_cmd() {
        const uint64_t pool[] = {0,  1,  2,  3,  4,  5,    6,    7,    8,    9,
                                 10, 11, 36, 37, 38, 1030, 1031, 1032, 1033, 1034};
        return m_rng.one_in(6) ? m_rng.next() : m_rng.pick(pool);
    }

    uint64_t strvec() {
        if (m_rng.one_in(3))
            return m_rng.one_in(2) ? 0 : wild();
        auto* v = reinterpret_cast<uint64_t*>(craft(64));
        int n = int(m_rng.below(6));
        for (int i = 0; i < n; ++i)
            v[i] = m_rng.one_in(3) ? wild() : uint64_t("arg");
        if (m_rng.one_in(4))
            for (int i = n; i < 8; ++i)
                v[i] = wild() | 1; // no terminating NULL within reach
        return uint64_t(v);
    }

    uint64_t timer_id() {
        const int64_t pool[] = {0, 1, 2, 3, 4, 5, 6, 7, 100, -1, INT32_MAX, INT32_MIN};
        int64_t v = m_rng.pick(pool);
        return uint64_t(v == m_timer ? -1 : v);
    }

    uint64_t resource() {
        uint64_t r = m_rng.one_in(4) ? m_rng.next() : m_rng.below(17);
        return r;
    }

    uint64_t ms() {
        const int64_t pool[] = {0, 0, 1, 5, -1, INT32_MAX, INT32_MIN};
        return uint64_t(m_rng.pick(pool));
    }

    Call make() {
        Call c{};
        c.spec = &kCalls[m_rng.below(sizeof kCalls / sizeof kCalls[0])];
        for (int i = 0; i < c.spec->nargs; ++i)
            c.a[i] = value(c.spec->args[i], i ? c.a[i - 1] : 0);
        for (int i = c.spec->nargs; i < 6; ++i)
            c.a[i] = m_rng.one_in(2) ? 0 : m_rng.next();
        fixup(c);
        return c;
    }

    uint64_t value(K k, uint64_t previous) {
        switch (k) {
        case Fd:
            return fd();
        case Path:
            return path(kLookup);
        case OPath:
            return path(kOpen);
        case WPath:
            return path(kChange);
        case Buf:
            return buf();
        case Len:
            return len();
        case Flags:
            return flags();
        case Int:
            return integer();
        case KillPid:
            return kill_pid();
        case Pid:
            return pid();
        case Sig:
            return sig();
        case MmAddr:
            return mm_addr();
        case MmLen:
            return mm_len(previous);
        case Timeout:
            return timeout(false);
        case Timeval:
            return timeout(true);
        case Sigaction:
            return sigaction();
        case Sigset:
            return sigset();
        case Sigevent:
            return sigevent();
        case Stack:
            return stack();
        case Sockaddr:
            return sockaddr();
        case Ioctl:
            return ioctl_request();
        case Fcntl:
            return fcntl_cmd();
        case StrVec:
            return strvec();
        case TimerId:
            return timer_id();
        case Resource:
            return resource();
        case Ms:
            return ms();
        case Siginfo: {
            if (m_rng.one_in(3))
                return wild();
            auto* si = reinterpret_cast<int32_t*>(craft(128));
            for (int i = 0; i < 32; ++i)
                si[i] = int32_t(m_rng.next());
            si[2] = -1 - int32_t(m_rng.below(8)); // si_code: SI_QUEUE and friends
            return uint64_t(si);
        }
        case Domain: {
            const int64_t pool[] = {AF_UNIX, AF_UNIX, AF_UNIX, 0, -1, 999, 46 /* AF_MAX */};
            return uint64_t(m_rng.pick(pool));
        }
        case Zero:
            return 0;
        }
        return 0;
    }

    // Arguments that would hurt the fuzzer itself, as they would on Linux.
    void fixup(Call& c) {
        long nr = c.spec->nr;
        if (nr == SYS_dup2 || nr == SYS_dup3) {
            if (int32_t(c.a[1]) == kReportFd)
                c.a[1] = 3;
        }
        if (nr == SYS_fcntl && (c.a[1] == F_DUPFD || c.a[1] == F_DUPFD_CLOEXEC) &&
            int32_t(c.a[2]) == kReportFd)
            c.a[2] = 3;
        if (nr == SYS_mmap && (c.a[3] & (MAP_FIXED | MAP_FIXED_NOREPLACE))) {
            // Only into the arena (or refused outright).
            uint64_t a = uint64_t(g_mem.arena);
            if (c.a[0] < a || c.a[0] >= a + kArena)
                c.a[0] = c.a[0] >= 0x0000800000000000ull ? c.a[0] : a;
            if (c.a[0] >= a && c.a[0] < a + kArena && c.a[1] > a + kArena - c.a[0])
                c.a[1] = a + kArena - c.a[0];
        }
        if (nr == SYS_mknod || nr == SYS_mknodat) {
            // No device nodes: on the build machine they would be real.
            int at = nr == SYS_mknod ? 1 : 2;
            uint64_t type = c.a[at] & S_IFMT;
            if (type == S_IFCHR || type == S_IFBLK)
                c.a[at] = (c.a[at] & ~uint64_t(S_IFMT)) | S_IFIFO;
        }
        if (nr == SYS_mremap)
            c.a[3] &= ~uint64_t(MREMAP_FIXED | 4 /* MREMAP_DONTUNMAP */);
        if (nr == SYS_brk) {
            // Growing is fine; shrinking would take malloc's heap away.
            uint64_t cur = uint64_t(raw(SYS_brk, 0));
            if (c.a[0] < cur || c.a[0] - cur > (64u << 20)) {
                if (c.a[0] < 0x0000800000000000ull && c.a[0] > 0x10000)
                    c.a[0] = cur + (c.a[0] & 0xfffff);
            }
        }
        if (nr == SYS_futex) {
            // Only plain waits and wakes; requeue and lock PI ops with wild
            // second addresses are fine too, but never on our own memory.
            if (c.a[4] && c.a[4] < 0x0000800000000000ull)
                c.a[4] = buf();
        }
        if (nr == SYS_set_robust_list || nr == SYS_set_tid_address) {
            if (c.a[0] < uint64_t(g_mem.scratch) || c.a[0] >= uint64_t(g_mem.scratch) + kScratch)
                c.a[0] = c.a[0] >= 0x0000800000000000ull ? c.a[0] : 0;
        }
        if (nr == SYS_arch_prctl) {
            // ARCH_SET_FS/GS would move our thread pointer.
            if (c.a[0] == 0x1001 || c.a[0] == 0x1002)
                c.a[0] = 0x1003; // ARCH_GET_FS
        }
        if (nr == SYS_clone3 && c.a[0] < 0x0000800000000000ull)
            c.a[1] = c.a[1] % 64; // readable arguments: sizes below the first version, refused
        if (nr == SYS_ioctl && (c.a[1] & 0xff00) == 0x8900)
            c.a[1] = 0x5401; // socket ioctls configure the network on the build machine
        if (nr == SYS_prlimit64 && (c.a[1] == RLIMIT_CPU || c.a[1] == RLIMIT_RTTIME))
            c.a[2] = 0; // a CPU limit ends in SIGKILL, as on Linux
        if (nr == SYS_prctl) {
            // PR_SET_MM and seccomp-like options could change us for good.
            const uint64_t allowed[] = {1, 3, 4, 15, 16, 36, 37, 38, 39, 999};
            bool ok = false;
            for (uint64_t a : allowed)
                ok |= c.a[0] == a;
            if (!ok)
                c.a[0] = 999;
        }
        if (nr == SYS_rt_sigprocmask || nr == SYS_rt_sigtimedwait || nr == SYS_rt_sigaction ||
            nr == SYS_ppoll || nr == SYS_epoll_pwait) {
            // Sigset sizes: mostly the right one.
            int at = nr == SYS_rt_sigaction || nr == SYS_rt_sigprocmask
                         ? 3
                         : (nr == SYS_rt_sigtimedwait ? 3 : (nr == SYS_ppoll ? 4 : 5));
            if (m_rng.below(4))
                c.a[at] = 8;
        }
        if ((nr == SYS_setitimer && c.a[1] >= uint64_t(g_mem.craft) &&
             c.a[1] < uint64_t(g_mem.craft) + kPage) ||
            (nr == SYS_timer_settime && c.a[2] >= uint64_t(g_mem.craft) &&
             c.a[2] < uint64_t(g_mem.craft) + kPage)) {
            // An interval below a millisecond is a storm of signals that
            // would only slow us down.
            auto* t = reinterpret_cast<int64_t*>(nr == SYS_setitimer ? c.a[1] : c.a[2]);
            if (t[0] == 0 && t[1] > 0 && t[1] < (nr == SYS_setitimer ? 1000 : 1000000))
                t[1] = 0;
        }
        if (nr == SYS_timer_create && c.a[1] >= uint64_t(g_mem.craft) &&
            c.a[1] < uint64_t(g_mem.craft) + kPage) {
            auto* e = reinterpret_cast<int32_t*>(c.a[1]);
            if (e[3] == 2)
                e[3] = SIGEV_NONE; // SIGEV_THREAD is glibc's, not the kernel's
        }
        if (nr == SYS_pselect6 && c.a[5] && m_rng.below(2)) {
            // { sigset pointer, size }
            auto* sm = reinterpret_cast<uint64_t*>(craft(16));
            sm[0] = sigset();
            sm[1] = m_rng.one_in(4) ? len() : 8;
            c.a[5] = uint64_t(sm);
        } else if (nr == SYS_pselect6) {
            c.a[5] = m_rng.one_in(2) ? 0 : wild();
        }
    }

    void set_handler(uint64_t handler, uint64_t restorer) {
        m_handler = handler;
        m_restorer = restorer;
    }

private:
    Rng m_rng;
    int m_timer;
    int32_t m_self, m_tid;
    int m_fds[32];
    int m_nfds = 0;
    uint64_t m_path_turn = 0;
    size_t m_craft_used = 0;
    uint64_t m_handler = 0, m_restorer = 0;
};

volatile uint64_t g_signals_caught = 0;
void caught(int) { g_signals_caught = g_signals_caught + 1; }

// A fault of the fuzzer's own (not a signal someone sent): returning would
// fault again forever, so report it and end the batch.
void faulted(int sig, siginfo_t* si, void*) {
    if (si->si_code <= 0) {
        g_signals_caught = g_signals_caught + 1;
        return;
    }
    const Call& c = g_progress->call;
    say("syscall-fuzz: the fuzzer itself faulted (signal %d at 0x%lx) after call %llu: "
        "%s(0x%lx, 0x%lx, 0x%lx, 0x%lx, 0x%lx, 0x%lx)\n",
        sig, uint64_t(si->si_addr), (unsigned long long)g_progress->index,
        c.spec ? c.spec->name : "?", c.a[0], c.a[1], c.a[2], c.a[3], c.a[4], c.a[5]);
    _exit(4);
}

struct KSigaction {
    uint64_t handler, flags, restorer, mask;
};
const int kFaultSignals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP};

// Through the raw call: glibc refuses its own signals 32 and 33, whose
// default would end us.
void catch_signals(uint64_t restorer) {
    KSigaction ka{uint64_t(caught), kSaRestorer, restorer, 0};
    for (int s = 1; s < 65; ++s)
        if (s != SIGKILL && s != SIGSTOP)
            raw(SYS_rt_sigaction, uint64_t(s), u(&ka), 0, 8);
}

void catch_faults(uint64_t restorer) {
    KSigaction ka{uint64_t(faulted), kSaRestorer | SA_SIGINFO | SA_NODEFER, restorer, 0};
    for (int s : kFaultSignals)
        raw(SYS_rt_sigaction, uint64_t(s), u(&ka), 0, 8);
}

// Whether a result is one Linux could give for this call.
const char* insane(const Call& c, long r) {
    long nr = c.spec->nr;
    if (nr == SYS_mmap || nr == SYS_mremap || nr == SYS_brk) {
        if (r < 0 && r > -4096)
            return nullptr;
        if (nr != SYS_brk && (uint64_t(r) & (kPage - 1)))
            return "an unaligned address";
        if (uint64_t(r) >= 0x0000800000000000ull)
            return "an address outside user space";
        return nullptr;
    }
    if (r < -4095)
        return "a result below -4095";
    if (r < 0) {
        if (r == -EIO && nr != SYS_read && nr != SYS_write)
            return "EIO (did its service die?)";
        if (-r == 512 || -r == 513 || -r == 514 || -r == 516)
            return "a kernel-internal restart code";
        return nullptr;
    }
    switch (nr) {
    case SYS_read:
    case SYS_write:
    case SYS_pread64:
    case SYS_pwrite64:
    case SYS_getdents64:
    case SYS_getdents:
    case SYS_getrandom:
        return uint64_t(r) > c.a[nr == SYS_getrandom ? 1 : 2] ? "more bytes than asked for"
                                                              : nullptr;
    case SYS_readlink:
        return uint64_t(r) > c.a[2] ? "more bytes than asked for" : nullptr;
    case SYS_readlinkat:
        return uint64_t(r) > c.a[3] ? "more bytes than asked for" : nullptr;
    case SYS_open:
    case SYS_openat:
    case SYS_creat:
    case SYS_dup:
    case SYS_socket:
    case SYS_epoll_create:
    case SYS_epoll_create1:
    case SYS_accept:
    case SYS_accept4:
        return r >= 65536 ? "a descriptor beyond any limit" : nullptr;
    case SYS_dup2:
    case SYS_dup3:
        return r != long(int32_t(c.a[1])) ? "not the descriptor asked for" : nullptr;
    case SYS_close:
    case SYS_kill:
    case SYS_tgkill:
    case SYS_tkill:
    case SYS_rt_sigaction:
    case SYS_rt_sigprocmask:
    case SYS_munmap:
    case SYS_mprotect:
    case SYS_mkdir:
    case SYS_rmdir:
    case SYS_unlink:
    case SYS_rename:
    case SYS_bind:
    case SYS_listen:
    case SYS_pipe2:
    case SYS_nanosleep:
        return r != 0 ? "a success other than 0" : nullptr;
    default:
        return nullptr;
    }
}

void report_call(const char* what, const Call& c, long r) {
    if (g_reported++ >= kMaxReported)
        return;
    say("syscall-fuzz: UNEXPECTED %s(0x%lx, 0x%lx, 0x%lx, 0x%lx, 0x%lx, 0x%lx) = %s: %s\n",
        c.spec->name, c.a[0], c.a[1], c.a[2], c.a[3], c.a[4], c.a[5], err_name(r), what);
}

// The child: one batch of random calls.
[[noreturn]] void run_batch(uint64_t seed, uint64_t batch, uint64_t calls) {
    g_out = kReportFd;
    // Every catchable signal is caught; the fuzzed signal calls keep it so.
    struct sigaction sa {};
    sa.sa_handler = caught;
    sigaction(SIGUSR1, &sa, nullptr);
    KSigaction probe{};
    raw(SYS_rt_sigaction, SIGUSR1, 0, u(&probe), 8); // glibc's restorer
    catch_signals(probe.restorer);
    catch_faults(probe.restorer);
    setup_memory();
    raw(SYS_mkdir, u("/tmp/fuzz"), 0755);
    raw(SYS_mkdir, u("/tmp/fuzz/dir"), 0755);
    chmod("/tmp/fuzz", 0755); // an earlier batch may have changed them
    chmod("/tmp/fuzz/dir", 0755);
    if (chdir("/tmp/fuzz") != 0) {
        say("syscall-fuzz: cannot enter /tmp/fuzz: %s\n", strerror(errno));
        _exit(3);
    }
    // The watchdog: a periodic signal that interrupts whatever blocks.
    struct sigevent sev {};
    sev.sigev_notify = SIGEV_SIGNAL;
    sev.sigev_signo = kWatchdogSignal;
    int timer = -1;
    if (raw(SYS_timer_create, CLOCK_MONOTONIC, u(&sev), u(&timer)) != 0) {
        say("syscall-fuzz: no watchdog timer\n");
        _exit(3);
    }
    struct itimerspec its {
        {0, kWatchdogNs}, { 0, kWatchdogNs }
    };
    raw(SYS_timer_settime, uint64_t(timer), 0, u(&its), 0);

    Generator gen(seed * 1000003 + batch, timer);
    gen.set_handler(uint64_t(caught), probe.restorer);
    gen.open_descriptors();
    sigset_t watchdog;
    sigemptyset(&watchdog);
    sigaddset(&watchdog, kWatchdogSignal);
    int unexpected = 0;
    for (uint64_t i = 0; i < calls; ++i) {
        for (size_t k = 0; k < kScratch; k += 8) {
            uint64_t v = gen.rng().next();
            memcpy(g_mem.scratch + k, &v, 8);
        }
        Call c = gen.make();
        g_progress->batch = batch;
        g_progress->index = i;
        g_progress->call = c;
        long r = raw(c.spec->nr, c.a[0], c.a[1], c.a[2], c.a[3], c.a[4], c.a[5]);
        if (const char* why = insane(c, r)) {
            ++unexpected;
            report_call(why, c, r);
        }
        // Keep the fuzzer's own ground: the watchdog unblocked and caught,
        // the scratch directory as the working directory, the descriptors
        // we report on.
        long nr = c.spec->nr;
        if (nr == SYS_rt_sigprocmask || nr == SYS_rt_sigaction || nr == SYS_rt_sigtimedwait)
            sigprocmask(SIG_UNBLOCK, &watchdog, nullptr);
        if (nr == SYS_rt_sigaction) {
            sigaction(kWatchdogSignal, &sa, nullptr);
            catch_faults(probe.restorer);
        }
        if (nr == SYS_chdir || nr == SYS_fchdir)
            (void)!chdir("/tmp/fuzz");
        if (nr == SYS_setitimer || nr == SYS_alarm) {
            struct itimerval off {};
            setitimer(ITIMER_REAL, &off, nullptr); // no storm of SIGALRM from a 1 us interval
        }
        if (nr == SYS_umask)
            umask(022);
    }
    _exit(unexpected ? 1 : 0);
}

// Runs `body` (which ends with _exit) in a child with the console on
// kReportFd and /dev/null on 0, 1 and 2; false when the child reported a
// failure, died or hung.
template <typename Body>
bool in_child(const char* what, uint64_t seed, Body body) {
    memset(g_progress, 0, sizeof *g_progress);
    pid_t child = fork();
    if (child == 0) {
        // 0, 1 and 2 become pipes of our own (end of file; EPIPE), and no
        // other inherited descriptor stays within reach.
        dup2(1, kReportFd);
        int in[2], out[2];
        if (pipe(in) != 0 || pipe(out) != 0)
            _exit(3);
        close(in[1]);
        close(out[0]);
        dup2(in[0], 0);
        dup2(out[1], 1);
        dup2(out[1], 2);
        for (int fd = 3; fd < 1024; ++fd)
            if (fd != kReportFd)
                close(fd);
        body();
    }
    if (child < 0) {
        say("syscall-fuzz: fork failed: %s\n", strerror(errno));
        return false;
    }
    // Generous: a batch takes a few seconds on TCG.
    int status = 0;
    for (int waited = 0;; waited += 10) {
        pid_t r = waitpid(child, &status, WNOHANG);
        if (r == child)
            break;
        if (r < 0 && errno != EINTR) {
            say("syscall-fuzz: waitpid: %s\n", strerror(errno));
            return false;
        }
        if (waited > (g_progress->last_edge ? 30000 : 60000)) {
            const Call& c = g_progress->call;
            if (g_progress->last_edge)
                say("syscall-fuzz: %s HANGS after \"%s\"\n", what, g_progress->last_edge);
            else
                say("syscall-fuzz: %s HANGS at call %llu: %s(0x%lx, 0x%lx, 0x%lx, 0x%lx, 0x%lx, "
                    "0x%lx)\n",
                    what, (unsigned long long)g_progress->index, c.spec ? c.spec->name : "?",
                    c.a[0], c.a[1], c.a[2], c.a[3], c.a[4], c.a[5]);
            kill(child, SIGKILL);
            waitpid(child, &status, 0);
            return false;
        }
        struct timespec ts {
            0, 10'000'000
        };
        nanosleep(&ts, nullptr);
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return true;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 1)
        return false; // it reported what it did not like
    const Call& c = g_progress->call;
    say("syscall-fuzz: %s (seed %llu) %s %d at call %llu: %s(0x%lx, 0x%lx, 0x%lx, 0x%lx, 0x%lx, "
        "0x%lx)\n",
        what, (unsigned long long)seed,
        WIFSIGNALED(status) ? "KILLED by signal" : "exited with status",
        WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status),
        (unsigned long long)g_progress->index, c.spec ? c.spec->name : "?", c.a[0], c.a[1], c.a[2],
        c.a[3], c.a[4], c.a[5]);
    return false;
}

// After the fuzzing: each service still does its job.
bool services_work() {
    bool ok = true;
    int fd = open("/proc/self/status", O_RDONLY); // vfsd
    char buf[64];
    ok &= fd >= 0 && read(fd, buf, sizeof buf) > 0;
    if (fd >= 0)
        close(fd);
    struct timespec ts {
        0, 1'000'000
    };
    ok &= nanosleep(&ts, nullptr) == 0; // syscalld
    ok &= getppid() > 0;                // procd
    pid_t child = fork();               // procd, then loaderd
    if (child == 0) {
        execl("/bin/busybox", "true", nullptr);
        _exit(127);
    }
    int status = -1;
    ok &= child > 0 && waitpid(child, &status, 0) == child && WIFEXITED(status) &&
          WEXITSTATUS(status) == 0;
    if (!ok)
        say("syscall-fuzz: a service no longer does its job\n");
    return ok;
}

} // namespace

int main(int argc, char** argv) {
    uint64_t total = argc > 1 ? strtoull(argv[1], nullptr, 0) : 6000;
    uint64_t seed = argc > 2 ? strtoull(argv[2], nullptr, 0) : 1;
    uint64_t per_batch = argc > 3 ? strtoull(argv[3], nullptr, 0) : 500;
    if (!per_batch)
        per_batch = 1;
    say("syscall-fuzz: seed %llu, %llu random calls in batches of %llu\n", (unsigned long long)seed,
        (unsigned long long)total, (unsigned long long)per_batch);
    g_progress = static_cast<Progress*>(
        mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
    if (g_progress == MAP_FAILED) {
        say("syscall-fuzz: FAILED: no shared page: %s\n", strerror(errno));
        return 1;
    }
    mkdir("/tmp/fuzz", 0755);
    bool edges = in_child("the edge cases", seed, [] {
        g_out = kReportFd;
        setup_memory();
        edge_cases();
        g_progress->edge_total = uint64_t(g_edge_total);
        g_progress->edge_bad = uint64_t(g_edge_bad);
        _exit(g_edge_bad ? 1 : 0);
    });
    g_edge_total = int(g_progress->edge_total);
    g_edge_bad = int(g_progress->edge_bad);
    say("syscall-fuzz: %d edge cases, %d answered unlike Linux\n", g_edge_total, g_edge_bad);

    uint64_t batches = (total + per_batch - 1) / per_batch, done = 0, failed = edges ? 0 : 1;
    for (uint64_t n = 0; n < batches; ++n) {
        uint64_t calls = std::min<uint64_t>(per_batch, total - n * per_batch);
        char what[32];
        snprintf(what, sizeof what, "batch %llu", (unsigned long long)n);
        if (!in_child(what, seed, [&] { run_batch(seed, n, calls); }))
            ++failed;
        done += calls;
    }
    bool working = services_work();
    if (failed == 0 && g_edge_bad == 0 && working) {
        say("syscall-fuzz: %llu random calls in %llu children and %d edge cases, every call "
            "answered, no process died, the services still work\n",
            (unsigned long long)done, (unsigned long long)batches, g_edge_total);
        return 0;
    }
    say("syscall-fuzz: FAILED: %llu of %llu children failed, %d edge cases unlike Linux%s\n",
        (unsigned long long)failed, (unsigned long long)batches + 1, g_edge_bad,
        working ? "" : ", a service stopped working");
    return 1;
}
