// AF_UNIX sockets: stream sockets bound to paths (bind, listen, accept,
// connect), socket pairs (stream and datagram). A connection is two pipes,
// one per direction.
#pragma once

#include "memfs.h"
#include "pipe.h"

#include <deque>

namespace vfsd {

class UnixSocket;

// The file-system entry a bound socket leaves behind.
class SocketNode final : public MemNode {
public:
    explicit SocketNode(uint32_t perm) : MemNode(FileType::Socket, perm, 0x30) {}
    ErrorOr<std::shared_ptr<OpenFile>> open(int) override {
        return Error(ENXIO, "open of a socket");
    }
    std::weak_ptr<UnixSocket> socket;
};

class UnixSocket final : public OpenFile, public std::enable_shared_from_this<UnixSocket> {
public:
    enum class State { Unbound, Bound, Listening, Connected };
    UnixSocket(int type, int flags);
    ~UnixSocket() override;

    int type() const { return m_type; }
    State state() const { return m_state; }
    const std::string& bound_path() const { return m_path; }
    const std::string& peer_path() const { return m_peer_path; }

    ErrorOr<void> bind(const std::string& path, std::shared_ptr<SocketNode> node);
    ErrorOr<void> listen(int backlog);
    // Connects to a listening socket: the server side joins its accept queue.
    ErrorOr<void> connect(const std::shared_ptr<UnixSocket>& listener, const std::string& path);
    // EAGAIN while nothing waits in the queue.
    ErrorOr<std::shared_ptr<UnixSocket>> accept();
    ErrorOr<void> shutdown(int how);
    static void pair(const std::shared_ptr<UnixSocket>& a, const std::shared_ptr<UnixSocket>& b);

    ErrorOr<size_t> read(char* buf, size_t n) override;
    ErrorOr<size_t> write(const char* data, size_t n) override;
    ErrorOr<size_t> pread(uint64_t, char*, size_t) override {
        return Error(ESPIPE, "illegal seek");
    }
    ErrorOr<size_t> pwrite(uint64_t, const char*, size_t) override {
        return Error(ESPIPE, "illegal seek");
    }
    ErrorOr<int64_t> seek(int64_t, int) override { return Error(ESPIPE, "illegal seek"); }
    uint32_t poll() override;
    bool is_stream() const override { return true; }
    uint64_t generation() const override { return (m_in ? m_in->generation : 0) + m_arrivals; }

private:
    void connect_pipes(const std::shared_ptr<Pipe>& in, const std::shared_ptr<Pipe>& out);
    void close_connection();

    int m_type;
    State m_state = State::Unbound;
    std::string m_path, m_peer_path;
    std::weak_ptr<SocketNode> m_node;
    int m_backlog = 0;
    std::deque<std::shared_ptr<UnixSocket>> m_queue;
    std::shared_ptr<Pipe> m_in, m_out; // connected: what we read, what we write
    bool m_shut_read = false, m_shut_write = false;
    // Datagram pairs keep message boundaries.
    std::shared_ptr<std::deque<std::string>> m_dgram_in, m_dgram_out;
    std::weak_ptr<UnixSocket> m_dgram_peer;
    // Connections and datagrams that came in: each one is an edge for
    // edge-triggered epoll, even when the socket was readable already.
    uint64_t m_arrivals = 0;
};

std::shared_ptr<Node> socket_inode();

} // namespace vfsd
