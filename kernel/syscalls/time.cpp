// Clocks and sleeping.
#include "sched/time.h"
#include "proc/process.h"
#include "sched/scheduler.h"
#include "syscall.h"
#include "usercopy.h"

namespace kernel::syscalls {

using rustos::Errno;

namespace {

struct Timespec {
    int64_t sec, nsec;
};
enum : uint64_t {
    CLOCK_REALTIME = 0,
    CLOCK_MONOTONIC = 1,
    CLOCK_PROCESS_CPUTIME_ID = 2,
    CLOCK_THREAD_CPUTIME_ID = 3,
    CLOCK_MONOTONIC_RAW = 4,
    CLOCK_REALTIME_COARSE = 5,
    CLOCK_MONOTONIC_COARSE = 6,
    CLOCK_BOOTTIME = 7,
};
constexpr uint64_t TIMER_ABSTIME = 1;

int64_t err(Errno e) { return rustos::abi::syscall_error(e); }

bool read_clock(uint64_t id, uint64_t* ns) {
    switch (id) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
        *ns = time::realtime_ns();
        return true;
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME:
        *ns = time::monotonic_ns();
        return true;
    case CLOCK_PROCESS_CPUTIME_ID: // every thread of the process, ended ones too
        *ns = proc::cpu_ticks(*proc::current_process()) * 1000000ull; // 1 ms ticks
        return true;
    case CLOCK_THREAD_CPUTIME_ID:
        *ns = sched::current()->ticks_used * 1000000ull;
        return true;
    default:
        return false;
    }
}

int64_t put_timespec(uint64_t user, uint64_t ns) {
    Timespec ts{int64_t(ns / 1000000000), int64_t(ns % 1000000000)};
    auto r = copy_to_user(user, &ts, sizeof ts);
    return r.is_error() ? fail(r.error()) : 0;
}

// Sleeps until the monotonic deadline; writes the remaining time on EINTR.
int64_t sleep_until(uint64_t deadline, uint64_t rem_user) {
    auto reason = sched::sleep_until(deadline);
    if (reason == sched::WakeReason::Interrupted) {
        uint64_t now = time::monotonic_ns();
        if (rem_user)
            put_timespec(rem_user, deadline > now ? deadline - now : 0);
        return err(EINTR);
    }
    return 0;
}

rustos::ErrorOr<uint64_t> get_duration(uint64_t user) {
    Timespec ts;
    TRY(copy_from_user(&ts, user, sizeof ts));
    if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1000000000)
        return rustos::Error(EINVAL, "invalid timespec");
    if (uint64_t(ts.sec) > 100ull * 365 * 86400)
        ts.sec = 100ll * 365 * 86400; // effectively forever, without overflow
    return uint64_t(ts.sec) * 1000000000ull + uint64_t(ts.nsec);
}

} // namespace

int64_t sys_clock_gettime(Args& a) {
    uint64_t ns;
    if (!read_clock(a.a0(), &ns))
        return err(EINVAL);
    return put_timespec(a.a1(), ns);
}

int64_t sys_clock_getres(Args& a) {
    uint64_t ns;
    if (!read_clock(a.a0(), &ns))
        return err(EINVAL);
    return a.a1() ? put_timespec(a.a1(), 1) : 0;
}

int64_t sys_gettimeofday(Args& a) {
    if (a.a0()) {
        uint64_t ns = time::realtime_ns();
        int64_t tv[2] = {int64_t(ns / 1000000000), int64_t((ns / 1000) % 1000000)};
        auto r = copy_to_user(a.a0(), tv, sizeof tv);
        if (r.is_error())
            return fail(r.error());
    }
    if (a.a1()) {
        int32_t tz[2] = {0, 0};
        auto r = copy_to_user(a.a1(), tz, sizeof tz);
        if (r.is_error())
            return fail(r.error());
    }
    return 0;
}

int64_t sys_time(Args& a) {
    int64_t secs = int64_t(time::realtime_ns() / 1000000000);
    if (a.a0()) {
        auto r = copy_to_user(a.a0(), &secs, sizeof secs);
        if (r.is_error())
            return fail(r.error());
    }
    return secs;
}

int64_t sys_nanosleep(Args& a) {
    auto d = get_duration(a.a0());
    if (d.is_error())
        return fail(d.error());
    return sleep_until(time::monotonic_ns() + d.value(), a.a1());
}

int64_t sys_clock_nanosleep(Args& a) {
    uint64_t clock = a.a0(), flags = a.a1();
    uint64_t now;
    if (!read_clock(clock, &now) || clock == CLOCK_THREAD_CPUTIME_ID)
        return err(EINVAL);
    auto d = get_duration(a.a2());
    if (d.is_error())
        return fail(d.error());
    uint64_t mono_now = time::monotonic_ns();
    uint64_t deadline;
    if (flags & TIMER_ABSTIME)
        deadline = d.value() > now ? mono_now + (d.value() - now) : mono_now;
    else
        deadline = mono_now + d.value();
    return sleep_until(deadline, (flags & TIMER_ABSTIME) ? 0 : a.a3());
}

} // namespace kernel::syscalls
