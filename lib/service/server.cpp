#include <rustos/service/log.h>
#include <rustos/service/server.h>

#include <cstdlib>
#include <cstring>
#include <ctime>

namespace rustos::service {

namespace {

void write_error(Message& m, uint32_t op, Errno e, const std::string& reason) {
    m.reset(op);
    m.header.status = -int32_t(e);
    MessageWriter w(m);
    if (!reason.empty())
        w.str(StringView(reason.data(), reason.size()));
    w.finish();
}

} // namespace

ErrorOr<void> DeferredReply::send(Message& reply) {
    if (!m_reply)
        return Error(EINVAL, "reply already sent");
    reply.header.op = m_op;
    int64_t r = user::ipc_reply(m_reply.release(), &reply);
    if (r < 0)
        return Error::from_errno(Errno(-r));
    return {};
}

ErrorOr<void> DeferredReply::fail(Errno e, const std::string& reason) {
    auto m = new_message();
    write_error(*m, m_op, e, reason);
    return send(*m);
}

void Call::fail(Errno e, const std::string& reason) {
    m_failed = true;
    write_error(m_reply, op(), e, reason);
}

void Call::close_untaken_handles() {
    for (size_t i = 0; i < m_request.header.handle_count && i < ipc::kMaxHandles; ++i)
        if (!(m_taken & (1u << i)) && m_request.header.handles[i])
            user::handle_close(m_request.header.handles[i]);
    m_taken = ~0u;
}

bool Call::require_sender(uint32_t service) {
    if (sender_service() == service)
        return true;
    const char* name = ipc::op_name(op());
    fail(EPERM, std::string(name ? name : "this operation") + " is " + ipc::service_name(service) +
                    "'s alone");
    return false;
}

DeferredReply Call::defer() {
    m_deferred = true;
    return DeferredReply(Handle(m_reply_handle), op());
}

Server::Server(std::string name, uint32_t service_id)
    : m_name(std::move(name)), m_service_id(service_id) {}

ErrorOr<void> Server::start() {
    int64_t ep = user::ipc_endpoint_create();
    if (ep < 0)
        return Error::formatted(Errno(-ep), "cannot create an endpoint: %s",
                                abi::errno_description(Errno(-ep)));
    m_endpoint = Handle(handle_t(ep));
    if (m_service_id) {
        int64_t r = user::service_register(m_service_id, m_endpoint.get(),
                                           m_serves_linux ? abi::SERVICE_SERVES_LINUX : 0);
        if (r < 0)
            return Error::formatted(Errno(-r), "cannot register IPC_SERVICE_%s: %s",
                                    ipc::service_name(m_service_id),
                                    abi::errno_description(Errno(-r)));
        if (m_not_yet.empty())
            log("ready (IPC_SERVICE endpoint registered)");
        else
            log("ready (IPC_SERVICE endpoint registered); not yet: %s", m_not_yet.c_str());
    }
    const char* crash = std::getenv("RUSTOS_TEST_CRASH");
    if (crash && std::strcmp(crash, "1") == 0) {
        log("crashing on purpose (RUSTOS_TEST_CRASH=1, a test-only trigger)");
        *static_cast<volatile int*>(nullptr) = 0;
    }
    return {};
}

void Server::dispatch(Call& call) {
    if (call.op() == ipc::op::COMMON_HEALTH) {
        call.writer().u32(1).str(StringView(m_name.data(), m_name.size()));
        call.writer().str(StringView(m_not_yet.data(), m_not_yet.size()));
        call.writer().finish();
        return;
    }
    if (ipc::is_kernel_op(call.op()) && !call.from_kernel()) {
        // A forged kernel message (an offloaded syscall, a fault, a process
        // event as a call): whatever it says, it is not the kernel's word.
        call.fail(EPERM, "only the kernel sends KERNEL_* operations");
        return;
    }
    auto it = m_handlers.find(call.op());
    if (it == m_handlers.end()) {
        call.fail(ENOSYS, "unknown operation");
        return;
    }
    it->second(call);
    if (!call.failed() && !call.deferred() && !call.writer().finish())
        call.fail(EMSGSIZE, "reply too large");
}

uint64_t monotonic_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

int run(Server& server) {
    auto started = server.start();
    if (started.is_error()) {
        log("cannot start: %s", started.error().reason());
        return 1;
    }
    server.serve();
}

void Server::serve() {
    auto in = new_message();
    auto out = new_message();
    handle_t reply = 0;
    for (;;) {
        uint64_t timeout = ipc::kInfinite;
        if (m_next_deadline) {
            if (uint64_t due = m_next_deadline()) {
                uint64_t now = monotonic_ns();
                timeout = due > now ? due - now : 0;
            }
        }
        int64_t r =
            reply ? user::ipc_reply_receive(reply, out.get(), m_endpoint.get(), in.get(), timeout)
                  : user::ipc_receive(m_endpoint.get(), in.get(), timeout);
        reply = 0;
        if (r == -ETIMEDOUT || (r == -EAGAIN && timeout == 0)) {
            if (m_on_wake)
                m_on_wake();
            continue;
        }
        if (r < 0) {
            if (r != -EINTR)
                log("receive failed: %s", abi::errno_description(Errno(-r)));
            continue;
        }
        if (r == 0) {
            // One-way messages with kernel codes count only from the kernel.
            bool forged =
                ipc::is_kernel_op(in->header.op) && !(in->header.flags & ipc::kFromKernel);
            if (m_event && !forged)
                m_event(*in);
            for (size_t i = 0; i < in->header.handle_count; ++i)
                user::handle_close(in->header.handles[i]);
            if (m_on_wake)
                m_on_wake();
            continue;
        }
        Call call(*in, *out, handle_t(r));
        dispatch(call);
        call.close_untaken_handles();
        if (!call.deferred())
            reply = handle_t(r);
        if (m_on_wake) {
            // Answer this call first: wakeups may send other replies.
            if (reply) {
                user::ipc_reply(reply, out.get());
                reply = 0;
            }
            m_on_wake();
        }
    }
}

} // namespace rustos::service
