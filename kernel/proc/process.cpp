#include "process.h"

#include "arch/x86_64/cpu.h"
#include "bootfs.h"
#include "log.h"
#include "mm/memory.h"
#include "panic.h"
#include "sched/scheduler.h"
#include "syscalls/futex.h"

#include <rustos/abi/auxv.h>
#include <rustos/abi/initial_stack.h>
#include <rustos/elf/elf.h>

namespace kernel::proc {

using rustos::Errno;
using rustos::Error;

ErrorOr<void> insert_vma(Process& p, uint64_t start, uint64_t end, uint32_t prot, VmaKind kind);
void destroy_vmas(Process& p);

namespace {

constexpr uint64_t kStackTop = 0x00007ffffffff000ull;
constexpr uint64_t kStackSize = 8ull << 20;
constexpr uint64_t kInitialStackBytes = 64 * 1024;
constexpr uint64_t kPieBase = 0x0000555555554000ull;

IntrusiveList<Process, &Process::all_node> g_processes;
uint64_t g_random_state;

uint64_t next_random() {
    // xorshift64*: seeded from the TSC; good enough for AT_RANDOM until a
    // real entropy source exists (FIXME: not cryptographic).
    g_random_state ^= g_random_state >> 12;
    g_random_state ^= g_random_state << 25;
    g_random_state ^= g_random_state >> 27;
    return g_random_state * 0x2545F4914F6CDD1Dull;
}

void copy_name(char* dst, size_t cap, StringView src) {
    size_t i = 0;
    for (; i < src.size() && i + 1 < cap; ++i)
        dst[i] = src[i];
    dst[i] = 0;
}

// Writes into another (not active) address space through the direct map,
// populating pages as needed.
ErrorOr<void> write_to(Process& p, uint64_t va, const uint8_t* src, uint64_t len) {
    TRY(prepare_user_range(p, va, len, false));
    while (len) {
        uint64_t phys = user_to_phys(p, va);
        uint64_t chunk = rustos::min(len, mm::kPageSize - (va & (mm::kPageSize - 1)));
        __builtin_memcpy(mm::phys_to_virt(phys), src, chunk);
        va += chunk;
        src += chunk;
        len -= chunk;
    }
    return {};
}

ErrorOr<void> load_image(Process& p, rustos::ReadonlyBytes file, const rustos::elf::Image& image,
                         uint64_t base) {
    uint64_t mapped_end = 0;
    for (size_t i = 0; i < image.load_count; ++i) {
        const auto& seg = image.loads[i];
        uint64_t start = rustos::align_down(base + seg.vaddr, mm::kPageSize);
        uint64_t end = rustos::align_up(base + seg.vaddr + seg.memsz, mm::kPageSize);
        uint32_t prot = ((seg.flags & rustos::elf::PF_R) ? uint32_t(PROT_READ) : 0u) |
                        ((seg.flags & rustos::elf::PF_W) ? uint32_t(PROT_WRITE) : 0u) |
                        ((seg.flags & rustos::elf::PF_X) ? uint32_t(PROT_EXEC) : 0u);
        if (start < mapped_end)
            start = mapped_end; // shares a page with the previous segment
        if (start < end)
            TRY(insert_vma(p, start, end, prot | PROT_READ, VmaKind::Image));
        mapped_end = rustos::max(mapped_end, end);
        // The loader writes through the direct map, so read-only segments
        // are filled in the same way; bss pages come zeroed.
        TRY(write_to(p, base + seg.vaddr, file.data() + seg.offset, seg.filesz));
        uint64_t zero_start = base + seg.vaddr + seg.filesz;
        uint64_t zero_end = base + seg.vaddr + seg.memsz;
        if (zero_end > zero_start)
            TRY(prepare_user_range(p, zero_start, zero_end - zero_start, false));
    }
    p.brk_start = p.brk_current = mapped_end;
    return {};
}

void free_process(Process* p) {
    g_processes.remove(*p);
    delete p;
}

} // namespace

void init() { g_random_state = arch::rdtsc() | 1; }

Process* find(int pid) {
    for (auto& p : g_processes)
        if (p.pid == pid)
            return &p;
    return nullptr;
}

Process* current_process() { return sched::current()->process; }
uint64_t page_table_of(const Process& p) { return p.pml4; }
const char* name_of(const Process& p) { return p.name; }

ErrorOr<Process*> spawn(StringView path, rustos::Span<const StringView> argv,
                        rustos::Span<const StringView> envp, int parent_pid) {
    rustos::ReadonlyBytes file = TRY(bootfs::open(path));
    auto image = TRY(rustos::elf::parse_executable(file));
    if (image.has_interp)
        return Error(ENOEXEC, "dynamically linked (PT_INTERP) programs need loaderd");

    auto* p = new Process;
    if (!p)
        return Error(ENOMEM, "out of memory for a process");
    auto pml4 = mm::create_user_pml4();
    if (pml4.is_error()) {
        delete p;
        return pml4.error();
    }
    p->pml4 = pml4.value();
    p->parent_pid = parent_pid;
    StringView base_name = path;
    for (size_t i = path.size(); i > 0; --i) {
        if (path[i - 1] == '/') {
            base_name = path.substr(i);
            break;
        }
    }
    copy_name(p->name, sizeof p->name, base_name);

    auto fail = [&](Error e) -> ErrorOr<Process*> {
        destroy_vmas(*p);
        mm::destroy_user_pml4(p->pml4);
        delete p;
        return e;
    };

    uint64_t base = image.type == rustos::elf::ET_DYN ? kPieBase : 0;
    if (auto r = load_image(*p, file, image, base); r.is_error())
        return fail(r.error());
    if (auto r = insert_vma(*p, kStackTop - kStackSize, kStackTop, PROT_READ | PROT_WRITE,
                            VmaKind::Stack);
        r.is_error())
        return fail(r.error());

    uint8_t random[16];
    for (int i = 0; i < 2; ++i) {
        uint64_t r = next_random();
        __builtin_memcpy(random + i * 8, &r, 8);
    }
    using namespace rustos::abi;
    const AuxEntry aux[] = {
        {AT_PHDR, base + image.phdr_vaddr},
        {AT_PHENT, image.phentsize},
        {AT_PHNUM, image.phnum},
        {AT_PAGESZ, mm::kPageSize},
        {AT_BASE, 0},
        {AT_FLAGS, 0},
        {AT_ENTRY, base + image.entry},
        {AT_UID, 0},
        {AT_EUID, 0},
        {AT_GID, 0},
        {AT_EGID, 0},
        {AT_HWCAP, arch::cpuid(1).edx},
        {AT_CLKTCK, 100},
        {AT_SECURE, 0},
    };
    InitialStackSpec spec{argv, envp, path, "x86_64", random, {aux, sizeof aux / sizeof aux[0]}};
    auto* buffer = static_cast<uint8_t*>(mm::kzalloc(kInitialStackBytes));
    if (!buffer)
        return fail(Error(ENOMEM, "out of memory for the initial stack"));
    auto rsp = build_initial_stack({buffer, kInitialStackBytes}, kStackTop, spec);
    if (rsp.is_error()) {
        mm::kfree(buffer);
        return fail(rsp.error());
    }
    uint64_t used_from = rustos::align_down(rsp.value(), mm::kPageSize);
    auto written = write_to(*p, used_from, buffer + (used_from - (kStackTop - kInitialStackBytes)),
                            kStackTop - used_from);
    mm::kfree(buffer);
    if (written.is_error())
        return fail(written.error());

    arch::TrapFrame frame{};
    frame.rip = base + image.entry;
    frame.rsp = rsp.value();
    frame.rflags = 0x202;
    sched::Thread* t = sched::create_user_thread(p, frame, sched::kPriorityNormal);
    if (!t)
        return fail(Error(ENOMEM, "out of memory for the main thread"));
    {
        arch::InterruptGuard guard;
        // One id space: the main thread's tid is the pid, as on Linux.
        p->pid = int(t->tid);
        g_processes.push_back(*p);
        p->threads.push_back(*t);
        p->live_threads = 1;
    }
    char path_text[128];
    copy_name(path_text, sizeof path_text, path);
    LOG_INFO("proc", "spawned pid %d (%s) from %s: %s entry 0x%lx", p->pid, p->name, path_text,
             image.type == rustos::elf::ET_DYN ? "static-pie" : "static", frame.rip);
    sched::start(t);
    return p;
}

ErrorOr<int> wait_child(int pid, int* wait_status) {
    Process* self = current_process();
    arch::InterruptGuard guard;
    Process* child = find(pid);
    if (!child || child->parent_pid != (self ? self->pid : 0))
        return Error(ECHILD, "no such child");
    while (!child->zombie) {
        if (sched::wait_on(child->exit_waiters, 0) == sched::WakeReason::Interrupted)
            return Error(EINTR, "interrupted");
    }
    *wait_status = child->wait_status;
    free_process(child);
    return pid;
}

namespace {

// Precondition: interrupts disabled. Marks the process as exiting and asks
// every other thread to leave.
void begin_exit(Process& p, int wait_status) {
    if (p.exiting)
        return;
    p.exiting = true;
    p.wait_status = wait_status;
    sched::Thread* self = sched::current();
    for (auto& t : p.threads) {
        if (&t == self)
            continue;
        t.kill_pending = true;
        if (t.state == sched::ThreadState::Blocked && t.interruptible)
            sched::wake(&t, sched::WakeReason::Interrupted);
    }
}

// Precondition: interrupts disabled. The last thread of `p` is leaving.
void finish_process(Process& p) {
    arch::write_cr3(mm::kernel_pml4());
    destroy_vmas(p);
    mm::destroy_user_pml4(p.pml4);
    p.pml4 = mm::kernel_pml4();
    p.zombie = true;
    int status = p.wait_status;
    if (status & 0x7f)
        LOG_INFO("proc", "pid %d (%s) terminated by signal %d", p.pid, p.name, status & 0x7f);
    else
        LOG_INFO("proc", "pid %d (%s) exited with status %d", p.pid, p.name, (status >> 8) & 0xff);
    if (p.parent_pid && find(p.parent_pid)) {
        sched::wake_all(p.exit_waiters);
    } else {
        free_process(&p); // nobody will wait for it
    }
}

[[noreturn]] void leave(bool clear_tid) {
    arch::cli();
    sched::Thread* self = sched::current();
    Process* p = self->process;
    if (clear_tid && self->clear_child_tid && !p->exiting) {
        uint32_t zero = 0;
        uint64_t addr = self->clear_child_tid;
        if (!prepare_user_range(*p, addr, 4, true).is_error()) {
            __builtin_memcpy(reinterpret_cast<void*>(addr), &zero, 4);
            futex::wake(*p, addr, 1, 0xffffffff);
        }
    }
    p->threads.remove(*self);
    if (--p->live_threads == 0)
        finish_process(*p);
    sched::exit_current_thread();
}

} // namespace

void kill_current_process(int signal, const char* reason) {
    arch::cli();
    Process* p = current_process();
    static const char* const kNames[] = {"",       "SIGHUP",  "SIGINT",  "SIGQUIT",
                                         "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS",
                                         "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV"};
    LOG_WARN("proc", "killed pid %d (%s) with %s: %s", p->pid, p->name,
             signal > 0 && signal < 12 ? kNames[signal] : "signal", reason);
    begin_exit(*p, signal & 0x7f);
    leave(false);
}

void exit_group(int exit_code) {
    arch::cli();
    begin_exit(*current_process(), (exit_code & 0xff) << 8);
    leave(true);
}

void exit_thread(int exit_code) {
    arch::cli();
    Process* p = current_process();
    if (p->live_threads == 1)
        begin_exit(*p, (exit_code & 0xff) << 8);
    leave(true);
}

void exit_current_thread_for_teardown() { leave(false); }

} // namespace kernel::proc
