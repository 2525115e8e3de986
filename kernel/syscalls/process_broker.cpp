// The process broker (PROCESS_CREATE/MAP/WRITE/START, gated on the
// PROCESS_BROKER capability: loaderd, and rootd before it), the pid broker
// (PROCESS_SET_PID, PROCESS_EVENTS: procd), and the ungated process calls
// that only need a handle with the right rights.
#include "ipc/ipc.h"
#include "log.h"
#include "mm/memory.h"
#include "proc/process.h"
#include "sched/thread.h"
#include "syscall.h"
#include "usercopy.h"

namespace kernel::syscalls {

using rustos::Error;
using rustos::ErrorOr;
using namespace rustos::abi;

namespace {

ErrorOr<RefPtr<proc::Process>> process_handle(uint64_t h, uint32_t rights) {
    return proc::current_process()->handles.get_as<proc::Process>(handle_t(h), ObjectType::Process,
                                                                  rights);
}

// The address space a broker call builds: a not-yet-started process's, or
// one prepared for an exec (PROCESS_EXEC_PREPARE).
ErrorOr<RefPtr<proc::AddressSpace>> space_handle(uint64_t h) {
    auto entry = TRY(proc::current_process()->handles.get_entry(handle_t(h), RIGHT_MANAGE));
    RefPtr<KernelObject> obj = RefPtr<KernelObject>::adopt(entry.object);
    if (obj->type() == ObjectType::AddressSpace)
        return RefPtr<proc::AddressSpace>(static_cast<proc::AddressSpace*>(obj.get()));
    if (obj->type() == ObjectType::Process) {
        auto* p = static_cast<proc::Process*>(obj.get());
        if (!p->space)
            return Error(ESRCH, "the process has exited");
        return p->space;
    }
    return Error(EINVAL, "handle names neither a process nor an address space");
}

proc::VmaKind vma_kind(uint32_t kind) {
    switch (MapKind(kind)) {
    case MapKind::Image:
        return proc::VmaKind::Image;
    case MapKind::Heap:
        return proc::VmaKind::Heap;
    case MapKind::Stack:
        return proc::VmaKind::Stack;
    default:
        return proc::VmaKind::Anonymous;
    }
}

} // namespace

int64_t sys_rustos_PROCESS_CREATE(Args& a) {
    char name[32];
    uint64_t len = a.a1() < sizeof name - 1 ? a.a1() : sizeof name - 1;
    auto r = copy_from_user(name, a.a0(), len);
    if (r.is_error())
        return fail(r.error());
    name[len] = 0;
    if (a.a2() & ~uint64_t(PROCESS_KERNEL_DEFAULTS))
        return fail(Error(EINVAL, "unknown PROCESS_CREATE flags"));
    proc::Process* self = proc::current_process();
    auto p = proc::create(rustos::StringView(name, len), self->pid);
    if (p.is_error())
        return fail(p.error());
    if (a.a2() & PROCESS_KERNEL_DEFAULTS)
        p.value()->offload = 0;
    auto h = self->handles.install(p.value().get(), RIGHTS_ALL);
    if (h.is_error())
        return fail(h.error());
    p.value().leak();
    return h.value();
}

int64_t sys_rustos_PROCESS_MAP(Args& a) {
    auto as = space_handle(a.a0());
    if (as.is_error())
        return fail(as.error());
    if (a.a4() > uint32_t(MapKind::Anonymous))
        return fail(Error(EINVAL, "unknown mapping kind"));
    auto r =
        proc::map_region(*as.value(), a.a1(), a.a2(), uint32_t(a.a3()), vma_kind(uint32_t(a.a4())));
    return r.is_error() ? fail(r.error()) : 0;
}

int64_t sys_rustos_PROCESS_MAP_OBJECT(Args& a) {
    auto as = space_handle(a.a0());
    if (as.is_error())
        return fail(as.error());
    if (as.value()->live)
        return fail(Error(EBUSY, "the address space is in use"));
    auto obj = proc::current_process()->handles.get_as<mm::MemoryObject>(
        handle_t(a.a1()), ObjectType::MemoryObject, RIGHT_MAP);
    if (obj.is_error())
        return fail(obj.error());
    if (a.a4() & ~uint64_t(proc::PROT_READ | proc::PROT_WRITE | proc::PROT_EXEC))
        return fail(Error(EINVAL, "unknown protection bits"));
    auto r = proc::map_object(*as.value(), *obj.value(), a.a5(), a.a2(), a.a3(), uint32_t(a.a4()),
                              false, true, false);
    if (r.is_error())
        return fail(r.error());
    if (r.value() != a.a2())
        return fail(Error(EINVAL, "unaligned address"));
    return 0;
}

int64_t sys_rustos_PROCESS_WRITE(Args& a) {
    auto as = space_handle(a.a0());
    if (as.is_error())
        return fail(as.error());
    uint64_t dst = a.a1(), src = a.a2(), len = a.a3();
    uint8_t chunk[1024];
    while (len) {
        uint64_t n = len < sizeof chunk ? len : sizeof chunk;
        auto in = copy_from_user(chunk, src, n);
        if (in.is_error())
            return fail(in.error());
        auto out = proc::write_memory(*as.value(), dst, chunk, n);
        if (out.is_error())
            return fail(out.error());
        dst += n;
        src += n;
        len -= n;
    }
    return 0;
}

int64_t sys_rustos_PROCESS_START(Args& a) {
    auto p = process_handle(a.a0(), RIGHT_MANAGE);
    if (p.is_error())
        return fail(p.error());
    uint32_t flags = uint32_t(a.a4());
    if (flags & ~START_SUSPENDED)
        return fail(Error(EINVAL, "unknown PROCESS_START flags"));
    auto r = proc::start(*p.value(), a.a1(), a.a2(), a.a3(), flags & START_SUSPENDED);
    return r.is_error() ? fail(r.error()) : 0;
}

int64_t sys_rustos_PROCESS_RESUME(Args& a) {
    auto p = process_handle(a.a0(), RIGHT_START);
    if (p.is_error())
        return fail(p.error());
    auto r = proc::resume(*p.value());
    return r.is_error() ? fail(r.error()) : 0;
}

int64_t sys_rustos_PROCESS_SET_PID(Args& a) {
    auto p = process_handle(a.a0(), RIGHT_MANAGE);
    if (p.is_error())
        return fail(p.error());
    auto r = proc::set_pid(*p.value(), uint32_t(a.a1()));
    return r.is_error() ? fail(r.error()) : 0;
}

int64_t sys_rustos_PROCESS_INFO(Args& a) {
    auto p = process_handle(a.a0(), RIGHT_INFO);
    if (p.is_error())
        return fail(p.error());
    ProcessInfo info;
    {
        arch::InterruptGuard guard;
        info = proc::info_of(*p.value());
    }
    auto r = copy_to_user(a.a1(), &info, sizeof info);
    return r.is_error() ? fail(r.error()) : 0;
}

int64_t sys_rustos_PROCESS_SELF(Args&) {
    proc::Process* self = proc::current_process();
    self->ref();
    auto h = self->handles.install(self, RIGHT_INFO | RIGHT_DUPLICATE | RIGHT_TRANSFER);
    if (h.is_error()) {
        self->unref();
        return fail(h.error());
    }
    return h.value();
}

int64_t sys_rustos_PROCESS_EVENTS(Args& a) {
    auto ep = proc::current_process()->handles.get_as<ipc::Endpoint>(
        handle_t(a.a0()), ObjectType::Endpoint, RIGHT_RECEIVE);
    if (ep.is_error())
        return fail(ep.error());
    auto r = proc::add_observer(ep.value().get());
    return r.is_error() ? fail(r.error()) : 0;
}

int64_t sys_rustos_PROCESS_LIST(Args& a) {
    uint64_t max = a.a1() < 1024 ? a.a1() : 1024;
    auto* buf = static_cast<ProcessInfo*>(mm::kmalloc(sizeof(ProcessInfo) * (max ? max : 1)));
    if (!buf)
        return fail(Error(ENOMEM, "out of memory"));
    size_t n = proc::list(buf, max);
    size_t copy = n < max ? n : max;
    auto r = copy_to_user(a.a0(), buf, copy * sizeof(ProcessInfo));
    mm::kfree(buf);
    return r.is_error() ? fail(r.error()) : int64_t(n);
}

int64_t sys_rustos_PROCESS_FIND(Args& a) {
    ProcessInfo info;
    {
        arch::InterruptGuard guard;
        proc::Process* p = proc::find(int(uint32_t(a.a0())));
        if (!p || !a.a0())
            return fail(Error(ESRCH, "no such process"));
        if (!a.a1())
            return int64_t(p->state);
        info = proc::info_of(*p);
    }
    auto r = copy_to_user(a.a1(), &info, sizeof info);
    return r.is_error() ? fail(r.error()) : int64_t(info.state);
}

int64_t sys_rustos_THREAD_OWNER(Args& a) {
    arch::InterruptGuard guard;
    sched::Thread* t = proc::find_thread_any(a.a0());
    if (!t || t->state == sched::ThreadState::Dead || !t->process)
        return fail(Error(ESRCH, "no such thread"));
    return t->process->pid;
}

int64_t sys_rustos_PROCESS_FORK(Args& a) {
    auto parent = process_handle(a.a0(), RIGHT_MANAGE);
    if (parent.is_error())
        return fail(parent.error());
    ForkArgs args;
    auto in = copy_from_user(&args, a.a1(), sizeof args);
    if (in.is_error())
        return fail(in.error());
    proc::ForkRequest req{args.tid, args.flags, args.stack, args.child_tid_ptr, args.tls};
    RefPtr<proc::Process> child;
    {
        arch::InterruptGuard guard;
        auto c = proc::fork(*parent.value(), req);
        if (c.is_error())
            return fail(c.error());
        child = rustos::move(c.value());
    }
    auto h = proc::current_process()->handles.install(child.get(), RIGHTS_ALL);
    if (h.is_error())
        return fail(h.error()); // the suspended child dies with its last reference
    child.leak();
    return h.value();
}

int64_t sys_rustos_PROCESS_EXEC_PREPARE(Args& a) {
    auto p = process_handle(a.a0(), RIGHT_MANAGE);
    if (p.is_error())
        return fail(p.error());
    auto as = proc::AddressSpace::create();
    if (as.is_error())
        return fail(as.error());
    auto h =
        proc::current_process()->handles.install(as.value().get(), RIGHT_MANAGE | RIGHT_TRANSFER);
    if (h.is_error())
        return fail(h.error());
    as.value().leak();
    return h.value();
}

int64_t sys_rustos_PROCESS_EXEC_COMMIT(Args& a) {
    auto p = process_handle(a.a0(), RIGHT_MANAGE);
    if (p.is_error())
        return fail(p.error());
    auto as = proc::current_process()->handles.get_as<proc::AddressSpace>(
        handle_t(a.a1()), ObjectType::AddressSpace, RIGHT_MANAGE);
    if (as.is_error())
        return fail(as.error());
    ExecCommit args;
    auto in = copy_from_user(&args, a.a2(), sizeof args);
    if (in.is_error())
        return fail(in.error());
    args.name[sizeof args.name - 1] = 0;
    auto r = proc::exec_commit(*p.value(), as.value(), args);
    return r.is_error() ? fail(r.error()) : 0;
}

int64_t sys_rustos_PROCESS_MAPS(Args& a) {
    uint64_t max = a.a2() < 4096 ? a.a2() : 4096;
    auto* buf = static_cast<VmaInfo*>(mm::kmalloc(sizeof(VmaInfo) * (max ? max : 1)));
    if (!buf)
        return fail(Error(ENOMEM, "out of memory"));
    size_t n = 0;
    {
        arch::InterruptGuard guard;
        proc::Process* p = proc::find(int(a.a0()));
        if (!p || !p->space) {
            mm::kfree(buf);
            return fail(Error(ESRCH, "no such process"));
        }
        for (auto& v : p->space->vmas) {
            if (n < max)
                buf[n] = VmaInfo{v.start, v.end, v.prot, uint32_t(v.kind), v.shared ? 1u : 0u, 0};
            ++n;
        }
    }
    auto r = copy_to_user(a.a1(), buf, (n < max ? n : max) * sizeof(VmaInfo));
    mm::kfree(buf);
    return r.is_error() ? fail(r.error()) : int64_t(n);
}

int64_t sys_rustos_MM_BROKER(Args& a) {
    auto p = process_handle(a.a1(), RIGHT_MANAGE);
    if (p.is_error())
        return fail(p.error());
    proc::Process& target = *p.value();
    if (target.state == ProcessState::Exited || !target.space)
        return fail(Error(ESRCH, "the process has exited"));
    proc::AddressSpace& as = *target.space;
    uint64_t addr = a.a2(), len = a.a3();
    uint64_t prot = a.a4(), flags = a.a5();
    switch (MmOp(a.a0())) {
    case MmOp::Map: {
        if (prot > 7)
            return fail(Error(EINVAL, "unknown protection bits"));
        auto r = proc::map_anonymous(as, addr, len, uint32_t(prot), flags & MM_FIXED,
                                     flags & MM_NOREPLACE, flags & MM_SHARED);
        return r.is_error() ? fail(r.error()) : int64_t(r.value());
    }
    case MmOp::Unmap: {
        auto r = proc::unmap(as, addr, len);
        return r.is_error() ? fail(r.error()) : 0;
    }
    case MmOp::Protect: {
        auto r = proc::protect(as, addr, len, uint32_t(prot));
        return r.is_error() ? fail(r.error()) : 0;
    }
    case MmOp::Write: {
        // Fill mapped memory of the target from the caller (file contents
        // of a private file mapping), whatever the target's protection.
        uint8_t chunk[1024];
        uint64_t src = flags, done = 0;
        while (done < len) {
            uint64_t n = len - done < sizeof chunk ? len - done : sizeof chunk;
            auto in = copy_from_user(chunk, src + done, n);
            if (in.is_error())
                return fail(in.error());
            auto r = proc::write_live(as, addr + done, chunk, n);
            if (r.is_error())
                return fail(r.error());
            done += n;
        }
        return 0;
    }
    case MmOp::Brk:
        return int64_t(proc::set_brk(as, addr));
    case MmOp::Remap: {
        auto r = proc::remap(as, addr, len, prot, flags & MM_MAYMOVE);
        return r.is_error() ? fail(r.error()) : int64_t(r.value());
    }
    case MmOp::Discard: {
        auto r = proc::discard(as, addr, len);
        return r.is_error() ? fail(r.error()) : 0;
    }
    }
    return fail(Error(EINVAL, "unknown MM_BROKER operation"));
}

} // namespace kernel::syscalls
