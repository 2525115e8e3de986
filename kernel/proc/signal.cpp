#include "signal.h"

#include "arch/x86_64/cpu.h"
#include "ipc/ipc.h"
#include "lib/format.h"
#include "log.h"
#include "mm/memory.h"
#include "process.h"
#include "sched/scheduler.h"
#include "syscalls/offload.h"
#include "syscalls/syscall.h"
#include "syscalls/usercopy.h"

#include <rustos/abi/syscalls.h>
#include <rustos/ipc/codec.h>

namespace kernel::signal {

using rustos::Error;
using rustos::ErrorOr;
using rustos::abi::LinuxSyscall;
using rustos::abi::SignalDelivery;

namespace {

// The Linux x86_64 signal frame (arch/x86/include/uapi/asm/sigcontext.h,
// ucontext.h; arch/x86/kernel/signal.c).
struct SigContext {
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
    uint16_t cs, gs, fs, ss;
    uint64_t err, trapno, oldmask, cr2;
    uint64_t fpstate; // user address of the fxsave area
    uint64_t reserved[8];
};
static_assert(sizeof(SigContext) == 256);

struct StackT {
    uint64_t sp;
    int32_t flags;
    int32_t pad;
    uint64_t size;
};

struct UContext {
    uint64_t flags;
    uint64_t link;
    StackT stack;
    SigContext mcontext;
    uint64_t sigmask;
};
static_assert(sizeof(UContext) == 304);

struct RtSigFrame {
    uint64_t pretcode; // the handler's return address: sa_restorer
    UContext uc;
    uint8_t info[128];
};

constexpr uint64_t kFpStateSize = 512;
// Flags a signal handler may change through its ucontext (Linux FIX_EFLAGS).
constexpr uint64_t kUserFlags = 0x1 | 0x4 | 0x10 | 0x40 | 0x80 | 0x100 | 0x400 | 0x800 | 0x40000 |
                                0x200000; // CF PF AF ZF SF TF DF OF AC ID
constexpr uint32_t kMxcsrMask = 0xffbf;

// System calls that answer EINTR to a handled signal even under
// SA_RESTART, as on Linux (ERESTARTNOHAND and restart-block calls).
bool restartable(uint64_t nr) {
    switch (LinuxSyscall(nr)) {
    case LinuxSyscall::pause:
    case LinuxSyscall::rt_sigsuspend:
    case LinuxSyscall::select:
    case LinuxSyscall::pselect6:
    case LinuxSyscall::poll:
    case LinuxSyscall::ppoll:
    case LinuxSyscall::epoll_wait:
    case LinuxSyscall::epoll_pwait:
    case LinuxSyscall::nanosleep:
    case LinuxSyscall::clock_nanosleep:
    case LinuxSyscall::rt_sigtimedwait:
        return false;
    default:
        return true;
    }
}

void wake_for_signal(sched::Thread& t) {
    if (t.state == sched::ThreadState::Blocked && t.interruptible && !t.signals_deferred)
        sched::wake(&t, sched::WakeReason::Signal);
}

SignalDelivery* pop_delivery(sched::Thread& t) {
    if (!t.delivery_count)
        return nullptr;
    SignalDelivery* d = t.deliveries[0];
    for (int i = 1; i < t.delivery_count; ++i)
        t.deliveries[i - 1] = t.deliveries[i];
    t.deliveries[--t.delivery_count] = nullptr;
    return d;
}

// Builds one frame. False when the user stack cannot take it.
bool build_frame(arch::TrapFrame& f, const SignalDelivery& d) {
    uint64_t sp = f.rsp;
    bool alt_enabled = !(d.altstack_flags & rustos::abi::kSsDisable) && d.altstack_size;
    bool on_alt = alt_enabled && sp > d.altstack_sp && sp <= d.altstack_sp + d.altstack_size;
    if ((d.flags & rustos::abi::kSaOnStack) && alt_enabled && !on_alt) {
        sp = d.altstack_sp + d.altstack_size;
        on_alt = true;
    } else {
        sp -= 128; // the red zone of the interrupted code
    }
    sp = (sp - kFpStateSize) & ~uint64_t(63);
    uint64_t fpstate = sp;
    sp -= sizeof(RtSigFrame);
    sp = (sp & ~uint64_t(15)) - 8; // as after a call: (rsp + 8) % 16 == 0

    alignas(16) uint8_t fpu[kFpStateSize];
    asm volatile("fxsave64 (%0)" ::"r"(fpu) : "memory");

    RtSigFrame frame{};
    frame.pretcode = d.restorer;
    frame.uc.stack.sp = d.altstack_sp;
    frame.uc.stack.size = d.altstack_size;
    frame.uc.stack.flags =
        alt_enabled ? (on_alt ? rustos::abi::kSsOnStack : 0) : rustos::abi::kSsDisable;
    SigContext& m = frame.uc.mcontext;
    m.r8 = f.r8, m.r9 = f.r9, m.r10 = f.r10, m.r11 = f.r11, m.r12 = f.r12, m.r13 = f.r13;
    m.r14 = f.r14, m.r15 = f.r15, m.rdi = f.rdi, m.rsi = f.rsi, m.rbp = f.rbp, m.rbx = f.rbx;
    m.rdx = f.rdx, m.rax = f.rax, m.rcx = f.rcx, m.rsp = f.rsp, m.rip = f.rip, m.eflags = f.rflags;
    m.cs = uint16_t(f.cs);
    m.ss = uint16_t(f.ss);
    m.err = f.vector < 32 ? f.error_code : 0;
    m.trapno = f.vector < 32 ? f.vector : 0;
    m.oldmask = d.saved_mask;
    m.cr2 = f.vector == 14 ? arch::read_cr2() : 0;
    m.fpstate = fpstate;
    frame.uc.sigmask = d.saved_mask;
    __builtin_memcpy(frame.info, d.siginfo, sizeof frame.info);

    if (syscalls::copy_to_user(fpstate, fpu, kFpStateSize).is_error() ||
        syscalls::copy_to_user(sp, &frame, sizeof frame).is_error())
        return false;

    f.rip = d.handler;
    f.rsp = sp;
    f.rdi = uint64_t(d.signo);
    f.rsi = sp + __builtin_offsetof(RtSigFrame, info);
    f.rdx = sp + __builtin_offsetof(RtSigFrame, uc);
    f.rax = 0;
    f.rflags &= ~uint64_t(0x100 | 0x400); // TF, DF
    sched::reset_fpu_state();
    return true;
}

} // namespace

void discard_deliveries(sched::Thread& t) {
    while (SignalDelivery* d = pop_delivery(t))
        mm::kfree(d);
}

ErrorOr<void> deliver(sched::Thread& t, const SignalDelivery& d, bool interrupt) {
    if (d.signo <= 0 || d.signo > 64)
        return Error(EINVAL, "bad signal number");
    if (d.handler >= mm::kUserTop || d.restorer >= mm::kUserTop)
        return Error(EINVAL, "handler outside user space");
    auto* copy = static_cast<SignalDelivery*>(mm::kmalloc(sizeof(SignalDelivery)));
    if (!copy)
        return Error(ENOMEM, "out of memory for a signal delivery");
    *copy = d;
    arch::InterruptGuard guard;
    if (t.delivery_count == sched::Thread::kMaxPendingDeliveries) {
        mm::kfree(copy);
        return Error(EAGAIN, "too many signal handlers queued on the thread");
    }
    t.deliveries[t.delivery_count++] = copy;
    if (interrupt)
        wake_for_signal(t);
    return {};
}

ErrorOr<void> signal_process(proc::Process& p, rustos::abi::SignalOp op, int signo) {
    arch::InterruptGuard guard;
    if (p.state == rustos::abi::ProcessState::Exited || p.exiting)
        return Error(ESRCH, "the process is exiting");
    switch (op) {
    case rustos::abi::SignalOp::Kill:
        if (signo <= 0 || signo > 64)
            return Error(EINVAL, "bad signal number");
        proc::terminate(p, signo);
        return {};
    case rustos::abi::SignalOp::Stop:
        if (!p.stopped) {
            p.stopped = true;
            p.stop_signal = signo;
            proc::post_process_event(p, rustos::ipc::op::KERNEL_PROCESS_STOPPED, signo);
        }
        return {};
    case rustos::abi::SignalOp::Continue:
        if (p.stopped) {
            p.stopped = false;
            sched::wake_all(p.continue_waiters);
            proc::post_process_event(p, rustos::ipc::op::KERNEL_PROCESS_CONTINUED, 0);
        }
        return {};
    }
    return Error(EINVAL, "unknown signal operation");
}

void before_return_to_user(arch::TrapFrame& f) {
    sched::Thread* self = sched::current();
    proc::Process* p = self->process;
    if (!p)
        return;
    while (p->stopped && !self->kill_pending)
        sched::wait_on(p->continue_waiters, 0, true);
    bool from_syscall = f.vector == arch::kSyscallVector;
    if (from_syscall && int64_t(f.rax) == rustos::abi::syscall_error(rustos::kRestartCall)) {
        // Run the call again, unless a handler without SA_RESTART comes
        // first: then it fails with EINTR.
        if (!self->delivery_count || (self->deliveries[0]->flags & rustos::abi::kSaRestart)) {
            f.rax = self->syscall_nr;
            f.rip -= 2; // the syscall instruction
        } else {
            f.rax = uint64_t(rustos::abi::syscall_error(EINTR));
        }
        self->syscall_interrupted = false;
    }
    if (!self->delivery_count)
        return;
    bool first = true;
    while (SignalDelivery* d = pop_delivery(*self)) {
        if (first && from_syscall && self->syscall_interrupted &&
            int64_t(f.rax) == rustos::abi::syscall_error(EINTR)) {
            // The call was interrupted for this handler: run it again after
            // the handler under SA_RESTART, as Linux does.
            if ((d->flags & rustos::abi::kSaRestart) && restartable(self->syscall_nr)) {
                f.rax = self->syscall_nr;
                f.rip -= 2; // the syscall instruction
            }
        }
        first = false;
        self->syscall_interrupted = false;
        bool ok = build_frame(f, *d);
        int signo = d->signo;
        mm::kfree(d);
        if (!ok) {
            char reason[96];
            kernel::format(reason, sizeof reason,
                           "cannot write the frame for signal %d on its stack (rsp=0x%lx)", signo,
                           f.rsp);
            proc::kill_current_process(11, reason);
        }
    }
}

bool route_fault(arch::TrapFrame& f, int signo, int code, uint64_t addr) {
    sched::Thread* self = sched::current();
    proc::Process* p = self->process;
    if (!p || !(p->offload & proc::offload_bit(rustos::ipc::service::SYSCALLD)))
        return false;
    auto* m = ipc::KMessage::create(4 + 4 + 4 + 8);
    if (!m)
        return false;
    m->header.op = rustos::ipc::op::KERNEL_FAULT;
    rustos::ipc::Writer w(m->payload(), m->header.length);
    w.u32(uint32_t(self->tid)).i32(signo).i32(code).u64(addr);
    (void)f;
    auto reply = syscalls::call_service(rustos::ipc::service::SYSCALLD, m);
    if (reply.is_error())
        return false;
    rustos::ipc::Reader rd(reply.value()->payload(), reply.value()->header.length);
    uint32_t action = rd.u32();
    bool ok = rd.ok() && reply.value()->header.status == 0 && action == 1;
    ipc::KMessage::destroy(reply.value());
    return ok && self->delivery_count > 0;
}

} // namespace kernel::signal

namespace kernel::syscalls {

int64_t sys_rt_sigreturn(Args& a) {
    arch::TrapFrame& f = a.frame;
    proc::Process* p = proc::current_process();
    signal::UContext uc;
    uint64_t uc_addr = f.rsp; // the handler's ret popped pretcode
    if (copy_from_user(&uc, uc_addr, sizeof uc).is_error())
        proc::kill_current_process(11, "rt_sigreturn: the signal frame is not readable");
    const signal::SigContext& m = uc.mcontext;
    if (m.fpstate) {
        alignas(16) uint8_t fpu[signal::kFpStateSize];
        if (copy_from_user(fpu, m.fpstate, sizeof fpu).is_error())
            proc::kill_current_process(11, "rt_sigreturn: the saved FPU state is not readable");
        uint32_t mxcsr;
        __builtin_memcpy(&mxcsr, fpu + 24, 4);
        if (mxcsr & ~signal::kMxcsrMask)
            proc::kill_current_process(11, "rt_sigreturn: invalid MXCSR in the saved FPU state");
        asm volatile("fxrstor64 (%0)" ::"r"(fpu) : "memory");
    }
    f.r8 = m.r8, f.r9 = m.r9, f.r10 = m.r10, f.r11 = m.r11, f.r12 = m.r12, f.r13 = m.r13;
    f.r14 = m.r14, f.r15 = m.r15, f.rdi = m.rdi, f.rsi = m.rsi, f.rbp = m.rbp, f.rbx = m.rbx;
    f.rdx = m.rdx, f.rcx = m.rcx, f.rsp = m.rsp, f.rip = m.rip;
    f.rflags = (f.rflags & ~signal::kUserFlags) | (m.eflags & signal::kUserFlags);
    f.cs = arch::USER_CS;
    f.ss = arch::USER_DS;
    sched::current()->syscall_interrupted = false;
    // The mask in the frame becomes the thread's again: that is syscalld's
    // state (and may unblock pending signals, which it then delivers).
    if (p->offload & proc::offload_bit(rustos::ipc::service::SYSCALLD))
        (void)notify_sigreturn(uc.sigmask, uc.stack.flags);
    return int64_t(m.rax);
}

} // namespace kernel::syscalls
