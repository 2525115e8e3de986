// runtime-client-abuse: misbehaves towards runtimed's RuntimeClient socket
// (garbage, an oversized length, an unknown op, an unknown version, a bad
// id, a disconnect in the middle of a frame, a client that stops half-way,
// connections that close at once) and checks after each that runtimed
// still answers a well-formed client. Exit status 0 when it always did.
#include <rustos/runtime_client/connection.h>

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>

using namespace rustos;
using namespace rustos::runtime_client;

namespace {

int g_failures = 0;

void fail(const char* what, const char* why) {
    std::printf("runtime-client-abuse: FAIL %s: %s\n", what, why);
    ++g_failures;
}

int connect_or_fail(const char* what) {
    auto fd = connect_to(kSocketPath);
    if (fd.is_error()) {
        fail(what, fd.error().reason());
        return -1;
    }
    return fd.value();
}

// A well-formed client is still served.
void expect_served(const char* after) {
    int fd = connect_or_fail(after);
    if (fd < 0)
        return;
    auto r = call(fd, {Op::List, "", ""}, 5000);
    ::close(fd);
    if (r.is_error())
        fail(after, r.error().reason());
    else if (r->status != 0 || r->entries.empty())
        fail(after, "list did not answer the catalog");
}

// Sends `bytes` on a fresh connection and expects an error reply `code`.
void expect_refused(const char* what, const std::string& bytes, int code, Op as) {
    int fd = connect_or_fail(what);
    if (fd < 0)
        return;
    auto sent = write_all(fd, bytes, 2000);
    FrameBuffer buf;
    auto frame = sent.is_error() ? ErrorOr<Frame>(sent.error()) : read_frame(fd, buf, 5000, 5000);
    ::close(fd);
    if (frame.is_error())
        return fail(what, frame.error().reason());
    auto reply = decode_reply(frame.value(), as);
    if (reply.is_error())
        return fail(what, reply.error().reason());
    if (reply->status != code)
        return fail(what, "runtimed did not refuse it with the expected errno");
    std::printf("runtime-client-abuse: %s -> %s: %s\n", what, abi::errno_name(Errno(code)),
                reply->message.c_str());
    expect_served(what);
}

} // namespace

int main() {
    std::signal(SIGPIPE, SIG_IGN);
    expect_refused("text instead of frames", "GET / HTTP/1.0\r\n\r\n", EMSGSIZE, Op::List);
    std::string huge(kHeaderSize, '\0');
    uint32_t length = 0x7fffffff;
    std::memcpy(huge.data(), &length, 4);
    huge[4] = 1;
    huge[6] = 2;
    expect_refused("an oversized length", huge, EMSGSIZE, Op::List);
    expect_refused("an unknown op", encode_frame(77, ""), EOPNOTSUPP, Op(77));
    expect_refused("an unknown version", encode_frame(uint16_t(Op::List), "", 9), EPROTONOSUPPORT,
                   Op::List);
    expect_refused("a bad id", encode_request({Op::Stop, "../netd", ""}), EINVAL, Op::Stop);
    expect_refused("a truncated payload", encode_frame(uint16_t(Op::Stop), std::string(3, 'x')),
                   EBADMSG, Op::Stop);

    // Gone in the middle of a frame.
    if (int fd = connect_or_fail("a disconnect mid-frame"); fd >= 0) {
        std::string f = encode_request({Op::Restart, "netd", ""});
        (void)write_all(fd, f.substr(0, 11), 2000);
        ::close(fd);
        expect_served("a disconnect mid-frame");
    }
    // Stops half-way and stays connected: others are served meanwhile.
    int hanging = connect_or_fail("a client that stops half-way");
    if (hanging >= 0) {
        (void)write_all(hanging, encode_request({Op::List, "", ""}).substr(0, 3), 2000);
        expect_served("a client that stops half-way");
    }
    // Connections that close without a byte.
    for (int i = 0; i < 10; ++i)
        if (int fd = connect_or_fail("connections closed at once"); fd >= 0)
            ::close(fd);
    expect_served("connections closed at once");
    if (hanging >= 0)
        ::close(hanging);

    if (g_failures == 0)
        std::printf("runtime-client-abuse: runtimed answered every well-formed client\n");
    return g_failures ? 1 : 0;
}
