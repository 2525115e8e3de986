// uname, getrandom, reboot, sysinfo; the resource limits and readlink that
// glibc's startup asks for before any service answers.
#include "log.h"
#include "mm/memory.h"
#include "power.h"
#include "proc/process.h"
#include "sched/scheduler.h"
#include "sched/time.h"
#include "syscall.h"
#include "usercopy.h"

#include "arch/x86_64/cpu.h"

#include <rustos/abi/rlimits.h>

namespace kernel::syscalls {

using rustos::Errno;

namespace {

int64_t err(Errno e) { return rustos::abi::syscall_error(e); }

uint64_t g_rng_state;

// SplitMix64 over the TSC. FIXME: not cryptographically secure; replace
// with a CSPRNG seeded from RDRAND/virtio-rng when those exist.
uint64_t next_random() {
    if (!g_rng_state)
        g_rng_state = arch::rdtsc() ^ 0x9E3779B97F4A7C15ull;
    uint64_t z = (g_rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31) ^ arch::rdtsc();
}

void set_field(char* field, const char* value) {
    size_t i = 0;
    for (; value[i] && i < 64; ++i)
        field[i] = value[i];
    field[i] = 0;
}

} // namespace

int64_t sys_uname(Args& a) {
    struct Utsname {
        char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
    } u{};
    // Linux programs branch on sysname/release; the RustOS identity is in version.
    set_field(u.sysname, "Linux");
    set_field(u.nodename, "rustos");
    set_field(u.release, "6.1.0-rustos");
    set_field(u.version, "#1 RustOS 0.1.0 (C++20 microkernel)");
    set_field(u.machine, "x86_64");
    set_field(u.domainname, "(none)");
    auto r = copy_to_user(a.a0(), &u, sizeof u);
    return r.is_error() ? fail(r.error()) : 0;
}

// The kernel default personality keeps no limits of its own: every
// process reads the defaults (glibc's startup sizes stacks from
// RLIMIT_STACK) and may not change them.
int64_t sys_prlimit64(Args& a) {
    int64_t pid = int32_t(a.a0());
    uint64_t resource = a.a1(), new_limit = a.a2(), old_limit = a.a3();
    if (resource >= uint64_t(rustos::abi::kNumRlimits))
        return err(EINVAL);
    if (pid != 0 && pid != proc::current_process()->pid)
        return err(ESRCH);
    if (new_limit)
        return err(EPERM);
    if (old_limit) {
        rustos::abi::Rlimit r = rustos::abi::default_rlimit(int(resource));
        auto c = copy_to_user(old_limit, &r, sizeof r);
        if (c.is_error())
            return fail(c.error());
    }
    return 0;
}

// There is no file system in the kernel default personality (glibc's
// static startup asks for /proc/self/exe and does without it).
int64_t sys_readlink(Args&) { return err(ENOENT); }

int64_t sys_getrandom(Args& a) {
    uint64_t buf = a.a0(), len = a.a1(), flags = a.a2();
    if (flags & ~uint64_t(7))
        return err(EINVAL);
    if (len > 33554431)
        len = 33554431;
    uint64_t done = 0;
    while (done < len) {
        uint64_t chunk[32];
        for (auto& c : chunk)
            c = next_random();
        uint64_t n = len - done < sizeof chunk ? len - done : sizeof chunk;
        auto r = copy_to_user(buf + done, chunk, n);
        if (r.is_error())
            return done ? int64_t(done) : fail(r.error());
        done += n;
    }
    return int64_t(done);
}

int64_t sys_sysinfo(Args& a) {
    struct Sysinfo {
        int64_t uptime;
        uint64_t loads[3];
        uint64_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
        uint16_t procs, pad;
        uint32_t pad2;
        uint64_t totalhigh, freehigh;
        uint32_t mem_unit;
        char reserved[4];
    } si{};
    static_assert(sizeof(Sysinfo) == 112);
    auto phys = mm::physical_stats();
    si.uptime = int64_t(time::monotonic_ns() / 1000000000ull);
    si.totalram = phys.usable_bytes;
    si.freeram = phys.free_bytes;
    si.procs = uint16_t(proc::list(nullptr, 0));
    sched::Stats st = sched::stats();
    for (int i = 0; i < 3; ++i) // SI_LOAD_SHIFT: 16 fraction bits
        si.loads[i] = st.loads[i] << (16 - sched::kLoadShift);
    si.mem_unit = 1;
    auto r = copy_to_user(a.a0(), &si, sizeof si);
    return r.is_error() ? fail(r.error()) : 0;
}

int64_t sys_reboot(Args& a) {
    constexpr uint64_t kMagic1 = 0xfee1dead, kMagic2 = 672274793;
    constexpr uint64_t kPowerOff = 0x4321FEDC, kRestart = 0x01234567, kHalt = 0xCDEF0123;
    if (a.a0() != kMagic1 ||
        (a.a1() != kMagic2 && a.a1() != 85072278 && a.a1() != 369367448 && a.a1() != 537993216))
        return err(EINVAL);
    proc::Process* p = proc::current_process();
    auto allowed = proc::require(*p, rustos::abi::Capability::POWER, "reboot");
    if (allowed.is_error())
        return fail(allowed.error());
    switch (uint32_t(a.a2())) {
    case kPowerOff:
    case kHalt:
        LOG_INFO("power", "power off requested by pid %d (%s)", p->pid, p->name);
        power::power_off();
    case kRestart:
        LOG_INFO("power", "restart requested by pid %d (%s)", p->pid, p->name);
        power::restart();
    default:
        return err(EINVAL);
    }
}

} // namespace kernel::syscalls
