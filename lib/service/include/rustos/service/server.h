// The server side of a service: an endpoint registered under its service
// id, a loop that receives calls and dispatches them by operation, the
// COMMON_HEALTH answer every service gives, and deferred replies for calls
// that must wait (procd's wait4, for one).
//
// A handler decodes its request with call.reader(), checks ok() once, and
// either writes a reply with call.writer() or fails the call with an errno
// and a reason. A malformed request never takes the service down.
#pragma once

#include <rustos/service/ipc.h>

#include <functional>
#include <map>
#include <string>

namespace rustos::service {

// A call kept open past its handler; answer it later with send().
class DeferredReply {
public:
    DeferredReply() = default;
    DeferredReply(Handle reply, uint32_t op) : m_reply(std::move(reply)), m_op(op) {}
    explicit operator bool() const { return bool(m_reply); }
    // Sends `reply` (its op is set to the request's). ECANCELED when the
    // caller stopped waiting.
    ErrorOr<void> send(Message& reply);
    ErrorOr<void> fail(Errno e, const std::string& reason = {});

private:
    Handle m_reply;
    uint32_t m_op = 0;
};

class Call {
public:
    Call(const Message& request, Message& reply, handle_t reply_handle)
        : m_request(request), m_reply(reply), m_writer(reply), m_reply_handle(reply_handle) {
        m_reply.reset(request.header.op);
    }

    const Message& request() const { return m_request; }
    uint32_t op() const { return m_request.header.op; }
    ipc::Reader reader() const { return reader_of(m_request); }
    // Takes a handle that came with the request (now in our table): the
    // handler owns it from here. The server loop closes the ones no
    // handler took, so unexpected handles cannot pile up in our table.
    handle_t take_handle(size_t i) {
        if (i >= m_request.header.handle_count)
            return 0;
        m_taken |= 1u << i;
        return m_request.header.handles[i];
    }
    size_t handle_count() const { return m_request.header.handle_count; }
    // Closes the handles of the request that no handler took.
    void close_untaken_handles();
    uint32_t sender_pid() const { return m_request.header.sender_pid; }
    uint64_t sender_koid() const { return m_request.header.sender_koid; }
    bool from_kernel() const { return m_request.header.flags & ipc::kFromKernel; }
    // The service id the sender registered (0: an ordinary process).
    uint32_t sender_service() const { return ipc::sender_service(m_request.header); }
    // For requests only one peer service may make (procd's FORK to vfsd):
    // true when `service` sent it; otherwise fails the call with EPERM.
    bool require_sender(uint32_t service);

    MessageWriter& writer() { return m_writer; }
    Message& reply() { return m_reply; }
    void fail(Errno e, const std::string& reason = {});
    // The loop will not answer this call; the caller keeps waiting until
    // the DeferredReply is sent (or dropped: then it gets ECONNRESET).
    DeferredReply defer();

    bool deferred() const { return m_deferred; }
    bool failed() const { return m_failed; }

private:
    const Message& m_request;
    Message& m_reply;
    MessageWriter m_writer;
    handle_t m_reply_handle;
    bool m_deferred = false;
    bool m_failed = false;
    uint32_t m_taken = 0; // bit i: handle i belongs to the handler
};

class Server {
public:
    // service_id 0: a private endpoint, not registered.
    Server(std::string name, uint32_t service_id);

    void on(uint32_t op, std::function<void(Call&)> handler) {
        m_handlers[op] = std::move(handler);
    }
    void on_event(std::function<void(const Message&)> handler) { m_event = std::move(handler); }
    // What this service does not do yet, stated in its ready line and its
    // health answer.
    void set_not_yet(std::string text) { m_not_yet = std::move(text); }
    // Registers with SERVICE_SERVES_LINUX: processes created from then on
    // send the Linux calls this service owns here (KERNEL_LINUX_SYSCALL).
    void serve_linux_calls() { m_serves_linux = true; }
    // Time-driven work: before each wait the loop asks `next_deadline` for
    // the monotonic ns of the next thing due (0: nothing), and after every
    // message or timeout it calls `on_wake` (which handles what is due and
    // retries whatever waits on state that may have changed).
    void set_wakeups(std::function<uint64_t()> next_deadline, std::function<void()> on_wake) {
        m_next_deadline = std::move(next_deadline);
        m_on_wake = std::move(on_wake);
    }

    // Creates the endpoint and registers it; logs the ready line. With
    // RUSTOS_TEST_CRASH=1 in the environment (a test-only trigger set by
    // runtimed), crashes right after, to exercise supervision.
    ErrorOr<void> start();
    // Receives and dispatches forever on the calling thread.
    [[noreturn]] void serve();
    handle_t endpoint() const { return m_endpoint.get(); }
    const std::string& name() const { return m_name; }

private:
    void dispatch(Call& call);

    std::string m_name;
    uint32_t m_service_id;
    Handle m_endpoint;
    std::map<uint32_t, std::function<void(Call&)>> m_handlers;
    std::function<void(const Message&)> m_event;
    std::string m_not_yet;
    bool m_serves_linux = false;
    std::function<uint64_t()> m_next_deadline;
    std::function<void()> m_on_wake;
};

// CLOCK_MONOTONIC in nanoseconds.
uint64_t monotonic_ns();

// start() then serve(); logs and returns 1 if the service cannot start.
int run(Server& server);

} // namespace rustos::service
