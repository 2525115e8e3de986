// The service registry: IPC_SERVICE_* ids → endpoints. Registration needs
// the SERVICE_REGISTER capability for the id (checked by the syscall);
// the registry keeps a reference until the endpoint loses its server.
#include "ipc.h"

#include "log.h"
#include "sched/scheduler.h"

namespace kernel::ipc {

using rustos::Error;

namespace {
Endpoint* g_services[rustos::ipc::service::kMaxId + 1];
sched::WaitQueue g_lookup_waiters;
} // namespace

ErrorOr<void> register_service(uint32_t id, Endpoint* endpoint) {
    if (id == 0 || id > rustos::ipc::service::kMaxId)
        return Error(EINVAL, "service id out of range");
    arch::InterruptGuard guard;
    if (endpoint->closed())
        return Error(EPIPE, "endpoint has no server");
    if (endpoint->registered_service)
        return Error(EBUSY, "endpoint already registered under another id");
    if (Endpoint* old = g_services[id]) {
        if (!old->closed())
            return Error(EBUSY, "a live endpoint holds this service id");
        g_services[id] = nullptr;
        old->registered_service = 0;
        old->unref();
    }
    endpoint->ref();
    endpoint->registered_service = id;
    g_services[id] = endpoint;
    sched::wake_all(g_lookup_waiters);
    return {};
}

void unregister_service(Endpoint* endpoint) {
    arch::InterruptGuard guard;
    uint32_t id = endpoint->registered_service;
    if (!id || g_services[id] != endpoint)
        return;
    g_services[id] = nullptr;
    endpoint->registered_service = 0;
    const char* name = rustos::ipc::service_name(id);
    LOG_INFO("ipc", "service %s (id %u) lost its server; unregistered", name ? name : "?", id);
    endpoint->unref(); // precondition: the caller holds another reference
}

Endpoint* registered_endpoint(uint32_t id) {
    if (id == 0 || id > rustos::ipc::service::kMaxId)
        return nullptr;
    Endpoint* e = g_services[id];
    return e && !e->closed() ? e : nullptr;
}

ErrorOr<RefPtr<Endpoint>> lookup_service(uint32_t id, uint64_t deadline_ns) {
    if (id == 0 || id > rustos::ipc::service::kMaxId)
        return Error(EINVAL, "service id out of range");
    arch::InterruptGuard guard;
    for (;;) {
        if (Endpoint* e = registered_endpoint(id))
            return RefPtr<Endpoint>(e);
        auto why = sched::wait_on(g_lookup_waiters, deadline_ns, true);
        if (why == sched::WakeReason::Timeout && !registered_endpoint(id))
            return Error(ETIMEDOUT, "service not registered before the deadline");
        if (why == sched::WakeReason::Interrupted)
            return Error(EINTR, "interrupted");
    }
}

} // namespace kernel::ipc
