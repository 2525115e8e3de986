// Synchronous IPC: endpoints, calls, one-shot replies, one-way kernel events.
//
// A client *calls* an endpoint: the kernel copies the request into a
// KMessage, and either hands it straight to a server thread waiting in
// *receive* (switching to that thread without a trip through the run
// queue) or queues it. The server gets a one-shot *reply handle* for the
// call; replying wakes the caller (and, in the fused reply-and-receive,
// switches straight back to it when the server has nothing else to do).
//
// Failure is always reported, never a hang: a call times out (ETIMEDOUT),
// fails when the endpoint has no server (EPIPE), or when the server drops
// the call or dies before replying (ECONNRESET).
#pragma once

#include "lib/list.h"
#include "object/handle_table.h"
#include "sched/thread.h"

#include <rustos/base/error.h>
#include <rustos/ipc/message.h>

namespace kernel::ipc {

using rustos::ErrorOr;
using rustos::ipc::MessageHeader;

// How many of a process's one-way messages are queued somewhere (IPC_SEND).
// Shared by the process and its queued messages, so it outlives whichever
// goes first; a process may have at most kMax queued.
struct SendQuota {
    static constexpr uint32_t kMax = 256;
    uint32_t refs = 1;
    uint32_t queued = 0;
    // Precondition for both: interrupts disabled.
    void ref() { ++refs; }
    void unref() {
        if (--refs == 0)
            delete this;
    }
};

// Kernel copy of a message; transferred handles travel as object
// references with their rights.
struct KMessage {
    MessageHeader header;
    KernelObject* objects[rustos::ipc::kMaxHandles];
    uint32_t object_rights[rustos::ipc::kMaxHandles];
    ListNode node; // endpoint event queue
    // A one-way message from a process counts against its quota until it is
    // delivered or dropped.
    SendQuota* charged = nullptr;
    uint8_t* payload() { return reinterpret_cast<uint8_t*>(this + 1); }

    static KMessage* create(uint32_t payload_length);
    // Drops the references of handles that were never delivered.
    static void destroy(KMessage* m);
};

class Endpoint;

struct Transaction {
    enum class State : uint8_t { Queued, Received, Replied, Failed, Abandoned };

    State state = State::Queued;
    int32_t error = 0; // for State::Failed
    uint8_t refs = 1;  // the caller's; +1 while a reply handle exists
    sched::Thread* caller = nullptr;
    Endpoint* endpoint = nullptr; // while queued
    KMessage* request = nullptr;
    KMessage* reply = nullptr;
    sched::WaitQueue done;
    ListNode node; // endpoint's pending queue

    void unref();
};

class Endpoint final : public KernelObject {
public:
    Endpoint() : KernelObject(ObjectType::Endpoint) {}
    ~Endpoint() override;

    // Precondition: the caller holds a reference to the endpoint; the
    // request's header is complete except the sender fields, stamped here.
    // Blocks until the reply arrives, the deadline (monotonic ns, 0 = none)
    // passes or the thread is killed. On success *reply is the reply (the
    // caller owns it). A signal for the thread takes a queued call back
    // (EINTR) or asks the server to cancel a received one (KERNEL_CANCEL),
    // whose answer is then awaited; *cancelled says whether that happened.
    ErrorOr<void> call(KMessage* request, KMessage** reply, uint64_t deadline_ns, bool from_kernel,
                       bool* cancelled = nullptr);

    // Waits for the next call or event. For a call, *txn is set and the
    // caller owns one reference; for an event, *event is set.
    ErrorOr<void> receive(Transaction** txn, KMessage** event, uint64_t deadline_ns);

    // A one-way message (never blocks; the endpoint owns it). From the
    // kernel unless `from_user`; false when the queue was full and the
    // message was dropped.
    bool post_event(KMessage* event, bool from_user = false, uint32_t sender_service = 0);
    // Puts back what receive() returned when the receiver could not take
    // it (a bad buffer): it is the next message received. Takes the
    // receiver's reference to the transaction.
    void requeue(Transaction* txn);
    void requeue(KMessage* event);

    void handle_opened(uint32_t rights);
    void handle_closed(uint32_t rights);
    bool closed() const { return m_closed; }

    // Service registry bookkeeping (kernel/ipc/registry.cpp).
    uint32_t registered_service = 0;
    bool serves_linux = false; // takes the Linux calls its service owns

private:
    void close_receive_side();

    IntrusiveList<Transaction, &Transaction::node> m_pending;
    IntrusiveList<KMessage, &KMessage::node> m_events;
    sched::WaitQueue m_receivers;
    uint32_t m_receive_handles = 0;
    uint32_t m_event_count = 0;
    bool m_closed = false;
};

// The server's one-shot right to answer a received call.
class ReplyToken final : public KernelObject {
public:
    explicit ReplyToken(Transaction* txn) : KernelObject(ObjectType::ReplyToken), m_txn(txn) {}
    ~ReplyToken() override;

    // Delivers `reply` (taking ownership) and wakes the caller. ECANCELED
    // when the caller stopped waiting (timeout, killed); the reply is
    // dropped then.
    ErrorOr<void> reply(KMessage* reply);
    // Detaches the token from its transaction without failing it (the
    // transaction goes back to its queue instead).
    void release_transaction() { m_txn = nullptr; }

private:
    Transaction* m_txn;
};

// Registry of named services (IPC_SERVICE_*).
ErrorOr<void> register_service(uint32_t id, Endpoint* endpoint);
// A new reference to the endpoint registered under `id`, waiting up to
// the deadline for it to appear.
ErrorOr<RefPtr<Endpoint>> lookup_service(uint32_t id, uint64_t deadline_ns);
// Without waiting; nullptr when none is registered.
Endpoint* registered_endpoint(uint32_t id);
void unregister_service(Endpoint* endpoint);

} // namespace kernel::ipc
