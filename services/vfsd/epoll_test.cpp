// epoll: interest lists, level- and edge-triggered readiness (the edge from
// each file's generation()), EPOLLONESHOT, nesting, and epoll through the
// syscalls, as Linux's eventpoll.c.
#include "test_support.h"

#include "epoll.h"
#include "memfs.h"
#include "pipe.h"
#include "socket.h"

#include <sys/epoll.h>
#include <sys/socket.h>

#include <cerrno>

using namespace vfsd;
using namespace vfsd::test;

namespace {

class VfsdEpoll : public ::testing::Test {
protected:
    std::shared_ptr<EpollFile> make_epoll() {
        return std::make_shared<EpollFile>(std::make_shared<MemFile>(0600, 0x40), O_RDONLY);
    }
    ErrorOr<void> add(const std::shared_ptr<EpollFile>& ep, int fd, const FilePtr& f,
                      uint32_t events, uint64_t data = 0) {
        EpollEvent ev{events, data};
        return ep->ctl(EPOLL_CTL_ADD, fd, f, &ev);
    }
    // The events epoll_wait would return now, as (events, data) pairs.
    static std::vector<std::pair<uint32_t, uint64_t>> wait(const std::shared_ptr<EpollFile>& ep,
                                                           size_t max = 16) {
        std::vector<std::pair<uint32_t, uint64_t>> out;
        for (auto& e : ep->ready(max))
            out.push_back({uint32_t(e.events), uint64_t(e.data)});
        return out;
    }
    using Events = std::vector<std::pair<uint32_t, uint64_t>>;

    std::shared_ptr<EpollFile> ep = make_epoll();
    FilePtr r, w;
    void SetUp() override { std::tie(r, w) = make_pipe(O_NONBLOCK); }
};

TEST_F(VfsdEpoll, LevelTriggeredReportsWhileReady) {
    ASSERT_FALSE(add(ep, 3, r, EPOLLIN, 33).is_error());
    EXPECT_TRUE(wait(ep).empty());
    EXPECT_EQ(ep->poll(), 0u);
    ASSERT_FALSE(w->write("ab", 2).is_error());
    EXPECT_EQ(wait(ep), (Events{{EPOLLIN, 33}}));
    EXPECT_EQ(wait(ep), (Events{{EPOLLIN, 33}})); // still readable: again
    EXPECT_EQ(ep->poll(), uint32_t(EPOLLIN));
    char buf[2];
    ASSERT_FALSE(r->read(buf, 2).is_error());
    EXPECT_TRUE(wait(ep).empty());
}

TEST_F(VfsdEpoll, EdgeTriggeredReportsNewDataOnce) {
    ASSERT_FALSE(add(ep, 3, r, EPOLLIN | EPOLLET, 7).is_error());
    ASSERT_FALSE(w->write("a", 1).is_error());
    EXPECT_EQ(wait(ep), (Events{{EPOLLIN, 7}}));
    EXPECT_TRUE(wait(ep).empty()); // still readable, nothing new
    // More data while still readable is a new edge (Linux wakes ET waiters
    // on every write).
    ASSERT_FALSE(w->write("b", 1).is_error());
    EXPECT_EQ(wait(ep), (Events{{EPOLLIN, 7}}));
    EXPECT_TRUE(wait(ep).empty());
    char buf[2];
    ASSERT_FALSE(r->read(buf, 2).is_error());
    EXPECT_TRUE(wait(ep).empty());
    ASSERT_FALSE(w->write("c", 1).is_error());
    EXPECT_EQ(wait(ep), (Events{{EPOLLIN, 7}}));
}

TEST_F(VfsdEpoll, EdgeTriggeredWriterSeesRoomComeBack) {
    ASSERT_FALSE(add(ep, 4, w, EPOLLOUT | EPOLLET, 4).is_error());
    EXPECT_EQ(wait(ep), (Events{{EPOLLOUT, 4}}));
    EXPECT_TRUE(wait(ep).empty());
    std::string full(65536, 'x');
    ASSERT_EQ(w->write(full.data(), full.size()).value(), full.size());
    EXPECT_TRUE(wait(ep).empty());
    std::string buf(8192, '\0');
    ASSERT_FALSE(r->read(buf.data(), buf.size()).is_error());
    EXPECT_EQ(wait(ep), (Events{{EPOLLOUT, 4}}));
}

TEST_F(VfsdEpoll, EdgeTriggeredSeesEveryNewConnection) {
    // An edge-triggered server accepts until EAGAIN; a client that comes
    // before its next epoll_wait is a new edge although the listener looks
    // as readable as at the last wait.
    auto listener = std::make_shared<UnixSocket>(SOCK_STREAM, O_NONBLOCK);
    ASSERT_FALSE(listener->bind("/srv", std::make_shared<SocketNode>(0755)).is_error());
    ASSERT_FALSE(listener->listen(8).is_error());
    ASSERT_FALSE(add(ep, 3, listener, EPOLLIN | EPOLLET, 3).is_error());
    auto c1 = std::make_shared<UnixSocket>(SOCK_STREAM, 0);
    ASSERT_FALSE(c1->connect(listener, "/srv").is_error());
    EXPECT_EQ(wait(ep), (Events{{EPOLLIN, 3}}));
    ASSERT_FALSE(listener->accept().is_error());
    EXPECT_EQ(error_of(listener->accept()), EAGAIN);
    auto c2 = std::make_shared<UnixSocket>(SOCK_STREAM, 0);
    ASSERT_FALSE(c2->connect(listener, "/srv").is_error());
    EXPECT_EQ(wait(ep), (Events{{EPOLLIN, 3}}));
    EXPECT_TRUE(wait(ep).empty());
}

TEST_F(VfsdEpoll, EdgeTriggeredSeesEveryNewDatagram) {
    auto a = std::make_shared<UnixSocket>(SOCK_DGRAM, O_NONBLOCK);
    auto b = std::make_shared<UnixSocket>(SOCK_DGRAM, O_NONBLOCK);
    UnixSocket::pair(a, b);
    ASSERT_FALSE(add(ep, 3, b, EPOLLIN | EPOLLET, 3).is_error());
    ASSERT_FALSE(a->write("1", 1).is_error());
    EXPECT_EQ(wait(ep), (Events{{EPOLLIN, 3}}));
    char c;
    ASSERT_FALSE(b->read(&c, 1).is_error());
    EXPECT_EQ(error_of(b->read(&c, 1)), EAGAIN);
    ASSERT_FALSE(a->write("2", 1).is_error());
    EXPECT_EQ(wait(ep), (Events{{EPOLLIN, 3}}));
    EXPECT_TRUE(wait(ep).empty());
}

TEST_F(VfsdEpoll, OneShotFiresOnceUntilRearmed) {
    ASSERT_FALSE(add(ep, 3, r, EPOLLIN | EPOLLONESHOT, 1).is_error());
    ASSERT_FALSE(w->write("a", 1).is_error());
    EXPECT_EQ(wait(ep), (Events{{EPOLLIN, 1}}));
    EXPECT_TRUE(wait(ep).empty());
    EpollEvent ev{EPOLLIN | EPOLLONESHOT, 2};
    ASSERT_FALSE(ep->ctl(EPOLL_CTL_MOD, 3, r, &ev).is_error());
    EXPECT_EQ(wait(ep), (Events{{EPOLLIN, 2}}));
    EXPECT_TRUE(wait(ep).empty());
}

TEST_F(VfsdEpoll, HangupAndErrorAreAlwaysReported) {
    ASSERT_FALSE(add(ep, 3, r, 0, 3).is_error());
    ASSERT_FALSE(add(ep, 4, w, EPOLLIN, 4).is_error()); // a write end never reads
    EXPECT_TRUE(wait(ep).empty());
    w.reset(); // the interest goes with the last reference ...
    EXPECT_EQ(wait(ep), (Events{{EPOLLHUP, 3}}));
    auto [r2, w2] = make_pipe(0);
    ASSERT_FALSE(add(ep, 5, w2, EPOLLOUT, 5).is_error());
    r2.reset();
    EXPECT_EQ(wait(ep), (Events{{EPOLLHUP, 3}, {EPOLLOUT | EPOLLERR, 5}}));
}

TEST_F(VfsdEpoll, CtlErrors) {
    EpollEvent ev{EPOLLIN, 0};
    ASSERT_FALSE(ep->ctl(EPOLL_CTL_ADD, 3, r, &ev).is_error());
    EXPECT_EQ(error_of(ep->ctl(EPOLL_CTL_ADD, 3, r, &ev)), EEXIST);
    EXPECT_EQ(error_of(ep->ctl(EPOLL_CTL_MOD, 4, w, &ev)), ENOENT);
    EXPECT_EQ(error_of(ep->ctl(EPOLL_CTL_DEL, 4, w, nullptr)), ENOENT);
    EXPECT_EQ(error_of(ep->ctl(EPOLL_CTL_ADD, 4, w, nullptr)), EFAULT);
    EXPECT_EQ(error_of(ep->ctl(EPOLL_CTL_MOD, 3, r, nullptr)), EFAULT);
    EXPECT_EQ(error_of(ep->ctl(99, 3, r, &ev)), EINVAL);
    EXPECT_EQ(error_of(ep->ctl(EPOLL_CTL_ADD, 9, ep, &ev)), EINVAL); // itself
    ASSERT_FALSE(ep->ctl(EPOLL_CTL_DEL, 3, r, nullptr).is_error());
    EXPECT_EQ(error_of(ep->ctl(EPOLL_CTL_DEL, 3, r, nullptr)), ENOENT);
    // One file under two fds (a dup) is two interests.
    ASSERT_FALSE(ep->ctl(EPOLL_CTL_ADD, 3, r, &ev).is_error());
    ASSERT_FALSE(ep->ctl(EPOLL_CTL_ADD, 5, r, &ev).is_error());
}

TEST_F(VfsdEpoll, ClosedFilesAreForgotten) {
    ASSERT_FALSE(add(ep, 3, r, EPOLLIN).is_error());
    r.reset();
    EXPECT_TRUE(wait(ep).empty());
    auto [r2, w2] = make_pipe(0);
    EXPECT_EQ(error_of(ep->ctl(EPOLL_CTL_DEL, 3, r2, nullptr)), ENOENT);
}

TEST_F(VfsdEpoll, MaxEventsLeavesTheRestForTheNextWait) {
    std::vector<std::pair<FilePtr, FilePtr>> pipes;
    for (uint64_t i = 0; i < 3; ++i) {
        pipes.push_back(make_pipe(0));
        ASSERT_FALSE(add(ep, int(10 + i), pipes.back().first, EPOLLIN | EPOLLET, i).is_error());
        ASSERT_FALSE(pipes.back().second->write("x", 1).is_error());
    }
    EXPECT_EQ(wait(ep, 2), (Events{{EPOLLIN, 0}, {EPOLLIN, 1}}));
    EXPECT_EQ(wait(ep, 2), (Events{{EPOLLIN, 2}}));
    EXPECT_TRUE(wait(ep, 2).empty());
}

TEST_F(VfsdEpoll, NestedEpollIsReadableWhenTheInnerOneIs) {
    auto outer = make_epoll();
    ASSERT_FALSE(add(ep, 3, r, EPOLLIN).is_error());
    ASSERT_FALSE(add(outer, 4, ep, EPOLLIN, 44).is_error());
    EXPECT_TRUE(wait(outer).empty());
    ASSERT_FALSE(w->write("x", 1).is_error());
    EXPECT_EQ(wait(outer), (Events{{EPOLLIN, 44}}));
    char c;
    EXPECT_EQ(error_of(ep->read(&c, 1)), EINVAL);
    EXPECT_EQ(error_of(ep->write("x", 1)), EINVAL);
    EXPECT_EQ(error_of(ep->seek(0, SEEK_SET)), ESPIPE);
}

TEST_F(VfsdEpoll, LoopsOfEpollsAreRefused) {
    // Linux: ELOOP when an EPOLL_CTL_ADD would close a circle of epoll
    // instances watching one another (evaluating one would never end).
    auto b = make_epoll(), c = make_epoll();
    ASSERT_FALSE(add(ep, 4, b, EPOLLIN).is_error());
    EXPECT_EQ(error_of(add(b, 3, ep, EPOLLIN)), ELOOP);
    ASSERT_FALSE(add(b, 5, c, EPOLLIN).is_error());
    EXPECT_EQ(error_of(add(c, 3, ep, EPOLLIN)), ELOOP);
    // A diamond is no loop.
    ASSERT_FALSE(add(ep, 5, c, EPOLLIN).is_error());
    ASSERT_FALSE(add(c, 6, r, EPOLLIN).is_error());
    ASSERT_FALSE(w->write("x", 1).is_error());
    EXPECT_EQ(wait(ep).size(), 2u);
}

// --- through the syscalls ---

class VfsdEpollCalls : public VfsHarness {
protected:
    int64_t ctl(int64_t epfd, int op, int64_t fd, uint32_t events, uint64_t data = 0) {
        return sys(LinuxSyscall::epoll_ctl, {uint64_t(epfd), uint64_t(op), uint64_t(fd), 1},
                   {{3, bytes_of(EpollEvent{events, data})}});
    }
    Outcome wait(int64_t epfd, int max, int timeout_ms) {
        return handle(make_call(LinuxSyscall::epoll_wait,
                                {uint64_t(epfd), 1, uint64_t(max), uint64_t(int64_t(timeout_ms))}));
    }
};

TEST_F(VfsdEpollCalls, CreateCtlWait) {
    EXPECT_EQ(sys(LinuxSyscall::epoll_create, {0}), -EINVAL);
    EXPECT_EQ(sys(LinuxSyscall::epoll_create1, {1}), -EINVAL);
    int64_t ep = sys(LinuxSyscall::epoll_create1, {EPOLL_CLOEXEC});
    ASSERT_GE(ep, 0);
    EXPECT_EQ(sys(LinuxSyscall::fcntl, {uint64_t(ep), F_GETFD}), FD_CLOEXEC);
    auto [rfd, wfd] = pipe();
    ASSERT_EQ(ctl(ep, EPOLL_CTL_ADD, rfd, EPOLLIN, 0xabcdef), 0);

    // Nothing ready: timeout 0 answers at once, -1 and > 0 park.
    Outcome now = wait(ep, 4, 0);
    ASSERT_FALSE(now.park);
    EXPECT_EQ(now.reply.result, 0);
    EXPECT_TRUE(wait(ep, 4, -1).park);
    LinuxCall timed = make_call(LinuxSyscall::epoll_wait, {uint64_t(ep), 1, 4, 50});
    EXPECT_EQ(after_timeout(timed).result, 0);

    ASSERT_EQ(write(wfd, "x"), 1);
    Outcome got = wait(ep, 4, -1);
    ASSERT_FALSE(got.park);
    ASSERT_EQ(got.reply.result, 1);
    ASSERT_EQ(got.reply.outputs.size(), 1u);
    auto ev = value_of<EpollEvent>(got.reply.outputs[0].second);
    EXPECT_EQ(ev.events, uint32_t(EPOLLIN));
    EXPECT_EQ(ev.data, 0xabcdefu);
    EXPECT_EQ(wait(ep, 0, 0).reply.result, -EINVAL);
    EXPECT_EQ(wait(rfd, 1, 0).reply.result, -EINVAL); // not an epoll fd
}

TEST_F(VfsdEpollCalls, CtlChecksItsFds) {
    int64_t ep = sys(LinuxSyscall::epoll_create1, {0});
    put_file("/tmp/f", "");
    int64_t file = open("/tmp/f", O_RDONLY);
    auto [rfd, wfd] = pipe();
    // Regular files and directories are always ready: Linux refuses them.
    EXPECT_EQ(ctl(ep, EPOLL_CTL_ADD, file, EPOLLIN), -EPERM);
    EXPECT_EQ(ctl(ep, EPOLL_CTL_ADD, 99, EPOLLIN), -EBADF);
    EXPECT_EQ(ctl(99, EPOLL_CTL_ADD, rfd, EPOLLIN), -EBADF);
    EXPECT_EQ(ctl(file, EPOLL_CTL_ADD, rfd, EPOLLIN), -EINVAL);
    EXPECT_EQ(ctl(ep, EPOLL_CTL_ADD, ep, EPOLLIN), -EINVAL);
    EXPECT_EQ(ctl(ep, EPOLL_CTL_ADD, wfd, EPOLLOUT), 0);
    EXPECT_EQ(ctl(ep, EPOLL_CTL_ADD, wfd, EPOLLOUT), -EEXIST);
    EXPECT_EQ(ctl(ep, EPOLL_CTL_MOD, rfd, EPOLLIN), -ENOENT);
    EXPECT_EQ(read(ep, 1), "");
    EXPECT_EQ(last.result, -EINVAL);
}

} // namespace
