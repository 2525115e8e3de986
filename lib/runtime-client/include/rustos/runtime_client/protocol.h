// The RuntimeClient protocol: how programs (rustosctl, later a desktop
// shell) ask runtimed about the catalog and have it start, stop and restart
// entries, over the AF_UNIX stream socket /run/runtimed.sock. This header
// is the protocol's one definition; docs/runtime-client.md describes it for
// people.
//
// Every frame is an 8-byte header and a payload:
//
//   u32 length   payload bytes after the header (at most kMaxPayload)
//   u16 version  the sender's protocol version (kVersion)
//   u16 op       a request op, or (op | kReplyBit) in its reply
//
// The header layout is the same in every version, so a peer can always cut
// frames and answer a version it does not speak with a clear error.
// Payloads use rustos::ipc's encoding: little-endian integers, strings as
// u32 length + bytes.
//
// Decoding never trusts its input: a truncated, oversized or otherwise
// malformed frame becomes an Error (errno + reason), never a crash.
#pragma once

#include <rustos/base/error.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rustos::runtime_client {

inline constexpr const char* kSocketPath = "/run/runtimed.sock";
inline constexpr uint16_t kVersion = 1;
inline constexpr size_t kHeaderSize = 8;
inline constexpr uint32_t kMaxPayload = 64 * 1024;
inline constexpr uint16_t kReplyBit = 0x8000;
inline constexpr size_t kMaxIdLength = 64;
inline constexpr size_t kMaxText = 4096; // any other string

// X(value, Name, "name", takes_id)
#define RUNTIME_CLIENT_OPS(X)                                                                      \
    X(1, Hello, "hello", false)                                                                    \
    X(2, List, "list", false)                                                                      \
    X(3, Status, "status", true)                                                                   \
    X(4, Start, "start", true)                                                                     \
    X(5, Stop, "stop", true)                                                                       \
    X(6, Restart, "restart", true)

enum class Op : uint16_t {
#define RUNTIME_CLIENT_OP_ENUM(value, name, text, takes_id) name = value,
    RUNTIME_CLIENT_OPS(RUNTIME_CLIENT_OP_ENUM)
#undef RUNTIME_CLIENT_OP_ENUM
};

// "list", "status", ...; nullptr for a value that is no op.
const char* op_name(uint16_t op);
std::optional<Op> op_from_name(std::string_view name);
bool op_takes_id(Op op);

struct Frame {
    uint16_t version = kVersion;
    uint16_t op = 0;
    std::string payload;
};

struct Request {
    Op op = Op::List;
    std::string id;     // Status, Start, Stop, Restart: a catalog entry (package id)
    std::string client; // Hello: who is asking, for runtimed's log
};

// One catalog entry as runtimed sees it.
struct EntryInfo {
    std::string id;
    std::string state;   // inactive, running, restarting, stopping, stopped, exited, failed
    std::string startup; // none, session, desktop (from the manifest)
    uint32_t pid = 0;    // 0 unless running or stopping
    uint32_t restarts = 0;
    std::string exec;
    std::string last_exit; // "killed by signal 15", "" before the first exit

    bool operator==(const EntryInfo&) const = default;
};

struct Reply {
    Op op = Op::List;
    int32_t status = 0;  // 0, or the errno value of the failure
    std::string message; // for people: what happened, or why it failed
    // Hello (status 0): the versions runtimed speaks and who it is.
    uint16_t min_version = 0, max_version = 0;
    std::string server;
    // List: every entry; Status/Start/Stop/Restart: the entry after the
    // action. Empty when status != 0.
    std::vector<EntryInfo> entries;
};

// Encoders: a complete frame (header and payload). A string longer than
// the protocol allows is cut to fit, so an encoded frame always decodes.
std::string encode_frame(uint16_t op, std::string_view payload, uint16_t version = kVersion);
std::string encode_request(const Request& request);
std::string encode_reply(const Reply& reply);
// The failure reply to a request frame that could not be decoded (or could
// not be carried out): echoes its op (0 for a failure of the connection as
// a whole), carries e's errno and reason.
std::string encode_error(uint16_t request_op, const Error& e);

// Accumulates bytes from a stream and cuts them into frames.
class FrameBuffer {
public:
    void append(std::string_view bytes) { m_data.append(bytes); }
    // The next complete frame, or nullopt when more bytes are needed. An
    // EMSGSIZE error when a header announces more than kMaxPayload: the
    // stream cannot be followed past it.
    ErrorOr<std::optional<Frame>> next();
    bool empty() const { return m_data.empty(); }
    size_t size() const { return m_data.size(); }
    // At the end of the stream: fine when nothing is left over, else an
    // EPROTO error saying how much of which frame arrived.
    ErrorOr<void> finish() const;

private:
    // The op of the frame being received (0 before its header is complete).
    uint16_t pending_op() const;

    std::string m_data;
};

// Checks a request frame: the version (EPROTONOSUPPORT), the op
// (EOPNOTSUPP for one that is unknown or a reply), the payload (EBADMSG
// for anything truncated, oversized or left over; EINVAL for an id that
// cannot name an entry).
ErrorOr<Request> decode_request(const Frame& frame);
// Checks a reply frame to a request of op `expected` the same way. A reply
// with status != 0 decodes fine: it is runtimed's answer (also when it
// comes as a reply to op 0, a failure of the connection itself: runtimed
// is busy or could not follow the stream).
ErrorOr<Reply> decode_reply(const Frame& frame, Op expected);

// An id names an entry if it is 1..kMaxIdLength characters of
// [A-Za-z0-9._-] (package ids and desktop entry names both fit).
bool valid_id(std::string_view id);

} // namespace rustos::runtime_client
