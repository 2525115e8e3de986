#include <rustos/runtime_client/protocol.h>

#include <cstring>

namespace rustos::runtime_client {

namespace {

constexpr size_t kMaxClientName = 256;

// Appends the protocol's little-endian fields to a payload.
class Encoder {
public:
    Encoder& u16(uint16_t v) { return raw(&v, 2); }
    Encoder& u32(uint32_t v) { return raw(&v, 4); }
    Encoder& i32(int32_t v) { return raw(&v, 4); }
    // Cut to `max` bytes: an encoded frame must always decode.
    Encoder& str(std::string_view s, size_t max = kMaxText) {
        if (s.size() > max)
            s = s.substr(0, max);
        u32(uint32_t(s.size()));
        m_out.append(s);
        return *this;
    }
    Encoder& raw(const void* p, size_t n) {
        m_out.append(static_cast<const char*>(p), n);
        return *this;
    }
    std::string& out() { return m_out; }
    size_t size() const { return m_out.size(); }

private:
    std::string m_out;
};

// Reads fields from a payload; the first problem sticks and names the field.
class Decoder {
public:
    Decoder(std::string_view data, std::string what) : m_data(data), m_what(std::move(what)) {}

    uint16_t u16(const char* field) { return get<uint16_t>(field); }
    uint32_t u32(const char* field) { return get<uint32_t>(field); }
    int32_t i32(const char* field) { return get<int32_t>(field); }
    std::string str(const char* field, size_t max = kMaxText) {
        uint32_t n = u32(field);
        if (m_error)
            return {};
        if (n > max) {
            fail(Error::formatted(EBADMSG, "%s: '%s' is %u bytes long, more than the %zu allowed",
                                  m_what.c_str(), field, n, max));
            return {};
        }
        if (n > m_data.size() - m_pos) {
            fail(Error::formatted(EBADMSG,
                                  "%s: truncated in '%s' (%u bytes announced, %zu present)",
                                  m_what.c_str(), field, n, m_data.size() - m_pos));
            return {};
        }
        std::string s(m_data.substr(m_pos, n));
        m_pos += n;
        return s;
    }

    bool ok() const { return !m_error; }
    size_t remaining() const { return m_data.size() - m_pos; }
    // The first problem, or trailing bytes nobody asked for.
    ErrorOr<void> finish() const {
        if (m_error)
            return *m_error;
        if (m_pos != m_data.size())
            return Error::formatted(EBADMSG, "%s: %zu unexpected bytes after the last field",
                                    m_what.c_str(), m_data.size() - m_pos);
        return {};
    }
    void fail(Error e) {
        if (!m_error)
            m_error = std::move(e);
    }
    const std::string& what() const { return m_what; }

private:
    template <typename T>
    T get(const char* field) {
        T v{};
        if (m_error)
            return v;
        if (sizeof(T) > m_data.size() - m_pos) {
            fail(Error::formatted(EBADMSG, "%s: truncated in '%s'", m_what.c_str(), field));
            return v;
        }
        std::memcpy(&v, m_data.data() + m_pos, sizeof(T));
        m_pos += sizeof(T);
        return v;
    }

    std::string_view m_data;
    size_t m_pos = 0;
    std::string m_what;
    std::optional<Error> m_error;
};

// "op list", "op status (reply)", "op 0x63".
std::string describe_op(uint16_t op) {
    const char* name = op_name(uint16_t(op & ~kReplyBit));
    char buf[48];
    if (name)
        std::snprintf(buf, sizeof buf, "op %s%s", name, (op & kReplyBit) ? " (reply)" : "");
    else
        std::snprintf(buf, sizeof buf, "op 0x%x", op);
    return buf;
}

void encode_entry(Encoder& e, const EntryInfo& entry) {
    e.str(entry.id, kMaxIdLength)
        .str(entry.state)
        .str(entry.startup)
        .u32(entry.pid)
        .u32(entry.restarts)
        .str(entry.exec)
        .str(entry.last_exit);
}

EntryInfo decode_entry(Decoder& d) {
    EntryInfo e;
    e.id = d.str("id", kMaxIdLength);
    e.state = d.str("state");
    e.startup = d.str("startup");
    e.pid = d.u32("pid");
    e.restarts = d.u32("restarts");
    e.exec = d.str("exec");
    e.last_exit = d.str("last_exit");
    return e;
}

} // namespace

const char* op_name(uint16_t op) {
    switch (op) {
#define RUNTIME_CLIENT_OP_NAME(value, name, text, takes_id)                                        \
    case value:                                                                                    \
        return text;
        RUNTIME_CLIENT_OPS(RUNTIME_CLIENT_OP_NAME)
#undef RUNTIME_CLIENT_OP_NAME
    }
    return nullptr;
}

std::optional<Op> op_from_name(std::string_view name) {
#define RUNTIME_CLIENT_OP_FROM(value, op, text, takes_id)                                          \
    if (name == text)                                                                              \
        return Op::op;
    RUNTIME_CLIENT_OPS(RUNTIME_CLIENT_OP_FROM)
#undef RUNTIME_CLIENT_OP_FROM
    return std::nullopt;
}

bool op_takes_id(Op op) {
    switch (op) {
#define RUNTIME_CLIENT_OP_ID(value, name, text, takes_id)                                          \
    case Op::name:                                                                                 \
        return takes_id;
        RUNTIME_CLIENT_OPS(RUNTIME_CLIENT_OP_ID)
#undef RUNTIME_CLIENT_OP_ID
    }
    return false;
}

bool valid_id(std::string_view id) {
    if (id.empty() || id.size() > kMaxIdLength)
        return false;
    for (char c : id) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        if (!ok)
            return false;
    }
    return true;
}

std::string encode_frame(uint16_t op, std::string_view payload, uint16_t version) {
    Encoder e;
    e.u32(uint32_t(payload.size())).u16(version).u16(op);
    e.out().append(payload);
    return std::move(e.out());
}

std::string encode_request(const Request& request) {
    Encoder e;
    if (request.op == Op::Hello)
        e.str(request.client, kMaxClientName);
    else if (op_takes_id(request.op))
        e.str(request.id, kMaxIdLength);
    return encode_frame(uint16_t(request.op), e.out());
}

std::string encode_reply(const Reply& reply) {
    Encoder head;
    head.i32(reply.status);
    if (reply.status != 0) {
        head.str(reply.message);
        return encode_frame(uint16_t(uint16_t(reply.op) | kReplyBit), head.out());
    }
    Encoder body;
    size_t left_out = 0;
    if (reply.op == Op::Hello) {
        body.u16(reply.min_version).u16(reply.max_version).str(reply.server);
    } else {
        // Entries that would push the frame past kMaxPayload are left out
        // (and the message says so): a reply must always be receivable.
        constexpr size_t kReserve = 4 + 4 + kMaxText + 256; // status, count, message
        Encoder entries;
        uint32_t count = 0;
        for (const EntryInfo& entry : reply.entries) {
            Encoder one;
            encode_entry(one, entry);
            if (kReserve + entries.size() + one.size() > kMaxPayload) {
                left_out = reply.entries.size() - count;
                break;
            }
            entries.out().append(one.out());
            ++count;
        }
        if (reply.op == Op::List)
            body.u32(count);
        else if (count != 1) // exactly one entry follows a successful entry action
            return encode_error(uint16_t(reply.op),
                                Error(EPROTO, "runtimed produced no entry to report"));
        body.out().append(entries.out());
    }
    std::string message = reply.message;
    if (left_out) {
        char note[96];
        std::snprintf(note, sizeof note, "%s%zu entries left out (the reply would exceed %u bytes)",
                      message.empty() ? "" : "; ", left_out, kMaxPayload);
        message += note;
    }
    head.str(message);
    head.out().append(body.out());
    return encode_frame(uint16_t(uint16_t(reply.op) | kReplyBit), head.out());
}

std::string encode_error(uint16_t request_op, const Error& e) {
    Encoder head;
    head.i32(int32_t(e.code() ? e.code() : EIO)).str(e.reason() ? e.reason() : "");
    return encode_frame(uint16_t(request_op | kReplyBit), head.out());
}

ErrorOr<std::optional<Frame>> FrameBuffer::next() {
    if (m_data.size() < kHeaderSize)
        return std::optional<Frame>();
    Frame f;
    uint32_t length;
    std::memcpy(&length, m_data.data(), 4);
    std::memcpy(&f.version, m_data.data() + 4, 2);
    std::memcpy(&f.op, m_data.data() + 6, 2);
    if (length > kMaxPayload)
        return Error::formatted(EMSGSIZE,
                                "a frame announces %u payload bytes, more than the %u allowed",
                                length, kMaxPayload);
    if (m_data.size() - kHeaderSize < length)
        return std::optional<Frame>();
    f.payload = m_data.substr(kHeaderSize, length);
    m_data.erase(0, kHeaderSize + length);
    return std::optional<Frame>(std::move(f));
}

uint16_t FrameBuffer::pending_op() const {
    uint16_t op = 0;
    if (m_data.size() >= kHeaderSize)
        std::memcpy(&op, m_data.data() + 6, 2);
    return op;
}

ErrorOr<void> FrameBuffer::finish() const {
    if (m_data.empty())
        return {};
    if (m_data.size() < kHeaderSize)
        return Error::formatted(EPROTO, "the stream ended %zu bytes into an %zu-byte frame header",
                                m_data.size(), kHeaderSize);
    uint32_t length;
    std::memcpy(&length, m_data.data(), 4);
    return Error::formatted(EPROTO,
                            "the stream ended %zu bytes into a %zu-byte frame (%s, %u payload "
                            "bytes announced)",
                            m_data.size(), kHeaderSize + length, describe_op(pending_op()).c_str(),
                            length);
}

ErrorOr<Request> decode_request(const Frame& frame) {
    if (frame.version != kVersion)
        return Error::formatted(EPROTONOSUPPORT,
                                "unsupported RuntimeClient protocol version %u (runtimed speaks "
                                "version %u)",
                                frame.version, kVersion);
    if (frame.op & kReplyBit)
        return Error::formatted(EOPNOTSUPP, "op 0x%x is a reply, not a request", frame.op);
    const char* name = op_name(frame.op);
    if (!name)
        return Error::formatted(EOPNOTSUPP, "unknown request op %u", frame.op);
    Request r;
    r.op = Op(frame.op);
    Decoder d(frame.payload, std::string(name) + " request");
    if (r.op == Op::Hello)
        r.client = d.str("client", kMaxClientName);
    else if (op_takes_id(r.op))
        r.id = d.str("id", kMaxIdLength);
    TRY(d.finish());
    if (op_takes_id(r.op) && !valid_id(r.id))
        return Error::formatted(
            EINVAL, "%s: '%s' is not an entry id (1-%zu characters of A-Z a-z 0-9 . _ -)", name,
            r.id.c_str(), kMaxIdLength);
    return r;
}

ErrorOr<Reply> decode_reply(const Frame& frame, Op expected) {
    const char* name = op_name(uint16_t(expected));
    std::string what = (name ? std::string(name) : describe_op(uint16_t(expected))) + " reply";
    // Every version's reply begins with status and message.
    Decoder d(frame.payload, what);
    Reply r;
    r.op = expected;
    r.status = d.i32("status");
    r.message = d.str("message");
    if (frame.version != kVersion)
        return Error::formatted(EPROTONOSUPPORT,
                                "runtimed answered in RuntimeClient protocol version %u; this "
                                "client speaks version %u%s%s",
                                frame.version, kVersion, d.ok() && !r.message.empty() ? ": " : "",
                                d.ok() ? r.message.c_str() : "");
    // A failure of the connection itself (runtimed is busy, the request
    // could not be framed) comes as a reply to op 0.
    if (frame.op == kReplyBit && d.ok() && r.status > 0) {
        TRY(d.finish());
        return r;
    }
    if (frame.op != (uint16_t(expected) | kReplyBit))
        return Error::formatted(EBADMSG, "expected a %s, got a frame with %s", what.c_str(),
                                describe_op(frame.op).c_str());
    if (d.ok() && r.status == 0) {
        if (expected == Op::Hello) {
            r.min_version = d.u16("min_version");
            r.max_version = d.u16("max_version");
            r.server = d.str("server");
        } else if (expected == Op::List) {
            uint32_t count = d.u32("count");
            for (uint32_t i = 0; i < count && d.ok(); ++i)
                r.entries.push_back(decode_entry(d));
        } else {
            r.entries.push_back(decode_entry(d));
        }
        for (const EntryInfo& e : r.entries)
            if (d.ok() && !valid_id(e.id))
                d.fail(Error::formatted(EBADMSG, "%s: '%s' is not an entry id", what.c_str(),
                                        e.id.c_str()));
    } else if (d.ok() && r.status < 0) {
        d.fail(Error::formatted(EBADMSG, "%s: negative status %d", what.c_str(), r.status));
    }
    TRY(d.finish());
    return r;
}

} // namespace rustos::runtime_client
