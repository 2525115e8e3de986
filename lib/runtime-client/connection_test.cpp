#include <rustos/runtime_client/connection.h>

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <thread>

using namespace rustos;
using namespace rustos::runtime_client;

namespace {

// A handler that knows one entry, "netd".
Reply answer(const Request& r) {
    Reply reply;
    reply.op = r.op;
    if (r.op == Op::List) {
        for (const char* id : {"inputd", "netd"}) {
            EntryInfo e;
            e.id = id;
            e.state = "running";
            reply.entries.push_back(e);
        }
        return reply;
    }
    if (r.id != "netd") {
        reply.status = ENOENT;
        reply.message = "no catalog entry '" + r.id + "'";
        return reply;
    }
    EntryInfo e;
    e.id = "netd";
    e.state = "running";
    e.pid = 9;
    reply.entries.push_back(e);
    reply.message = std::string(op_name(uint16_t(r.op))) + " netd";
    return reply;
}

// Collects what the server logs.
struct Log {
    std::mutex mutex;
    std::vector<std::string> lines;
    LogFn fn() {
        return [this](const std::string& s) {
            std::lock_guard lock(mutex);
            lines.push_back(s);
        };
    }
    std::string all() {
        std::lock_guard lock(mutex);
        std::string out;
        for (auto& l : lines)
            out += l + "\n";
        return out;
    }
};

// serve_connection on one end of a socketpair, on its own thread.
struct Served {
    int client = -1;
    std::thread thread;
    Log log;
    explicit Served(ServerOptions options = {}) {
        int sv[2];
        EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
        client = sv[0];
        options.log = log.fn();
        thread = std::thread([fd = sv[1], options] { serve_connection(fd, answer, options); });
    }
    ~Served() {
        if (client >= 0)
            ::close(client);
        if (thread.joinable())
            thread.join();
    }
    void send(const std::string& bytes) {
        ASSERT_EQ(::write(client, bytes.data(), bytes.size()), ssize_t(bytes.size()));
    }
    // The server has ended the connection (EOF) within a second.
    bool closed_by_server() {
        FrameBuffer b;
        auto f = read_frame(client, b, 1000, 1000);
        return f.is_error() && f.error().code() == ECONNRESET;
    }
    bool log_has(const std::string& s) { return log.all().find(s) != std::string::npos; }
};

ErrorOr<Reply> read_reply(int fd, Op op) {
    FrameBuffer b;
    auto f = read_frame(fd, b, 2000, 2000);
    if (f.is_error())
        return f.error();
    return decode_reply(f.value(), op);
}

std::string temp_socket_path(const char* name) {
    auto dir = std::filesystem::temp_directory_path() /
               ("rustos-rtc-" + std::to_string(::getpid()) + "-" + name);
    std::filesystem::create_directories(dir);
    return (dir / "runtimed.sock").string();
}

} // namespace

TEST(RuntimeClientConnection, CallsRoundTrip) {
    Served s;
    auto list = call(s.client, {Op::List, "", ""}, 2000);
    ASSERT_FALSE(list.is_error()) << list.error().reason();
    ASSERT_EQ(list->entries.size(), 2u);
    EXPECT_EQ(list->entries[1].id, "netd");
    auto stop = call(s.client, {Op::Stop, "netd", ""}, 2000);
    ASSERT_FALSE(stop.is_error()) << stop.error().reason();
    EXPECT_EQ(stop->message, "stop netd");
    EXPECT_EQ(stop->entries[0].pid, 9u);
    auto missing = call(s.client, {Op::Status, "nosuch", ""}, 2000);
    ASSERT_FALSE(missing.is_error());
    EXPECT_EQ(missing->status, ENOENT);
    EXPECT_EQ(missing->message, "no catalog entry 'nosuch'");
    // Hello is the library's own answer.
    auto hello = call(s.client, {Op::Hello, "", "test"}, 2000);
    ASSERT_FALSE(hello.is_error()) << hello.error().reason();
    EXPECT_EQ(hello->server, "runtimed");
    EXPECT_EQ(hello->min_version, kVersion);
    EXPECT_EQ(hello->max_version, kVersion);
}

TEST(RuntimeClientConnection, BadRequestsGetErrorsAndTheConnectionGoesOn) {
    Served s;
    s.send(encode_frame(77, ""));
    auto unknown = read_reply(s.client, Op(77));
    ASSERT_FALSE(unknown.is_error()) << unknown.error().reason();
    EXPECT_EQ(unknown->status, EOPNOTSUPP);
    EXPECT_EQ(unknown->message, "unknown request op 77");
    s.send(encode_frame(uint16_t(Op::List), "", 3));
    auto version = read_reply(s.client, Op::List);
    ASSERT_FALSE(version.is_error()) << version.error().reason();
    EXPECT_EQ(version->status, EPROTONOSUPPORT);
    EXPECT_EQ(version->message,
              "unsupported RuntimeClient protocol version 3 (runtimed speaks version 1)");
    s.send(encode_frame(uint16_t(Op::Stop), std::string("\x02\x00\x00\x00n", 5)));
    auto truncated = read_reply(s.client, Op::Stop);
    ASSERT_FALSE(truncated.is_error());
    EXPECT_EQ(truncated->status, EBADMSG);
    EXPECT_EQ(truncated->message, "stop request: truncated in 'id' (2 bytes announced, 1 present)");
    // Still served.
    auto list = call(s.client, {Op::List, "", ""}, 2000);
    ASSERT_FALSE(list.is_error()) << list.error().reason();
    EXPECT_EQ(list->status, 0);
    EXPECT_TRUE(s.log_has("refused a request: unknown request op 77"));
}

TEST(RuntimeClientConnection, GarbageEndsTheConnectionWithAReason) {
    Served s;
    s.send("GET / HTTP/1.0\r\n\r\n");
    auto r = read_reply(s.client, Op::List);
    ASSERT_FALSE(r.is_error()) << r.error().reason();
    EXPECT_EQ(r->status, EMSGSIZE);
    EXPECT_TRUE(s.closed_by_server());
    s.thread.join();
    EXPECT_TRUE(s.log_has("RuntimeClient connection dropped: a frame announces"));
}

TEST(RuntimeClientConnection, DisconnectMidFrame) {
    Served s;
    std::string f = encode_request({Op::Restart, "netd", ""});
    s.send(f.substr(0, 11));
    ::close(s.client);
    s.client = -1;
    s.thread.join();
    EXPECT_TRUE(s.log_has("dropped: the stream ended 11 bytes into a 16-byte frame (op restart, 8 "
                          "payload bytes announced)"))
        << s.log.all();
}

TEST(RuntimeClientConnection, SilentClientsTimeOut) {
    ServerOptions o;
    o.frame_timeout_ms = 100;
    o.idle_timeout_ms = 200;
    {
        // Half a frame, then silence.
        Served s(o);
        s.send(encode_request({Op::List, "", ""}).substr(0, 3));
        auto start = std::chrono::steady_clock::now();
        auto r = read_reply(s.client, Op::List);
        ASSERT_FALSE(r.is_error()) << r.error().reason();
        EXPECT_EQ(r->status, ETIMEDOUT);
        EXPECT_TRUE(s.closed_by_server());
        EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
        s.thread.join();
        EXPECT_TRUE(s.log_has("a frame stayed incomplete for 100 ms (3 bytes received)"));
    }
    {
        // Nothing at all.
        Served s(o);
        EXPECT_TRUE(s.closed_by_server() || s.closed_by_server());
        s.thread.join();
        EXPECT_TRUE(s.log_has("nothing arrived within 200 ms"));
    }
}

TEST(RuntimeClientConnection, ClientsThatNeverReadAreDropped) {
    ServerOptions o;
    o.frame_timeout_ms = 100;
    Served s(o);
    int small = 4096;
    ::setsockopt(s.client, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    ::fcntl(s.client, F_SETFL, O_NONBLOCK);
    std::string req = encode_request({Op::List, "", ""});
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    // Pipeline requests and never read a reply: the server's writes stall
    // and it gives up on this client.
    while (!s.log_has("connection dropped") && std::chrono::steady_clock::now() < deadline) {
        (void)::send(s.client, req.data(), req.size(), MSG_NOSIGNAL);
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    EXPECT_TRUE(s.log_has("RuntimeClient connection dropped: sending: timed out")) << s.log.all();
}

TEST(RuntimeClientConnection, ARefusalBeforeTheRequestIsTheAnswer) {
    // The server said why and closed before the request arrived: the
    // client's write fails (EPIPE), the reason is still there to read.
    int sv[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    std::string busy = encode_error(0, Error(EBUSY, "too many connections"));
    ASSERT_EQ(::write(sv[1], busy.data(), busy.size()), ssize_t(busy.size()));
    ::close(sv[1]);
    auto r = call(sv[0], {Op::List, "", ""}, 2000);
    ::close(sv[0]);
    ASSERT_FALSE(r.is_error()) << r.error().reason();
    EXPECT_EQ(r->status, EBUSY);
    EXPECT_EQ(r->message, "too many connections");
    // Without a reason, the write error is the answer.
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ::close(sv[1]);
    auto gone = call(sv[0], {Op::List, "", ""}, 2000);
    ::close(sv[0]);
    ASSERT_TRUE(gone.is_error());
    EXPECT_EQ(gone.error().code(), EPIPE);
}

TEST(RuntimeClientConnection, ConnectErrorsNameTheCause) {
    auto missing = connect_to("/nonexistent/runtimed.sock");
    ASSERT_TRUE(missing.is_error());
    EXPECT_EQ(missing.error().code(), ENOENT);
    EXPECT_STREQ(missing.error().reason(), std::strerror(ENOENT));
    auto toolong = connect_to("/" + std::string(200, 'x'));
    ASSERT_TRUE(toolong.is_error());
    EXPECT_EQ(toolong.error().code(), ENAMETOOLONG);
    // A socket file nobody listens on.
    std::string path = temp_socket_path("stale");
    auto fd = listen_at(path);
    ASSERT_FALSE(fd.is_error()) << fd.error().reason();
    ::close(fd.value());
    auto refused = connect_to(path);
    ASSERT_TRUE(refused.is_error());
    EXPECT_EQ(refused.error().code(), ECONNREFUSED);
    // A new server replaces the stale socket, but never a regular file.
    auto again = listen_at(path);
    ASSERT_FALSE(again.is_error()) << again.error().reason();
    ::close(again.value());
    ::unlink(path.c_str());
    ::close(::open(path.c_str(), O_CREAT | O_WRONLY, 0600));
    auto file = listen_at(path);
    ASSERT_TRUE(file.is_error());
    EXPECT_EQ(file.error().code(), EADDRINUSE);
    std::filesystem::remove_all(std::filesystem::path(path).parent_path());
}

TEST(RuntimeClientConnection, ListenerServesClientsSideBySideAndCapsThem) {
    std::string path = temp_socket_path("listener");
    auto listener = listen_at(path);
    ASSERT_FALSE(listener.is_error()) << listener.error().reason();
    Log log;
    ServerOptions o;
    o.max_clients = 2;
    o.idle_timeout_ms = 2000; // bounds the wait at the end should a check fail
    o.log = log.fn();
    ErrorOr<void> result;
    // Stops the listener however the test ends.
    struct Server {
        std::atomic<bool> stop = false;
        std::thread thread;
        ~Server() {
            stop = true;
            if (thread.joinable())
                thread.join();
        }
    } server;
    o.stop = &server.stop;
    server.thread = std::thread([&] { result = serve_listener(listener.value(), answer, o); });

    // An idle client does not hold up another one.
    auto idle = connect_to(path);
    ASSERT_FALSE(idle.is_error());
    auto busy = connect_to(path);
    ASSERT_FALSE(busy.is_error());
    auto r = call(busy.value(), {Op::Status, "netd", ""}, 2000);
    ASSERT_FALSE(r.is_error()) << r.error().reason();
    EXPECT_EQ(r->entries[0].pid, 9u);

    // A third connection is refused with a reason while two are open.
    auto third = connect_to(path);
    ASSERT_FALSE(third.is_error());
    auto refused = call(third.value(), {Op::List, "", ""}, 2000);
    ASSERT_FALSE(refused.is_error()) << refused.error().reason();
    EXPECT_EQ(refused->status, EBUSY);
    EXPECT_EQ(refused->message, "runtimed serves at most 2 RuntimeClient connections at once");
    ::close(third.value());

    // Once one closes, there is room again.
    ::close(idle.value());
    int32_t later = -1;
    for (int i = 0; i < 100 && later != 0; ++i) {
        auto c = connect_to(path);
        ASSERT_FALSE(c.is_error());
        auto r = call(c.value(), {Op::List, "", ""}, 2000);
        ::close(c.value());
        later = r.is_error() ? -1 : r->status;
        if (later != 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_EQ(later, 0);

    ::close(busy.value());
    server.stop = true;
    server.thread.join();
    EXPECT_FALSE(result.is_error());
    ::close(listener.value());
    std::filesystem::remove_all(std::filesystem::path(path).parent_path());
}
