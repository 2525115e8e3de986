// Native RustOS calls (SYS_RUSTOS_*): dispatch, the capability gate, and
// the small calls that need no family of their own (log, boot bundle,
// kernel command line). The table and the gates are generated from
// lib/abi/include/rustos/abi/rustos_syscalls.def.
#include "boot/boot_info.h"
#include "log.h"
#include "mm/memory.h"
#include "proc/bootfs.h"
#include "proc/process.h"
#include "sched/scheduler.h"
#include "syscall.h"
#include "usercopy.h"

#include <rustos/abi/native.h>
#include <rustos/abi/syscalls.h>

namespace kernel::syscalls {

using rustos::StringView;

#define RUSTOS_SYSCALL(n, name, gate, sig, desc) int64_t sys_rustos_##name(Args&);
#include <rustos/abi/rustos_syscalls.def>
#undef RUSTOS_SYSCALL

namespace {

constexpr size_t kMaxPath = 256;

rustos::ErrorOr<StringView> copy_path(char* buf, uint64_t user, uint64_t len) {
    if (len == 0 || len >= kMaxPath)
        return rustos::Error(ENAMETOOLONG, "path empty or too long");
    TRY(copy_from_user(buf, user, len));
    buf[len] = 0;
    for (size_t i = 0; i < len; ++i)
        if (buf[i] == 0)
            return rustos::Error(EINVAL, "NUL byte inside path");
    return StringView(buf, len);
}

} // namespace

int64_t sys_rustos_LOG(Args& a) {
    char buf[256];
    uint64_t len = a.a1() < sizeof buf - 1 ? a.a1() : sizeof buf - 1;
    auto r = copy_from_user(buf, a.a0(), len);
    if (r.is_error())
        return fail(r.error());
    while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
        --len;
    buf[len] = 0;
    proc::Process* p = proc::current_process();
    LOG_INFO(p->name, "%s", buf);
    return 0;
}

int64_t sys_rustos_BOOTFS_STAT(Args& a) {
    char path[kMaxPath];
    auto sv = copy_path(path, a.a0(), a.a1());
    if (sv.is_error())
        return fail(sv.error());
    auto file = bootfs::open(sv.value());
    return file.is_error() ? fail(file.error()) : int64_t(file.value().size());
}

int64_t sys_rustos_BOOTFS_READ(Args& a) {
    char path[kMaxPath];
    auto sv = copy_path(path, a.a0(), a.a1());
    if (sv.is_error())
        return fail(sv.error());
    auto file = bootfs::open(sv.value());
    if (file.is_error())
        return fail(file.error());
    uint64_t offset = a.a2(), len = a.a4();
    if (offset >= file.value().size())
        return 0;
    if (len > file.value().size() - offset)
        len = file.value().size() - offset;
    auto r = copy_to_user(a.a3(), file.value().data() + offset, len);
    return r.is_error() ? fail(r.error()) : int64_t(len);
}

int64_t sys_rustos_BOOTFS_MAP(Args& a) {
    rustos::ReadonlyBytes bundle = bootfs::bundle();
    uint64_t phys = mm::virt_to_phys(bundle.data());
    uint64_t base = rustos::align_down(phys, mm::kPageSize);
    uint64_t len = rustos::align_up(phys + bundle.size(), mm::kPageSize) - base;
    auto addr = proc::map_physical(*proc::current_process()->space, base, len, proc::PROT_READ);
    if (addr.is_error())
        return fail(addr.error());
    uint64_t size = bundle.size();
    if (a.a0()) {
        auto r = copy_to_user(a.a0(), &size, sizeof size);
        if (r.is_error())
            return fail(r.error());
    }
    return int64_t(addr.value() + (phys - base));
}

int64_t sys_rustos_CPU_STATS(Args& a) {
    sched::Stats st = sched::stats();
    rustos::abi::CpuStats out{};
    out.tick_hz = sched::kSchedTickHz;
    out.user_ticks = st.user_ticks;
    out.system_ticks = st.system_ticks;
    out.idle_ticks = st.idle_ticks;
    out.context_switches = st.context_switches;
    out.processes_created = proc::processes_created();
    for (int i = 0; i < 3; ++i)
        out.loads[i] = st.loads[i] << (16 - sched::kLoadShift);
    out.runnable = st.runnable;
    auto r = copy_to_user(a.a0(), &out, sizeof out);
    return r.is_error() ? fail(r.error()) : 0;
}

int64_t sys_rustos_KERNEL_CMDLINE(Args& a) {
    const char* line = boot_info().cmdline;
    size_t len = StringView::cstr_length(line);
    uint64_t cap = a.a1();
    if (cap) {
        size_t n = len < cap - 1 ? len : cap - 1;
        auto r = copy_to_user(a.a0(), line, n);
        if (r.is_error())
            return fail(r.error());
        char nul = 0;
        r = copy_to_user(a.a0() + n, &nul, 1);
        if (r.is_error())
            return fail(r.error());
    }
    return int64_t(len);
}

int64_t dispatch_native(uint64_t number, Args& a) {
    using rustos::abi::Capability;
    using rustos::abi::RustosSyscall;
    switch (RustosSyscall(number - rustos::abi::kRustosSyscallBase)) {
#define GATE_NONE(name)
#define GATE_CAP(name, cap)                                                                        \
    {                                                                                              \
        auto allowed =                                                                             \
            proc::require(*proc::current_process(), Capability::cap, "SYS_RUSTOS_" #name);         \
        if (allowed.is_error())                                                                    \
            return fail(allowed.error());                                                          \
    }
#define GATE_PROCESS_BROKER(name) GATE_CAP(name, PROCESS_BROKER)
#define GATE_PID_BROKER(name) GATE_CAP(name, PID_BROKER)
#define GATE_MM_BROKER(name) GATE_CAP(name, MM_BROKER)
#define GATE_DRIVER_BROKER(name) GATE_CAP(name, DRIVER_BROKER)
#define GATE_SIGNAL_BROKER(name) GATE_CAP(name, SIGNAL_BROKER)
#define GATE_CONSOLE_BROKER(name) GATE_CAP(name, CONSOLE_BROKER)
#define GATE_PROCESS_OBSERVER(name) GATE_CAP(name, PROCESS_OBSERVER)
#define RUSTOS_SYSCALL(n, name, gate, sig, desc)                                                   \
    case RustosSyscall::name:                                                                      \
        GATE_##gate(name) return sys_rustos_##name(a);
#include <rustos/abi/rustos_syscalls.def>
#undef RUSTOS_SYSCALL
    }
    return unimplemented(number);
}

} // namespace kernel::syscalls
