// Threads and process identity in the kernel default: clone for threads
// (CLONE_VM|CLONE_THREAD), exit, TLS, tid bookkeeping.
#include "arch/x86_64/cpu.h"
#include "futex.h"
#include "log.h"
#include "mm/memory.h"
#include "proc/process.h"
#include "sched/scheduler.h"
#include "syscall.h"
#include "usercopy.h"

namespace kernel::syscalls {

using rustos::Errno;

namespace {

enum : uint64_t {
    CLONE_VM = 0x100,
    CLONE_FS = 0x200,
    CLONE_FILES = 0x400,
    CLONE_SIGHAND = 0x800,
    CLONE_PIDFD = 0x1000,
    CLONE_VFORK = 0x4000,
    CLONE_THREAD = 0x10000,
    CLONE_SYSVSEM = 0x40000,
    CLONE_SETTLS = 0x80000,
    CLONE_PARENT_SETTID = 0x100000,
    CLONE_CHILD_CLEARTID = 0x200000,
    CLONE_DETACHED = 0x400000,
    CLONE_CHILD_SETTID = 0x1000000,
};
enum : uint64_t {
    ARCH_SET_GS = 0x1001,
    ARCH_SET_FS = 0x1002,
    ARCH_GET_FS = 0x1003,
    ARCH_GET_GS = 0x1004
};

int64_t err(Errno e) { return rustos::abi::syscall_error(e); }

bool canonical_user(uint64_t a) { return a < mm::kUserTop; }

struct CloneRequest {
    uint64_t flags, stack, parent_tid, child_tid, tls;
};

int64_t do_clone(Args& a, const CloneRequest& req, uint64_t number) {
    constexpr uint64_t kThreadFlags = CLONE_VM | CLONE_THREAD | CLONE_SIGHAND;
    // Linux: a thread shares the signal handlers, which need shared memory.
    if (((req.flags & CLONE_THREAD) && !(req.flags & CLONE_SIGHAND)) ||
        ((req.flags & CLONE_SIGHAND) && !(req.flags & CLONE_VM)))
        return err(EINVAL);
    if ((req.flags & kThreadFlags) != kThreadFlags) {
        // New processes (fork, vfork, posix_spawn) are procd's and loaderd's.
        return unimplemented(number);
    }
    if (req.flags & (CLONE_VFORK | CLONE_PIDFD))
        return err(EINVAL);
    if ((req.flags & CLONE_SETTLS) && !canonical_user(req.tls))
        return err(EPERM);
    proc::Process& p = *proc::current_process();
    sched::Thread* self = sched::current();

    arch::TrapFrame frame = a.frame;
    frame.rax = 0;
    if (req.stack)
        frame.rsp = req.stack;
    sched::Thread* t = sched::create_user_thread(&p, frame, self->priority);
    if (!t)
        return err(ENOMEM);
    sched::inherit_fpu_state(*t);
    t->fs_base = (req.flags & CLONE_SETTLS) ? req.tls : arch::rdmsr(arch::MSR_FS_BASE);
    t->user_gs_base = arch::rdmsr(arch::MSR_KERNEL_GS_BASE);
    uint32_t tid = uint32_t(t->tid);
    if (req.flags & CLONE_CHILD_CLEARTID)
        t->clear_child_tid = req.child_tid;
    // Shared address space: the child's tid is visible at once.
    if (req.flags & CLONE_PARENT_SETTID)
        (void)copy_to_user(req.parent_tid, &tid, sizeof tid);
    if (req.flags & CLONE_CHILD_SETTID)
        (void)copy_to_user(req.child_tid, &tid, sizeof tid);
    {
        arch::InterruptGuard guard;
        if (p.exiting) {
            sched::destroy_unstarted_thread(t);
            return err(EAGAIN);
        }
        p.threads.push_back(*t);
        p.live_threads++;
    }
    sched::start(t);
    return tid;
}

} // namespace

int64_t sys_clone(Args& a) {
    CloneRequest req{a.a0(), a.a1(), a.a2(), a.a3(), a.a4()};
    return do_clone(a, req, 56);
}

int64_t sys_clone3(Args& a) {
    struct CloneArgs {
        uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
            set_tid_size, cgroup;
    } ca{};
    uint64_t size = a.a1();
    if (size < 64 || size > 4096)
        return err(EINVAL);
    auto r = copy_from_user(&ca, a.a0(), size < sizeof ca ? size : sizeof ca);
    if (r.is_error())
        return fail(r.error());
    if (ca.set_tid || ca.set_tid_size || (ca.stack && !ca.stack_size))
        return err(EINVAL);
    CloneRequest req{ca.flags, ca.stack ? ca.stack + ca.stack_size : 0, ca.parent_tid, ca.child_tid,
                     ca.tls};
    return do_clone(a, req, 435);
}

int64_t sys_exit(Args& a) { proc::exit_thread(int(a.a0())); }
int64_t sys_exit_group(Args& a) { proc::exit_group(int(a.a0())); }

int64_t sys_getpid(Args&) { return proc::current_process()->pid; }
int64_t sys_gettid(Args&) { return int64_t(sched::current()->tid); }

int64_t sys_sched_yield(Args&) {
    sched::yield();
    return 0;
}

int64_t sys_set_tid_address(Args& a) {
    sched::current()->clear_child_tid = a.a0();
    return int64_t(sched::current()->tid);
}

int64_t sys_set_robust_list(Args& a) {
    // FIXME: robust futex lists are accepted but not walked on thread death.
    if (a.a1() != 24)
        return err(EINVAL);
    return 0;
}

int64_t sys_arch_prctl(Args& a) {
    uint64_t code = a.a0(), addr = a.a1();
    switch (code) {
    case ARCH_SET_FS:
        if (!canonical_user(addr))
            return err(EPERM);
        sched::current()->fs_base = addr;
        arch::wrmsr(arch::MSR_FS_BASE, addr);
        return 0;
    case ARCH_SET_GS:
        if (!canonical_user(addr))
            return err(EPERM);
        sched::current()->user_gs_base = addr;
        arch::wrmsr(arch::MSR_KERNEL_GS_BASE, addr);
        return 0;
    case ARCH_GET_FS: {
        uint64_t v = arch::rdmsr(arch::MSR_FS_BASE);
        auto r = copy_to_user(addr, &v, sizeof v);
        return r.is_error() ? fail(r.error()) : 0;
    }
    case ARCH_GET_GS: {
        uint64_t v = arch::rdmsr(arch::MSR_KERNEL_GS_BASE);
        auto r = copy_to_user(addr, &v, sizeof v);
        return r.is_error() ? fail(r.error()) : 0;
    }
    default:
        return err(EINVAL);
    }
}

} // namespace kernel::syscalls
