// devfs and the console tty behind /dev/console, through the syscalls: the
// simple devices, device numbers, the /dev links, /dev/shm, and the
// console's output processing, line reads, signals and ioctls.
#include "test_support.h"

#include "console.h"
#include "devfs.h"
#include "pipe.h"

#include <sys/sysmacros.h>

#include <cerrno>
#include <csignal>

using namespace vfsd;
using namespace vfsd::test;

namespace {

// /dev as main.cpp mounts it, with the console tty (its output and the
// signals it sends collected here).
class VfsdDevfs : public VfsHarness {
protected:
    VfsdDevfs() {
        console = make_console(
            [this](uint32_t pgid, int signo) {
                signals.push_back({pgid, signo});
            },
            [this](const char* data, size_t len) { screen.append(data, len); }, &vfs.procs);
        vfs.console = console->node();
        vfs.tty_ioctl = [this](Process& p, uint32_t request, const LinuxCall& c, LinuxReply& r) {
            return console->ioctl(p, request, c, r);
        };
        EXPECT_FALSE(root->attach("dev", make_devfs(console->node())).is_error());
    }
    ~VfsdDevfs() override { g_current_pid = g_current_tid = 0; }

    std::shared_ptr<Console> console;
    std::string screen;
    std::vector<std::pair<uint32_t, int>> signals;
};

TEST_F(VfsdDevfs, NullZeroFullRandom) {
    int64_t null = open("/dev/null", O_RDWR);
    EXPECT_EQ(read(null, 10), "");
    EXPECT_EQ(last.result, 0);
    EXPECT_EQ(write(null, "gone"), 4);
    EXPECT_EQ(sys(LinuxSyscall::lseek, {uint64_t(null), 100, SEEK_SET}), 0);
    int64_t zero = open("/dev/zero", O_RDWR);
    EXPECT_EQ(read(zero, 8), std::string(8, '\0'));
    EXPECT_EQ(write(zero, "x"), 1);
    int64_t full = open("/dev/full", O_RDWR);
    EXPECT_EQ(write(full, "x"), -ENOSPC);
    EXPECT_EQ(read(full, 4), std::string(4, '\0'));
    int64_t urandom = open("/dev/urandom", O_RDONLY);
    std::string a = read(urandom, 32), b = read(urandom, 32);
    EXPECT_EQ(a.size(), 32u);
    EXPECT_NE(a, b);
}

TEST_F(VfsdDevfs, DeviceNumbersAndModes) {
    struct Expected {
        const char* path;
        unsigned dev_major, dev_minor;
        mode_t mode;
    };
    for (auto e : {Expected{"/dev/null", 1, 3, 0666}, Expected{"/dev/zero", 1, 5, 0666},
                   Expected{"/dev/full", 1, 7, 0666}, Expected{"/dev/random", 1, 8, 0666},
                   Expected{"/dev/urandom", 1, 9, 0666}, Expected{"/dev/console", 5, 1, 0620},
                   Expected{"/dev/tty", 5, 1, 0620}}) {
        struct stat st;
        ASSERT_EQ(stat(e.path, &st), 0) << e.path;
        EXPECT_EQ(st.st_mode, S_IFCHR | e.mode) << e.path;
        EXPECT_EQ(major(st.st_rdev), e.dev_major) << e.path;
        EXPECT_EQ(minor(st.st_rdev), e.dev_minor) << e.path;
    }
    EXPECT_EQ(sys(LinuxSyscall::chmod, {0, 0600}, {{0, "/dev/null"}}), 0);
    struct stat st;
    ASSERT_EQ(stat("/dev/null", &st), 0);
    EXPECT_EQ(st.st_mode, S_IFCHR | 0600);
}

TEST_F(VfsdDevfs, LinksIntoProc) {
    for (auto [link, target] :
         {std::pair{"/dev/fd", "/proc/self/fd"}, std::pair{"/dev/stdin", "/proc/self/fd/0"},
          std::pair{"/dev/stdout", "/proc/self/fd/1"},
          std::pair{"/dev/stderr", "/proc/self/fd/2"}}) {
        EXPECT_EQ(sys(LinuxSyscall::readlink, {0, 0, 100}, {{0, link}}), int64_t(strlen(target)));
        EXPECT_EQ(output(1), target);
    }
}

TEST_F(VfsdDevfs, ShmIsATmpfsOfItsOwn) {
    struct stat st;
    ASSERT_EQ(stat("/dev/shm", &st), 0);
    EXPECT_EQ(st.st_mode, S_IFDIR | 01777);
    put_file("/dev/shm/seg", "shared");
    EXPECT_EQ(get_file("/dev/shm/seg"), "shared");
    EXPECT_EQ(rename("/dev/shm/seg", "/tmp/seg"), -EXDEV);
    EXPECT_EQ(rmdir("/dev/shm"), -EBUSY);
    EXPECT_GE(open("/dev/new", O_WRONLY | O_CREAT), 0); // devtmpfs is writable
}

TEST_F(VfsdDevfs, ConsoleOutputIsProcessed) {
    int64_t fd = open("/dev/console", O_RDWR);
    ASSERT_GE(fd, 0);
    EXPECT_EQ(write(fd, "one\ntwo"), 7);
    EXPECT_EQ(screen, "one\r\ntwo"); // ONLCR
    struct stat st;
    ASSERT_EQ(fstat(fd, &st), 0);
    EXPECT_TRUE(S_ISCHR(st.st_mode));
    EXPECT_EQ(sys(LinuxSyscall::lseek, {uint64_t(fd), 0, SEEK_SET}), -ESPIPE);
}

TEST_F(VfsdDevfs, ConsoleReadsALineAtATime) {
    int64_t fd = open("/dev/console", O_RDWR);
    LinuxCall rd = make_call(LinuxSyscall::read, {uint64_t(fd), 0, 100});
    CallState state;
    EXPECT_TRUE(vfs.handle(rd, state).park); // nothing typed yet
    g_state_changed = false;
    console->input("ls -l");
    EXPECT_EQ(screen, "ls -l"); // echoed
    state.retry = true;
    EXPECT_TRUE(vfs.handle(rd, state).park); // no newline yet
    console->input("\x7f\x7f"
                   "a\n"); // two erases, then "a"
    EXPECT_TRUE(g_state_changed);
    Outcome line = vfs.handle(rd, state);
    ASSERT_FALSE(line.park);
    ASSERT_EQ(line.reply.result, 5);
    EXPECT_EQ(line.reply.outputs[0].second, "ls a\n");
    EXPECT_EQ(screen, "ls -l\b \b\b \ba\r\n");
    EXPECT_TRUE(vfs.handle(rd, state).park);
}

TEST_F(VfsdDevfs, NonblockingConsoleReadIsEagain) {
    int64_t fd = open("/dev/console", O_RDWR | O_NONBLOCK);
    EXPECT_EQ(read(fd, 10), "");
    EXPECT_EQ(last.result, -EAGAIN);
    int64_t blocking = open("/dev/console", O_RDWR);
    struct pollfd_like {
        int32_t fd;
        int16_t events, revents;
    } pfd{int32_t(blocking), 1 | 4 /* POLLIN | POLLOUT */, 0};
    EXPECT_EQ(sys(LinuxSyscall::poll, {1, 1, 0}, {{0, bytes_of(pfd)}}), 1);
    EXPECT_EQ(value_of<pollfd_like>(output(0)).revents, 4); // POLLOUT only
    console->input("x\n");
    EXPECT_EQ(sys(LinuxSyscall::poll, {1, 1, 0}, {{0, bytes_of(pfd)}}), 1);
    EXPECT_EQ(value_of<pollfd_like>(output(0)).revents, 1 | 4);
}

TEST_F(VfsdDevfs, ControlCSignalsTheForegroundGroup) {
    console->set_session(kPid, kPid);
    int64_t fd = open("/dev/console", O_RDWR);
    ASSERT_GE(fd, 0);
    console->input("\x03");
    ASSERT_EQ(signals.size(), 1u);
    EXPECT_EQ(signals[0], std::make_pair(kPid, SIGINT));
    EXPECT_EQ(screen, "^C"); // ECHOCTL; the shell prints its own newline
}

TEST_F(VfsdDevfs, EdgeTriggeredEpollSeesEveryNewLine) {
    int64_t fd = open("/dev/console", O_RDWR | O_NONBLOCK);
    int64_t ep = sys(LinuxSyscall::epoll_create1, {0});
    struct {
        uint32_t events;
        uint64_t data;
    } __attribute__((packed)) ev{1u | (1u << 31) /* EPOLLIN | EPOLLET */, 7};
    ASSERT_EQ(sys(LinuxSyscall::epoll_ctl, {uint64_t(ep), 1 /* ADD */, uint64_t(fd), 1},
                  {{3, bytes_of(ev)}}),
              0);
    auto ready = [&] { return sys(LinuxSyscall::epoll_wait, {uint64_t(ep), 1, 4, 0}); };
    console->input("first\n");
    EXPECT_EQ(ready(), 1);
    EXPECT_EQ(read(fd, 100), "first\n");
    EXPECT_EQ(read(fd, 100), "");
    EXPECT_EQ(last.result, -EAGAIN);
    // A line typed before the next epoll_wait is a new edge.
    console->input("second\n");
    EXPECT_EQ(ready(), 1);
    EXPECT_EQ(ready(), 0);
}

TEST_F(VfsdDevfs, TtyIoctlsGoToTheConsole) {
    int64_t fd = open("/dev/console", O_RDWR);
    EXPECT_EQ(sys(LinuxSyscall::ioctl, {uint64_t(fd), rustos::tty::TCGETS, 1}), 0);
    auto t = value_of<rustos::tty::Termios>(output(2));
    EXPECT_EQ(output(2).size(), sizeof(rustos::tty::Termios));
    EXPECT_TRUE(t.c_lflag & rustos::tty::ICANON);
    EXPECT_TRUE(t.c_lflag & rustos::tty::ECHO);
    // Raw mode through TCSETS: a read returns what is there, no line needed.
    t.c_lflag &= ~(rustos::tty::ICANON | rustos::tty::ECHO);
    t.c_cc[rustos::tty::VMIN] = 1;
    t.c_cc[rustos::tty::VTIME] = 0;
    EXPECT_EQ(sys(LinuxSyscall::ioctl, {uint64_t(fd), rustos::tty::TCSETS, 1}, {{2, bytes_of(t)}}),
              0);
    console->input("k");
    EXPECT_EQ(screen, "");
    EXPECT_EQ(read(fd, 10), "k");
    // A short argument cannot be read; an unknown request is ENOTTY.
    EXPECT_EQ(sys(LinuxSyscall::ioctl, {uint64_t(fd), rustos::tty::TCSETS, 1}, {{2, "xx"}}),
              -EFAULT);
    EXPECT_EQ(sys(LinuxSyscall::ioctl, {uint64_t(fd), 0x1234, 1}), -ENOTTY);
}

} // namespace
