// procd: the process tree and Linux pids, wait4/waitid/getppid (offloaded
// by the kernel), process accounting for ps-style listings.
//
// Pids: the kernel keeps one id namespace for pids and tids and proposes
// the next free id for every new process; procd decides. Its policy: a
// process registered with the init role gets pid 1, every other keeps the
// proposed id. rootd and the foundational services started before procd
// are adopted with the ids they already have (rootd is the parent of the
// foundational services, like kthreadd of kernel threads on Linux).
#include "process_table.h"

#include <rustos/service/log.h>
#include <rustos/service/server.h>

#include <string>
#include <vector>

using namespace rustos;
using namespace rustos::service;
using procd::Proc;
using procd::ProcessTable;
using procd::WaitOutcome;

namespace {

constexpr uint32_t kSysWait4 = 61, kSysGetppid = 110, kSysWaitid = 247;
constexpr uint32_t kWnohang = 1, kWuntraced = 2, kWexited = 4, kWcontinued = 8,
                   kWnowait = 0x01000000;
constexpr uint32_t kWaitFlagsIgnored =
    0x20000000 | 0x40000000 | 0x80000000; // __WNOTHREAD __WALL __WCLONE
constexpr uint32_t kPAll = 0, kPPid = 1, kPPgid = 2;
constexpr int32_t kSigchld = 17, kCldExited = 1, kCldKilled = 2;
constexpr size_t kSizeofRusage = 144, kSizeofSiginfo = 128;

struct Waiter {
    uint32_t pid; // the waiting process
    procd::WaitSelector selector;
    uint32_t options;
    bool is_waitid;
    DeferredReply reply;
};

ProcessTable g_table;
std::vector<Waiter> g_waiters;
uint64_t g_adopter_koid = 0; // rootd: the only process allowed to ADOPT
uint32_t g_loaderd_pid = 0;  // the only process allowed to REGISTER
Server* g_server;

// Builds the kernel-facing reply of an offloaded call: i64 result, then
// output blocks (u32 argument index, bytes).
struct SyscallReply {
    int64_t result = 0;
    std::vector<std::pair<uint32_t, std::string>> outputs;

    void write(MessageWriter& w) const {
        w.i64(result).u32(uint32_t(outputs.size()));
        for (auto& [arg, data] : outputs) {
            w.u32(arg);
            w.bytes(data.data(), data.size());
        }
    }
    void write(Message& m) const {
        MessageWriter w(m);
        write(w);
        w.finish();
    }
};

std::string rusage_of(const Proc& p) {
    std::string ru(kSizeofRusage, '\0');
    abi::ProcessInfo info{};
    if (p.handle && user::process_info(p.handle, &info) == 0) {
        int64_t tv[2] = {int64_t(info.cpu_ticks / 1000), int64_t((info.cpu_ticks % 1000) * 1000)};
        __builtin_memcpy(ru.data(), tv, sizeof tv); // ru_utime
    }
    return ru;
}

std::string siginfo_of(const Proc& p) {
    std::string si(kSizeofSiginfo, '\0');
    int32_t status = p.wait_status;
    bool killed = (status & 0x7f) != 0;
    int32_t fields[] = {kSigchld,
                        0,
                        killed ? kCldKilled : kCldExited,
                        0,
                        int32_t(p.pid),
                        0,
                        killed ? (status & 0x7f) : ((status >> 8) & 0xff)};
    __builtin_memcpy(si.data(), fields, sizeof fields);
    return si;
}

// The answer for a wait that found `pid` reapable.
SyscallReply collected(const Proc& p, bool is_waitid) {
    SyscallReply r;
    if (is_waitid) {
        r.result = 0;
        r.outputs.push_back({2, siginfo_of(p)});
        r.outputs.push_back({4, rusage_of(p)});
    } else {
        r.result = p.pid;
        std::string status(4, '\0');
        __builtin_memcpy(status.data(), &p.wait_status, 4);
        r.outputs.push_back({1, status});
        r.outputs.push_back({3, rusage_of(p)});
    }
    return r;
}

void reap(uint32_t pid) {
    auto p = g_table.reap(pid);
    if (p && p->handle)
        user::handle_close(p->handle);
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

// Answers every deferred wait that can now be answered.
void satisfy_waiters() {
    for (size_t i = 0; i < g_waiters.size();) {
        Waiter& w = g_waiters[i];
        auto check = g_table.check_wait(w.pid, w.selector);
        if (check.outcome == WaitOutcome::NotYet) {
            ++i;
            continue;
        }
        auto msg = new_message();
        if (check.outcome == WaitOutcome::NoChildren) {
            SyscallReply r;
            r.result = -ECHILD;
            r.write(*msg);
        } else {
            collected(*g_table.find(check.pid), w.is_waitid).write(*msg);
        }
        auto sent = w.reply.send(*msg);
        // Only a delivered answer consumes the child; a caller that gave up
        // leaves it for the next wait.
        if (!sent.is_error() && check.outcome == WaitOutcome::Reapable && !(w.options & kWnowait))
            reap(check.pid);
        g_waiters.erase(g_waiters.begin() + long(i));
    }
}

void handle_wait(Call& call, uint32_t caller, const uint64_t* args, bool is_waitid) {
    procd::WaitSelector sel{};
    uint32_t options;
    if (is_waitid) {
        uint32_t idtype = uint32_t(args[0]);
        options = uint32_t(args[3]);
        if (idtype == kPAll)
            sel.pid = -1;
        else if (idtype == kPPid && int32_t(args[1]) > 0)
            sel.pid = int32_t(args[1]);
        else if (idtype == kPPgid && int32_t(args[1]) >= 0)
            sel.pid = args[1] ? -int64_t(int32_t(args[1])) : 0;
        else {
            SyscallReply{-EINVAL, {}}.write(call.writer());
            return;
        }
        if (!(options & (kWexited | kWuntraced | kWcontinued)) ||
            (options &
             ~(kWnohang | kWuntraced | kWexited | kWcontinued | kWnowait | kWaitFlagsIgnored))) {
            SyscallReply{-EINVAL, {}}.write(call.writer());
            return;
        }
    } else {
        sel.pid = int32_t(args[0]);
        options = uint32_t(args[2]);
        if (options & ~(kWnohang | kWuntraced | kWcontinued | kWaitFlagsIgnored) ||
            sel.pid == INT32_MIN) {
            SyscallReply{-EINVAL, {}}.write(call.writer());
            return;
        }
    }
    auto check = g_table.check_wait(caller, sel);
    if (check.outcome == WaitOutcome::NoChildren) {
        SyscallReply{-ECHILD, {}}.write(call.writer());
        return;
    }
    if (check.outcome == WaitOutcome::Reapable) {
        collected(*g_table.find(check.pid), is_waitid).write(call.writer());
        if (!(is_waitid && (options & kWnowait)))
            reap(check.pid);
        return;
    }
    if (options & kWnohang) {
        SyscallReply r;
        if (is_waitid)
            r.outputs.push_back({2, std::string(kSizeofSiginfo, '\0')});
        r.write(call.writer());
        return;
    }
    g_waiters.push_back({caller, sel, options, is_waitid, call.defer()});
}

void handle_linux_syscall(Call& call) {
    if (!call.from_kernel()) {
        call.fail(EPERM, "only the kernel offloads system calls");
        return;
    }
    auto rd = call.reader();
    uint32_t nr = rd.u32();
    rd.u32();
    uint64_t args[6];
    for (auto& a : args)
        a = rd.u64();
    if (!rd.ok()) {
        call.fail(EINVAL, "malformed offload request");
        return;
    }
    uint32_t caller = call.sender_pid();
    switch (nr) {
    case kSysWait4:
        handle_wait(call, caller, args, false);
        return;
    case kSysWaitid:
        handle_wait(call, caller, args, true);
        return;
    case kSysGetppid: {
        const Proc* p = g_table.find(caller);
        SyscallReply{p ? int64_t(p->ppid) : 0, {}}.write(call.writer());
        return;
    }
    default:
        SyscallReply{-ENOSYS, {}}.write(call.writer());
    }
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
        Proc p = proc_from_handle(call.handle(i), parents[i]);
        if (p.pid == 0) {
            user::handle_close(call.handle(i));
            continue;
        }
        if (p.name == "loaderd")
            g_loaderd_pid = p.pid;
        // Adopted processes are not offloaded for wait4: they never wait,
        // so reap_unwaited() collects their children.
        p.adopted = true;
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
    uint32_t h = call.handle(0);
    if (role == 1) {
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
    if (parent && !g_table.find(parent))
        p.ppid = procd::kInitPid; // an unknown parent: the orphan goes to init
    uint32_t pid = p.pid;
    g_table.add(std::move(p));
    call.writer().u32(pid);
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
    if (!(m.header.flags & ipc::kFromKernel) || m.header.op != ipc::op::KERNEL_PROCESS_EXITED)
        return;
    auto rd = reader_of(m);
    uint32_t pid = rd.u32();
    rd.u64();
    int32_t status = rd.i32();
    if (!rd.ok())
        return;
    // The waits of the process that ended died with it.
    for (size_t i = 0; i < g_waiters.size();) {
        if (g_waiters[i].pid == pid)
            g_waiters.erase(g_waiters.begin() + long(i));
        else
            ++i;
    }
    g_table.mark_exited(pid, status);
    satisfy_waiters();
    reap_unwaited();
}

} // namespace

int main() {
    Server server("procd", ipc::service::PROCD);
    g_server = &server;
    server.set_not_yet(
        "fork/vfork/clone of processes, process groups and sessions (setpgid, setsid), "
        "signals to process groups");
    server.serve_linux_calls();
    server.on(ipc::op::KERNEL_LINUX_SYSCALL, handle_linux_syscall);
    server.on(ipc::op::PROCD_ADOPT, handle_adopt);
    server.on(ipc::op::PROCD_REGISTER, handle_register);
    server.on(ipc::op::PROCD_LIST, handle_list);
    server.on_event(handle_event);
    auto started = server.start();
    if (started.is_error()) {
        log("cannot start: %s", started.error().reason());
        return 1;
    }
    server.serve();
}
