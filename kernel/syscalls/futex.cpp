#include "futex.h"

#include "arch/x86_64/cpu.h"
#include "lib/list.h"
#include "proc/process.h"
#include "sched/scheduler.h"
#include "sched/time.h"
#include "syscall.h"
#include "usercopy.h"

namespace kernel::futex {

namespace {

// A futex is named by (address space, virtual address) for private memory,
// and by the physical address for MAP_SHARED memory, which several address
// spaces see (as Linux keys shared mappings by their backing object).
struct Key {
    uint64_t space; // 0 for shared memory
    uint64_t addr;
    bool operator==(const Key&) const = default;
};

struct Waiter {
    Key key;
    uint32_t bitset;
    sched::Thread* thread;
    ListNode node;
};

// FIXME: one list for all futexes; hash by key when contention shows up.
IntrusiveList<Waiter, &Waiter::node> g_waiters;

enum : uint32_t {
    FUTEX_WAIT = 0,
    FUTEX_WAKE = 1,
    FUTEX_REQUEUE = 3,
    FUTEX_CMP_REQUEUE = 4,
    FUTEX_WAIT_BITSET = 9,
    FUTEX_WAKE_BITSET = 10,
    FUTEX_PRIVATE_FLAG = 128,
    FUTEX_CLOCK_REALTIME = 256,
};

rustos::ErrorOr<Key> key_for(proc::Process& p, uint64_t uaddr) {
    if (uaddr & 3)
        return rustos::Error(EINVAL, "futex word not aligned");
    TRY(proc::prepare_user_range(p, uaddr, 4, false));
    const proc::Vma* v = proc::find_vma(*p.space, uaddr);
    if (v && v->shared)
        return Key{0, proc::to_phys(*p.space, uaddr)};
    return Key{reinterpret_cast<uint64_t>(p.space.get()), uaddr};
}

int wake_key(Key key, int count, uint32_t bitset) {
    int woken = 0;
    Waiter* w = g_waiters.front();
    while (w && woken < count) {
        Waiter* next = g_waiters.next(*w);
        if (w->key == key && (w->bitset & bitset)) {
            g_waiters.remove(*w);
            sched::wake(w->thread, sched::WakeReason::Woken);
            ++woken;
        }
        w = next;
    }
    return woken;
}

int64_t err(rustos::Errno e) { return rustos::abi::syscall_error(e); }

} // namespace

int wake(proc::Process& p, uint64_t uaddr, int count, uint32_t bitset) {
    arch::InterruptGuard guard;
    auto key = key_for(p, uaddr);
    if (key.is_error())
        return 0;
    return wake_key(key.value(), count, bitset);
}

} // namespace kernel::futex

namespace kernel::syscalls {

using namespace kernel::futex;

int64_t sys_futex(Args& a) {
    uint64_t uaddr = a.a0();
    uint32_t op = uint32_t(a.a1());
    uint32_t val = uint32_t(a.a2());
    uint32_t cmd = op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
    proc::Process& p = *proc::current_process();

    switch (cmd) {
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET: {
        uint32_t bitset = cmd == FUTEX_WAIT ? 0xffffffff : uint32_t(a.a5());
        if (bitset == 0)
            return err(EINVAL);
        uint64_t deadline = 0;
        if (a.a3()) {
            int64_t ts[2];
            auto r = copy_from_user(ts, a.a3(), sizeof ts);
            if (r.is_error())
                return fail(r.error());
            if (ts[0] < 0 || ts[1] < 0 || ts[1] >= 1000000000)
                return err(EINVAL);
            uint64_t ns = uint64_t(ts[0]) * 1000000000ull + uint64_t(ts[1]);
            uint64_t now = time::monotonic_ns();
            if (cmd == FUTEX_WAIT) {
                deadline = now + ns;
            } else {
                uint64_t clock_now = (op & FUTEX_CLOCK_REALTIME) ? time::realtime_ns() : now;
                deadline = ns > clock_now ? now + (ns - clock_now) : now;
            }
            if (deadline == 0)
                deadline = 1;
        }
        arch::InterruptGuard guard;
        auto key = key_for(p, uaddr);
        if (key.is_error())
            return key.error().code() == EINVAL ? err(EINVAL) : err(EFAULT);
        uint32_t current = *reinterpret_cast<volatile uint32_t*>(uaddr);
        if (current != val)
            return err(EAGAIN);
        if (deadline && deadline <= time::monotonic_ns())
            return err(ETIMEDOUT);
        Waiter w{key.value(), bitset, sched::current(), {}};
        g_waiters.push_back(w);
        auto reason = sched::block(deadline, true);
        g_waiters.remove(w);
        if (reason == sched::WakeReason::Woken)
            return 0;
        if (reason == sched::WakeReason::Timeout)
            return err(ETIMEDOUT);
        return err(EINTR);
    }
    case FUTEX_WAKE:
    case FUTEX_WAKE_BITSET: {
        uint32_t bitset = cmd == FUTEX_WAKE ? 0xffffffff : uint32_t(a.a5());
        if (bitset == 0)
            return err(EINVAL);
        arch::InterruptGuard guard;
        auto key = key_for(p, uaddr);
        if (key.is_error())
            return key.error().code() == EINVAL ? err(EINVAL) : err(EFAULT);
        return wake_key(key.value(), int(val > 0x7fffffff ? 0x7fffffff : val), bitset);
    }
    case FUTEX_REQUEUE:
    case FUTEX_CMP_REQUEUE: {
        arch::InterruptGuard guard;
        auto key = key_for(p, uaddr);
        auto key2 = key_for(p, a.a4());
        if (key.is_error() || key2.is_error())
            return err(EFAULT);
        if (cmd == FUTEX_CMP_REQUEUE &&
            *reinterpret_cast<volatile uint32_t*>(uaddr) != uint32_t(a.a5()))
            return err(EAGAIN);
        int woken = wake_key(key.value(), int(val), 0xffffffff);
        int moved = 0;
        uint64_t limit = a.a3();
        for (auto& w : g_waiters) {
            if (uint64_t(moved) >= limit)
                break;
            if (w.key == key.value()) {
                w.key = key2.value();
                ++moved;
            }
        }
        return woken + moved;
    }
    default:
        return err(ENOSYS);
    }
}

} // namespace kernel::syscalls
