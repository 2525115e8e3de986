// syscalld: Linux memory, clock and signal policy.
//
//  - memory: mmap (anonymous and file-backed), munmap, mprotect, mremap,
//    madvise, brk — decided here, carried out in the caller's address space
//    through SYS_RUSTOS_MM_BROKER (file contents come from vfsd);
//  - signals: dispositions, masks, pending sets, alternate stacks, kill and
//    friends, default actions; handlers run through SYS_RUSTOS_SIGNAL_DELIVER
//    (the kernel builds the frame), stops, continues and terminations
//    through SYS_RUSTOS_SIGNAL_PROCESS;
//  - clocks: nanosleep, clock_nanosleep, alarm, setitimer, POSIX timers;
//  - limits and credentials: prlimit64 and friends, getuid and friends.
#include "signal_state.h"

#include <rustos/service/linux_call.h>
#include <rustos/service/log.h>
#include <rustos/service/server.h>

#include <rustos/abi/rlimits.h>
#include <rustos/abi/syscalls.h>

#include <cstring>
#include <list>
#include <map>
#include <optional>

using namespace rustos;
using namespace rustos::service;
using namespace syscalld;
using rustos::abi::LinuxSyscall;

namespace {

constexpr uint64_t kPage = 4096;
constexpr uint64_t kNs = 1000000000ull;

using abi::kNumRlimits;
using abi::Rlimit;

struct Timer {
    uint32_t pid;
    int id;           // -1: ITIMER_REAL/alarm; >= 0: timer_create id
    uint64_t next_ns; // 0: disarmed
    uint64_t interval_ns;
    int signo;
    uint64_t sigval;
    uint32_t target_tid; // SIGEV_THREAD_ID
    bool notify;         // SIGEV_NONE: never signals
    uint32_t overrun = 0;
    // Counts the process's CPU time (ITIMER_VIRTUAL/PROF, ids -2/-3, and
    // CLOCK_PROCESS_CPUTIME_ID timers): next_ns is then CPU time, and the
    // kernel tells us when it is due (KERNEL_CPU_ALARM).
    bool cpu = false;
};

struct Proc {
    ProcessSignals signals;
    Rlimit rlimits[kNumRlimits];
    uint32_t pgid = 0, sid = 0, ppid = 0;
    std::map<uint32_t, uint32_t> job_bits_sent; // tid → what vfsd last heard
    explicit Proc(uint32_t pid);
};

Proc::Proc(uint32_t pid) : signals(pid) {
    for (int i = 0; i < kNumRlimits; ++i)
        rlimits[i] = abi::default_rlimit(i);
}

enum class WaitKind { Sleep, Suspend, Pause, SigWait };

struct Parked {
    LinuxCall call;
    WaitKind kind;
    uint64_t deadline_ns;       // 0: none
    uint64_t original_mask = 0; // sigsuspend
    uint64_t wait_set = 0;      // sigtimedwait
    DeferredReply reply;
};

std::map<uint32_t, Proc> g_procs;
std::list<Parked> g_parked;
std::list<Timer> g_timers;
int g_next_timer_id = 0;
Handle g_vfsd;
handle_t g_endpoint; // ours, where the kernel posts CPU-time alarms

Proc& proc(uint32_t pid) {
    auto it = g_procs.find(pid);
    if (it == g_procs.end())
        it = g_procs.emplace(pid, Proc(pid)).first;
    return it->second;
}

void send(DeferredReply& r, const LinuxReply& lr) {
    auto m = new_message();
    lr.write(*m);
    (void)r.send(*m);
}

// --- signals ---

// The thread `tid` is parked here: a signal for it ends the wait.
void interrupt_parked(uint32_t tid) {
    for (auto it = g_parked.begin(); it != g_parked.end(); ++it) {
        if (it->call.tid != tid)
            continue;
        LinuxReply r = LinuxReply::error(EINTR);
        if (it->kind == WaitKind::Sleep && it->deadline_ns) {
            uint64_t now = monotonic_ns();
            uint64_t left = it->deadline_ns > now ? it->deadline_ns - now : 0;
            int64_t ts[2] = {int64_t(left / kNs), int64_t(left % kNs)};
            uint32_t rem_arg = LinuxSyscall(it->call.nr) == LinuxSyscall::nanosleep ? 1 : 3;
            bool absolute = LinuxSyscall(it->call.nr) == LinuxSyscall::clock_nanosleep &&
                            (it->call.args[1] & 1);
            if (!absolute)
                r.out(rem_arg, ts, sizeof ts);
        }
        send(it->reply, r);
        g_parked.erase(it);
        return;
    }
}

// Runs the handler of `sig` on thread `tid`. False when the thread is gone.
bool deliver(Proc& p, uint32_t tid, int sig, const SigInfo& info) {
    for (auto& pk : g_parked)
        if (pk.call.tid == tid && pk.kind == WaitKind::Suspend)
            p.signals.thread(tid).mask =
                pk.original_mask; // the frame restores the pre-sigsuspend mask
    Action a = p.signals.action(sig);
    abi::SignalDelivery d{};
    d.handler = a.handler;
    d.restorer = a.restorer;
    d.flags = a.flags;
    d.signo = sig;
    const AltStack& alt = p.signals.thread(tid).altstack;
    d.altstack_sp = alt.sp;
    d.altstack_size = alt.size;
    d.altstack_flags = alt.flags;
    std::string si = info.bytes();
    std::memcpy(d.siginfo, si.data(), sizeof d.siginfo);
    uint64_t saved = p.signals.begin_handler(tid, sig);
    d.saved_mask = saved;
    int64_t r = user::signal_deliver(tid, &d);
    if (r < 0) {
        p.signals.thread(tid).mask = saved;
        p.signals.forget_thread(tid);
        return false;
    }
    interrupt_parked(tid);
    return true;
}

void raise_signal(uint32_t pid, int sig, const SigInfo& info, uint32_t target_tid = 0) {
    if (sig < 1 || sig > kNumSignals)
        return;
    Proc& p = proc(pid);
    // Linux: init gets only the signals it handles; kill -9 1 does nothing
    // (the kernel still ends it for a fault nobody handles).
    if (pid == 1 && p.signals.action(sig).handler == kSigDfl)
        return;
    if (sig == SIGCONT)
        user::signal_process(pid, abi::SignalOp::Continue, uint32_t(sig));
    for (int attempt = 0; attempt < 4; ++attempt) {
        Decision d = p.signals.raise(sig, info, target_tid);
        switch (d.verdict) {
        case Verdict::Ignore:
        case Verdict::Continue:
        case Verdict::Pending:
            // Someone waiting in sigtimedwait/sigsuspend for it?
            for (auto& pk : g_parked) {
                if (pk.call.pid != pid)
                    continue;
                if (pk.kind == WaitKind::SigWait && (pk.wait_set & bit(sig))) {
                    auto taken = p.signals.take_pending(pk.call.tid, bit(sig));
                    if (taken) {
                        LinuxReply r(taken->first);
                        std::string b = taken->second.bytes();
                        r.out(1, b.data(), b.size());
                        send(pk.reply, r);
                        g_parked.remove_if([&](const Parked& x) { return &x == &pk; });
                    }
                    break;
                }
            }
            return;
        case Verdict::Terminate:
            user::signal_process(pid, abi::SignalOp::Kill, uint32_t(sig));
            return;
        case Verdict::Stop:
            user::signal_process(pid, abi::SignalOp::Stop, uint32_t(sig));
            return;
        case Verdict::Handle:
            if (deliver(p, d.tid, sig, info))
                return;
            break; // the thread is gone: decide again
        }
    }
}

SigInfo kill_info(int sig, uint32_t sender, int code = 0) {
    SigInfo info;
    info.signo = sig;
    info.code = code;                       // SI_USER 0, SI_TKILL -6
    std::memcpy(info.rest + 4, &sender, 4); // si_pid at offset 16
    return info;
}

std::vector<uint32_t> all_pids() {
    std::vector<abi::ProcessInfo> list(512);
    int64_t n = user::process_list(list.data(), list.size());
    std::vector<uint32_t> pids;
    for (int64_t i = 0; i < n && i < int64_t(list.size()); ++i)
        pids.push_back(list[size_t(i)].pid);
    return pids;
}

// Live, or a zombie its parent has not reaped (kill(pid, 0) succeeds).
bool process_exists(uint32_t pid) { return user::process_find(pid, nullptr) >= 0; }

// After a thread's mask changed: deliver what it can take now.
void deliver_pending(uint32_t pid, uint32_t tid) {
    Proc& p = proc(pid);
    for (int i = 0; i < kNumSignals; ++i) {
        auto next = p.signals.next_deliverable(tid);
        if (!next)
            return;
        Action a = p.signals.action(next->first);
        if (a.handler == kSigDfl || a.handler == kSigIgn) {
            raise_signal(pid, next->first, next->second, tid);
            continue;
        }
        deliver(p, tid, next->first, next->second);
        return; // one frame now; the next after its sigreturn
    }
}

LinuxReply kill_call(const LinuxCall& c) {
    int32_t target = int32_t(c.args[0]);
    int sig = int(c.args[1]);
    if (sig < 0 || sig > kNumSignals)
        return LinuxReply::error(EINVAL);
    std::vector<uint32_t> targets;
    if (target > 0) {
        if (!process_exists(uint32_t(target)))
            return LinuxReply::error(ESRCH);
        targets.push_back(uint32_t(target));
    } else {
        uint32_t group =
            target == 0 ? (proc(c.pid).pgid ? proc(c.pid).pgid : c.pid) : uint32_t(-target);
        for (uint32_t pid : all_pids()) {
            if (target == -1) {
                if (pid != 1 && pid != c.pid && g_procs.count(pid))
                    targets.push_back(pid);
                continue;
            }
            auto it = g_procs.find(pid);
            uint32_t pg = it != g_procs.end() && it->second.pgid ? it->second.pgid : pid;
            if (pg == group)
                targets.push_back(pid);
        }
        if (targets.empty())
            return LinuxReply::error(ESRCH);
    }
    if (sig == 0)
        return LinuxReply(0);
    for (uint32_t pid : targets)
        raise_signal(pid, sig, kill_info(sig, c.pid));
    return LinuxReply(0);
}

// --- memory ---

int64_t mm(abi::MmOp op, const LinuxCall& c, uint64_t addr, uint64_t len, uint64_t prot,
           uint64_t flags) {
    return user::mm_broker(op, c.process, addr, len, prot, flags);
}

ErrorOr<Handle> vfsd() {
    if (!g_vfsd)
        g_vfsd = TRY(lookup(ipc::service::VFSD, 1'000'000'000ull));
    return Handle(handle_t(user::handle_duplicate(g_vfsd.get(), abi::RIGHT_CALL)));
}

// mmap of a file through its memory object (VFSD_MAP_FD). nullopt when
// the file has none (vfsd answered ENODEV): the caller copies instead.
std::optional<LinuxReply> map_file_object(const LinuxCall& c, handle_t vfsd_ep, int32_t fd,
                                          uint64_t addr, uint64_t len, uint64_t prot,
                                          uint64_t mm_flags, uint64_t offset,
                                          bool shared_writable) {
    auto req = new_message(ipc::op::VFSD_MAP_FD);
    auto rep = new_message();
    MessageWriter w(*req);
    w.u32(c.pid).i32(fd).u32(shared_writable ? 1 : 0);
    w.finish();
    auto r = call(vfsd_ep, *req, *rep);
    if (r.is_error())
        return r.error().code() == ENODEV ? std::nullopt
                                          : std::optional(LinuxReply::error(r.error().code()));
    Handle object(rep->header.handle_count ? rep->header.handles[0] : 0);
    auto rd = reader_of(*rep);
    rd.u64(); // size: past its end the mapping faults with SIGBUS
    uint32_t mode = rd.u32(), open_flags = rd.u32();
    (void)mode;
    if (!rd.ok() || !object)
        return LinuxReply::error(EIO);
    if ((open_flags & 3) == 1) // O_WRONLY
        return LinuxReply::error(EACCES);
    return LinuxReply(user::mm_map_object(c.process, object.get(), addr, len,
                                          abi::mm_prot_flags(uint32_t(prot), mm_flags), offset));
}

LinuxReply mmap_call(const LinuxCall& c) {
    constexpr uint64_t kMapShared = 1, kMapSharedValidate = 3, kMapFixed = 0x10,
                       kMapAnonymous = 0x20, kMapFixedNoreplace = 0x100000;
    uint64_t addr = c.args[0], len = c.args[1], prot = c.args[2], flags = c.args[3],
             offset = c.args[5];
    int32_t fd = int32_t(c.args[4]);
    uint64_t type = flags & 3;
    if (len == 0 || type == 0)
        return LinuxReply::error(EINVAL);
    if (prot & ~uint64_t(7))
        return LinuxReply::error(EINVAL);
    if (offset & (kPage - 1))
        return LinuxReply::error(EINVAL);
    if (type == kMapSharedValidate)
        type = kMapShared;
    uint64_t mm_flags = ((flags & kMapFixed) ? abi::MM_FIXED : 0) |
                        ((flags & kMapFixedNoreplace) ? abi::MM_NOREPLACE : 0) |
                        (type == kMapShared ? abi::MM_SHARED : 0);
    if (flags & kMapAnonymous) {
        int64_t r = mm(abi::MmOp::Map, c, addr, len, prot, mm_flags);
        return LinuxReply(r);
    }
    auto v = vfsd();
    if (v.is_error())
        return LinuxReply::error(ENODEV);
    // A file with a page cache (tmpfs, the boot bundle): its memory object
    // is mapped, shared or copy-on-write; no bytes are copied.
    auto mapped = map_file_object(c, v.value().get(), fd, addr, len, prot, mm_flags, offset,
                                  type == kMapShared && (prot & 2));
    if (mapped)
        return *mapped;
    // Any other file (procfs, ...): its contents are copied into a private
    // mapping.
    auto req = new_message(ipc::op::VFSD_READ_FD);
    auto rep = new_message();
    {
        MessageWriter w(*req);
        w.u32(c.pid).i32(fd).u64(offset).u32(0);
        w.finish();
    }
    auto first = call(v.value().get(), *req, *rep);
    if (first.is_error())
        return LinuxReply::error(first.error().code());
    auto rd = reader_of(*rep);
    uint64_t size = rd.u64();
    uint32_t mode = rd.u32(), open_flags = rd.u32();
    if (!rd.ok())
        return LinuxReply::error(EIO);
    if ((mode & 0170000) == 0020000) // a character device (/dev/zero): anonymous memory
        return LinuxReply(mm(abi::MmOp::Map, c, addr, len, prot, mm_flags & ~abi::MM_SHARED));
    if ((open_flags & 3) == 1) // O_WRONLY
        return LinuxReply::error(EACCES);
    if (type == kMapShared && (prot & 2) && (open_flags & 3) == 0)
        return LinuxReply::error(EACCES);
    int64_t at = mm(abi::MmOp::Map, c, addr, len, prot, mm_flags & ~abi::MM_SHARED);
    if (at < 0)
        return LinuxReply(at);
    uint64_t want = offset < size ? std::min<uint64_t>(len, size - offset) : 0;
    uint64_t done = 0;
    while (done < want) {
        MessageWriter w(*req);
        req->reset(ipc::op::VFSD_READ_FD);
        w.u32(c.pid)
            .i32(fd)
            .u64(offset + done)
            .u32(uint32_t(std::min<uint64_t>(want - done, 65536)));
        w.finish();
        auto r = call(v.value().get(), *req, *rep);
        if (r.is_error())
            break;
        auto rr = reader_of(*rep);
        rr.u64();
        rr.u32();
        rr.u32();
        size_t n = 0;
        const uint8_t* data = rr.bytes(&n);
        if (!rr.ok() || n == 0)
            break;
        mm(abi::MmOp::Write, c, uint64_t(at) + done, n, 0, uint64_t(data));
        done += n;
    }
    return LinuxReply(at);
}

LinuxReply memory_call(const LinuxCall& c) {
    switch (LinuxSyscall(c.nr)) {
    case LinuxSyscall::mmap:
        return mmap_call(c);
    case LinuxSyscall::munmap:
        return LinuxReply(mm(abi::MmOp::Unmap, c, c.args[0], c.args[1], 0, 0));
    case LinuxSyscall::mprotect:
        return LinuxReply(mm(abi::MmOp::Protect, c, c.args[0], c.args[1], c.args[2], 0));
    case LinuxSyscall::brk:
        return LinuxReply(mm(abi::MmOp::Brk, c, c.args[0], 0, 0, 0));
    case LinuxSyscall::mremap: {
        constexpr uint64_t MREMAP_MAYMOVE = 1, MREMAP_FIXED = 2;
        if (c.args[3] & ~(MREMAP_MAYMOVE | MREMAP_FIXED) || (c.args[3] & MREMAP_FIXED))
            return LinuxReply::error(EINVAL);
        return LinuxReply(mm(abi::MmOp::Remap, c, c.args[0], c.args[1], c.args[2],
                             (c.args[3] & MREMAP_MAYMOVE) ? abi::MM_MAYMOVE : 0));
    }
    case LinuxSyscall::madvise:
        if (c.args[0] & (kPage - 1))
            return LinuxReply::error(EINVAL);
        // Linux 6.1 knows MADV_NORMAL..DONTNEED (0-4), FREE..COLLAPSE (8-25)
        // and the two memory-failure tests (100, 101).
        if ((c.args[2] > 4 && c.args[2] < 8) ||
            (c.args[2] > 25 && c.args[2] != 100 && c.args[2] != 101))
            return LinuxReply::error(EINVAL);
        if (c.args[2] == 4) // MADV_DONTNEED
            return LinuxReply(mm(abi::MmOp::Discard, c, c.args[0], c.args[1], 0, 0));
        return LinuxReply(0);
    case LinuxSyscall::msync:
        if (c.args[0] & (kPage - 1))
            return LinuxReply::error(EINVAL);
        return LinuxReply(0);
    default:
        return LinuxReply::error(ENOSYS);
    }
}

// --- clocks and timers ---

bool read_timespec(std::string_view in, uint64_t* ns) {
    if (in.size() < 16)
        return false;
    int64_t v[2];
    std::memcpy(v, in.data(), 16);
    if (v[0] < 0 || v[1] < 0 || v[1] >= int64_t(kNs))
        return false;
    *ns = uint64_t(v[0]) > 100ull * 365 * 86400 ? 100ull * 365 * 86400 * kNs
                                                : uint64_t(v[0]) * kNs + uint64_t(v[1]);
    return true;
}

uint64_t realtime_ns() {
    timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return uint64_t(ts.tv_sec) * kNs + uint64_t(ts.tv_nsec);
}

Timer* find_timer(uint32_t pid, int id) {
    for (auto& t : g_timers)
        if (t.pid == pid && t.id == id)
            return &t;
    return nullptr;
}

// The CPU time process pid has used (1 ms resolution), in ns.
uint64_t cpu_time_ns(uint32_t pid) {
    abi::ProcessInfo info{};
    return user::process_find(pid, &info) < 0 ? 0 : info.cpu_ticks * 1000000ull;
}

uint64_t timer_now(const Timer& t) { return t.cpu ? cpu_time_ns(t.pid) : monotonic_ns(); }

// Asks the kernel for an event when the earliest CPU-time timer of pid is
// due (or cancels it when it has none armed).
void arm_cpu_alarm(uint32_t pid) {
    uint64_t best = 0;
    for (auto& t : g_timers)
        if (t.pid == pid && t.cpu && t.next_ns && (!best || t.next_ns < best))
            best = t.next_ns;
    uint64_t at_ticks = best ? (best + 999999) / 1000000 : 0;
    int64_t r = user::process_cpu_alarm(pid, at_ticks, g_endpoint);
    if (r < 0 && at_ticks)
        log("pid %u: cannot set its CPU-time alarm: %s", pid, abi::errno_description(Errno(-r)));
}

// struct itimerval (setitimer) or itimerspec (timer_settime): {interval, value}.
void timer_times(const Timer* t, bool timeval, int64_t out[4]) {
    uint64_t now = t ? timer_now(*t) : 0;
    uint64_t left = t && t->next_ns > now ? t->next_ns - now : (t && t->next_ns ? 1 : 0);
    uint64_t iv = t ? t->interval_ns : 0;
    uint64_t div = timeval ? 1000 : 1;
    out[0] = int64_t(iv / kNs);
    out[1] = int64_t((iv % kNs) / div);
    out[2] = int64_t(left / kNs);
    out[3] = int64_t((left % kNs) / div);
}

// A timer is due: the next expiry (or none), and its signal.
void fire(Timer& t, uint64_t now) {
    if (t.interval_ns) {
        uint64_t missed = (now - t.next_ns) / t.interval_ns;
        t.overrun = uint32_t(missed);
        t.next_ns += (missed + 1) * t.interval_ns;
    } else {
        t.next_ns = 0;
    }
    if (!t.notify)
        return;
    SigInfo info;
    info.signo = t.signo;
    info.code = t.id < 0 ? 0x80 /* SI_KERNEL */ : -2 /* SI_TIMER */;
    if (t.id >= 0) {
        int32_t tid = t.id, overrun = int32_t(t.overrun);
        std::memcpy(info.rest + 4, &tid, 4);
        std::memcpy(info.rest + 8, &overrun, 4);
        std::memcpy(info.rest + 12, &t.sigval, 8);
    }
    raise_signal(t.pid, t.signo, info, t.target_tid);
}

// The wall-clock timers that are due.
void fire_timers() {
    uint64_t now = monotonic_ns();
    for (auto& t : g_timers)
        if (!t.cpu && t.next_ns && t.next_ns <= now)
            fire(t, now);
}

// KERNEL_CPU_ALARM: pid's CPU-time timers that are due, then the next alarm.
void fire_cpu_timers(uint32_t pid) {
    uint64_t now = cpu_time_ns(pid);
    for (auto& t : g_timers)
        if (t.pid == pid && t.cpu && t.next_ns && t.next_ns <= now)
            fire(t, now);
    arm_cpu_alarm(pid);
}

LinuxReply set_timer(const LinuxCall& c, int id, std::string_view value, bool timeval,
                     uint32_t old_arg, bool absolute) {
    Timer* t = find_timer(c.pid, id);
    int64_t old[4];
    timer_times(t, timeval, old);
    if (value.size() < 32)
        return LinuxReply::error(EFAULT);
    int64_t v[4];
    std::memcpy(v, value.data(), 32);
    uint64_t mul = timeval ? 1000 : 1, lim = timeval ? 1000000 : kNs;
    if (v[0] < 0 || v[2] < 0 || v[1] < 0 || v[3] < 0 || uint64_t(v[1]) >= lim ||
        uint64_t(v[3]) >= lim)
        return LinuxReply::error(EINVAL);
    uint64_t interval = uint64_t(v[0]) * kNs + uint64_t(v[1]) * mul;
    uint64_t value_ns = uint64_t(v[2]) * kNs + uint64_t(v[3]) * mul;
    if (!t) {
        g_timers.push_back(Timer{c.pid, id, 0, 0, SIGALRM, 0, 0, true});
        t = &g_timers.back();
    }
    t->interval_ns = interval;
    if (!value_ns)
        t->next_ns = 0;
    else if (t->cpu)
        t->next_ns = absolute ? std::max<uint64_t>(value_ns, 1) : cpu_time_ns(c.pid) + value_ns;
    else if (absolute) {
        uint64_t now_rt = realtime_ns();
        t->next_ns = monotonic_ns() + (value_ns > now_rt ? value_ns - now_rt : 0);
    } else
        t->next_ns = monotonic_ns() + value_ns;
    if (t->cpu)
        arm_cpu_alarm(c.pid);
    LinuxReply r(0);
    if (c.args[old_arg])
        r.out(old_arg, old, sizeof old);
    return r;
}

// --- the call table ---

struct Ctx {
    const LinuxCall& c;
    Call& ipc;
};

bool park(Ctx& x, WaitKind kind, uint64_t deadline, uint64_t original_mask = 0,
          uint64_t wait_set = 0) {
    g_parked.push_back(Parked{x.c, kind, deadline, original_mask, wait_set, x.ipc.defer()});
    return true;
}

// Returns true when the call was parked (no reply now).
bool handle(Ctx& x, LinuxReply& r) {
    const LinuxCall& c = x.c;
    Proc& p = proc(c.pid);
    ThreadState& me = p.signals.thread(c.tid);
    switch (LinuxSyscall(c.nr)) {
    case LinuxSyscall::mmap:
    case LinuxSyscall::munmap:
    case LinuxSyscall::mprotect:
    case LinuxSyscall::brk:
    case LinuxSyscall::mremap:
    case LinuxSyscall::madvise:
    case LinuxSyscall::msync:
        r = memory_call(c);
        return false;
    case LinuxSyscall::mlock:
    case LinuxSyscall::munlock:
        r = LinuxReply(0);
        return false;
    case LinuxSyscall::rt_sigaction: {
        int sig = int(c.args[0]);
        if (c.args[3] != 8 || sig < 1 || sig > kNumSignals)
            return r = LinuxReply::error(EINVAL), false;
        Action old = p.signals.action(sig);
        if (c.has_input(1)) {
            auto a = c.input_as<Action>(1);
            if (!a || !p.signals.set_action(sig, *a))
                return r = LinuxReply::error(EINVAL), false;
        }
        r = LinuxReply(0);
        if (c.args[2])
            r.out(2, old);
        return false;
    }
    case LinuxSyscall::rt_sigprocmask: {
        if (c.args[3] != 8)
            return r = LinuxReply::error(EINVAL), false;
        uint64_t old = me.mask;
        if (c.has_input(1)) {
            uint64_t set = *c.input_as<uint64_t>(1);
            switch (c.args[0]) {
            case 0: // SIG_BLOCK
                me.mask |= set;
                break;
            case 1: // SIG_UNBLOCK
                me.mask &= ~set;
                break;
            case 2: // SIG_SETMASK
                me.mask = set;
                break;
            default:
                return r = LinuxReply::error(EINVAL), false;
            }
            me.mask &= ~kUnblockable;
        }
        r = LinuxReply(0);
        if (c.args[2])
            r.out(2, old);
        deliver_pending(c.pid, c.tid);
        return false;
    }
    case LinuxSyscall::rt_sigpending:
        r = LinuxReply(0);
        r.out(0, uint64_t(p.signals.pending_for(c.tid) & me.mask));
        return false;
    case LinuxSyscall::rt_sigreturn:
        // The kernel restored the frame; args: the mask it held, the altstack flags.
        me.mask = c.args[0] & ~kUnblockable;
        r = LinuxReply(0);
        deliver_pending(c.pid, c.tid);
        return false;
    case LinuxSyscall::rt_sigsuspend: {
        auto set = c.input_as<uint64_t>(0);
        if (!set)
            return r = LinuxReply::error(EFAULT), false;
        uint64_t original = me.mask;
        me.mask = *set & ~kUnblockable;
        park(x, WaitKind::Suspend, 0, original);
        // A signal already pending that the new mask lets through ends the
        // wait at once: its handler runs, and its frame restores the
        // original mask.
        deliver_pending(c.pid, c.tid);
        return true;
    }
    case LinuxSyscall::pause:
        return park(x, WaitKind::Pause, 0);
    case LinuxSyscall::rt_sigtimedwait: {
        uint64_t set = *c.input_as<uint64_t>(0);
        auto taken = p.signals.take_pending(c.tid, set);
        if (taken) {
            r = LinuxReply(taken->first);
            std::string b = taken->second.bytes();
            r.out(1, b.data(), b.size());
            return false;
        }
        uint64_t deadline = 0;
        if (c.has_input(2)) {
            uint64_t ns;
            if (!read_timespec(c.input(2), &ns))
                return r = LinuxReply::error(EINVAL), false;
            if (ns == 0)
                return r = LinuxReply::error(EAGAIN), false;
            deadline = monotonic_ns() + ns;
        }
        return park(x, WaitKind::SigWait, deadline, 0, set);
    }
    case LinuxSyscall::rt_sigqueueinfo: {
        auto info_bytes = c.input(2);
        SigInfo info;
        if (info_bytes.size() >= 128) {
            std::memcpy(&info.signo, info_bytes.data(), 4);
            std::memcpy(&info.errno_, info_bytes.data() + 4, 4);
            std::memcpy(&info.code, info_bytes.data() + 8, 4);
            std::memcpy(info.rest, info_bytes.data() + 12, sizeof info.rest);
        }
        info.signo = int(c.args[1]);
        if (!process_exists(uint32_t(c.args[0])))
            return r = LinuxReply::error(ESRCH), false;
        raise_signal(uint32_t(c.args[0]), int(c.args[1]), info);
        r = LinuxReply(0);
        return false;
    }
    case LinuxSyscall::sigaltstack: {
        constexpr int32_t kSsOnStack = 1;
        AltStack old = me.altstack;
        uint64_t sp = c.args[5]; // the caller's stack pointer (offload convention)
        if (old.size && sp > old.sp && sp <= old.sp + old.size)
            old.flags |= kSsOnStack;
        if (c.has_input(0)) {
            if (old.flags & kSsOnStack)
                return r = LinuxReply::error(EPERM), false; // not while running on it
            struct {
                uint64_t sp;
                int32_t flags, pad;
                uint64_t size;
            } ss;
            std::memcpy(&ss, c.input(0).data(), 24);
            if (ss.flags & ~(2 | (1 << 31)))
                return r = LinuxReply::error(EINVAL), false;
            if (!(ss.flags & 2) && ss.size < 2048)
                return r = LinuxReply::error(ENOMEM), false;
            me.altstack = (ss.flags & 2) ? AltStack{} : AltStack{ss.sp, 0, ss.size};
        }
        r = LinuxReply(0);
        if (c.args[1]) {
            struct {
                uint64_t sp;
                int32_t flags, pad;
                uint64_t size;
            } out{old.sp, old.flags, 0, old.size};
            r.out(1, out);
        }
        return false;
    }
    case LinuxSyscall::kill:
        r = kill_call(c);
        return false;
    case LinuxSyscall::tkill:
    case LinuxSyscall::tgkill: {
        bool tg = LinuxSyscall(c.nr) == LinuxSyscall::tgkill;
        int32_t tgid = tg ? int32_t(c.args[0]) : 0;
        int32_t tid = int32_t(tg ? c.args[1] : c.args[0]);
        int sig = int(tg ? c.args[2] : c.args[1]);
        if (tid <= 0 || (tg && tgid <= 0) || sig < 0 || sig > kNumSignals)
            return r = LinuxReply::error(EINVAL), false;
        // The thread must be alive and, for tgkill, belong to tgid.
        int64_t owner = user::thread_owner(uint32_t(tid));
        if (owner < 0 || (tg && uint32_t(owner) != uint32_t(tgid)))
            return r = LinuxReply::error(ESRCH), false;
        uint32_t pid = uint32_t(owner);
        if (sig)
            raise_signal(pid, sig, kill_info(sig, c.pid, -6), uint32_t(tid));
        r = LinuxReply(0);
        return false;
    }
    case LinuxSyscall::nanosleep:
    case LinuxSyscall::clock_nanosleep: {
        bool ns_call = LinuxSyscall(c.nr) == LinuxSyscall::nanosleep;
        uint64_t clock = ns_call ? 1 : c.args[0];
        if (!ns_call && clock != 0 && clock != 1 && clock != 7 && clock != 2)
            return r = LinuxReply::error(clock == 3 ? EINVAL : EINVAL), false;
        uint64_t ns;
        if (!read_timespec(c.input(ns_call ? 0 : 2), &ns))
            return r = LinuxReply::error(EINVAL), false;
        uint64_t now = monotonic_ns(), deadline;
        if (!ns_call && (c.args[1] & 1)) { // TIMER_ABSTIME
            uint64_t base = clock == 0 ? realtime_ns() : now;
            deadline = ns > base ? now + (ns - base) : now;
        } else {
            deadline = now + ns;
        }
        if (deadline <= now)
            return r = LinuxReply(0), false;
        return park(x, WaitKind::Sleep, deadline);
    }
    case LinuxSyscall::alarm: {
        Timer* t = find_timer(c.pid, -1);
        uint64_t now = monotonic_ns();
        uint64_t left = t && t->next_ns > now ? (t->next_ns - now + kNs / 2) / kNs : 0;
        if (t && t->next_ns && !left)
            left = 1;
        if (!t) {
            g_timers.push_back(Timer{c.pid, -1, 0, 0, SIGALRM, 0, 0, true});
            t = &g_timers.back();
        }
        t->interval_ns = 0;
        t->next_ns = c.args[0] ? now + c.args[0] * kNs : 0;
        r = LinuxReply(int64_t(left));
        return false;
    }
    case LinuxSyscall::setitimer: {
        // ITIMER_REAL (id -1), ITIMER_VIRTUAL (-2) and ITIMER_PROF (-3).
        // The last two both count all of the process's CPU time: the
        // kernel does not split it into user and system.
        if (c.args[0] > 2)
            return r = LinuxReply::error(EINVAL), false;
        int id = -1 - int(c.args[0]);
        if (c.args[0] && !find_timer(c.pid, id)) {
            Timer t{c.pid, id, 0, 0, c.args[0] == 1 ? SIGVTALRM : SIGPROF, 0, 0, true};
            t.cpu = true;
            g_timers.push_back(t);
        }
        r = set_timer(c, id, c.input(1), true, 2, false);
        return false;
    }
    case LinuxSyscall::getitimer: {
        if (c.args[0] > 2)
            return r = LinuxReply::error(EINVAL), false;
        int64_t v[4] = {};
        timer_times(find_timer(c.pid, -1 - int(c.args[0])), true, v);
        r = LinuxReply(0);
        r.out(1, v, sizeof v);
        return false;
    }
    case LinuxSyscall::timer_create: {
        // A process CPU clock is CLOCK_PROCESS_CPUTIME_ID (2) or, as glibc
        // passes it, Linux's encoding (~pid << 3) | type with pid 0 for the
        // caller; per-thread CPU clocks (bit 2) are not supported.
        int64_t clock = int32_t(c.args[0]);
        bool cpu = clock == 2;
        if (clock < 0) {
            int64_t pid = ~(clock >> 3);
            if ((clock & 4) || (clock & 3) == 3 || (pid != 0 && pid != int64_t(c.pid)))
                return r = LinuxReply::error(EINVAL), false;
            cpu = true;
        } else if (clock > 11 || clock == 3) {
            return r = LinuxReply::error(EINVAL), false;
        }
        Timer t{c.pid, g_next_timer_id++, 0, 0, SIGALRM, 0, 0, true};
        t.cpu = cpu;
        if (c.has_input(1)) {
            auto ev = c.input(1);
            int32_t signo, notify, tid;
            std::memcpy(&t.sigval, ev.data(), 8);
            std::memcpy(&signo, ev.data() + 8, 4);
            std::memcpy(&notify, ev.data() + 12, 4);
            std::memcpy(&tid, ev.data() + 16, 4);
            if (notify == 1) // SIGEV_NONE
                t.notify = false;
            else if (notify == 0 || notify == 4) { // SIGEV_SIGNAL, SIGEV_THREAD_ID
                if (signo < 1 || signo > kNumSignals)
                    return r = LinuxReply::error(EINVAL), false;
                t.signo = signo;
                if (notify == 4)
                    t.target_tid = uint32_t(tid);
            } else {
                return r = LinuxReply::error(EINVAL), false;
            }
        } else {
            t.sigval = uint64_t(t.id);
        }
        g_timers.push_back(t);
        r = LinuxReply(0);
        r.out(2, int32_t(t.id));
        return false;
    }
    case LinuxSyscall::timer_settime: {
        int id = int32_t(c.args[0]);
        if (id < 0 || !find_timer(c.pid, id))
            return r = LinuxReply::error(EINVAL), false;
        r = set_timer(c, id, c.input(2), false, 3, c.args[1] & 1);
        return false;
    }
    case LinuxSyscall::timer_gettime: {
        Timer* t = find_timer(c.pid, int32_t(c.args[0]));
        if (!t || t->id < 0)
            return r = LinuxReply::error(EINVAL), false;
        int64_t v[4];
        timer_times(t, false, v);
        r = LinuxReply(0);
        r.out(1, v, sizeof v);
        return false;
    }
    case LinuxSyscall::timer_getoverrun: {
        Timer* t = find_timer(c.pid, int32_t(c.args[0]));
        if (!t || t->id < 0)
            return r = LinuxReply::error(EINVAL), false;
        r = LinuxReply(t->overrun);
        return false;
    }
    case LinuxSyscall::timer_delete: {
        int id = int32_t(c.args[0]);
        size_t before = g_timers.size();
        g_timers.remove_if([&](const Timer& t) { return t.pid == c.pid && t.id == id && id >= 0; });
        r = LinuxReply(g_timers.size() == before ? -EINVAL : 0);
        arm_cpu_alarm(c.pid);
        return false;
    }
    case LinuxSyscall::getrlimit:
    case LinuxSyscall::setrlimit:
    case LinuxSyscall::prlimit64: {
        bool prl = LinuxSyscall(c.nr) == LinuxSyscall::prlimit64;
        uint32_t pid = prl && c.args[0] ? uint32_t(c.args[0]) : c.pid;
        uint32_t res = uint32_t(prl ? c.args[1] : c.args[0]);
        if (res >= kNumRlimits)
            return r = LinuxReply::error(EINVAL), false;
        if (prl && c.args[0] && !process_exists(pid))
            return r = LinuxReply::error(ESRCH), false;
        Proc& target = proc(pid);
        Rlimit old = target.rlimits[res];
        uint32_t in_arg = prl ? 2 : 1;
        bool sets = LinuxSyscall(c.nr) == LinuxSyscall::setrlimit || (prl && c.has_input(2));
        if (sets) {
            auto nl = c.input_as<Rlimit>(in_arg);
            if (!nl)
                return r = LinuxReply::error(EFAULT), false;
            if (nl->cur > nl->max)
                return r = LinuxReply::error(EINVAL), false;
            target.rlimits[res] = *nl;
            if (res == 7) { // RLIMIT_NOFILE: vfsd enforces it
                auto v = vfsd();
                if (!v.is_error()) {
                    auto m = new_message(ipc::op::VFSD_SET_FD_LIMIT);
                    auto rep = new_message();
                    MessageWriter w(*m);
                    w.u32(pid).u32(uint32_t(std::min<uint64_t>(nl->cur, 65536)));
                    w.finish();
                    (void)call(v.value().get(), *m, *rep);
                }
            }
        }
        r = LinuxReply(0);
        if (LinuxSyscall(c.nr) == LinuxSyscall::getrlimit)
            r.out(1, old);
        else if (prl && c.args[3])
            r.out(3, old);
        return false;
    }
    case LinuxSyscall::getuid:
    case LinuxSyscall::getgid:
    case LinuxSyscall::geteuid:
    case LinuxSyscall::getegid:
    case LinuxSyscall::setuid:
    case LinuxSyscall::setgid:
    case LinuxSyscall::setreuid:
    case LinuxSyscall::setregid:
    case LinuxSyscall::setresuid:
    case LinuxSyscall::setresgid:
    case LinuxSyscall::setgroups:
        r = LinuxReply(0); // every process runs as root
        return false;
    case LinuxSyscall::getresuid:
    case LinuxSyscall::getresgid:
        r = LinuxReply(0);
        r.out(0, uint32_t(0)).out(1, uint32_t(0)).out(2, uint32_t(0));
        return false;
    case LinuxSyscall::getgroups:
        if (int32_t(c.args[0]) < 0)
            return r = LinuxReply::error(EINVAL), false;
        r = LinuxReply(0);
        return false;
    case LinuxSyscall::getpriority:
        r = LinuxReply(20); // nice 0, as the raw syscall reports it
        return false;
    case LinuxSyscall::setpriority:
        r = LinuxReply(0);
        return false;
    case LinuxSyscall::sched_getaffinity: {
        if (c.args[1] < 8 || (c.args[1] & 7))
            return r = LinuxReply::error(EINVAL), false;
        uint64_t mask = 1; // one CPU
        r = LinuxReply(8);
        r.out(2, mask);
        return false;
    }
    case LinuxSyscall::prctl:
        switch (c.args[0]) {
        case 1:  // PR_SET_PDEATHSIG
        case 15: // PR_SET_NAME
        case 36: // PR_SET_CHILD_SUBREAPER
        case 38: // PR_SET_NO_NEW_PRIVS
        case 4:  // PR_SET_DUMPABLE
            r = LinuxReply(0);
            return false;
        case 3: // PR_GET_DUMPABLE
            r = LinuxReply(1);
            return false;
        default:
            r = LinuxReply::error(EINVAL);
            return false;
        }
    default:
        r = LinuxReply::error(ENOSYS);
        return false;
    }
}

// vfsd's console decides whether a background process's tty access stops
// it (SIGTTOU/SIGTTIN) or goes ahead (the signal ignored or blocked): tell
// it whenever that changes for a thread. One-way, and sent before the
// reply, so it arrives before the thread's next call.
void sync_job_control(uint32_t pid) {
    auto it = g_procs.find(pid);
    if (it == g_procs.end())
        return;
    Proc& p = it->second;
    for (uint32_t tid : p.signals.thread_ids()) {
        uint32_t bits = p.signals.job_control_bits(tid);
        auto sent = p.job_bits_sent.find(tid);
        if (sent != p.job_bits_sent.end() && sent->second == bits)
            continue;
        if (sent == p.job_bits_sent.end() && bits == 0)
            continue; // vfsd's default
        p.job_bits_sent[tid] = bits;
        if (!g_vfsd) {
            auto h = lookup(ipc::service::VFSD, 0);
            if (h.is_error())
                return;
            g_vfsd = std::move(h.value());
        }
        auto m = new_message(ipc::op::VFSD_JOB_SIGNALS);
        MessageWriter w(*m);
        w.u32(pid).u32(tid).u32(bits);
        w.finish();
        user::ipc_send(g_vfsd.get(), m.get());
    }
}

void handle_linux(Call& call) {
    auto decoded = LinuxCall::decode(call);
    if (decoded.is_error()) {
        call.fail(decoded.error().code(), decoded.error().reason());
        return;
    }
    Ctx x{decoded.value(), call};
    LinuxReply r;
    bool parked = handle(x, r);
    if (decoded.value().process)
        user::handle_close(decoded.value().process);
    sync_job_control(decoded.value().pid);
    if (!parked)
        r.write(call.writer());
}

void handle_fault(Call& call) {
    if (!call.from_kernel()) {
        call.fail(EPERM, "only the kernel reports faults");
        return;
    }
    auto rd = call.reader();
    uint32_t tid = rd.u32();
    int32_t sig = rd.i32(), code = rd.i32();
    uint64_t addr = rd.u64();
    if (!rd.ok() || sig < 1 || sig > kNumSignals) {
        call.fail(EINVAL, "FAULT: malformed");
        return;
    }
    Proc& p = proc(call.sender_pid());
    Action a = p.signals.action(sig);
    bool blocked = p.signals.thread(tid).mask & bit(sig);
    uint32_t action = 0;
    if (a.handler != kSigDfl && a.handler != kSigIgn && !blocked) {
        SigInfo info;
        info.signo = sig;
        info.code = code;
        std::memcpy(info.rest + 4, &addr, 8); // si_addr at offset 16
        if (deliver(p, tid, sig, info))
            action = 1;
    }
    call.writer().u32(action);
}

// The requests below come from peer services; anyone else gets EPERM
// before anything is decoded.

void handle_fork(Call& call) {
    if (!call.require_sender(ipc::service::PROCD))
        return;
    auto rd = call.reader();
    uint32_t parent = rd.u32(), child = rd.u32(), parent_tid = rd.u32();
    if (!rd.ok()) {
        call.fail(EINVAL, "FORK: malformed");
        return;
    }
    Proc& p = proc(parent);
    Proc c(child);
    c.signals = p.signals.fork_to(child, parent_tid);
    for (int i = 0; i < kNumRlimits; ++i)
        c.rlimits[i] = p.rlimits[i];
    c.pgid = p.pgid;
    c.sid = p.sid;
    c.ppid = parent;
    g_procs.erase(child);
    g_procs.emplace(child, std::move(c));
    sync_job_control(child);
}

void handle_exec(Call& call) {
    if (!call.require_sender(ipc::service::LOADERD))
        return;
    auto rd = call.reader();
    uint32_t pid = rd.u32();
    if (!rd.ok()) {
        call.fail(EINVAL, "EXEC: malformed");
        return;
    }
    proc(pid).signals.reset_for_exec();
    g_timers.remove_if([pid](const Timer& t) { return t.pid == pid && t.id >= 0; });
}

// SIGCHLD from procd, the kernel's SIGPIPE for a write that failed with
// EPIPE. An ordinary process signals with kill(2), which syscalld checks.
void handle_raise(Call& call) {
    if (!call.from_kernel() && call.sender_service() != ipc::service::PROCD &&
        !call.require_sender(ipc::service::VFSD))
        return;
    auto rd = call.reader();
    uint32_t pid = rd.u32();
    int32_t sig = rd.i32(), code = rd.i32();
    uint32_t sender = rd.u32();
    if (!rd.ok() || sig < 1 || sig > kNumSignals)
        return;
    int32_t status = rd.i32(); // optional: SIGCHLD's si_status
    bool has_status = rd.ok();
    if (!process_exists(pid))
        return;
    SigInfo info = kill_info(sig, sender, code);
    if (has_status)
        std::memcpy(info.rest + 12, &status, 4); // si_status at offset 24
    raise_signal(pid, sig, info);
}

void handle_raise_group(Call& call) {
    if (!call.require_sender(ipc::service::VFSD))
        return;
    auto rd = call.reader();
    uint32_t pgid = rd.u32();
    int32_t sig = rd.i32();
    if (!rd.ok() || sig < 1 || sig > kNumSignals)
        return;
    for (uint32_t pid : all_pids()) {
        auto it = g_procs.find(pid);
        uint32_t pg = it != g_procs.end() && it->second.pgid ? it->second.pgid : pid;
        if (pg == pgid)
            raise_signal(pid, sig, kill_info(sig, 0, 0x80));
    }
}

void handle_process_info(Call& call) {
    if (!call.require_sender(ipc::service::PROCD))
        return;
    auto rd = call.reader();
    uint32_t pid = rd.u32(), ppid = rd.u32(), pgid = rd.u32(), sid = rd.u32();
    if (!rd.ok())
        return;
    Proc& p = proc(pid);
    p.ppid = ppid;
    p.pgid = pgid;
    p.sid = sid;
}

void handle_event(const Message& m) {
    if (m.header.op == ipc::op::SYSCALLD_RAISE || m.header.op == ipc::op::SYSCALLD_RAISE_GROUP) {
        // One-way sends from vfsd (SIGPIPE, tty signals).
        Message copy = m;
        Message dummy;
        Call c(copy, dummy, 0);
        if (m.header.op == ipc::op::SYSCALLD_RAISE)
            handle_raise(c);
        else
            handle_raise_group(c);
        return;
    }
    if (!(m.header.flags & ipc::kFromKernel))
        return;
    auto rd = reader_of(m);
    switch (m.header.op) {
    case ipc::op::KERNEL_PROCESS_EXITED: {
        uint32_t pid = rd.u32();
        g_procs.erase(pid);
        g_timers.remove_if([pid](const Timer& t) { return t.pid == pid; });
        g_parked.remove_if([pid](const Parked& p) { return p.call.pid == pid; });
        break;
    }
    case ipc::op::KERNEL_CANCEL: {
        uint32_t tid = rd.u32();
        interrupt_parked(tid);
        break;
    }
    case ipc::op::KERNEL_CPU_ALARM:
        fire_cpu_timers(rd.u32());
        break;
    default:
        break;
    }
}

uint64_t next_deadline() {
    uint64_t best = 0;
    for (auto& t : g_timers)
        if (!t.cpu && t.next_ns && (!best || t.next_ns < best))
            best = t.next_ns;
    for (auto& p : g_parked)
        if (p.deadline_ns && (!best || p.deadline_ns < best))
            best = p.deadline_ns;
    return best;
}

void on_wake() {
    fire_timers();
    uint64_t now = monotonic_ns();
    for (auto it = g_parked.begin(); it != g_parked.end();) {
        if (!it->deadline_ns || it->deadline_ns > now) {
            ++it;
            continue;
        }
        send(it->reply, it->kind == WaitKind::SigWait ? LinuxReply::error(EAGAIN) : LinuxReply(0));
        it = g_parked.erase(it);
    }
}

} // namespace

int main() {
    Server server("syscalld", ipc::service::SYSCALLD);
    server.serve_linux_calls();
    server.on(ipc::op::KERNEL_LINUX_SYSCALL, handle_linux);
    server.on(ipc::op::KERNEL_FAULT, handle_fault);
    server.on(ipc::op::SYSCALLD_FORK, handle_fork);
    server.on(ipc::op::SYSCALLD_EXEC, handle_exec);
    server.on(ipc::op::SYSCALLD_RAISE, handle_raise);
    server.on(ipc::op::SYSCALLD_RAISE_GROUP, handle_raise_group);
    server.on(ipc::op::VFSD_PROCESS_INFO, handle_process_info);
    server.on_event(handle_event);
    server.set_wakeups(next_deadline, on_wake);
    auto started = server.start();
    if (started.is_error()) {
        log("cannot start: %s", started.error().reason());
        return 1;
    }
    g_endpoint = server.endpoint();
    int64_t r = user::process_events(server.endpoint());
    if (r < 0)
        log("no process events: %s", abi::errno_description(Errno(-r)));
    server.serve();
}
