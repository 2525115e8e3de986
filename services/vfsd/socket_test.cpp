// AF_UNIX sockets: the connection state machine and data paths of
// UnixSocket, and bind/listen/connect/accept through the syscalls (paths in
// the namespace and the abstract namespace), as Linux's af_unix.c.
#include "test_support.h"

#include "socket.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>

using namespace vfsd;
using namespace vfsd::test;

namespace {

using SocketPtr = std::shared_ptr<UnixSocket>;

std::pair<SocketPtr, SocketPtr> socket_pair(int type) {
    auto a = std::make_shared<UnixSocket>(type, 0);
    auto b = std::make_shared<UnixSocket>(type, 0);
    UnixSocket::pair(a, b);
    return {a, b};
}

ErrorOr<size_t> send(const SocketPtr& s, std::string_view data) {
    return s->write(data.data(), data.size());
}

// One read of at most n bytes; "" on error or EOF.
std::string recv(const SocketPtr& s, size_t n) {
    std::string buf(n, '\0');
    auto r = s->read(buf.data(), n);
    return r.is_error() ? std::string() : buf.substr(0, r.value());
}

int recv_error(const SocketPtr& s) {
    char c;
    return error_of(s->read(&c, 1));
}

TEST(VfsdSocketPair, StreamDataBothWays) {
    auto [a, b] = socket_pair(SOCK_STREAM);
    EXPECT_EQ(a->state(), UnixSocket::State::Connected);
    ASSERT_EQ(send(a, "ping").value(), 4u);
    ASSERT_EQ(send(a, "!").value(), 1u);
    EXPECT_EQ(recv(b, 100), "ping!"); // a stream: no message boundaries
    ASSERT_EQ(send(b, "pong").value(), 4u);
    EXPECT_EQ(recv(a, 2), "po");
    EXPECT_EQ(recv(a, 2), "ng");
    EXPECT_EQ(recv_error(a), EAGAIN);
    EXPECT_EQ(a->poll(), uint32_t(POLLOUT));
    ASSERT_FALSE(send(b, "x").is_error());
    EXPECT_EQ(a->poll(), uint32_t(POLLIN | POLLOUT));
    char c;
    EXPECT_EQ(error_of(a->seek(0, SEEK_SET)), ESPIPE);
    EXPECT_EQ(error_of(a->pread(0, &c, 1)), ESPIPE);
}

TEST(VfsdSocketPair, PeerCloseIsEofAndEpipe) {
    auto [a, b] = socket_pair(SOCK_STREAM);
    ASSERT_FALSE(send(b, "last").is_error());
    b.reset();
    EXPECT_EQ(recv(a, 100), "last");
    char c;
    EXPECT_EQ(a->read(&c, 1).value(), 0u);
    EXPECT_EQ(error_of(send(a, "x")), EPIPE);
    EXPECT_EQ(a->poll() & uint32_t(POLLIN | POLLHUP | POLLRDHUP),
              uint32_t(POLLIN | POLLHUP | POLLRDHUP));
}

TEST(VfsdSocketPair, ShutdownWrite) {
    auto [a, b] = socket_pair(SOCK_STREAM);
    ASSERT_FALSE(send(a, "bye").is_error());
    ASSERT_FALSE(a->shutdown(SHUT_WR).is_error());
    EXPECT_EQ(error_of(send(a, "x")), EPIPE);
    EXPECT_EQ(recv(b, 100), "bye");
    char c;
    EXPECT_EQ(b->read(&c, 1).value(), 0u); // EOF for the peer
    EXPECT_EQ(b->poll(), uint32_t(POLLIN | POLLOUT | POLLRDHUP));
    // The other direction still works.
    ASSERT_FALSE(send(b, "back").is_error());
    EXPECT_EQ(recv(a, 100), "back");
    ASSERT_FALSE(a->shutdown(SHUT_WR).is_error()); // again: nothing changes
}

TEST(VfsdSocketPair, ShutdownRead) {
    auto [a, b] = socket_pair(SOCK_STREAM);
    ASSERT_FALSE(a->shutdown(SHUT_RD).is_error());
    char c;
    EXPECT_EQ(a->read(&c, 1).value(), 0u);
    EXPECT_EQ(error_of(send(b, "x")), EPIPE);
    EXPECT_EQ(a->poll() & uint32_t(POLLIN | POLLRDHUP), uint32_t(POLLIN | POLLRDHUP));
    ASSERT_FALSE(send(a, "still").is_error());
    EXPECT_EQ(recv(b, 100), "still");
    ASSERT_FALSE(b->shutdown(SHUT_RDWR).is_error());
    EXPECT_EQ(error_of(b->shutdown(3)), EINVAL);
    EXPECT_EQ(error_of(b->shutdown(-1)), EINVAL);
}

TEST(VfsdSocketPair, DatagramsKeepTheirBoundaries) {
    auto [a, b] = socket_pair(SOCK_DGRAM);
    ASSERT_EQ(send(a, "one").value(), 3u);
    ASSERT_EQ(send(a, "").value(), 0u);
    ASSERT_EQ(send(a, "three").value(), 5u);
    EXPECT_EQ(b->poll(), uint32_t(POLLIN | POLLOUT));
    EXPECT_EQ(recv(b, 100), "one");
    EXPECT_EQ(recv(b, 100), "");
    // A short read takes the start of a datagram and drops the rest.
    EXPECT_EQ(recv(b, 2), "th");
    EXPECT_EQ(recv_error(b), EAGAIN);
    EXPECT_EQ(b->poll(), uint32_t(POLLOUT));
    ASSERT_FALSE(send(b, "reply").is_error());
    EXPECT_EQ(recv(a, 100), "reply");
}

TEST(VfsdSocketPair, DatagramPeerGone) {
    auto [a, b] = socket_pair(SOCK_DGRAM);
    b.reset();
    EXPECT_EQ(error_of(send(a, "x")), ECONNREFUSED);
}

TEST(VfsdSocket, ConnectionStateMachine) {
    auto server = std::make_shared<UnixSocket>(SOCK_STREAM, 0);
    auto client = std::make_shared<UnixSocket>(SOCK_STREAM, 0);
    auto node = std::make_shared<SocketNode>(0755);
    // Unbound: cannot listen; not connected: nothing to read or write.
    EXPECT_EQ(error_of(server->listen(5)), EINVAL);
    EXPECT_EQ(error_of(server->accept()), EINVAL);
    EXPECT_EQ(recv_error(client), EINVAL);
    EXPECT_EQ(error_of(send(client, "x")), ENOTCONN);
    EXPECT_EQ(client->poll(), uint32_t(POLLOUT | POLLHUP));
    char c;
    EXPECT_EQ(client->read(&c, 0).value(), 0u);

    ASSERT_FALSE(server->bind("/srv", node).is_error());
    EXPECT_EQ(error_of(server->bind("/other", node)), EINVAL);
    EXPECT_EQ(server->bound_path(), "/srv");
    EXPECT_EQ(node->socket.lock(), server);
    EXPECT_EQ(error_of(client->connect(server, "/srv")), ECONNREFUSED); // not listening
    ASSERT_FALSE(server->listen(1).is_error());
    EXPECT_EQ(error_of(server->accept()), EAGAIN);
    EXPECT_EQ(server->poll(), 0u);

    ASSERT_FALSE(client->connect(server, "/srv").is_error());
    EXPECT_EQ(client->peer_path(), "/srv");
    EXPECT_EQ(server->poll(), uint32_t(POLLIN));
    EXPECT_EQ(error_of(client->connect(server, "/srv")), EISCONN);
    // The backlog of one is full.
    auto second = std::make_shared<UnixSocket>(SOCK_STREAM, 0);
    EXPECT_EQ(error_of(second->connect(server, "/srv")), EAGAIN);
    EXPECT_EQ(error_of(server->connect(server, "/srv")), EINVAL);

    auto conn = server->accept();
    ASSERT_FALSE(conn.is_error());
    SocketPtr accepted = conn.value();
    EXPECT_EQ(accepted->bound_path(), "/srv");
    EXPECT_EQ(accepted->peer_path(), "");
    ASSERT_FALSE(send(client, "hello").is_error());
    EXPECT_EQ(recv(accepted, 100), "hello");
    ASSERT_FALSE(send(accepted, "hi").is_error());
    EXPECT_EQ(recv(client, 100), "hi");

    // Closing the listener leaves the bound node without a socket.
    server.reset();
    EXPECT_EQ(node->socket.lock(), nullptr);
    EXPECT_EQ(error_of(second->connect(nullptr, "/srv")), ECONNREFUSED);
}

TEST(VfsdSocket, ListenNeedsAStreamSocketAndConnectTheSameType) {
    auto dgram = std::make_shared<UnixSocket>(SOCK_DGRAM, 0);
    ASSERT_FALSE(dgram->bind("/d", std::make_shared<SocketNode>(0755)).is_error());
    EXPECT_EQ(error_of(dgram->listen(1)), EOPNOTSUPP);
    auto [a, b] = socket_pair(SOCK_STREAM);
    EXPECT_EQ(error_of(a->listen(1)), EINVAL);
}

TEST(VfsdSocket, ClosingTheNodeOwnerDoesNotBreakTheSocket) {
    auto s = std::make_shared<UnixSocket>(SOCK_STREAM, 0);
    {
        auto node = std::make_shared<SocketNode>(0755);
        ASSERT_FALSE(s->bind("/gone", node).is_error());
        EXPECT_EQ(error_of(node->open(O_RDWR)), ENXIO); // open(2) of a socket
    }
    ASSERT_FALSE(s->listen(4).is_error());
    s.reset(); // the node went first: nothing to clear
}

// --- through the syscalls ---

std::string sockaddr(std::string_view path) {
    std::string a(2, '\0');
    uint16_t family = AF_UNIX;
    std::memcpy(a.data(), &family, 2);
    a += path;
    if (!path.empty() && path[0] != '\0')
        a += '\0';
    return a;
}

class VfsdSocketCalls : public VfsHarness {
protected:
    int64_t socket(int type = SOCK_STREAM) {
        return sys(LinuxSyscall::socket, {AF_UNIX, uint64_t(type), 0});
    }
    int64_t bind(int64_t fd, std::string_view path) {
        std::string a = sockaddr(path);
        return sys(LinuxSyscall::bind, {uint64_t(fd), 0, a.size()}, {{1, a}});
    }
    int64_t listen(int64_t fd, int backlog = 8) {
        return sys(LinuxSyscall::listen, {uint64_t(fd), uint64_t(backlog)});
    }
    Outcome connect(int64_t fd, std::string_view path) {
        std::string a = sockaddr(path);
        return handle(make_call(LinuxSyscall::connect, {uint64_t(fd), 0, a.size()}, {{1, a}}));
    }
    // accept4 with room for an address; the peer's address in `addr`.
    Outcome accept(int64_t fd, int flags = 0) {
        Outcome o = handle(make_call(LinuxSyscall::accept4, {uint64_t(fd), 1, 1, uint64_t(flags)},
                                     {{2, bytes_of(uint32_t(110))}}));
        last = o.reply;
        return o;
    }
    std::string name_of(int64_t fd, bool peer) {
        sys(peer ? LinuxSyscall::getpeername : LinuxSyscall::getsockname, {uint64_t(fd), 1, 1},
            {{2, bytes_of(uint32_t(110))}});
        std::string a = output(1);
        EXPECT_EQ(value_of<uint32_t>(output(2)), a.size());
        return a;
    }
    // A listening socket at `path` and a client connected to it: {server, client}.
    std::pair<int64_t, int64_t> listening(std::string_view path) {
        int64_t srv = socket();
        EXPECT_EQ(bind(srv, path), 0);
        EXPECT_EQ(listen(srv), 0);
        return {srv, socket()};
    }
};

TEST_F(VfsdSocketCalls, BindListenConnectAccept) {
    auto [srv, cli] = listening("/tmp/sock");
    struct stat st;
    ASSERT_EQ(stat("/tmp/sock", &st), 0);
    EXPECT_TRUE(S_ISSOCK(st.st_mode));
    EXPECT_EQ(st.st_mode & 0777, 0755u); // 0777 less the umask

    Outcome c = connect(cli, "/tmp/sock");
    ASSERT_FALSE(c.park);
    EXPECT_EQ(c.reply.result, 0);
    Outcome a = accept(srv);
    ASSERT_FALSE(a.park);
    int64_t conn = a.reply.result;
    ASSERT_GE(conn, 0);
    // The client never bound: its address is the family alone.
    EXPECT_EQ(output(1), sockaddr(""));
    EXPECT_EQ(value_of<uint32_t>(output(2)), 2u);

    EXPECT_EQ(write(cli, "request"), 7);
    EXPECT_EQ(read(conn, 100), "request");
    EXPECT_EQ(write(conn, "response"), 8);
    EXPECT_EQ(read(cli, 100), "response");

    EXPECT_EQ(name_of(srv, false), sockaddr("/tmp/sock"));
    EXPECT_EQ(name_of(conn, false), sockaddr("/tmp/sock"));
    EXPECT_EQ(name_of(cli, true), sockaddr("/tmp/sock"));
    EXPECT_EQ(name_of(cli, false), sockaddr(""));
    EXPECT_EQ(sys(LinuxSyscall::getpeername, {uint64_t(srv), 1, 1}, {{2, bytes_of(uint32_t(110))}}),
              -ENOTCONN);

    EXPECT_EQ(sys(LinuxSyscall::shutdown, {uint64_t(cli), SHUT_WR}), 0);
    EXPECT_EQ(read(conn, 100), "");
    EXPECT_EQ(last.result, 0);
}

TEST_F(VfsdSocketCalls, AcceptAndConnectWaitOrSayEagain) {
    auto [srv, cli] = listening("/tmp/wait");
    EXPECT_TRUE(accept(srv).park);
    ASSERT_EQ(sys(LinuxSyscall::fcntl, {uint64_t(srv), F_SETFL, O_NONBLOCK}), 0);
    EXPECT_EQ(accept(srv).reply.result, -EAGAIN);
    EXPECT_EQ(sys(LinuxSyscall::listen, {uint64_t(srv), 1}), 0); // a backlog of one
    ASSERT_EQ(connect(cli, "/tmp/wait").reply.result, 0);
    int64_t second = socket();
    EXPECT_TRUE(connect(second, "/tmp/wait").park);
    int64_t third = socket(SOCK_STREAM | SOCK_NONBLOCK);
    EXPECT_EQ(connect(third, "/tmp/wait").reply.result, -EAGAIN);
    int64_t conn = accept(srv, SOCK_NONBLOCK | SOCK_CLOEXEC).reply.result;
    ASSERT_GE(conn, 0);
    EXPECT_EQ(sys(LinuxSyscall::fcntl, {uint64_t(conn), F_GETFL}) & O_NONBLOCK, O_NONBLOCK);
    EXPECT_EQ(sys(LinuxSyscall::fcntl, {uint64_t(conn), F_GETFD}), FD_CLOEXEC);
    EXPECT_EQ(connect(second, "/tmp/wait").reply.result, 0);
    EXPECT_EQ(accept(srv, 0x1234).reply.result, -EINVAL);
}

TEST_F(VfsdSocketCalls, BindErrors) {
    int64_t s = socket();
    EXPECT_EQ(bind(s, "/tmp/a"), 0);
    EXPECT_EQ(bind(s, "/tmp/b"), -EINVAL); // bound already
    int64_t t = socket();
    EXPECT_EQ(bind(t, "/tmp/a"), -EADDRINUSE);
    put_file("/tmp/file", "");
    EXPECT_EQ(bind(t, "/tmp/file"), -EADDRINUSE);
    EXPECT_EQ(bind(t, "/tmp/missing/s"), -ENOENT);
    std::string short_addr(1, '\0');
    EXPECT_EQ(sys(LinuxSyscall::bind, {uint64_t(t), 0, 1}, {{1, short_addr}}), -EINVAL);
    std::string inet = sockaddr("/x");
    inet[0] = AF_INET;
    EXPECT_EQ(sys(LinuxSyscall::bind, {uint64_t(t), 0, inet.size()}, {{1, inet}}), -EINVAL);
    EXPECT_EQ(sys(LinuxSyscall::connect, {uint64_t(t), 0, inet.size()}, {{1, inet}}), -EINVAL);
    put_file("/tmp/plain", "");
    int64_t fd = open("/tmp/plain", O_RDONLY);
    EXPECT_EQ(bind(fd, "/tmp/c"), -ENOTSOCK);
    EXPECT_EQ(listen(fd), -ENOTSOCK);
}

TEST_F(VfsdSocketCalls, ConnectErrors) {
    int64_t cli = socket();
    EXPECT_EQ(connect(cli, "/tmp/nothing").reply.result, -ENOENT);
    put_file("/tmp/file", "");
    EXPECT_EQ(connect(cli, "/tmp/file").reply.result, -ECONNREFUSED);
    int64_t bound = socket();
    ASSERT_EQ(bind(bound, "/tmp/bound"), 0);
    EXPECT_EQ(connect(cli, "/tmp/bound").reply.result, -ECONNREFUSED); // not listening
    ASSERT_EQ(close(bound), 0);
    EXPECT_EQ(connect(cli, "/tmp/bound").reply.result, -ECONNREFUSED); // the node stays
    EXPECT_EQ(unlink("/tmp/bound"), 0);
    int64_t dgram = socket(SOCK_DGRAM);
    ASSERT_EQ(bind(dgram, "/tmp/dgram"), 0);
    EXPECT_EQ(connect(cli, "/tmp/dgram").reply.result, -EPROTOTYPE);
}

TEST_F(VfsdSocketCalls, AbstractNamespace) {
    std::string name("\0vfsd-test-abstract", 19);
    int64_t srv = socket();
    ASSERT_EQ(bind(srv, name), 0);
    ASSERT_EQ(listen(srv), 0);
    int64_t other = socket();
    EXPECT_EQ(bind(other, name), -EADDRINUSE);
    int64_t cli = socket();
    EXPECT_EQ(connect(cli, name).reply.result, 0);
    int64_t conn = accept(srv).reply.result;
    ASSERT_GE(conn, 0);
    EXPECT_EQ(name_of(conn, false), sockaddr(name));
    EXPECT_EQ(write(conn, "abstract"), 8);
    EXPECT_EQ(read(cli, 100), "abstract");
    // Nothing appears in the file system; the name is free once closed.
    EXPECT_EQ(close(srv), 0);
    EXPECT_EQ(connect(other, name).reply.result, -ECONNREFUSED);
    EXPECT_EQ(bind(other, name), 0);
    EXPECT_EQ(connect(cli, std::string("\0vfsd-test-none", 15)).reply.result, -EISCONN);
}

TEST_F(VfsdSocketCalls, SocketArguments) {
    EXPECT_EQ(sys(LinuxSyscall::socket, {AF_INET, SOCK_STREAM, 0}), -EAFNOSUPPORT);
    EXPECT_EQ(sys(LinuxSyscall::socket, {AF_UNIX, 7, 0}), -ESOCKTNOSUPPORT);
    EXPECT_EQ(sys(LinuxSyscall::socket, {AF_UNIX, 0, 0}), -ESOCKTNOSUPPORT);
    EXPECT_EQ(sys(LinuxSyscall::socket, {AF_UNIX, 12, 0}), -EINVAL);
    EXPECT_EQ(sys(LinuxSyscall::socket, {AF_UNIX, SOCK_STREAM, 6}), -EPROTONOSUPPORT);
    EXPECT_GE(sys(LinuxSyscall::socket, {AF_UNIX, SOCK_STREAM, PF_UNIX}), 0);
    EXPECT_EQ(sys(LinuxSyscall::socket, {AF_UNIX, SOCK_STREAM | 0x100, 0}), -EINVAL);
    int64_t s = sys(LinuxSyscall::socket, {AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0});
    ASSERT_GE(s, 0);
    EXPECT_EQ(sys(LinuxSyscall::fcntl, {uint64_t(s), F_GETFD}), FD_CLOEXEC);
    struct stat st;
    ASSERT_EQ(fstat(s, &st), 0);
    EXPECT_TRUE(S_ISSOCK(st.st_mode));
    int32_t type = 0;
    EXPECT_EQ(sys(LinuxSyscall::getsockopt, {uint64_t(s), SOL_SOCKET, SO_TYPE, 1, 1},
                  {{4, bytes_of(uint32_t(4))}}),
              0);
    type = value_of<int32_t>(output(3));
    EXPECT_EQ(type, SOCK_DGRAM);
    EXPECT_EQ(sys(LinuxSyscall::getsockopt, {uint64_t(s), 6 /* IPPROTO_TCP */, 1, 1, 1},
                  {{4, bytes_of(uint32_t(4))}}),
              -EOPNOTSUPP);
}

TEST_F(VfsdSocketCalls, SocketpairThroughTheSyscall) {
    ASSERT_EQ(sys(LinuxSyscall::socketpair, {AF_UNIX, SOCK_DGRAM, 0, 1}), 0);
    auto fds = value_of<std::array<int32_t, 2>>(output(3));
    EXPECT_EQ(write(fds[0], "a"), 1);
    EXPECT_EQ(write(fds[0], "bc"), 2);
    EXPECT_EQ(read(fds[1], 100), "a");
    EXPECT_EQ(read(fds[1], 100), "bc");
    // An empty blocking socket parks the read; MSG_DONTWAIT says EAGAIN.
    EXPECT_TRUE(handle(make_call(LinuxSyscall::read, {uint64_t(fds[1]), 0, 10})).park);
    EXPECT_EQ(sys(LinuxSyscall::recvfrom, {uint64_t(fds[1]), 0, 10, MSG_DONTWAIT}), -EAGAIN);
}

} // namespace
