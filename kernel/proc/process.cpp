#include "process.h"

#include "arch/x86_64/cpu.h"
#include "bootfs.h"
#include "ipc/ipc.h"
#include "log.h"
#include "mm/memory.h"
#include "panic.h"
#include "sched/scheduler.h"
#include "signal.h"
#include "syscalls/futex.h"

#include <rustos/base/id_allocator.h>
#include <rustos/elf/loader.h>
#include <rustos/ipc/codec.h>

namespace kernel::proc {

using rustos::Error;

namespace {

// The Linux pid/tid namespace. Id 1 is handed out only on request (procd
// gives it to init); fresh ids start at 2.
constexpr uint32_t kMaxIds = 32768;
uint64_t g_id_words[kMaxIds / 64];
rustos::IdAllocator g_ids;

IntrusiveList<Process, &Process::all_node> g_processes;
uint64_t g_next_koid = 1;
uint64_t g_random_state;
constexpr size_t kMaxObservers = 8;
ipc::Endpoint* g_observers[kMaxObservers]; // each holds a reference

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

VmaKind vma_kind(rustos::abi::MapKind k) {
    switch (k) {
    case rustos::abi::MapKind::Image:
        return VmaKind::Image;
    case rustos::abi::MapKind::Heap:
        return VmaKind::Heap;
    case rustos::abi::MapKind::Stack:
        return VmaKind::Stack;
    case rustos::abi::MapKind::Anonymous:
    // What the process broker builds is plain memory: physical and object
    // mappings come only from their own calls.
    case rustos::abi::MapKind::Physical:
    case rustos::abi::MapKind::Object:
        return VmaKind::Anonymous;
    }
    return VmaKind::Anonymous;
}

// The kernel's LoadTarget: writes straight into a not-yet-started process.
class KernelLoadTarget final : public rustos::elf::LoadTarget {
public:
    explicit KernelLoadTarget(AddressSpace& as) : m_process(as) {}
    ErrorOr<void> map(uint64_t vaddr, uint64_t len, uint32_t prot,
                      rustos::abi::MapKind kind) override {
        return map_region(m_process, vaddr, len, prot, vma_kind(kind));
    }
    ErrorOr<void> write(uint64_t vaddr, const uint8_t* data, uint64_t len) override {
        return write_memory(m_process, vaddr, data, len);
    }

private:
    AddressSpace& m_process;
};

} // namespace

void init() {
    g_random_state = arch::rdtsc() | 1;
    g_ids.init(g_id_words, kMaxIds, 2);
}

ErrorOr<uint32_t> allocate_tid() {
    arch::InterruptGuard guard;
    return g_ids.allocate();
}

void release_tid(uint32_t tid) {
    arch::InterruptGuard guard;
    g_ids.release(tid);
}

Process::~Process() {
    arch::InterruptGuard guard;
    if (send_quota)
        send_quota->unref();
    if (cpu_alarm_endpoint)
        cpu_alarm_endpoint->unref();
    space.reset();
    handles.close_all();
    g_processes.remove(*this);
    if (pid)
        g_ids.release(uint32_t(pid));
}

Process* find(int pid) {
    arch::InterruptGuard guard;
    for (auto& p : g_processes)
        if (p.pid == pid)
            return &p;
    return nullptr;
}

Process* current_process() { return sched::current()->process; }
uint64_t page_table_of(const Process& p) { return p.space ? p.space->pml4 : mm::kernel_pml4(); }

FaultResult handle_user_page_fault(uint64_t addr, uint64_t error_code) {
    Process* p = current_process();
    return p && p->space ? handle_fault(*p->space, addr, error_code) : FaultResult::Segv;
}
const char* name_of(const Process& p) { return p.name; }

uint64_t cpu_ticks(const Process& p) {
    arch::InterruptGuard guard;
    uint64_t ticks = p.cpu_ticks;
    for (auto& t : p.threads)
        ticks += t.ticks_used;
    return ticks;
}

void set_cpu_alarm(Process& p, uint64_t at_ticks, ipc::Endpoint* endpoint) {
    arch::InterruptGuard guard;
    if (p.cpu_alarm_endpoint)
        p.cpu_alarm_endpoint->unref();
    p.cpu_alarm_endpoint = at_ticks ? endpoint : nullptr;
    if (p.cpu_alarm_endpoint)
        p.cpu_alarm_endpoint->ref();
    p.cpu_alarm_at = at_ticks;
}

void check_cpu_alarm(Process& p) {
    if (!p.cpu_alarm_at)
        return;
    uint64_t used = cpu_ticks(p);
    if (used < p.cpu_alarm_at)
        return;
    ipc::Endpoint* ep = p.cpu_alarm_endpoint;
    p.cpu_alarm_at = 0;
    p.cpu_alarm_endpoint = nullptr;
    if (!ep)
        return;
    if (!ep->closed()) {
        if (auto* m = ipc::KMessage::create(4 + 8)) {
            m->header.op = rustos::ipc::op::KERNEL_CPU_ALARM;
            m->header.sender_pid = uint32_t(p.pid);
            m->header.sender_koid = p.koid;
            rustos::ipc::Writer w(m->payload(), m->header.length);
            w.u32(uint32_t(p.pid)).u64(used);
            ep->post_event(m);
        }
    }
    ep->unref();
}

rustos::abi::ProcessInfo info_of(const Process& p) {
    rustos::abi::ProcessInfo info{};
    info.pid = uint32_t(p.pid);
    info.creator_pid = uint32_t(p.creator_pid);
    info.koid = p.koid;
    info.state = uint32_t(p.state);
    info.wait_status = p.wait_status;
    info.threads = uint32_t(p.live_threads);
    info.user_pages = p.space ? resident_pages(*p.space) : 0;
    info.cpu_ticks = cpu_ticks(p);
    copy_name(info.name, sizeof info.name, p.name);
    return info;
}

size_t list(rustos::abi::ProcessInfo* out, size_t max) {
    arch::InterruptGuard guard;
    size_t n = 0;
    // Exited processes stay listed while referenced: procd holds a
    // process until its parent reaps it, so a zombie is still there.
    for (auto& p : g_processes) {
        if (n < max)
            out[n] = info_of(p);
        ++n;
    }
    return n;
}

ErrorOr<void> add_observer(ipc::Endpoint* endpoint) {
    arch::InterruptGuard guard;
    for (auto& slot : g_observers) {
        if (slot == endpoint)
            return {};
        if (slot && slot->closed()) {
            slot->unref();
            slot = nullptr;
        }
    }
    for (auto& slot : g_observers) {
        if (!slot) {
            endpoint->ref();
            slot = endpoint;
            return {};
        }
    }
    return Error(EBUSY, "too many process observers");
}

void post_process_event(Process& p, uint32_t op, int32_t arg) {
    arch::InterruptGuard guard;
    for (ipc::Endpoint* ep : g_observers) {
        if (!ep || ep->closed())
            continue;
        auto* m = ipc::KMessage::create(4 + 8 + 4);
        if (!m) {
            LOG_WARN("proc", "out of memory: an event of pid %d was not reported", p.pid);
            continue;
        }
        m->header.op = op;
        m->header.sender_pid = uint32_t(p.pid);
        m->header.sender_koid = p.koid;
        rustos::ipc::Writer w(m->payload(), m->header.length);
        w.u32(uint32_t(p.pid)).u64(p.koid).i32(arg);
        ep->post_event(m);
    }
}

uint32_t offload_for_new_process() {
    uint32_t bits = 0;
    for (uint32_t id = 1; id < 32; ++id)
        if (ipc::Endpoint* ep = ipc::registered_endpoint(id); ep && ep->serves_linux)
            bits |= offload_bit(id);
    return bits;
}

sched::Thread* find_thread(Process& p, uint64_t tid) {
    for (auto& t : p.threads)
        if (t.tid == tid)
            return &t;
    return nullptr;
}

sched::Thread* find_thread_any(uint64_t tid) {
    for (auto& p : g_processes)
        if (sched::Thread* t = find_thread(p, tid))
            return t;
    return nullptr;
}

namespace {
uint64_t g_processes_created;
} // namespace

uint64_t processes_created() { return g_processes_created; }

ErrorOr<RefPtr<Process>> create(StringView name, int creator_pid) {
    auto* p = new Process;
    if (!p)
        return Error(ENOMEM, "out of memory for a process");
    ++g_processes_created;
    RefPtr<Process> ref = RefPtr<Process>::adopt(p);
    p->space = TRY(AddressSpace::create());
    p->pid = int(TRY(allocate_tid()));
    p->creator_pid = creator_pid;
    copy_name(p->name, sizeof p->name, name);
    p->offload = offload_for_new_process();
    {
        arch::InterruptGuard guard;
        p->koid = g_next_koid++;
        g_processes.push_back(*p);
    }
    return ref;
}

ErrorOr<void> map_region(AddressSpace& as, uint64_t vaddr, uint64_t len, uint32_t prot,
                         VmaKind kind) {
    if (as.live)
        return Error(EBUSY, "the address space is in use");
    if (!rustos::is_aligned(vaddr, mm::kPageSize) || len == 0 ||
        !rustos::is_aligned(len, mm::kPageSize))
        return Error(EINVAL, "region not page aligned or empty");
    uint64_t end;
    if (!rustos::checked_add(vaddr, len, &end) || end > mm::kUserTop || vaddr < mm::kPageSize)
        return Error(EINVAL, "region outside user space");
    if (prot & ~uint32_t(PROT_READ | PROT_WRITE | PROT_EXEC))
        return Error(EINVAL, "unknown protection bits");
    if (!range_is_free(as, vaddr, end))
        return Error(EEXIST, "region overlaps an existing mapping");
    return insert_vma(as, vaddr, end, prot, kind);
}

ErrorOr<void> write_memory(AddressSpace& as, uint64_t va, const uint8_t* src, uint64_t len) {
    if (as.live)
        return Error(EBUSY, "the address space is in use");
    // Writes through the direct map, so read-only segments are filled the
    // same way; a page mapped copy-on-write from a memory object (a
    // program's page cache) gets its own copy first.
    return write_live(as, va, src, len);
}

ErrorOr<void> start(Process& p, uint64_t entry, uint64_t rsp, uint64_t brk, bool suspended) {
    if (p.state != ProcessState::Created)
        return Error(EBUSY, "the process has already started");
    if (entry >= mm::kUserTop || rsp >= mm::kUserTop || brk >= mm::kUserTop)
        return Error(EINVAL, "entry, stack or break outside user space");
    arch::TrapFrame frame{};
    frame.rip = entry;
    frame.rsp = rsp;
    frame.rflags = 0x202;
    sched::Thread* t =
        sched::create_user_thread(&p, frame, sched::kPriorityNormal, uint32_t(p.pid));
    if (!t)
        return Error(ENOMEM, "out of memory for the main thread");
    p.space->brk_start = p.space->brk_current = rustos::align_up(brk, mm::kPageSize);
    p.space->live = true;
    arch::InterruptGuard guard;
    p.ref(); // a started process keeps itself alive until its last thread ends
    p.threads.push_back(*t);
    p.live_threads = 1;
    p.main_thread = t;
    if (suspended) {
        p.state = ProcessState::Suspended;
        return {};
    }
    p.state = ProcessState::Running;
    sched::start(t);
    return {};
}

ErrorOr<void> resume(Process& p) {
    arch::InterruptGuard guard;
    if (p.state != ProcessState::Suspended)
        return Error(EINVAL, "the process is not suspended");
    p.state = ProcessState::Running;
    sched::start(p.main_thread);
    return {};
}

ErrorOr<void> set_pid(Process& p, uint32_t pid) {
    arch::InterruptGuard guard;
    if (p.state != ProcessState::Created && p.state != ProcessState::Suspended)
        return Error(EBUSY, "the process is already running");
    if (uint32_t(p.pid) == pid)
        return {};
    TRY(g_ids.claim(pid));
    g_ids.release(uint32_t(p.pid));
    p.pid = int(pid);
    if (p.main_thread)
        p.main_thread->tid = pid;
    return {};
}

ErrorOr<Process*> spawn_root(StringView path, rustos::Span<const StringView> argv,
                             rustos::Span<const StringView> envp) {
    rustos::ReadonlyBytes file = TRY(bootfs::open(path));
    auto image = TRY(rustos::elf::parse_executable(file));
    if (image.has_interp)
        return Error(ENOEXEC, "rootd must be a static program (it has PT_INTERP)");

    StringView base_name = path;
    for (size_t i = path.size(); i > 0; --i) {
        if (path[i - 1] == '/') {
            base_name = path.substr(i);
            break;
        }
    }
    RefPtr<Process> p = TRY(create(base_name, 0));
    // The privilege root holds every capability at birth.
    p->caps.brokers = ~0ull;
    p->caps.service_register = ~0ull;
    p->caps.service_authority = ~0ull;

    KernelLoadTarget target(*p->space);
    uint64_t bias = image.type == rustos::elf::ET_DYN ? rustos::elf::kPieBase : 0;
    auto loaded = TRY(rustos::elf::load_image(file, image, bias, target));

    uint8_t random[16];
    for (int i = 0; i < 2; ++i) {
        uint64_t r = next_random();
        __builtin_memcpy(random + i * 8, &r, 8);
    }
    auto* scratch = static_cast<uint8_t*>(mm::kmalloc(rustos::elf::kInitialStackBytes));
    if (!scratch)
        return Error(ENOMEM, "out of memory for the initial stack");
    rustos::elf::StackSpec spec;
    spec.argv = argv;
    spec.envp = envp;
    spec.execfn = path;
    spec.program = &loaded;
    spec.hwcap = arch::cpuid(1).edx;
    spec.random16 = random;
    auto rsp = rustos::elf::setup_stack(spec, target, {scratch, rustos::elf::kInitialStackBytes});
    mm::kfree(scratch);
    if (rsp.is_error())
        return rsp.error();
    TRY(start(*p, loaded.entry, rsp.value(), loaded.end, false));
    char path_text[128];
    copy_name(path_text, sizeof path_text, path);
    LOG_INFO("proc", "spawned pid %d (%s) from %s: %s entry 0x%lx", p->pid, p->name, path_text,
             image.type == rustos::elf::ET_DYN ? "static-pie" : "static", loaded.entry);
    return p.get(); // kept alive by its running main thread
}

ErrorOr<void> require(Process& p, Capability c, const char* what) {
    if (p.caps.has(c))
        return {};
    uint64_t bit = 1ull << (uint32_t(c) & 63);
    if (!(p.denied_logged & bit)) {
        p.denied_logged |= bit;
        LOG_WARN("cap", "pid %d (%s): %s refused: needs the %s capability (held by %s) -> EPERM",
                 p.pid, p.name, what, rustos::abi::capability_name(c),
                 rustos::abi::capability_owner(c));
    }
    return Error(EPERM, "missing capability");
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
    p.space.reset();
    p.state = ProcessState::Exited;
    int status = p.wait_status;
    if (status & 0x7f)
        LOG_DEBUG("proc", "pid %d (%s) terminated by signal %d", p.pid, p.name, status & 0x7f);
    else
        LOG_DEBUG("proc", "pid %d (%s) exited with status %d", p.pid, p.name, (status >> 8) & 0xff);
    // Endpoints it served close (their callers fail), calls it received but
    // did not answer fail with ECONNRESET.
    p.handles.close_all();
    post_process_event(p, rustos::ipc::op::KERNEL_PROCESS_EXITED, p.wait_status);
    sched::wake_all(p.exit_waiters);
    p.unref(); // the reference taken by start()
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
    p->cpu_ticks += self->ticks_used;
    if (--p->live_threads == 0)
        finish_process(*p);
    else
        sched::wake_all(p->thread_exit_waiters);
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

void terminate(Process& p, int signo) {
    arch::InterruptGuard guard;
    if (p.exiting || p.state == ProcessState::Exited)
        return;
    LOG_DEBUG("proc", "pid %d (%s) terminated by signal %d on request", p.pid, p.name, signo);
    begin_exit(p, signo & 0x7f);
    p.stopped = false;
    sched::wake_all(p.continue_waiters);
    if (p.state == ProcessState::Suspended) {
        // Never ran: let its main thread start, see kill_pending and leave.
        p.state = ProcessState::Running;
        sched::start(p.main_thread);
    }
}

ErrorOr<RefPtr<Process>> fork(Process& parent, const ForkRequest& req) {
    constexpr uint64_t CLONE_VM = 0x100, CLONE_SETTLS = 0x80000, CLONE_CHILD_CLEARTID = 0x200000,
                       CLONE_CHILD_SETTID = 0x1000000;
    sched::Thread* t = find_thread(parent, req.tid);
    if (!t || t->state != sched::ThreadState::Blocked || !t->syscall_frame)
        return Error(EINVAL, "the thread is not blocked in a system call");
    if (!parent.space || parent.exiting)
        return Error(ESRCH, "the process is exiting");
    if (req.stack >= mm::kUserTop || req.tls >= mm::kUserTop)
        return Error(EINVAL, "stack or TLS outside user space");
    RefPtr<Process> child = TRY(create(parent.name, parent.pid));
    // CLONE_VM (vfork, posix_spawn): the child runs in the parent's address
    // space until it execs (exec_commit gives it its own) or exits.
    bool share_vm = req.flags & CLONE_VM;
    child->space = share_vm ? parent.space : TRY(parent.space->fork());
    child->offload = parent.offload;

    arch::TrapFrame frame = *t->syscall_frame;
    frame.rax = 0;
    if (req.stack)
        frame.rsp = req.stack;
    sched::Thread* ct =
        sched::create_user_thread(child.get(), frame, t->priority, uint32_t(child->pid));
    if (!ct)
        return Error(ENOMEM, "out of memory for the child's thread");
    __builtin_memcpy(ct->fpu, t->fpu, sizeof ct->fpu);
    ct->fs_base = (req.flags & CLONE_SETTLS) ? req.tls : t->fs_base;
    ct->user_gs_base = t->user_gs_base;
    if (req.flags & CLONE_CHILD_CLEARTID)
        ct->clear_child_tid = req.child_tid_ptr;
    if (req.flags & CLONE_CHILD_SETTID) {
        uint32_t tid = uint32_t(child->pid);
        auto w = prepare_range(*child->space, req.child_tid_ptr, 4, true);
        if (!w.is_error())
            __builtin_memcpy(mm::phys_to_virt(to_phys(*child->space, req.child_tid_ptr)), &tid, 4);
    }
    if (!share_vm) {
        child->space->brk_start = parent.space->brk_start;
        child->space->brk_current = parent.space->brk_current;
    }
    child->space->live = true;
    arch::InterruptGuard guard;
    child->ref(); // kept alive by its threads from now on
    child->threads.push_back(*ct);
    child->live_threads = 1;
    child->main_thread = ct;
    child->state = ProcessState::Suspended;
    return child;
}

ErrorOr<void> exec_commit(Process& p, RefPtr<AddressSpace> space,
                          const rustos::abi::ExecCommit& args) {
    if (space->live)
        return Error(EBUSY, "the address space is already in use");
    if (args.entry >= mm::kUserTop || args.rsp >= mm::kUserTop || args.brk >= mm::kUserTop)
        return Error(EINVAL, "entry, stack or break outside user space");
    arch::InterruptGuard guard;
    sched::Thread* t = find_thread(p, args.tid);
    if (!t || t->state != sched::ThreadState::Blocked || !t->syscall_frame || p.exiting)
        return Error(EINVAL, "the thread is not blocked in execve");
    // Every other thread ends first (as on Linux, exec is single-threaded).
    for (auto& other : p.threads) {
        if (&other == t)
            continue;
        other.kill_pending = true;
        if (other.state == sched::ThreadState::Blocked && other.interruptible)
            sched::wake(&other, sched::WakeReason::Interrupted);
    }
    while (p.live_threads > 1)
        if (sched::wait_on(p.thread_exit_waiters, 0, true) == sched::WakeReason::Interrupted)
            return Error(EINTR, "interrupted");
    space->brk_start = space->brk_current = rustos::align_up(args.brk, mm::kPageSize);
    space->live = true;
    p.space = rustos::move(space); // the old image goes away with its last reference
    arch::TrapFrame& f = *t->syscall_frame;
    f = arch::TrapFrame{};
    f.rip = args.entry;
    f.rsp = args.rsp;
    f.rflags = 0x202;
    f.cs = arch::USER_CS;
    f.ss = arch::USER_DS;
    f.vector = arch::kSyscallVector;
    t->fs_base = 0;
    t->user_gs_base = 0;
    t->clear_child_tid = 0;
    sched::reset_thread_fpu(*t);
    signal::discard_deliveries(*t);
    t->syscall_interrupted = false;
    size_t i = 0;
    for (; i + 1 < sizeof p.name && args.name[i]; ++i)
        p.name[i] = args.name[i];
    p.name[i] = 0;
    copy_name(t->name, sizeof t->name, StringView(p.name));
    return {};
}

} // namespace kernel::proc
