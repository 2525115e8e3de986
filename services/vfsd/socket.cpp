#include "socket.h"

namespace vfsd {

namespace {
constexpr int kSockStream = 1, kSockDgram = 2;
}

std::shared_ptr<Node> socket_inode() { return std::make_shared<SocketNode>(0777); }

UnixSocket::UnixSocket(int type, int flags)
    : OpenFile(socket_inode(), kReadWrite | flags), m_type(type) {}

UnixSocket::~UnixSocket() {
    close_connection();
    if (auto node = m_node.lock())
        node->socket.reset();
    g_state_changed = true;
}

void UnixSocket::close_connection() {
    if (m_in) {
        --m_in->readers;
        m_in.reset();
    }
    if (m_out) {
        --m_out->writers;
        m_out.reset();
    }
    m_dgram_in.reset();
    m_dgram_out.reset();
}

void UnixSocket::connect_pipes(const std::shared_ptr<Pipe>& in, const std::shared_ptr<Pipe>& out) {
    m_in = in;
    m_out = out;
    ++m_in->readers;
    m_in->had_reader = true;
    ++m_out->writers;
    m_out->had_writer = true;
    m_state = State::Connected;
}

void UnixSocket::pair(const std::shared_ptr<UnixSocket>& a, const std::shared_ptr<UnixSocket>& b) {
    if (a->m_type == kSockDgram) {
        auto ab = std::make_shared<std::deque<std::string>>();
        auto ba = std::make_shared<std::deque<std::string>>();
        a->m_dgram_out = ab;
        b->m_dgram_in = ab;
        b->m_dgram_out = ba;
        a->m_dgram_in = ba;
        a->m_dgram_peer = b;
        b->m_dgram_peer = a;
        a->m_state = b->m_state = State::Connected;
        return;
    }
    auto ab = std::make_shared<Pipe>();
    auto ba = std::make_shared<Pipe>();
    a->connect_pipes(ba, ab);
    b->connect_pipes(ab, ba);
}

ErrorOr<void> UnixSocket::bind(const std::string& path, std::shared_ptr<SocketNode> node) {
    if (m_state != State::Unbound || !m_path.empty())
        return Error(EINVAL, "socket already bound");
    m_path = path;
    m_node = node;
    node->socket = shared_from_this();
    m_state = State::Bound;
    return {};
}

ErrorOr<void> UnixSocket::listen(int backlog) {
    if (m_type != kSockStream)
        return Error(EOPNOTSUPP, "not a stream socket");
    if (m_state == State::Connected)
        return Error(EINVAL, "socket is connected");
    if (m_state != State::Bound && m_state != State::Listening)
        return Error(EINVAL, "socket is not bound");
    m_backlog = backlog < 1 ? 1 : (backlog > 128 ? 128 : backlog);
    m_state = State::Listening;
    return {};
}

ErrorOr<void> UnixSocket::connect(const std::shared_ptr<UnixSocket>& listener,
                                  const std::string& path) {
    if (m_state == State::Connected)
        return Error(EISCONN, "already connected");
    if (m_state == State::Listening)
        return Error(EINVAL, "a listening socket");
    if (listener && listener->m_type != m_type)
        return Error(EPROTOTYPE, "a socket of another type");
    if (!listener || listener->m_state != State::Listening)
        return Error(ECONNREFUSED, "nobody listens there");
    if (listener->m_queue.size() >= size_t(listener->m_backlog))
        return Error(EAGAIN, "listen queue full");
    auto server = std::make_shared<UnixSocket>(m_type, 0);
    server->m_path = listener->m_path;
    server->m_peer_path = m_path;
    m_peer_path = path;
    pair(shared_from_this(), server);
    listener->m_queue.push_back(server);
    ++listener->m_arrivals;
    g_state_changed = true;
    return {};
}

ErrorOr<std::shared_ptr<UnixSocket>> UnixSocket::accept() {
    if (m_state != State::Listening)
        return Error(EINVAL, "not listening");
    if (m_queue.empty())
        return Error(EAGAIN, "no connection waiting");
    auto s = m_queue.front();
    m_queue.pop_front();
    g_state_changed = true;
    return s;
}

ErrorOr<void> UnixSocket::shutdown(int how) {
    if (m_state != State::Connected)
        return Error(ENOTCONN, "not connected");
    if (how < 0 || how > 2)
        return Error(EINVAL, "bad how");
    if ((how == 0 || how == 2) && !m_shut_read) {
        m_shut_read = true;
        if (m_in) {
            --m_in->readers;
            m_in.reset();
        }
    }
    if ((how == 1 || how == 2) && !m_shut_write) {
        m_shut_write = true;
        if (m_out) {
            --m_out->writers;
            m_out.reset();
        }
    }
    g_state_changed = true;
    return {};
}

namespace {

// A peer that never reads must not make vfsd hold unbounded data: like
// Linux's socket buffers, a queue takes so much, then writes wait (EAGAIN).
constexpr size_t kDgramQueueBytes = 212992, kDgramQueueCount = 256;

bool dgram_room(const std::deque<std::string>& queue, size_t n) {
    if (queue.empty())
        return true; // one datagram of any size a message carries
    if (queue.size() >= kDgramQueueCount)
        return false;
    size_t bytes = 0;
    for (auto& d : queue)
        bytes += d.size();
    return bytes + n <= kDgramQueueBytes;
}

} // namespace

ErrorOr<size_t> UnixSocket::read(char* buf, size_t n) {
    if (m_type == kSockDgram) {
        if (!m_dgram_in)
            return Error(ENOTCONN, "not connected");
        if (m_dgram_in->empty()) {
            if (m_dgram_peer.expired())
                return size_t(0);
            return Error(EAGAIN, "no datagram");
        }
        std::string d = std::move(m_dgram_in->front());
        m_dgram_in->pop_front();
        size_t got = std::min(n, d.size());
        d.copy(buf, got);
        g_state_changed = true;
        return got;
    }
    if (n == 0)
        return size_t(0);
    if (m_state != State::Connected)
        return Error(EINVAL, "not connected"); // Linux's unix_stream_read_generic
    if (m_shut_read || !m_in)
        return size_t(0);
    return m_in->read(buf, n);
}

ErrorOr<size_t> UnixSocket::write(const char* data, size_t n) {
    if (m_type == kSockDgram) {
        if (!m_dgram_out || m_dgram_peer.expired())
            return Error(m_dgram_out ? ECONNREFUSED : ENOTCONN, "no peer");
        if (!dgram_room(*m_dgram_out, n))
            return Error(EAGAIN, "the peer's receive queue is full");
        m_dgram_out->emplace_back(data, n);
        if (auto peer = m_dgram_peer.lock())
            ++peer->m_arrivals;
        g_state_changed = true;
        return n;
    }
    if (m_state != State::Connected)
        return Error(ENOTCONN, "not connected");
    if (m_shut_write || !m_out)
        return Error(EPIPE, "socket shut down for writing");
    return m_out->write(data, n, nonblocking());
}

uint32_t UnixSocket::poll() {
    uint32_t r = 0;
    if (m_state == State::Listening)
        return m_queue.empty() ? 0 : kPollIn;
    if (m_type == kSockDgram) {
        if (m_dgram_in && !m_dgram_in->empty())
            r |= kPollIn;
        if (!m_dgram_peer.expired() && m_dgram_out && dgram_room(*m_dgram_out, 1))
            r |= kPollOut;
        else
            r |= kPollHup;
        return r;
    }
    if (m_state != State::Connected)
        return kPollOut | kPollHup;
    if (m_in && m_in->available())
        r |= kPollIn;
    bool peer_gone_writing = !m_in || (m_in->writers == 0);
    if (peer_gone_writing)
        r |= kPollIn | 0x2000; // EOF is readable; POLLRDHUP
    if (m_out && m_out->readers > 0 && m_out->space() >= Pipe::kAtomic)
        r |= kPollOut;
    if ((!m_out || m_out->readers == 0) && peer_gone_writing)
        r |= kPollHup;
    return r;
}

} // namespace vfsd
