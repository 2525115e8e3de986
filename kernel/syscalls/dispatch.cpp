#include "syscall.h"

#include "arch/x86_64/cpu.h"
#include "log.h"
#include "offload.h"
#include "proc/process.h"
#include "sched/scheduler.h"
#include "table.h"

#include <rustos/abi/syscalls.h>

extern "C" void syscall_entry();

namespace kernel::syscalls {

#define X(name) int64_t sys_##name(Args&);
KERNEL_DEFAULT_SYSCALLS(X)
#undef X
int64_t dispatch_native(uint64_t number, Args& args);

namespace {

using rustos::abi::LinuxSyscall;

struct Table {
    Handler handlers[rustos::abi::kLinuxSyscallLimit] = {};
    constexpr Table() {
#define X(name) handlers[uint32_t(LinuxSyscall::name)] = sys_##name;
        KERNEL_DEFAULT_SYSCALLS(X)
#undef X
    }
};

constexpr Table kTable;

} // namespace

int64_t unimplemented(uint64_t number) {
    proc::Process* p = proc::current_process();
    uint64_t bit = number < 512 ? number : 511;
    if (!(p->enosys_logged[bit / 64] & (1ull << (bit % 64)))) {
        p->enosys_logged[bit / 64] |= 1ull << (bit % 64);
        const char* name = rustos::abi::linux_syscall_name(number);
        if (!name)
            name = rustos::abi::rustos_syscall_name(number);
        // glibc probes rseq in every program and does without it (as on
        // Linux before 4.18): not worth a line at the default level.
        bool probe = number == uint32_t(rustos::abi::LinuxSyscall::rseq);
        klog(probe ? LogLevel::Debug : LogLevel::Info, "syscall",
             "pid %d (%s): %s (%lu) not implemented -> ENOSYS", p->pid, p->name,
             name ? name : "unknown", number);
    }
    return rustos::abi::syscall_error(ENOSYS);
}

namespace {

// rustos.strace=NAME[,NAME...] (or "all"): every system call of the
// processes with those names, on entry and on return.
char g_strace[128];
bool g_strace_all = false;

bool traced(const proc::Process& p) {
    if (g_strace_all)
        return true;
    if (!g_strace[0])
        return false;
    rustos::StringView name(p.name);
    rustos::StringView list(g_strace);
    size_t start = 0;
    for (size_t i = 0; i <= list.size(); ++i) {
        if (i == list.size() || list[i] == ',') {
            if (list.substr(start, i - start) == name)
                return true;
            start = i + 1;
        }
    }
    return false;
}

const char* syscall_name(uint64_t number) {
    const char* name = rustos::abi::linux_syscall_name(number);
    if (!name)
        name = rustos::abi::rustos_syscall_name(number);
    return name ? name : "unknown";
}

} // namespace

void set_strace(rustos::StringView names) {
    size_t n = names.size() < sizeof g_strace - 1 ? names.size() : sizeof g_strace - 1;
    for (size_t i = 0; i < n; ++i)
        g_strace[i] = names[i];
    g_strace[n] = 0;
    g_strace_all = names == "all";
}

void trace_entry(uint64_t number, const Args& a) {
    proc::Process* p = proc::current_process();
    if (!traced(*p))
        return;
    klog(LogLevel::Info, "strace", "%d.%lu (%s): %s(0x%lx, 0x%lx, 0x%lx, 0x%lx, 0x%lx, 0x%lx) ...",
         p->pid, sched::current()->tid, p->name, syscall_name(number), a.a0(), a.a1(), a.a2(),
         a.a3(), a.a4(), a.a5());
}

void trace_exit(uint64_t number, int64_t result) {
    proc::Process* p = proc::current_process();
    if (!traced(*p))
        return;
    if (result < 0 && result > -4096)
        klog(LogLevel::Info, "strace", "%d.%lu (%s): %s = -1 %s", p->pid, sched::current()->tid,
             p->name, syscall_name(number), rustos::abi::errno_name(rustos::Errno(-result)));
    else
        klog(LogLevel::Info, "strace", "%d.%lu (%s): %s = 0x%lx", p->pid, sched::current()->tid,
             p->name, syscall_name(number), uint64_t(result));
}

void init() {
    using namespace arch;
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | 1); // SCE
    // sysret: user CS = base+16, SS = base+8 with base 0x18; syscall: CS 0x08.
    wrmsr(MSR_STAR, (uint64_t(0x18 | 3) << 48) | (uint64_t(KERNEL_CS) << 32));
    wrmsr(MSR_LSTAR, reinterpret_cast<uint64_t>(syscall_entry));
    // Clear IF, TF, DF, AC and NT on entry.
    wrmsr(MSR_SFMASK, (1u << 9) | (1u << 8) | (1u << 10) | (1u << 18) | (1u << 14));
}

} // namespace kernel::syscalls

using namespace kernel;

extern "C" void syscall_dispatch(arch::TrapFrame* frame) {
    sched::Thread* self = sched::current();
    self->syscall_frame = frame;
    arch::sti();
    syscalls::Args args{*frame};
    uint64_t number = frame->rax;
    self->syscall_nr = number;
    self->syscall_interrupted = false;
    int64_t result;
    // rustos.strace is off on almost every boot: test for it here rather
    // than in two calls per system call (about 70 instructions of getpid's
    // 314, docs/benchmarks.md).
    bool trace = syscalls::g_strace[0] != 0;
    if (trace)
        syscalls::trace_entry(number, args);
    if (syscalls::try_offload(number, args, &result))
        ; // answered by the service that owns its policy
    else if (number < rustos::abi::kLinuxSyscallLimit && syscalls::kTable.handlers[number])
        result = syscalls::kTable.handlers[number](args);
    else if (rustos::abi::is_rustos_syscall(number))
        result = syscalls::dispatch_native(number, args);
    else
        result = syscalls::unimplemented(number);
    if (trace)
        syscalls::trace_exit(number, result);
    frame->rax = uint64_t(result);
    sched::on_return_to_user(*frame);
}
