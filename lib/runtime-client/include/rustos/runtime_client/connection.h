// RuntimeClient frames over a stream socket, for both ends: the client
// call (rustosctl) and the server loops (runtimed). Every wait has a
// deadline, so a peer that stops talking mid-frame, never reads its reply
// or never closes cannot hold the other end forever.
//
// Writes use MSG_NOSIGNAL; programs on RustOS should still ignore SIGPIPE
// (vfsd raises it on a write to a closed socket whatever the flags).
#pragma once

#include <rustos/runtime_client/protocol.h>

#include <atomic>
#include <functional>
#include <string>

namespace rustos::runtime_client {

// A socket connected to `path` (ENOENT, ECONNREFUSED, ... with the reason).
ErrorOr<int> connect_to(const std::string& path);
// A listening socket bound to `path`; a stale socket file left by an
// earlier server is replaced.
ErrorOr<int> listen_at(const std::string& path, int backlog = 16);

// Writes all of `data` within timeout_ms (short writes and EAGAIN are
// retried; ETIMEDOUT, EPIPE, ... otherwise).
ErrorOr<void> write_all(int fd, std::string_view data, int timeout_ms);
// Reads until `buffer` holds a complete frame: the first byte must come
// within first_byte_ms (-1: wait forever), the rest of the frame within
// rest_ms of it. At the end of the stream: ECONNRESET "closed" between
// frames, EPROTO in the middle of one.
ErrorOr<Frame> read_frame(int fd, FrameBuffer& buffer, int first_byte_ms, int rest_ms);

// One request and its reply on a connected socket, within timeout_ms.
ErrorOr<Reply> call(int fd, const Request& request, int timeout_ms);

// Answers a request (never Hello: serve_connection answers that itself).
using Handler = std::function<Reply(const Request&)>;
using LogFn = std::function<void(const std::string&)>;

struct ServerOptions {
    std::string server_name = "runtimed"; // in the Hello reply
    int idle_timeout_ms = 60'000;         // a connection may wait this long between requests
    int frame_timeout_ms = 5'000;         // to finish a frame once begun, and to take a reply
    size_t max_clients = 16;              // connections served at once; more are refused (EBUSY)
    LogFn log;                            // why a client was dropped; may be empty
    // serve_listener returns soon after this turns true (tests); null:
    // serve until accept fails.
    const std::atomic<bool>* stop = nullptr;
};

// Serves one connection until the peer closes it, misbehaves or times out,
// then closes fd. A request that decodes badly gets an error reply and the
// connection goes on; a frame that cannot be followed (oversized length,
// truncated at the end of the stream, a timeout) ends it.
void serve_connection(int fd, const Handler& handler, const ServerOptions& options);

// Accepts on listen_fd and serves each connection on a thread of its own,
// at most options.max_clients at once. Returns when accept fails for good
// or options.stop is set, after the connection threads have finished.
ErrorOr<void> serve_listener(int listen_fd, Handler handler, ServerOptions options);

} // namespace rustos::runtime_client
