// The signal broker (SIGNAL_DELIVER, SIGNAL_PROCESS: syscalld) and the
// console broker (CONSOLE_EVENTS, CONSOLE_WRITE: vfsd).
#include "console_input.h"
#include "ipc/ipc.h"
#include "log.h"
#include "proc/process.h"
#include "proc/signal.h"
#include "sched/scheduler.h"
#include "syscall.h"
#include "usercopy.h"

namespace kernel::syscalls {

using rustos::Error;
using namespace rustos::abi;

namespace {

// The signal broker acts on the processes whose signal policy is
// syscalld's: not on rootd and the foundational services, which started
// before it (as on Linux, where kill cannot reach a kernel thread).
bool owns_signals(const proc::Process& p) {
    return p.offload & proc::offload_bit(rustos::ipc::service::SYSCALLD);
}

// A live process whose signals syscalld decides. Interrupts disabled.
rustos::ErrorOr<proc::Process*> signal_target(uint64_t pid) {
    proc::Process* p = proc::find(int(pid));
    if (!p || p->state == ProcessState::Exited)
        return Error(ESRCH, "no such process");
    if (!owns_signals(*p))
        return Error(EPERM, "its signals are not syscalld's: it started before syscalld");
    return p;
}

} // namespace

int64_t sys_rustos_SIGNAL_DELIVER(Args& a) {
    SignalDelivery d;
    auto in = copy_from_user(&d, a.a1(), sizeof d);
    if (in.is_error())
        return fail(in.error());
    arch::InterruptGuard guard;
    sched::Thread* t = proc::find_thread_any(a.a0());
    if (!t || !t->process || t->process->exiting)
        return fail(Error(ESRCH, "no such thread"));
    if (!owns_signals(*t->process))
        return fail(Error(EPERM, "its signals are not syscalld's: it started before syscalld"));
    // A blocked target is interrupted (a thread waiting for syscalld's own
    // answer just gets a KERNEL_CANCEL syscalld can ignore); the frame is
    // built when it next returns to user mode.
    bool interrupt = t != sched::current();
    auto r = signal::deliver(*t, d, interrupt);
    return r.is_error() ? fail(r.error()) : 0;
}

int64_t sys_rustos_SIGNAL_PROCESS(Args& a) {
    arch::InterruptGuard guard;
    auto target = signal_target(a.a0());
    if (target.is_error())
        return fail(target.error());
    proc::Process* p = target.value();
    auto r = signal::signal_process(*p, SignalOp(uint32_t(a.a1())), int(a.a2()));
    return r.is_error() ? fail(r.error()) : 0;
}

int64_t sys_rustos_PROCESS_CPU_ALARM(Args& a) {
    RefPtr<ipc::Endpoint> endpoint;
    if (a.a1()) {
        auto ep = proc::current_process()->handles.get_as<ipc::Endpoint>(
            handle_t(a.a2()), ObjectType::Endpoint, RIGHT_RECEIVE);
        if (ep.is_error())
            return fail(ep.error());
        endpoint = ep.value();
    }
    arch::InterruptGuard guard;
    auto target = signal_target(a.a0());
    if (target.is_error())
        return fail(target.error());
    proc::Process* p = target.value();
    proc::set_cpu_alarm(*p, a.a1(), endpoint.get());
    return 0;
}

int64_t sys_rustos_CONSOLE_EVENTS(Args& a) {
    auto ep = proc::current_process()->handles.get_as<ipc::Endpoint>(
        handle_t(a.a0()), ObjectType::Endpoint, RIGHT_RECEIVE);
    if (ep.is_error())
        return fail(ep.error());
    console_input::set_endpoint(ep.value().get());
    return 0;
}

int64_t sys_rustos_CONSOLE_WRITE(Args& a) {
    char chunk[512];
    uint64_t done = 0, len = a.a1();
    while (done < len) {
        size_t n = len - done < sizeof chunk ? len - done : sizeof chunk;
        auto r = copy_from_user(chunk, a.a0() + done, n);
        if (r.is_error())
            return done ? int64_t(done) : fail(r.error());
        console_write_raw(chunk, n);
        done += n;
    }
    return int64_t(done);
}

} // namespace kernel::syscalls
