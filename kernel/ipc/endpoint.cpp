#include "ipc.h"

#include "log.h"
#include "mm/memory.h"
#include "proc/process.h"
#include "sched/scheduler.h"

namespace kernel::ipc {

using rustos::Error;
using sched::WakeReason;

namespace {
// Kernel events queued on one endpoint before new ones are dropped.
constexpr uint32_t kMaxQueuedEvents = 4096;
} // namespace

KMessage* KMessage::create(uint32_t payload_length) {
    if (payload_length > rustos::ipc::kMaxPayload)
        return nullptr;
    auto* m = static_cast<KMessage*>(mm::kmalloc(sizeof(KMessage) + payload_length));
    if (!m)
        return nullptr;
    m->header = MessageHeader{};
    m->header.length = payload_length;
    for (size_t i = 0; i < rustos::ipc::kMaxHandles; ++i) {
        m->objects[i] = nullptr;
        m->object_rights[i] = 0;
    }
    m->node = ListNode{};
    m->charged = nullptr;
    return m;
}

void KMessage::destroy(KMessage* m) {
    if (!m)
        return;
    for (size_t i = 0; i < rustos::ipc::kMaxHandles; ++i) {
        if (KernelObject* obj = m->objects[i]) {
            m->objects[i] = nullptr;
            obj->handle_closed(m->object_rights[i]);
            obj->unref();
        }
    }
    if (SendQuota* quota = m->charged) {
        m->charged = nullptr;
        arch::InterruptGuard guard;
        --quota->queued;
        quota->unref();
    }
    mm::kfree(m);
}

void Transaction::unref() {
    arch::InterruptGuard guard;
    if (--refs)
        return;
    KMessage::destroy(request);
    KMessage::destroy(reply);
    delete this;
}

Endpoint::~Endpoint() { close_receive_side(); }

void Endpoint::handle_opened(uint32_t rights) {
    if (rights & rustos::abi::RIGHT_RECEIVE) {
        arch::InterruptGuard guard;
        ++m_receive_handles;
    }
}

void Endpoint::handle_closed(uint32_t rights) {
    if (!(rights & rustos::abi::RIGHT_RECEIVE))
        return;
    arch::InterruptGuard guard;
    if (m_receive_handles && --m_receive_handles == 0)
        close_receive_side();
}

// Precondition: interrupts disabled or about to be (takes its own guard).
// Nobody can serve this endpoint any more: fail every waiting call.
void Endpoint::close_receive_side() {
    arch::InterruptGuard guard;
    if (m_closed)
        return;
    m_closed = true;
    unregister_service(this);
    while (Transaction* t = m_pending.pop_front()) {
        t->endpoint = nullptr;
        t->state = Transaction::State::Failed;
        t->error = EPIPE;
        sched::wake_all(t->done);
    }
    while (KMessage* e = m_events.pop_front())
        KMessage::destroy(e);
    m_event_count = 0;
    sched::wake_all(m_receivers);
}

ErrorOr<void> Endpoint::call(KMessage* request, KMessage** reply, uint64_t deadline_ns,
                             bool from_kernel, bool* cancelled) {
    sched::Thread* self = sched::current();
    proc::Process* p = self->process;
    request->header.sender_koid = p ? p->koid : 0;
    request->header.sender_pid = p ? uint32_t(p->pid) : 0;
    request->header.sender_tid = uint32_t(self->tid);
    request->header.flags =
        from_kernel ? uint16_t(rustos::ipc::kFromKernel) : uint16_t(p ? p->service_id << 8 : 0);
    request->header.status = 0;

    auto* txn = new Transaction;
    if (!txn) {
        KMessage::destroy(request);
        return Error(ENOMEM, "out of memory for an IPC call");
    }
    txn->caller = self;
    txn->request = request;

    arch::InterruptGuard guard;
    if (m_closed) {
        txn->unref();
        return Error(EPIPE, "the endpoint has no server");
    }
    if (sched::Thread* server = m_receivers.waiters.front()) {
        // Fast path: a server waits; give it the call and run it next.
        txn->state = Transaction::State::Received;
        txn->refs++;
        server->ipc_incoming_call = txn;
        sched::wake(server, WakeReason::Woken);
        sched::hand_off_to(server);
    } else {
        txn->endpoint = this;
        m_pending.push_back(*txn);
    }

    bool cancel_sent = false;
    auto finish = [&] {
        self->signals_deferred = false;
        if (cancelled)
            *cancelled = cancel_sent;
    };
    for (;;) {
        if (txn->state == Transaction::State::Replied) {
            *reply = txn->reply;
            txn->reply = nullptr;
            txn->unref();
            finish();
            return {};
        }
        if (txn->state == Transaction::State::Failed) {
            int32_t e = txn->error;
            txn->unref();
            finish();
            return e == EPIPE ? Error(EPIPE, "the endpoint has no server")
                              : Error(ECONNRESET, "the server dropped the call or died");
        }
        WakeReason why = sched::wait_on(txn->done, deadline_ns, true);
        if (why == WakeReason::Signal) {
            if (txn->state == Transaction::State::Queued) {
                // Not taken yet: take it back.
                m_pending.remove(*txn);
                txn->endpoint = nullptr;
                txn->state = Transaction::State::Abandoned;
                txn->unref();
                cancel_sent = true;
                finish();
                return Error(EINTR, "interrupted by a signal");
            }
            if (txn->state == Transaction::State::Received && !cancel_sent) {
                // The server holds it: ask it to answer now, and wait for
                // that answer (it may be a result, not EINTR).
                if (auto* e = KMessage::create(4)) {
                    e->header.op = rustos::ipc::op::KERNEL_CANCEL;
                    uint32_t tid = uint32_t(self->tid);
                    __builtin_memcpy(e->payload(), &tid, 4);
                    post_event(e);
                }
                cancel_sent = true;
                self->signals_deferred = true;
            }
            continue;
        }
        if (why != WakeReason::Timeout && why != WakeReason::Interrupted)
            continue;
        if (txn->state == Transaction::State::Replied || txn->state == Transaction::State::Failed)
            continue; // finished as we gave up: take the answer
        if (txn->state == Transaction::State::Queued) {
            m_pending.remove(*txn);
            txn->endpoint = nullptr;
        }
        txn->state = Transaction::State::Abandoned;
        txn->unref();
        finish();
        return why == WakeReason::Timeout ? Error(ETIMEDOUT, "no reply before the deadline")
                                          : Error(EINTR, "interrupted while waiting for a reply");
    }
}

ErrorOr<void> Endpoint::receive(Transaction** txn, KMessage** event, uint64_t deadline_ns) {
    sched::Thread* self = sched::current();
    *txn = nullptr;
    *event = nullptr;
    arch::InterruptGuard guard;
    for (;;) {
        if (self->ipc_incoming_event) {
            *event = self->ipc_incoming_event;
            self->ipc_incoming_event = nullptr;
            return {};
        }
        if (self->ipc_incoming_call) {
            *txn = self->ipc_incoming_call;
            self->ipc_incoming_call = nullptr;
            return {};
        }
        if (KMessage* e = m_events.pop_front()) {
            --m_event_count;
            *event = e;
            return {};
        }
        if (Transaction* t = m_pending.pop_front()) {
            t->endpoint = nullptr;
            t->state = Transaction::State::Received;
            t->refs++;
            *txn = t;
            return {};
        }
        if (m_closed)
            return Error(EPIPE, "endpoint closed");
        WakeReason why = sched::wait_on(m_receivers, deadline_ns, true);
        if (self->ipc_incoming_call || self->ipc_incoming_event)
            continue;
        if (why == WakeReason::Timeout)
            return Error(ETIMEDOUT, "nothing arrived before the deadline");
        if (why == WakeReason::Interrupted)
            return Error(EINTR, "interrupted while waiting for a message");
    }
}

bool Endpoint::post_event(KMessage* event, bool from_user, uint32_t sender_service) {
    event->header.flags = from_user ? uint16_t(rustos::ipc::kOneWay | (sender_service << 8))
                                    : uint16_t(rustos::ipc::kFromKernel | rustos::ipc::kOneWay);
    arch::InterruptGuard guard;
    if (m_closed) {
        KMessage::destroy(event);
        return false;
    }
    if (sched::Thread* server = m_receivers.waiters.front()) {
        server->ipc_incoming_event = event;
        sched::wake(server, WakeReason::Woken);
        return true;
    }
    if (m_event_count >= kMaxQueuedEvents) {
        if (!from_user)
            LOG_WARN("ipc", "event queue of an endpoint full; dropping %s",
                     rustos::ipc::op_name(event->header.op));
        KMessage::destroy(event);
        return false;
    }
    m_events.push_back(*event);
    ++m_event_count;
    return true;
}

void Endpoint::requeue(Transaction* txn) {
    arch::InterruptGuard guard;
    if (txn->state != Transaction::State::Received || m_closed) {
        if (txn->state == Transaction::State::Received) {
            txn->state = Transaction::State::Failed;
            txn->error = EPIPE;
            sched::wake_all(txn->done);
        }
        txn->unref();
        return;
    }
    txn->state = Transaction::State::Queued;
    txn->endpoint = this;
    --txn->refs; // the receiver's, never the last (the caller holds one)
    m_pending.push_front(*txn);
}

void Endpoint::requeue(KMessage* event) {
    arch::InterruptGuard guard;
    if (m_closed) {
        KMessage::destroy(event);
        return;
    }
    m_events.push_front(*event);
    ++m_event_count;
}

ReplyToken::~ReplyToken() {
    if (!m_txn)
        return;
    {
        arch::InterruptGuard guard;
        if (m_txn->state == Transaction::State::Received) {
            m_txn->state = Transaction::State::Failed;
            m_txn->error = ECONNRESET;
            sched::wake_all(m_txn->done);
        }
    }
    m_txn->unref();
}

ErrorOr<void> ReplyToken::reply(KMessage* reply) {
    arch::InterruptGuard guard;
    if (m_txn->state != Transaction::State::Received) {
        KMessage::destroy(reply);
        return Error(ECANCELED, "the caller stopped waiting");
    }
    m_txn->reply = reply;
    m_txn->state = Transaction::State::Replied;
    if (sched::Thread* caller = m_txn->done.waiters.front()) {
        sched::wake(caller, WakeReason::Woken);
        sched::hand_off_to(caller);
    }
    return {};
}

} // namespace kernel::ipc
