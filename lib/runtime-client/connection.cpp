#include <rustos/runtime_client/connection.h>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>

namespace rustos::runtime_client {

namespace {

using Clock = std::chrono::steady_clock;

Error errno_error(const char* what) {
    int e = errno;
    return Error::formatted(e, "%s: %s", what, std::strerror(e));
}

// -1 (forever) when `forever`, else the milliseconds left, at least 0.
int remaining_ms(Clock::time_point deadline, bool forever) {
    if (forever)
        return -1;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    return left.count() < 0 ? 0 : int(left.count());
}

// Waits until fd is ready for `events` (or has hung up). ETIMEDOUT at the
// deadline.
ErrorOr<void> wait_for(int fd, short events, Clock::time_point deadline, bool forever) {
    for (;;) {
        pollfd p{fd, events, 0};
        int r = ::poll(&p, 1, remaining_ms(deadline, forever));
        if (r > 0)
            return {};
        if (r == 0)
            return Error(ETIMEDOUT, "timed out");
        if (errno != EINTR)
            return errno_error("poll");
    }
}

ErrorOr<sockaddr_un> address_of(const std::string& path) {
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    if (path.empty() || path.size() >= sizeof a.sun_path)
        return Error::formatted(ENAMETOOLONG, "socket path '%s' does not fit sockaddr_un",
                                path.c_str());
    std::memcpy(a.sun_path, path.data(), path.size());
    return a;
}

void set_nonblocking(int fd) {
    int flags = ::fcntl(fd, F_GETFL);
    if (flags >= 0)
        (void)::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

void log_to(const ServerOptions& options, const std::string& text) {
    if (options.log)
        options.log(text);
}

} // namespace

ErrorOr<int> connect_to(const std::string& path) {
    sockaddr_un a = TRY(address_of(path));
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return Error::formatted(errno, "%s", std::strerror(errno));
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0) {
        int e = errno;
        ::close(fd);
        return Error::formatted(e, "%s", std::strerror(e));
    }
    set_nonblocking(fd);
    return fd;
}

ErrorOr<int> listen_at(const std::string& path, int backlog) {
    sockaddr_un a = TRY(address_of(path));
    struct stat st;
    if (::lstat(path.c_str(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode))
            return Error::formatted(EADDRINUSE, "%s exists and is not a socket", path.c_str());
        (void)::unlink(path.c_str()); // left by an earlier server
    }
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return errno_error("socket");
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0 || ::listen(fd, backlog) < 0) {
        Error e = errno_error(path.c_str());
        ::close(fd);
        return e;
    }
    return fd;
}

ErrorOr<void> write_all(int fd, std::string_view data, int timeout_ms) {
    auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    while (!data.empty()) {
        auto ready = wait_for(fd, POLLOUT, deadline, timeout_ms < 0);
        if (ready.is_error())
            return Error::formatted(ready.error().code(), "sending: %s (%zu bytes not sent)",
                                    ready.error().reason(), data.size());
        ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            data.remove_prefix(size_t(n));
            continue;
        }
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        return errno_error("sending");
    }
    return {};
}

ErrorOr<Frame> read_frame(int fd, FrameBuffer& buffer, int first_byte_ms, int rest_ms) {
    auto start = Clock::now();
    auto first_deadline = start + std::chrono::milliseconds(first_byte_ms);
    auto rest_deadline = start + std::chrono::milliseconds(rest_ms);
    for (;;) {
        auto frame = TRY(buffer.next());
        if (frame)
            return std::move(*frame);
        bool waiting_first = buffer.empty();
        auto ready = waiting_first ? wait_for(fd, POLLIN, first_deadline, first_byte_ms < 0)
                                   : wait_for(fd, POLLIN, rest_deadline, rest_ms < 0);
        if (ready.is_error()) {
            if (ready.error().code() != ETIMEDOUT)
                return ready.error();
            if (waiting_first)
                return Error::formatted(ETIMEDOUT, "nothing arrived within %d ms", first_byte_ms);
            return Error::formatted(ETIMEDOUT,
                                    "a frame stayed incomplete for %d ms (%zu bytes received)",
                                    rest_ms, buffer.size());
        }
        char chunk[4096];
        ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n > 0) {
            if (waiting_first)
                rest_deadline = Clock::now() + std::chrono::milliseconds(rest_ms);
            buffer.append(std::string_view(chunk, size_t(n)));
            continue;
        }
        if (n == 0) {
            TRY(buffer.finish());
            return Error(ECONNRESET, "the connection was closed");
        }
        if (errno != EINTR && errno != EAGAIN)
            return errno_error("receiving");
    }
}

ErrorOr<Reply> call(int fd, const Request& request, int timeout_ms) {
    auto start = Clock::now();
    FrameBuffer buffer;
    auto sent = write_all(fd, encode_request(request), timeout_ms);
    if (sent.is_error()) {
        // runtimed may have refused the connection with a reason before it
        // read the request (EBUSY), then closed it: that reason is the answer.
        auto refusal = read_frame(fd, buffer, 100, 100);
        if (refusal.is_error())
            return sent.error();
        return decode_reply(refusal.value(), request.op);
    }
    int left =
        timeout_ms -
        int(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count());
    auto frame = read_frame(fd, buffer, left < 0 ? 0 : left, left < 0 ? 0 : left);
    if (frame.is_error()) {
        if (frame.error().code() == ETIMEDOUT)
            return Error::formatted(ETIMEDOUT, "no reply within %d ms", timeout_ms);
        if (frame.error().code() == ECONNRESET)
            return Error(ECONNRESET, "runtimed closed the connection without a reply");
        return frame.error();
    }
    return decode_reply(frame.value(), request.op);
}

void serve_connection(int fd, const Handler& handler, const ServerOptions& options) {
    set_nonblocking(fd);
    FrameBuffer buffer;
    for (;;) {
        auto frame = read_frame(fd, buffer, options.idle_timeout_ms, options.frame_timeout_ms);
        if (frame.is_error()) {
            Error e = frame.error();
            if (e.code() == ECONNRESET)
                break; // closed between frames: the normal end
            log_to(options, std::string("RuntimeClient connection dropped: ") + e.reason());
            // The stream cannot be followed: a failure of the connection
            // (op 0), not of a request.
            if (e.code() == EMSGSIZE || e.code() == ETIMEDOUT)
                (void)write_all(fd, encode_error(0, e), 100);
            break;
        }
        auto request = decode_request(frame.value());
        std::string out;
        if (request.is_error()) {
            log_to(options,
                   std::string("RuntimeClient: refused a request: ") + request.error().reason());
            out = encode_error(frame->op, request.error());
        } else if (request->op == Op::Hello) {
            Reply hello;
            hello.op = Op::Hello;
            hello.min_version = hello.max_version = kVersion;
            hello.server = options.server_name;
            out = encode_reply(hello);
        } else {
            Reply reply = handler(request.value());
            reply.op = request->op;
            out = encode_reply(reply);
        }
        auto sent = write_all(fd, out, options.frame_timeout_ms);
        if (sent.is_error()) {
            log_to(options,
                   std::string("RuntimeClient connection dropped: ") + sent.error().reason());
            break;
        }
    }
    ::close(fd);
}

ErrorOr<void> serve_listener(int listen_fd, Handler handler, ServerOptions options) {
    struct Shared {
        Handler handler;
        ServerOptions options;
        std::mutex mutex;
        std::condition_variable idle;
        size_t active = 0;
    };
    auto shared = std::make_shared<Shared>();
    shared->handler = std::move(handler);
    shared->options = std::move(options);
    const ServerOptions& opts = shared->options;
    ErrorOr<void> result;
    for (;;) {
        if (opts.stop) {
            if (opts.stop->load())
                break;
            pollfd p{listen_fd, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0)
                continue;
        }
        int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            int e = errno;
            if (e == EINTR || e == EAGAIN || e == ECONNABORTED)
                continue;
            if (e == EMFILE || e == ENFILE || e == ENOMEM || e == ENOBUFS) {
                log_to(opts, std::string("RuntimeClient: cannot accept: ") + std::strerror(e));
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
                continue;
            }
            result = Error::formatted(e, "accept: %s", std::strerror(e));
            break;
        }
        {
            std::unique_lock lock(shared->mutex);
            if (shared->active >= opts.max_clients) {
                lock.unlock();
                Error busy = Error::formatted(
                    EBUSY, "runtimed serves at most %zu RuntimeClient connections at once",
                    opts.max_clients);
                log_to(opts, std::string("RuntimeClient connection refused: ") + busy.reason());
                (void)write_all(fd, encode_error(0, busy), 100);
                ::close(fd);
                continue;
            }
            ++shared->active;
        }
        std::thread([shared, fd] {
            serve_connection(fd, shared->handler, shared->options);
            std::lock_guard lock(shared->mutex);
            --shared->active;
            shared->idle.notify_all();
        }).detach();
    }
    std::unique_lock lock(shared->mutex);
    shared->idle.wait(lock, [&] { return shared->active == 0; });
    return result;
}

} // namespace rustos::runtime_client
