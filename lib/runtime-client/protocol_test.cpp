#include <rustos/runtime_client/protocol.h>

#include <gtest/gtest.h>

#include <cstring>
#include <random>

using namespace rustos;
using namespace rustos::runtime_client;

namespace {

EntryInfo entry(const std::string& id, const std::string& state, uint32_t pid) {
    EntryInfo e;
    e.id = id;
    e.state = state;
    e.startup = "session";
    e.pid = pid;
    e.restarts = 2;
    e.exec = "/services/" + id + "/" + id;
    e.last_exit = "killed by signal 15";
    return e;
}

// The one frame in `bytes`, which must be complete.
Frame frame_of(const std::string& bytes) {
    FrameBuffer b;
    b.append(bytes);
    auto f = b.next();
    EXPECT_FALSE(f.is_error());
    EXPECT_TRUE(f.value().has_value());
    EXPECT_TRUE(b.empty());
    return f.value().value_or(Frame{});
}

std::string payload_of(const std::string& bytes) { return bytes.substr(kHeaderSize); }

std::string le32(uint32_t v) { return std::string(reinterpret_cast<const char*>(&v), 4); }

} // namespace

TEST(RuntimeClientProtocol, OpNames) {
    EXPECT_STREQ(op_name(uint16_t(Op::Restart)), "restart");
    EXPECT_EQ(op_name(0), nullptr);
    EXPECT_EQ(op_name(99), nullptr);
    EXPECT_EQ(op_from_name("stop"), Op::Stop);
    EXPECT_FALSE(op_from_name("reboot").has_value());
    EXPECT_TRUE(op_takes_id(Op::Status));
    EXPECT_FALSE(op_takes_id(Op::List));
}

TEST(RuntimeClientProtocol, HeaderLayout) {
    std::string f = encode_request({Op::Status, "netd", ""});
    ASSERT_EQ(f.size(), kHeaderSize + 4 + 4);
    uint32_t length;
    uint16_t version, op;
    std::memcpy(&length, f.data(), 4);
    std::memcpy(&version, f.data() + 4, 2);
    std::memcpy(&op, f.data() + 6, 2);
    EXPECT_EQ(length, 8u);
    EXPECT_EQ(version, kVersion);
    EXPECT_EQ(op, 3u);
    EXPECT_EQ(f.substr(kHeaderSize), le32(4) + "netd");
}

TEST(RuntimeClientProtocol, RequestsRoundTrip) {
    for (Op op : {Op::Hello, Op::List, Op::Status, Op::Start, Op::Stop, Op::Restart}) {
        Request r;
        r.op = op;
        if (op_takes_id(op))
            r.id = "sessiond";
        if (op == Op::Hello)
            r.client = "rustosctl";
        auto back = decode_request(frame_of(encode_request(r)));
        ASSERT_FALSE(back.is_error()) << back.error().reason();
        EXPECT_EQ(back->op, op);
        EXPECT_EQ(back->id, r.id);
        EXPECT_EQ(back->client, r.client);
    }
}

TEST(RuntimeClientProtocol, RepliesRoundTrip) {
    Reply list;
    list.op = Op::List;
    list.message = "3 entries";
    list.entries = {entry("inputd", "running", 12), entry("netd", "stopped", 0),
                    entry("sessiond", "running", 14)};
    auto back = decode_reply(frame_of(encode_reply(list)), Op::List);
    ASSERT_FALSE(back.is_error()) << back.error().reason();
    EXPECT_EQ(back->status, 0);
    EXPECT_EQ(back->message, "3 entries");
    EXPECT_EQ(back->entries, list.entries);

    Reply one;
    one.op = Op::Restart;
    one.message = "restarted netd (pid 13 -> 17)";
    one.entries = {entry("netd", "running", 17)};
    auto r = decode_reply(frame_of(encode_reply(one)), Op::Restart);
    ASSERT_FALSE(r.is_error()) << r.error().reason();
    EXPECT_EQ(r->entries, one.entries);
    EXPECT_EQ(r->message, one.message);

    Reply hello;
    hello.op = Op::Hello;
    hello.min_version = 1;
    hello.max_version = 1;
    hello.server = "runtimed";
    auto h = decode_reply(frame_of(encode_reply(hello)), Op::Hello);
    ASSERT_FALSE(h.is_error()) << h.error().reason();
    EXPECT_EQ(h->server, "runtimed");
    EXPECT_EQ(h->max_version, 1u);

    Reply failed;
    failed.op = Op::Status;
    failed.status = ENOENT;
    failed.message = "no catalog entry 'nosuch'";
    failed.entries = {entry("ignored", "running", 1)}; // not sent with a failure
    auto f = decode_reply(frame_of(encode_reply(failed)), Op::Status);
    ASSERT_FALSE(f.is_error()) << f.error().reason();
    EXPECT_EQ(f->status, ENOENT);
    EXPECT_EQ(f->message, "no catalog entry 'nosuch'");
    EXPECT_TRUE(f->entries.empty());
}

TEST(RuntimeClientProtocol, ErrorRepliesEchoTheOp) {
    auto e =
        decode_reply(frame_of(encode_error(uint16_t(Op::Stop), Error(EBUSY, "busy"))), Op::Stop);
    ASSERT_FALSE(e.is_error());
    EXPECT_EQ(e->status, EBUSY);
    EXPECT_EQ(e->message, "busy");
    // A connection-level failure (op 0) answers whatever was asked.
    auto c = decode_reply(frame_of(encode_error(0, Error(EBUSY, "too many clients"))), Op::List);
    ASSERT_FALSE(c.is_error());
    EXPECT_EQ(c->status, EBUSY);
    EXPECT_EQ(c->message, "too many clients");
}

TEST(RuntimeClientProtocol, FramesArriveInPieces) {
    std::string a = encode_request({Op::Stop, "netd", ""});
    std::string b = encode_request({Op::List, "", ""});
    std::string stream = a + b;
    FrameBuffer buf;
    std::vector<Frame> got;
    for (char c : stream) {
        buf.append(std::string_view(&c, 1));
        auto f = buf.next();
        ASSERT_FALSE(f.is_error());
        if (*f)
            got.push_back(**f);
    }
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].op, uint16_t(Op::Stop));
    EXPECT_EQ(got[1].op, uint16_t(Op::List));
    EXPECT_TRUE(buf.empty());
    EXPECT_FALSE(buf.finish().is_error());

    // Two frames in one read come out one at a time.
    FrameBuffer both;
    both.append(stream);
    EXPECT_EQ((*both.next().value()).op, uint16_t(Op::Stop));
    EXPECT_EQ((*both.next().value()).op, uint16_t(Op::List));
    EXPECT_FALSE(both.next().value().has_value());
}

TEST(RuntimeClientProtocol, TruncatedStreamsSayHowFarTheyGot) {
    std::string f = encode_request({Op::Status, "netd", ""});
    for (size_t cut = 1; cut < f.size(); ++cut) {
        FrameBuffer buf;
        buf.append(f.substr(0, cut));
        auto next = buf.next();
        ASSERT_FALSE(next.is_error());
        EXPECT_FALSE(next.value().has_value());
        auto end = buf.finish();
        ASSERT_TRUE(end.is_error()) << cut;
        EXPECT_EQ(end.error().code(), EPROTO);
    }
    FrameBuffer header;
    header.append(f.substr(0, 5));
    EXPECT_STREQ(header.finish().error().reason(),
                 "the stream ended 5 bytes into an 8-byte frame header");
    FrameBuffer body;
    body.append(f.substr(0, 10));
    EXPECT_STREQ(body.finish().error().reason(),
                 "the stream ended 10 bytes into a 16-byte frame (op status, 8 payload bytes "
                 "announced)");
}

TEST(RuntimeClientProtocol, OversizedLengthIsRefusedBeforeBuffering) {
    FrameBuffer buf;
    buf.append(le32(kMaxPayload + 1) + std::string("\x01\x00\x02\x00", 4));
    auto f = buf.next();
    ASSERT_TRUE(f.is_error());
    EXPECT_EQ(f.error().code(), EMSGSIZE);
    EXPECT_STREQ(f.error().reason(),
                 "a frame announces 65537 payload bytes, more than the 65536 allowed");
    // Text typed at the socket is no frame either.
    FrameBuffer text;
    text.append("GET / HTTP/1.0\r\n");
    EXPECT_EQ(text.next().error().code(), EMSGSIZE);
    // The largest allowed payload is fine.
    FrameBuffer max;
    max.append(encode_frame(uint16_t(Op::List), std::string(kMaxPayload, 'x')));
    auto m = max.next();
    ASSERT_FALSE(m.is_error());
    EXPECT_EQ((*m.value()).payload.size(), kMaxPayload);
}

TEST(RuntimeClientProtocol, WrongVersionIsAClearError) {
    auto r = decode_request(frame_of(encode_frame(uint16_t(Op::List), "", 7)));
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error().code(), EPROTONOSUPPORT);
    EXPECT_STREQ(r.error().reason(),
                 "unsupported RuntimeClient protocol version 7 (runtimed speaks version 1)");
    // A reply in another version still shows the server's message.
    std::string head = le32(uint32_t(EPROTONOSUPPORT)) + le32(7) + "too old";
    auto reply =
        decode_reply(frame_of(encode_frame(uint16_t(Op::List) | kReplyBit, head, 2)), Op::List);
    ASSERT_TRUE(reply.is_error());
    EXPECT_EQ(reply.error().code(), EPROTONOSUPPORT);
    EXPECT_STREQ(reply.error().reason(), "runtimed answered in RuntimeClient protocol version 2; "
                                         "this client speaks version 1: too old");
}

TEST(RuntimeClientProtocol, UnknownOpsAndRepliesAsRequests) {
    auto unknown = decode_request(frame_of(encode_frame(99, "")));
    ASSERT_TRUE(unknown.is_error());
    EXPECT_EQ(unknown.error().code(), EOPNOTSUPP);
    EXPECT_STREQ(unknown.error().reason(), "unknown request op 99");
    auto zero = decode_request(frame_of(encode_frame(0, "")));
    EXPECT_EQ(zero.error().code(), EOPNOTSUPP);
    auto reply = decode_request(frame_of(encode_frame(uint16_t(Op::List) | kReplyBit, "")));
    ASSERT_TRUE(reply.is_error());
    EXPECT_EQ(reply.error().code(), EOPNOTSUPP);
    // A reply to another request is refused by the client.
    Reply list;
    list.op = Op::List;
    auto mismatch = decode_reply(frame_of(encode_reply(list)), Op::Stop);
    ASSERT_TRUE(mismatch.is_error());
    EXPECT_EQ(mismatch.error().code(), EBADMSG);
    EXPECT_STREQ(mismatch.error().reason(),
                 "expected a stop reply, got a frame with op list (reply)");
}

TEST(RuntimeClientProtocol, MalformedPayloads) {
    auto decode = [](Op op, const std::string& payload) {
        return decode_request(frame_of(encode_frame(uint16_t(op), payload)));
    };
    // Every truncation of a valid payload is refused.
    std::string valid = payload_of(encode_request({Op::Start, "netd", ""}));
    for (size_t cut = 0; cut < valid.size(); ++cut) {
        auto r = decode(Op::Start, valid.substr(0, cut));
        ASSERT_TRUE(r.is_error()) << cut;
        EXPECT_EQ(r.error().code(), EBADMSG) << cut;
    }
    EXPECT_STREQ(decode(Op::Start, "").error().reason(), "start request: truncated in 'id'");
    EXPECT_STREQ(decode(Op::Start, le32(10) + "net").error().reason(),
                 "start request: truncated in 'id' (10 bytes announced, 3 present)");
    EXPECT_STREQ(decode(Op::Start, valid + "xy").error().reason(),
                 "start request: 2 unexpected bytes after the last field");
    EXPECT_STREQ(decode(Op::List, "x").error().reason(),
                 "list request: 1 unexpected bytes after the last field");
    EXPECT_STREQ(decode(Op::Stop, le32(1000) + std::string(1000, 'a')).error().reason(),
                 "stop request: 'id' is 1000 bytes long, more than the 64 allowed");
    EXPECT_STREQ(decode(Op::Stop, le32(0xffffffff)).error().reason(),
                 "stop request: 'id' is 4294967295 bytes long, more than the 64 allowed");
    // Ids that cannot name an entry.
    for (std::string bad : {std::string(""), std::string("net d"), std::string("../etc"),
                            std::string("a\nb"), std::string("x\0y", 3)}) {
        auto r = decode(Op::Status, le32(uint32_t(bad.size())) + bad);
        ASSERT_TRUE(r.is_error());
        EXPECT_EQ(r.error().code(), EINVAL);
    }
    EXPECT_TRUE(valid_id("hid-generic"));
    EXPECT_TRUE(valid_id("org.rustos.Shell_2"));
    EXPECT_FALSE(valid_id(std::string(kMaxIdLength + 1, 'a')));

    // Replies: every truncation is refused too.
    Reply list;
    list.op = Op::List;
    list.entries = {entry("netd", "running", 9)};
    std::string reply = payload_of(encode_reply(list));
    for (size_t cut = 0; cut < reply.size(); ++cut) {
        auto r = decode_reply(
            frame_of(encode_frame(uint16_t(Op::List) | kReplyBit, reply.substr(0, cut))), Op::List);
        ASSERT_TRUE(r.is_error()) << cut;
        EXPECT_EQ(r.error().code(), EBADMSG);
    }
    // A count far beyond what follows fails at the first missing entry.
    std::string lying = le32(0) + le32(0) + le32(0xffffffff);
    auto huge =
        decode_reply(frame_of(encode_frame(uint16_t(Op::List) | kReplyBit, lying)), Op::List);
    ASSERT_TRUE(huge.is_error());
    EXPECT_STREQ(huge.error().reason(), "list reply: truncated in 'id'");
    auto negative = decode_reply(
        frame_of(encode_frame(uint16_t(Op::List) | kReplyBit, le32(uint32_t(-5)) + le32(0))),
        Op::List);
    EXPECT_EQ(negative.error().code(), EBADMSG);
}

TEST(RuntimeClientProtocol, EncodersKeepFramesWithinLimits) {
    // Overlong strings are cut, so the frame still decodes.
    Reply status;
    status.op = Op::Status;
    status.message = std::string(10000, 'm');
    status.entries = {entry("netd", "running", 9)};
    status.entries[0].exec = std::string(10000, 'e');
    auto r = decode_reply(frame_of(encode_reply(status)), Op::Status);
    ASSERT_FALSE(r.is_error()) << r.error().reason();
    EXPECT_EQ(r->message.size(), kMaxText);
    EXPECT_EQ(r->entries[0].exec.size(), kMaxText);

    // Entries beyond the frame limit are left out, and the message says so.
    Reply list;
    list.op = Op::List;
    for (int i = 0; i < 40; ++i) {
        list.entries.push_back(entry("e" + std::to_string(i), "running", uint32_t(i)));
        list.entries.back().exec = std::string(3000, 'x');
    }
    std::string bytes = encode_reply(list);
    EXPECT_LE(bytes.size(), kHeaderSize + kMaxPayload);
    auto l = decode_reply(frame_of(bytes), Op::List);
    ASSERT_FALSE(l.is_error()) << l.error().reason();
    EXPECT_LT(l->entries.size(), 40u);
    EXPECT_GT(l->entries.size(), 10u);
    EXPECT_NE(l->message.find("entries left out (the reply would exceed 65536 bytes)"),
              std::string::npos);

    // An entry action must report its entry.
    Reply empty;
    empty.op = Op::Start;
    auto e = decode_reply(frame_of(encode_reply(empty)), Op::Start);
    ASSERT_FALSE(e.is_error());
    EXPECT_EQ(e->status, EPROTO);
}

TEST(RuntimeClientProtocol, RandomBytesNeverCrash) {
    std::mt19937 rng(1234);
    std::string valid = encode_request({Op::Restart, "netd", ""});
    Reply list;
    list.op = Op::List;
    list.entries = {entry("netd", "running", 9), entry("inputd", "failed", 0)};
    std::string valid_reply = encode_reply(list);
    size_t decoded = 0, refused = 0;
    for (int i = 0; i < 20000; ++i) {
        std::string bytes;
        if (i % 2) {
            // Corrupt a valid frame at a few places.
            bytes = (i % 4 == 1) ? valid : valid_reply;
            for (int k = 0; k < 1 + int(rng() % 4); ++k)
                bytes[rng() % bytes.size()] = char(rng());
        } else {
            bytes.resize(rng() % 64);
            for (char& c : bytes)
                c = char(rng());
        }
        FrameBuffer buf;
        buf.append(bytes);
        for (;;) {
            auto f = buf.next();
            if (f.is_error() || !f.value()) {
                if (f.is_error()) {
                    EXPECT_NE(std::strlen(f.error().reason()), 0u);
                }
                break;
            }
            const Frame& frame = *f.value();
            auto req = decode_request(frame);
            auto rep = decode_reply(frame, Op(1 + rng() % 6));
            for (const Error& e : {req.is_error() ? req.error() : Error(0, ""),
                                   rep.is_error() ? rep.error() : Error(0, "")})
                if (e.code()) {
                    EXPECT_NE(std::strlen(e.reason()), 0u);
                }
            (req.is_error() ? refused : decoded)++;
        }
        (void)buf.finish();
    }
    EXPECT_GT(refused, 0u);
}
