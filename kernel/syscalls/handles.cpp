// Handles and capabilities: HANDLE_CLOSE, HANDLE_DUPLICATE, CAP_GRANT,
// CAP_QUERY.
#include "log.h"
#include "proc/process.h"
#include "syscall.h"

#include <rustos/abi/native.h>

namespace kernel::syscalls {

using rustos::Error;
using rustos::abi::Capability;

int64_t sys_rustos_HANDLE_CLOSE(Args& a) {
    auto r = proc::current_process()->handles.close(handle_t(a.a0()));
    return r.is_error() ? fail(r.error()) : 0;
}

int64_t sys_rustos_HANDLE_DUPLICATE(Args& a) {
    proc::Process* p = proc::current_process();
    auto entry = p->handles.get_entry(handle_t(a.a0()), rustos::abi::RIGHT_DUPLICATE);
    if (entry.is_error())
        return fail(entry.error());
    uint32_t rights = uint32_t(a.a1());
    if (rights & ~entry.value().rights)
        return fail(Error(EACCES, "a duplicate cannot have more rights than the original"));
    KernelObject* obj = entry.value().object; // a new reference
    auto h = p->handles.install(obj, rights);
    if (h.is_error()) {
        obj->unref();
        return fail(h.error());
    }
    return h.value();
}

namespace {

bool is_broker(Capability c) {
    switch (c) {
#define CAPABILITY(n, name, kind, owner, desc)                                                     \
    case Capability::name:                                                                         \
        return rustos::StringView(#kind) == "BROKER";
#include <rustos/abi/capabilities.def>
#undef CAPABILITY
    }
    return false;
}

bool is_copy(Capability c) {
    switch (c) {
#define CAPABILITY(n, name, kind, owner, desc)                                                     \
    case Capability::name:                                                                         \
        return rustos::StringView(#kind) == "COPY";
#include <rustos/abi/capabilities.def>
#undef CAPABILITY
    }
    return false;
}

bool known(uint32_t c) {
    switch (Capability(c)) {
#define CAPABILITY(n, name, kind, owner, desc) case Capability::name:
#include <rustos/abi/capabilities.def>
#undef CAPABILITY
        return true;
    }
    return false;
}

} // namespace

int64_t sys_rustos_CAP_GRANT(Args& a) {
    proc::Process* self = proc::current_process();
    uint32_t cap_number = uint32_t(a.a1());
    uint32_t arg = uint32_t(a.a2());
    if (!known(cap_number))
        return fail(Error(EINVAL, "unknown capability"));
    Capability cap = Capability(cap_number);
    auto target_or = self->handles.get_as<proc::Process>(handle_t(a.a0()), ObjectType::Process,
                                                         rustos::abi::RIGHT_MANAGE);
    if (target_or.is_error())
        return fail(target_or.error());
    proc::Process& target = *target_or.value();
    if (target.state == rustos::abi::ProcessState::Exited)
        return fail(Error(ESRCH, "the process has exited"));

    arch::InterruptGuard guard;
    if (is_copy(cap)) {
        auto held = proc::require(*self, cap, "CAP_GRANT");
        if (held.is_error())
            return fail(held.error());
        target.caps.brokers |= 1ull << cap_number; // the grantor keeps its own
        LOG_INFO("cap", "pid %d (%s) gave a copy of %s to pid %d (%s)", self->pid, self->name,
                 rustos::abi::capability_name(cap), target.pid, target.name);
        return 0;
    }
    if (is_broker(cap)) {
        auto held = proc::require(*self, cap, "CAP_GRANT");
        if (held.is_error())
            return fail(held.error());
        // Broker capabilities move: exactly one holder at any time.
        self->caps.brokers &= ~(1ull << cap_number);
        target.caps.brokers |= 1ull << cap_number;
        LOG_INFO("cap", "pid %d (%s) gave %s to pid %d (%s)", self->pid, self->name,
                 rustos::abi::capability_name(cap), target.pid, target.name);
        return 0;
    }
    if (arg > 63)
        return fail(Error(EINVAL, "service id out of range"));
    uint64_t bit = 1ull << arg;
    if (!(self->caps.service_authority & bit)) {
        LOG_WARN("cap", "pid %d (%s): CAP_GRANT of %s(%u) refused: no authority over that service",
                 self->pid, self->name, rustos::abi::capability_name(cap), arg);
        return fail(Error(EPERM, "no authority over that service id"));
    }
    if (cap == Capability::SERVICE_REGISTER) {
        target.caps.service_register |= bit;
    } else { // SERVICE_AUTHORITY moves
        self->caps.service_authority &= ~bit;
        target.caps.service_authority |= bit;
    }
    return 0;
}

int64_t sys_rustos_CAP_QUERY(Args& a) {
    proc::Process* self = proc::current_process();
    uint32_t c = uint32_t(a.a0()), arg = uint32_t(a.a1());
    if (!known(c))
        return fail(Error(EINVAL, "unknown capability"));
    if (is_broker(Capability(c)) || is_copy(Capability(c)))
        return self->caps.has(Capability(c)) ? 1 : 0;
    if (arg > 63)
        return fail(Error(EINVAL, "service id out of range"));
    uint64_t mask = Capability(c) == Capability::SERVICE_REGISTER ? self->caps.service_register
                                                                  : self->caps.service_authority;
    return (mask >> arg) & 1;
}

} // namespace kernel::syscalls
