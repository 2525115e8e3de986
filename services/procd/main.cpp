// procd: the process tree and Linux pids, fork/vfork/clone of processes,
// wait4/waitid/getppid, process groups and sessions, job-control stops, and
// process accounting for ps-style listings.
//
// Pids: the kernel keeps one id namespace for pids and tids and proposes
// the next free id for every new process; procd decides. Its policy: a
// process registered with the init role gets pid 1, every other keeps the
// proposed id. rootd and the foundational services started before procd
// are adopted with the ids they already have (rootd is the parent of the
// foundational services, like kthreadd of kernel threads on Linux).
//
// procd calls vfsd and syscalld (fork copies their per-process state; they
// learn groups and sessions from here); neither ever calls procd, so no
// cycle of synchronous calls exists.
#include "process_table.h"

#include <rustos/service/linux_call.h>
#include <rustos/service/log.h>
#include <rustos/service/server.h>

#include <rustos/abi/syscalls.h>

#include <ctime>
#include <string>
#include <vector>

using namespace rustos;
using namespace rustos::service;
using procd::Proc;
using procd::ProcessTable;
using procd::WaitOutcome;
using rustos::abi::LinuxSyscall;

namespace {

constexpr uint32_t kWnohang = 1, kWuntraced = 2, kWexited = 4, kWcontinued = 8,
                   kWnowait = 0x01000000;
constexpr uint32_t kWaitFlagsIgnored =
    0x20000000 | 0x40000000 | 0x80000000; // __WNOTHREAD __WALL __WCLONE
constexpr uint32_t kPAll = 0, kPPid = 1, kPPgid = 2;
constexpr int32_t kSigchld = 17, kCldExited = 1, kCldKilled = 2, kCldStopped = 5, kCldContinued = 6;
constexpr size_t kSizeofRusage = 144, kSizeofSiginfo = 128;
constexpr uint64_t kCloneVm = 0x100, kCloneVfork = 0x4000, kCloneThread = 0x10000,
                   kCloneParentSettid = 0x100000;

struct Waiter {
    uint32_t pid; // the waiting process
    uint32_t tid; // and thread
    procd::WaitSelector selector;
    uint32_t options;
    bool is_waitid;
    DeferredReply reply;
};

struct VforkParent {
    uint32_t child;
    DeferredReply reply;
};

ProcessTable g_table;
std::vector<Waiter> g_waiters;
std::vector<VforkParent> g_vfork_parents;
uint64_t g_adopter_koid = 0; // rootd: the only process allowed to ADOPT
uint32_t g_loaderd_pid = 0;  // the only process allowed to REGISTER
Server* g_server;
Handle g_vfsd, g_syscalld;

Handle service_handle(Handle& cache, uint32_t id) {
    if (!cache) {
        auto h = lookup(id, 2'000'000'000ull);
        if (h.is_error())
            return Handle();
        cache = std::move(h.value());
    }
    return Handle(handle_t(user::handle_duplicate(cache.get(), abi::RIGHT_CALL)));
}

void call_service(Handle& cache, uint32_t id, Message& req) {
    Handle h = service_handle(cache, id);
    if (!h)
        return;
    auto rep = new_message();
    auto r = call(h.get(), req, *rep);
    if (r.is_error())
        log("%s did not take op 0x%x: %s", ipc::service_name(id), req.header.op,
            r.error().reason());
}

// vfsd and syscalld learn a process's parent, group and session.
void push_info(const Proc& p) {
    for (auto [cache, id] : {std::pair<Handle*, uint32_t>{&g_vfsd, ipc::service::VFSD},
                             {&g_syscalld, ipc::service::SYSCALLD}}) {
        auto m = new_message(ipc::op::VFSD_PROCESS_INFO);
        MessageWriter w(*m);
        w.u32(p.pid).u32(p.ppid).u32(p.pgid).u32(p.sid).u32(p.exited ? 1 : 0);
        w.finish();
        call_service(*cache, id, *m);
    }
}

// SIGCHLD for `parent`; `status` is si_status: the exit code, or the
// signal that killed, stopped or continued the child.
void raise_sigchld(uint32_t parent, uint32_t child, int32_t code, int32_t status) {
    if (!parent)
        return;
    const Proc* pp = g_table.find(parent);
    if (!pp || pp->adopted)
        return;
    auto m = new_message(ipc::op::SYSCALLD_RAISE);
    MessageWriter w(*m);
    w.u32(parent).i32(kSigchld).i32(code).u32(child).i32(status);
    w.finish();
    call_service(g_syscalld, ipc::service::SYSCALLD, *m);
}

// The kernel's view of a process: CPU time (1 ms ticks) and resident
// memory. Zeros for a process that is gone.
abi::ProcessInfo kernel_info(const Proc* p, uint32_t pid) {
    abi::ProcessInfo info{};
    if (p && p->handle ? user::process_info(p->handle, &info) < 0
                       : user::process_find(pid, &info) < 0)
        info = {};
    return info;
}

// A struct rusage with ru_utime = `ms` and ru_maxrss = `rss_kib`. CPU time
// is not split into user and system: the kernel counts ticks per thread.
std::string rusage_text(uint64_t ms, uint64_t rss_kib) {
    std::string ru(kSizeofRusage, '\0');
    int64_t tv[2] = {int64_t(ms / 1000), int64_t((ms % 1000) * 1000)};
    __builtin_memcpy(ru.data(), tv, sizeof tv); // ru_utime
    int64_t maxrss = int64_t(rss_kib);
    __builtin_memcpy(ru.data() + 32, &maxrss, sizeof maxrss); // ru_maxrss
    return ru;
}

// What wait4/waitid report about a child: its own usage and that of the
// children it reaped.
std::string rusage_of(const Proc& p) {
    abi::ProcessInfo info = kernel_info(&p, p.pid);
    return rusage_text(info.cpu_ticks + p.children_ms, info.user_pages * 4);
}

std::string siginfo_of(uint32_t pid, int32_t code, int32_t status) {
    std::string si(kSizeofSiginfo, '\0');
    int32_t fields[] = {kSigchld, 0, code, 0, int32_t(pid), 0, status};
    __builtin_memcpy(si.data(), fields, sizeof fields);
    return si;
}

// The answer for a wait that found something to report about `pid`.
LinuxReply collected(const Proc& p, WaitOutcome what, bool is_waitid) {
    int32_t status;
    int32_t code, si_status;
    switch (what) {
    case WaitOutcome::Stopped:
        status = (p.stop_signal << 8) | 0x7f;
        code = kCldStopped;
        si_status = p.stop_signal;
        break;
    case WaitOutcome::Continued:
        status = 0xffff;
        code = kCldContinued;
        si_status = 18; // SIGCONT
        break;
    default:
        status = p.wait_status;
        code = (status & 0x7f) ? kCldKilled : kCldExited;
        si_status = (status & 0x7f) ? (status & 0x7f) : ((status >> 8) & 0xff);
    }
    if (is_waitid) {
        LinuxReply r(0);
        std::string si = siginfo_of(p.pid, code, si_status);
        r.out(2, si.data(), si.size());
        std::string ru = rusage_of(p);
        r.out(4, ru.data(), ru.size());
        return r;
    }
    LinuxReply r(p.pid);
    r.out(1, status);
    std::string ru = rusage_of(p);
    r.out(3, ru.data(), ru.size());
    return r;
}

void reap(uint32_t pid) {
    auto p = g_table.reap(pid);
    if (!p)
        return;
    // Its time, and its reaped children's, now counts for its parent.
    if (Proc* parent = g_table.find(p->ppid))
        parent->children_ms += kernel_info(&*p, pid).cpu_ticks + p->children_ms;
    if (p->handle)
        user::handle_close(p->handle);
}

void consume(uint32_t pid, WaitOutcome what, uint32_t options, bool is_waitid) {
    Proc* p = g_table.find(pid);
    if (!p || (is_waitid && (options & kWnowait)))
        return;
    if (what == WaitOutcome::Reapable)
        reap(pid);
    else if (what == WaitOutcome::Stopped)
        p->report_stop = false;
    else if (what == WaitOutcome::Continued)
        p->report_continue = false;
}

// Zombies nobody will wait for: their parent is gone (ppid 0) or is one of
// the processes adopted at boot, which never wait.
void reap_unwaited() {
    std::vector<uint32_t> doomed;
    for (const Proc* p : g_table.all()) {
        if (!p->exited)
            continue;
        const Proc* parent = g_table.find(p->ppid);
        if (p->ppid == 0 || !parent || parent->exited || parent->adopted)
            doomed.push_back(p->pid);
    }
    for (uint32_t pid : doomed)
        reap(pid);
}

procd::WaitCheck check(const Waiter& w) {
    bool exited = !w.is_waitid || (w.options & kWexited);
    bool stops = w.options & kWuntraced; // WSTOPPED has the same value
    bool continues = w.options & kWcontinued;
    return g_table.check_wait(w.pid, w.selector, exited, stops, continues);
}

// Answers every deferred wait that can now be answered.
void satisfy_waiters() {
    for (size_t i = 0; i < g_waiters.size();) {
        Waiter& w = g_waiters[i];
        auto c = check(w);
        if (c.outcome == WaitOutcome::NotYet) {
            ++i;
            continue;
        }
        auto msg = new_message();
        if (c.outcome == WaitOutcome::NoChildren)
            LinuxReply::error(ECHILD).write(*msg);
        else
            collected(*g_table.find(c.pid), c.outcome, w.is_waitid).write(*msg);
        auto sent = w.reply.send(*msg);
        // Only a delivered answer consumes the event; a caller that gave up
        // leaves it for the next wait.
        if (!sent.is_error() && c.outcome != WaitOutcome::NoChildren)
            consume(c.pid, c.outcome, w.options, w.is_waitid);
        g_waiters.erase(g_waiters.begin() + long(i));
    }
}

void handle_wait(Call& call, const LinuxCall& c, bool is_waitid) {
    procd::WaitSelector sel{};
    uint32_t options;
    if (is_waitid) {
        uint32_t idtype = uint32_t(c.args[0]);
        options = uint32_t(c.args[3]);
        if (idtype == kPAll)
            sel.pid = -1;
        else if (idtype == kPPid && int32_t(c.args[1]) > 0)
            sel.pid = int32_t(c.args[1]);
        else if (idtype == kPPgid && int32_t(c.args[1]) >= 0)
            sel.pid = c.args[1] ? -int64_t(int32_t(c.args[1])) : 0;
        else
            return LinuxReply::error(EINVAL).write(call.writer());
        if (!(options & (kWexited | kWuntraced | kWcontinued)) ||
            (options &
             ~(kWnohang | kWuntraced | kWexited | kWcontinued | kWnowait | kWaitFlagsIgnored)))
            return LinuxReply::error(EINVAL).write(call.writer());
    } else {
        sel.pid = int32_t(c.args[0]);
        options = uint32_t(c.args[2]);
        if (options & ~(kWnohang | kWuntraced | kWcontinued | kWaitFlagsIgnored))
            return LinuxReply::error(EINVAL).write(call.writer());
        if (sel.pid == INT32_MIN) // no group -INT_MIN (Linux: ESRCH)
            return LinuxReply::error(ESRCH).write(call.writer());
    }
    Waiter probe{c.pid, c.tid, sel, options, is_waitid, {}};
    auto w = check(probe);
    if (w.outcome == WaitOutcome::NoChildren)
        return LinuxReply::error(ECHILD).write(call.writer());
    if (w.outcome != WaitOutcome::NotYet) {
        collected(*g_table.find(w.pid), w.outcome, is_waitid).write(call.writer());
        consume(w.pid, w.outcome, options, is_waitid);
        return;
    }
    if (options & kWnohang) {
        LinuxReply r(0);
        if (is_waitid)
            r.out(2, std::string(kSizeofSiginfo, '\0').data(), kSizeofSiginfo);
        return r.write(call.writer());
    }
    probe.reply = call.defer();
    g_waiters.push_back(std::move(probe));
}

void handle_fork(Call& call, const LinuxCall& c) {
    uint64_t flags, stack = 0, child_tid_ptr = 0, tls = 0;
    switch (LinuxSyscall(c.nr)) {
    case LinuxSyscall::fork:
        flags = kSigchld;
        break;
    case LinuxSyscall::vfork:
        flags = kCloneVm | kCloneVfork | kSigchld;
        break;
    default:
        flags = c.args[0];
        stack = c.args[1];
        child_tid_ptr = c.args[3];
        tls = c.args[4];
    }
    if (flags & kCloneThread)
        return LinuxReply::error(EINVAL).write(call.writer());
    Proc* parent = g_table.find(c.pid);
    abi::ForkArgs fa{c.tid, 0, flags, stack, child_tid_ptr, tls};
    int64_t h = user::process_fork(c.process, &fa);
    if (h < 0)
        return LinuxReply(h).write(call.writer());
    abi::ProcessInfo info{};
    user::process_info(handle_t(h), &info);
    Proc child;
    child.pid = info.pid;
    child.koid = info.koid;
    child.name = info.name;
    child.ppid = c.pid;
    child.pgid = parent ? parent->pgid : c.pid;
    child.sid = parent ? parent->sid : c.pid;
    child.handle = handle_t(h);
    uint32_t pid = child.pid;
    g_table.add(child);
    // vfsd copies the fd table and cwd, syscalld the signal state.
    {
        auto m = new_message(ipc::op::VFSD_FORK);
        MessageWriter w(*m);
        w.u32(c.pid).u32(pid);
        w.finish();
        call_service(g_vfsd, ipc::service::VFSD, *m);
    }
    {
        auto m = new_message(ipc::op::SYSCALLD_FORK);
        MessageWriter w(*m);
        w.u32(c.pid).u32(pid).u32(c.tid);
        w.finish();
        call_service(g_syscalld, ipc::service::SYSCALLD, *m);
    }
    push_info(*g_table.find(pid));
    user::process_resume(handle_t(h));
    LinuxReply r(pid);
    if (flags & kCloneParentSettid)
        r.out(2, uint32_t(pid));
    if (flags & kCloneVfork) {
        // The parent waits until the child execs or exits: with CLONE_VM
        // they share one address space (and the child runs on the
        // parent's stack, for vfork) until then.
        g_vfork_parents.push_back({pid, call.defer()});
        return;
    }
    r.write(call.writer());
}

void release_vfork_parent(uint32_t child) {
    for (size_t i = 0; i < g_vfork_parents.size(); ++i) {
        if (g_vfork_parents[i].child != child)
            continue;
        auto m = new_message();
        LinuxReply(child).write(*m);
        (void)g_vfork_parents[i].reply.send(*m);
        g_vfork_parents.erase(g_vfork_parents.begin() + long(i));
        return;
    }
}

void handle_groups(Call& call, const LinuxCall& c) {
    Proc* self = g_table.find(c.pid);
    auto reply = [&](int64_t v) { LinuxReply(v).write(call.writer()); };
    if (!self) {
        // Not in the tree (a foundational service): its own group and session.
        switch (LinuxSyscall(c.nr)) {
        case LinuxSyscall::getpgrp:
        case LinuxSyscall::getpgid:
        case LinuxSyscall::getsid:
            return reply(c.pid);
        default:
            return reply(-EPERM);
        }
    }
    switch (LinuxSyscall(c.nr)) {
    case LinuxSyscall::getpgrp:
        return reply(self->pgid);
    case LinuxSyscall::getpgid:
    case LinuxSyscall::getsid: {
        uint32_t pid = c.args[0] ? uint32_t(c.args[0]) : c.pid;
        const Proc* p = g_table.find(pid);
        if (!p || p->exited)
            return reply(-ESRCH);
        return reply(LinuxSyscall(c.nr) == LinuxSyscall::getpgid ? p->pgid : p->sid);
    }
    case LinuxSyscall::setsid: {
        if (self->pgid == self->pid)
            return reply(-EPERM); // a process group leader cannot
        self->sid = self->pgid = self->pid;
        push_info(*self);
        return reply(self->sid);
    }
    case LinuxSyscall::setpgid: {
        int64_t pid_arg = int32_t(c.args[0]), pgid_arg = int32_t(c.args[1]);
        if (pgid_arg < 0)
            return reply(-EINVAL);
        uint32_t pid = pid_arg ? uint32_t(pid_arg) : c.pid;
        Proc* target = g_table.find(pid);
        if (!target || target->exited || (pid != c.pid && target->ppid != c.pid))
            return reply(-ESRCH);
        if (pid != c.pid && target->execed)
            return reply(-EACCES);
        if (target->sid != self->sid)
            return reply(-EPERM);
        if (target->sid == target->pid)
            return reply(-EPERM); // a session leader
        uint32_t pgid = pgid_arg ? uint32_t(pgid_arg) : pid;
        if (pgid != pid) {
            bool exists = false;
            for (const Proc* p : g_table.all())
                if (p->pgid == pgid && p->sid == self->sid && !p->exited)
                    exists = true;
            if (!exists)
                return reply(-EPERM);
        }
        target->pgid = pgid;
        push_info(*target);
        return reply(0);
    }
    default:
        return reply(-ENOSYS);
    }
}

// getrusage and times: the caller's CPU time from the kernel, its reaped
// children's from the tree.
void handle_usage(Call& call, const LinuxCall& c) {
    const Proc* self = g_table.find(c.pid);
    uint64_t children = self ? self->children_ms : 0;
    abi::ProcessInfo info = kernel_info(self, c.pid);
    if (LinuxSyscall(c.nr) == LinuxSyscall::getrusage) {
        int32_t who = int32_t(c.args[0]); // RUSAGE_SELF 0, RUSAGE_CHILDREN -1, RUSAGE_THREAD 1
        if (who != 0 && who != -1 && who != 1)
            return LinuxReply::error(EINVAL).write(call.writer());
        std::string ru =
            who == -1 ? rusage_text(children, 0) : rusage_text(info.cpu_ticks, info.user_pages * 4);
        LinuxReply r(0);
        r.out(1, ru.data(), ru.size());
        return r.write(call.writer());
    }
    // times: clock ticks of 1/100 s (sysconf(_SC_CLK_TCK)) since boot.
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    int64_t tms[4] = {int64_t(info.cpu_ticks / 10), 0, int64_t(children / 10), 0};
    LinuxReply r(ts.tv_sec * 100 + ts.tv_nsec / 10000000);
    if (c.args[0])
        r.out(0, tms, sizeof tms);
    r.write(call.writer());
}

void handle_linux_syscall(Call& call) {
    auto decoded = LinuxCall::decode(call);
    if (decoded.is_error()) {
        call.fail(decoded.error().code(), decoded.error().reason());
        return;
    }
    const LinuxCall& c = decoded.value();
    switch (LinuxSyscall(c.nr)) {
    case LinuxSyscall::wait4:
        handle_wait(call, c, false);
        break;
    case LinuxSyscall::waitid:
        handle_wait(call, c, true);
        break;
    case LinuxSyscall::getppid: {
        const Proc* p = g_table.find(c.pid);
        LinuxReply(p ? int64_t(p->ppid) : 0).write(call.writer());
        break;
    }
    case LinuxSyscall::getrusage:
    case LinuxSyscall::times:
        handle_usage(call, c);
        break;
    case LinuxSyscall::fork:
    case LinuxSyscall::vfork:
    case LinuxSyscall::clone:
        handle_fork(call, c);
        break;
    case LinuxSyscall::setpgid:
    case LinuxSyscall::getpgid:
    case LinuxSyscall::getpgrp:
    case LinuxSyscall::setsid:
    case LinuxSyscall::getsid:
        handle_groups(call, c);
        break;
    default:
        LinuxReply::error(ENOSYS).write(call.writer());
    }
    if (c.process)
        user::handle_close(c.process);
}

Proc proc_from_handle(uint32_t handle, uint32_t ppid) {
    abi::ProcessInfo info{};
    Proc p;
    if (user::process_info(handle, &info) == 0) {
        p.pid = info.pid;
        p.koid = info.koid;
        p.name = info.name;
    }
    p.ppid = ppid;
    p.handle = handle;
    return p;
}

void handle_adopt(Call& call) {
    if (g_adopter_koid && call.sender_koid() != g_adopter_koid) {
        call.fail(EPERM, "only the privilege root adopts processes");
        return;
    }
    auto rd = call.reader();
    uint32_t count = rd.u32();
    std::vector<uint32_t> parents;
    for (uint32_t i = 0; i < count && rd.ok(); ++i)
        parents.push_back(rd.u32());
    if (!rd.ok() || count != call.handle_count()) {
        call.fail(EINVAL, "ADOPT: one parent pid per process handle");
        return;
    }
    if (!g_adopter_koid) {
        g_adopter_koid = call.sender_koid();
        // From now on the kernel reports every exit to us.
        int64_t r = user::process_events(g_server->endpoint());
        if (r < 0)
            log("cannot subscribe to process events: %s", abi::errno_description(Errno(-r)));
    }
    for (uint32_t i = 0; i < count; ++i) {
        handle_t h = call.take_handle(i);
        Proc p = proc_from_handle(h, parents[i]);
        if (p.pid == 0) {
            user::handle_close(h);
            continue;
        }
        if (p.name == "loaderd")
            g_loaderd_pid = p.pid;
        // Adopted processes are not offloaded for wait4: they never wait,
        // so reap_unwaited() collects their children.
        p.adopted = true;
        p.pgid = p.sid = p.pid;
        log("adopted pid %u (%s), parent %u", p.pid, p.name.c_str(), p.ppid);
        g_table.add(std::move(p));
    }
    call.writer().u32(count);
}

void handle_register(Call& call) {
    if (!g_loaderd_pid || call.sender_pid() != g_loaderd_pid) {
        call.fail(EPERM, "only loaderd registers new processes");
        return;
    }
    auto rd = call.reader();
    uint32_t parent = rd.u32();
    uint32_t role = rd.u32();
    if (!rd.ok() || call.handle_count() != 1) {
        call.fail(EINVAL, "REGISTER: parent pid, role and one process handle");
        return;
    }
    uint32_t h = call.take_handle(0);
    if (role & 1) {
        int64_t r = user::process_set_pid(h, procd::kInitPid);
        if (r < 0) {
            user::handle_close(h);
            call.fail(Errno(-r), "cannot give pid 1 to the init process");
            return;
        }
    }
    Proc p = proc_from_handle(h, parent);
    if (p.pid == 0) {
        user::handle_close(h);
        call.fail(ESRCH, "no such process");
        return;
    }
    const Proc* pp = parent ? g_table.find(parent) : nullptr;
    if (parent && !pp)
        p.ppid = procd::kInitPid; // an unknown parent: the orphan goes to init
    bool new_session = (role & 1) || (role & 2) || !pp || pp->adopted;
    p.pgid = new_session ? p.pid : pp->pgid;
    p.sid = new_session ? p.pid : pp->sid;
    uint32_t pid = p.pid;
    g_table.add(std::move(p));
    push_info(*g_table.find(pid));
    call.writer().u32(pid);
}

void handle_set_name(Call& call) {
    if (!g_loaderd_pid || call.sender_pid() != g_loaderd_pid) {
        call.fail(EPERM, "only loaderd renames processes");
        return;
    }
    auto rd = call.reader();
    uint32_t pid = rd.u32();
    StringView name = rd.str(64);
    if (!rd.ok())
        return;
    if (Proc* p = g_table.find(pid)) {
        p->name.assign(name.data(), name.size());
        p->execed = true;
    }
    release_vfork_parent(pid);
}

void handle_list(Call& call) {
    auto all = g_table.all();
    call.writer().u32(uint32_t(all.size()));
    for (const Proc* p : all) {
        call.writer().u32(p->pid).u32(p->ppid).u32(p->exited ? 1 : 0).i32(p->wait_status);
        call.writer().str(StringView(p->name.data(), p->name.size()));
    }
}

void handle_event(const Message& m) {
    if (!(m.header.flags & ipc::kFromKernel))
        return;
    auto rd = reader_of(m);
    if (m.header.op == ipc::op::KERNEL_CANCEL) {
        // A signal for a thread waiting in wait4/waitid: it returns EINTR
        // (the handler runs; SA_RESTART restarts the wait).
        uint32_t tid = rd.u32();
        for (size_t i = 0; rd.ok() && i < g_waiters.size(); ++i) {
            if (g_waiters[i].tid != tid)
                continue;
            auto msg = new_message();
            LinuxReply::error(EINTR).write(*msg);
            (void)g_waiters[i].reply.send(*msg);
            g_waiters.erase(g_waiters.begin() + long(i));
            break;
        }
        return;
    }
    uint32_t pid = rd.u32();
    rd.u64();
    int32_t arg = rd.i32();
    if (!rd.ok())
        return;
    Proc* p = g_table.find(pid);
    switch (m.header.op) {
    case ipc::op::KERNEL_PROCESS_EXITED: {
        // The waits of the process that ended died with it.
        for (size_t i = 0; i < g_waiters.size();) {
            if (g_waiters[i].pid == pid)
                g_waiters.erase(g_waiters.begin() + long(i));
            else
                ++i;
        }
        uint32_t parent = p ? p->ppid : 0;
        g_table.mark_exited(pid, arg);
        release_vfork_parent(pid);
        if (p)
            raise_sigchld(parent, pid, (arg & 0x7f) ? kCldKilled : kCldExited,
                          (arg & 0x7f) ? int32_t(arg & 0x7f) : int32_t((arg >> 8) & 0xff));
        break;
    }
    case ipc::op::KERNEL_PROCESS_STOPPED:
        if (p) {
            p->stopped = true;
            p->stop_signal = arg;
            p->report_stop = true;
            p->report_continue = false;
            raise_sigchld(p->ppid, pid, kCldStopped, int32_t(arg));
        }
        break;
    case ipc::op::KERNEL_PROCESS_CONTINUED:
        if (p) {
            p->stopped = false;
            p->report_stop = false;
            p->report_continue = true;
            raise_sigchld(p->ppid, pid, kCldContinued, 18 /* SIGCONT */);
        }
        break;
    default:
        return;
    }
    satisfy_waiters();
    reap_unwaited();
}

} // namespace

int main() {
    Server server("procd", ipc::service::PROCD);
    g_server = &server;
    server.serve_linux_calls();
    server.set_not_yet("threads of a process are not listed separately; no ptrace");
    server.on(ipc::op::KERNEL_LINUX_SYSCALL, handle_linux_syscall);
    server.on(ipc::op::PROCD_ADOPT, handle_adopt);
    server.on(ipc::op::PROCD_REGISTER, handle_register);
    server.on(ipc::op::PROCD_SET_NAME, handle_set_name);
    server.on(ipc::op::PROCD_LIST, handle_list);
    server.on_event(handle_event);
    return run(server);
}
