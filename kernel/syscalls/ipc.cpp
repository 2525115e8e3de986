// IPC system calls: endpoints, call/receive/reply, the service registry.
// Messages are copied between user memory and KMessages here; every user
// buffer is validated before anything is dequeued or sent, so a bad
// pointer fails the call without losing a message.
#include "ipc/ipc.h"
#include "log.h"
#include "proc/process.h"
#include "sched/scheduler.h"
#include "sched/time.h"
#include "syscall.h"
#include "usercopy.h"

namespace kernel::syscalls {

using ipc::KMessage;
using rustos::Error;
using rustos::ErrorOr;
using rustos::ipc::kMaxHandles;
using rustos::ipc::kMaxPayload;
using rustos::ipc::MessageHeader;
using namespace rustos::abi;

namespace {

uint64_t deadline_for(uint64_t timeout_ns) {
    if (timeout_ns == rustos::ipc::kInfinite)
        return 0;
    uint64_t now = time::monotonic_ns();
    uint64_t d = now + (timeout_ns ? timeout_ns : 1);
    return d < now ? 0 : d;
}

// Copies a message in from user memory; its handles move out of the
// caller's table (all or none).
ErrorOr<KMessage*> copy_in(uint64_t user_msg) {
    MessageHeader h;
    TRY(copy_from_user(&h, user_msg, sizeof h));
    if (h.length > kMaxPayload)
        return Error(EMSGSIZE, "payload larger than the IPC maximum");
    if (h.handle_count > kMaxHandles)
        return Error(EINVAL, "too many handles in one message");
    HandleTable& table = proc::current_process()->handles;
    for (uint32_t i = 0; i < h.handle_count; ++i) {
        for (uint32_t j = 0; j < i; ++j)
            if (h.handles[i] == h.handles[j])
                return Error(EINVAL, "the same handle twice in one message");
        auto e = TRY(table.get_entry(h.handles[i], RIGHT_TRANSFER));
        e.object->unref();
    }
    KMessage* m = KMessage::create(h.length);
    if (!m)
        return Error(ENOMEM, "out of memory for an IPC message");
    auto copied = copy_from_user(m->payload(), user_msg + sizeof h, h.length);
    if (copied.is_error()) {
        KMessage::destroy(m);
        return copied.error();
    }
    m->header.op = h.op;
    m->header.status = h.status;
    m->header.handle_count = h.handle_count;
    for (uint32_t i = 0; i < h.handle_count; ++i) {
        auto e = table.take(h.handles[i], RIGHT_TRANSFER); // checked above
        m->objects[i] = e.value().object;
        m->object_rights[i] = e.value().rights;
    }
    return m;
}

// Delivers a message into user memory and destroys it; its handles land
// in the current table. If the buffer is bad, nothing happens (EFAULT) and
// the caller still owns the message.
ErrorOr<void> copy_out(KMessage* m, uint64_t user_msg) {
    // Probe the header and deliver the payload first: past that point
    // nothing can fail.
    static const MessageHeader kZero{};
    TRY(copy_to_user(user_msg, &kZero, sizeof kZero));
    TRY(copy_to_user(user_msg + sizeof(MessageHeader), m->payload(), m->header.length));
    proc::Process* p = proc::current_process();
    for (uint32_t i = 0; i < m->header.handle_count; ++i) {
        m->header.handles[i] = 0;
        if (!m->objects[i])
            continue;
        auto h = p->handles.install_transferred(m->objects[i], m->object_rights[i]);
        if (h.is_error()) {
            LOG_WARN("ipc", "pid %d (%s): handle table full; a transferred handle was dropped",
                     p->pid, p->name);
            continue; // destroy() below releases it
        }
        m->header.handles[i] = h.value();
        m->objects[i] = nullptr;
    }
    (void)copy_to_user(user_msg, &m->header, sizeof(MessageHeader));
    KMessage::destroy(m);
    return {};
}

ErrorOr<handle_t> receive_into(ipc::Endpoint& ep, uint64_t user_out, uint64_t timeout_ns) {
    ipc::Transaction* txn;
    KMessage* event;
    TRY(ep.receive(&txn, &event, deadline_for(timeout_ns)));
    if (event) {
        auto copied = copy_out(event, user_out);
        if (copied.is_error()) {
            ep.requeue(event);
            return copied.error();
        }
        return handle_t(0);
    }
    // The reply token owns the receiver's reference to the transaction.
    auto* token = new ipc::ReplyToken(txn);
    if (!token) {
        ep.requeue(txn);
        return Error(ENOMEM, "out of memory for a reply handle");
    }
    auto copied = copy_out(txn->request, user_out);
    if (copied.is_error()) {
        token->release_transaction();
        token->unref();
        ep.requeue(txn);
        return copied.error();
    }
    txn->request = nullptr;
    auto h = proc::current_process()->handles.install(token, RIGHT_REPLY);
    if (h.is_error()) {
        token->unref(); // fails the call with ECONNRESET
        return h.error();
    }
    return h.value();
}

ErrorOr<void> reply_with(handle_t reply_handle, uint64_t user_msg) {
    proc::Process* p = proc::current_process();
    // Check the handle before consuming the message (a bad handle must not
    // cost the server its handles).
    TRY(p->handles.get_as<ipc::ReplyToken>(reply_handle, ObjectType::ReplyToken, RIGHT_REPLY));
    KMessage* m = TRY(copy_in(user_msg));
    m->header.sender_koid = p->koid;
    m->header.sender_pid = uint32_t(p->pid);
    m->header.sender_tid = uint32_t(sched::current()->tid);
    m->header.flags = 0;
    auto entry = p->handles.take(reply_handle, RIGHT_REPLY);
    if (entry.is_error()) {
        KMessage::destroy(m);
        return entry.error();
    }
    auto* token = static_cast<ipc::ReplyToken*>(entry.value().object);
    auto r = token->reply(m);
    token->unref();
    return r;
}

} // namespace

int64_t sys_rustos_IPC_ENDPOINT_CREATE(Args&) {
    auto* ep = new ipc::Endpoint;
    if (!ep)
        return fail(Error(ENOMEM, "out of memory for an endpoint"));
    auto h = proc::current_process()->handles.install(ep, RIGHT_CALL | RIGHT_RECEIVE |
                                                              RIGHT_DUPLICATE | RIGHT_TRANSFER);
    if (h.is_error()) {
        ep->unref();
        return fail(h.error());
    }
    return h.value();
}

int64_t sys_rustos_IPC_CALL(Args& a) {
    proc::Process* p = proc::current_process();
    auto ep = p->handles.get_as<ipc::Endpoint>(handle_t(a.a0()), ObjectType::Endpoint, RIGHT_CALL);
    if (ep.is_error())
        return fail(ep.error());
    auto request = copy_in(a.a1());
    if (request.is_error())
        return fail(request.error());
    KMessage* reply = nullptr;
    auto r = ep.value()->call(request.value(), &reply, deadline_for(a.a3()), false);
    if (r.is_error())
        return fail(r.error());
    // A reply that cannot be delivered (the caller's own bad buffer) is
    // dropped: the call happened, the caller learns EFAULT.
    auto out = copy_out(reply, a.a2());
    if (out.is_error()) {
        KMessage::destroy(reply);
        return fail(out.error());
    }
    return 0;
}

int64_t sys_rustos_IPC_RECEIVE(Args& a) {
    auto ep = proc::current_process()->handles.get_as<ipc::Endpoint>(
        handle_t(a.a0()), ObjectType::Endpoint, RIGHT_RECEIVE);
    if (ep.is_error())
        return fail(ep.error());
    auto h = receive_into(*ep.value(), a.a1(), a.a2());
    return h.is_error() ? fail(h.error()) : int64_t(h.value());
}

int64_t sys_rustos_IPC_REPLY(Args& a) {
    auto r = reply_with(handle_t(a.a0()), a.a1());
    return r.is_error() ? fail(r.error()) : 0;
}

int64_t sys_rustos_IPC_REPLY_RECEIVE(Args& a) {
    auto ep = proc::current_process()->handles.get_as<ipc::Endpoint>(
        handle_t(a.a2()), ObjectType::Endpoint, RIGHT_RECEIVE);
    if (ep.is_error())
        return fail(ep.error());
    auto r = reply_with(handle_t(a.a0()), a.a1());
    // A caller that gave up (ECANCELED) is not the server's problem: go on
    // serving. Anything else is a bug in the server; report it.
    if (r.is_error() && r.error().code() != ECANCELED)
        return fail(r.error());
    auto h = receive_into(*ep.value(), a.a3(), a.a4());
    return h.is_error() ? fail(h.error()) : int64_t(h.value());
}

int64_t sys_rustos_IPC_SEND(Args& a) {
    proc::Process* p = proc::current_process();
    auto ep = p->handles.get_as<ipc::Endpoint>(handle_t(a.a0()), ObjectType::Endpoint, RIGHT_CALL);
    if (ep.is_error())
        return fail(ep.error());
    auto m = copy_in(a.a1());
    if (m.is_error())
        return fail(m.error());
    m.value()->header.sender_koid = p->koid;
    m.value()->header.sender_pid = uint32_t(p->pid);
    m.value()->header.sender_tid = uint32_t(sched::current()->tid);
    if (ep.value()->closed()) {
        KMessage::destroy(m.value());
        return fail(Error(EPIPE, "the endpoint has no server"));
    }
    {
        arch::InterruptGuard guard;
        if (!p->send_quota && !(p->send_quota = new ipc::SendQuota)) {
            KMessage::destroy(m.value());
            return fail(Error(ENOMEM, "out of memory"));
        }
        if (p->send_quota->queued >= ipc::SendQuota::kMax) {
            KMessage::destroy(m.value());
            return fail(Error(EAGAIN, "too many of this process's one-way messages are queued"));
        }
        ++p->send_quota->queued;
        p->send_quota->ref();
        m.value()->charged = p->send_quota;
    }
    if (!ep.value()->post_event(m.value(), true, p->service_id))
        return fail(Error(EAGAIN, "the endpoint's queue is full"));
    return 0;
}

int64_t sys_rustos_SERVICE_REGISTER(Args& a) {
    proc::Process* p = proc::current_process();
    uint32_t id = uint32_t(a.a0());
    if (id == 0 || id > rustos::ipc::service::kMaxId || !rustos::ipc::service_name(id))
        return fail(Error(EINVAL, "unknown service id"));
    if (!(p->caps.service_register & (1ull << id))) {
        LOG_WARN("cap",
                 "pid %d (%s): SERVICE_REGISTER of %s refused: no registration capability -> EPERM",
                 p->pid, p->name, rustos::ipc::service_name(id));
        return fail(Error(EPERM, "no registration capability for this service id"));
    }
    auto ep =
        p->handles.get_as<ipc::Endpoint>(handle_t(a.a1()), ObjectType::Endpoint, RIGHT_RECEIVE);
    if (ep.is_error())
        return fail(ep.error());
    if (a.a2() & ~uint64_t(SERVICE_SERVES_LINUX))
        return fail(Error(EINVAL, "unknown SERVICE_REGISTER flags"));
    ep.value()->serves_linux = a.a2() & SERVICE_SERVES_LINUX;
    auto r = ipc::register_service(id, ep.value().get());
    if (r.is_error())
        return fail(r.error());
    p->service_id = id;
    LOG_INFO("ipc", "service %s (id %u) registered by pid %d (%s)%s", rustos::ipc::service_name(id),
             id, p->pid, p->name, ep.value()->serves_linux ? "; serves its Linux calls" : "");
    return 0;
}

int64_t sys_rustos_SERVICE_LOOKUP(Args& a) {
    auto ep = ipc::lookup_service(uint32_t(a.a0()), deadline_for(a.a1()));
    if (ep.is_error())
        return fail(ep.error());
    auto h = proc::current_process()->handles.install(
        ep.value().get(), RIGHT_CALL | RIGHT_DUPLICATE | RIGHT_TRANSFER);
    if (h.is_error())
        return fail(h.error());
    ep.value().leak(); // the table owns that reference now
    return h.value();
}

} // namespace kernel::syscalls
