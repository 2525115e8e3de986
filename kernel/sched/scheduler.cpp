#include "scheduler.h"

#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/interrupts.h"
#include "arch/x86_64/percpu.h"
#include "log.h"
#include "mm/memory.h"
#include "panic.h"
#include "proc/process.h"
#include "proc/signal.h"
#include "profile.h"
#include "time.h"

#include <rustos/base/utility.h>

extern "C" void switch_context(uint64_t* save_rsp, uint64_t new_rsp);
extern "C" void kernel_thread_trampoline();
extern "C" void user_thread_trampoline();
extern "C" void trap_return();

namespace kernel::sched {

namespace {

constexpr size_t kKernelStackSize = 16384;
constexpr uint32_t kTickHz = kSchedTickHz;
constexpr uint64_t kTimeSliceTicks = 10;

IntrusiveList<Thread, &Thread::run_node> g_run_queues[kPriorityLevels];
IntrusiveList<Thread, &Thread::sleep_node> g_sleepers;
Thread g_idle_thread;
Thread* g_dead_thread; // freed by the next thread once we are off its stack
bool g_need_resched;
uint64_t g_slice_ticks;
Stats g_stats;
alignas(16) uint8_t g_initial_fpu[512];

void enqueue(Thread* t) {
    t->state = ThreadState::Runnable;
    g_run_queues[t->priority].push_back(*t);
}

// A thread the current one asked to run next (IPC hand-off), or nullptr.
Thread* g_handoff;

Thread* pick_next() {
    Thread* handoff = g_handoff;
    g_handoff = nullptr;
    if (handoff && handoff->state == ThreadState::Runnable) {
        IntrusiveList<Thread, &Thread::run_node>::remove(*handoff);
        return handoff;
    }
    for (auto& q : g_run_queues)
        if (Thread* t = q.pop_front())
            return t;
    return &g_idle_thread;
}

void free_thread(Thread* t) {
    signal::discard_deliveries(*t);
    if (t->owns_tid)
        proc::release_tid(uint32_t(t->tid));
    mm::kfree(t->kstack);
    delete t;
}

Thread* alloc_thread(const char* name, int priority, uint32_t tid) {
    auto* t = new Thread;
    if (!t)
        return nullptr;
    t->kstack = static_cast<uint8_t*>(mm::kmalloc(kKernelStackSize));
    if (!t->kstack) {
        delete t;
        return nullptr;
    }
    t->kstack_top = reinterpret_cast<uint64_t>(t->kstack) + kKernelStackSize;
    t->priority = priority;
    if (tid) {
        t->tid = tid;
    } else {
        auto id = proc::allocate_tid();
        if (id.is_error()) {
            mm::kfree(t->kstack);
            delete t;
            return nullptr;
        }
        t->tid = id.value();
        t->owns_tid = true;
    }
    size_t i = 0;
    for (; name[i] && i + 1 < sizeof t->name; ++i)
        t->name[i] = name[i];
    t->name[i] = 0;
    __builtin_memcpy(t->fpu, g_initial_fpu, sizeof t->fpu);
    return t;
}

// Pushes the frame switch_context pops: r15 r14 r13 r12 rbx rbp, ret.
void prepare_switch_frame(Thread* t, uint64_t stack_top, void (*ret)(), uint64_t r12,
                          uint64_t r13) {
    auto* sp = reinterpret_cast<uint64_t*>(stack_top);
    *--sp = 0; // alignment: entry sees rsp % 16 == 8 like after a call
    *--sp = reinterpret_cast<uint64_t>(ret);
    *--sp = 0;   // rbp
    *--sp = 0;   // rbx
    *--sp = r12; // r12
    *--sp = r13; // r13
    *--sp = 0;   // r14
    *--sp = 0;   // r15
    t->saved_rsp = reinterpret_cast<uint64_t>(sp);
}

void switch_to(Thread* next) {
    Thread* prev = arch::percpu().current;
    if (next == prev) {
        prev->state = ThreadState::Running;
        return;
    }
    g_stats.context_switches++;
    next->state = ThreadState::Running;
    g_slice_ticks = 0;

    asm volatile("fxsave64 (%0)" ::"r"(prev->fpu) : "memory");
    prev->fs_base = arch::rdmsr(arch::MSR_FS_BASE);
    prev->user_gs_base = arch::rdmsr(arch::MSR_KERNEL_GS_BASE);

    uint64_t next_cr3 = next->process ? proc::page_table_of(*next->process) : mm::kernel_pml4();
    if (arch::read_cr3() != next_cr3)
        arch::write_cr3(next_cr3);
    arch::wrmsr(arch::MSR_FS_BASE, next->fs_base);
    arch::wrmsr(arch::MSR_KERNEL_GS_BASE, next->user_gs_base);
    asm volatile("fxrstor64 (%0)" ::"r"(next->fpu) : "memory");
    arch::set_kernel_stack(next->kstack_top);
    arch::percpu().kernel_rsp = next->kstack_top;
    arch::percpu().current = next;

    switch_context(&prev->saved_rsp, next->saved_rsp);
}

void timer_irq(arch::TrapFrame& frame) {
    profile::sample(frame);
    on_timer_tick((frame.cs & 3) == 3);
}

} // namespace

void init() {
    arch::init_percpu();
    // Clean FPU/SSE state every new thread starts from.
    asm volatile("fninit");
    uint32_t mxcsr = 0x1f80;
    asm volatile("ldmxcsr %0" ::"m"(mxcsr));
    asm volatile("fxsave64 (%0)" ::"r"(g_initial_fpu) : "memory");

    __builtin_memcpy(g_idle_thread.name, "idle", 5);
    g_idle_thread.priority = kPriorityIdle;
    g_idle_thread.state = ThreadState::Running;
    g_idle_thread.kstack_top =
        reinterpret_cast<uint64_t>(&g_idle_thread); // unused: never enters user mode
    arch::percpu().current = &g_idle_thread;
    arch::set_irq_handler(arch::kTimerVector, timer_irq);
}

Thread* current() { return arch::percpu().current; }

Thread* create_kernel_thread(const char* name, void (*fn)(void*), void* arg, int priority) {
    Thread* t = alloc_thread(name, priority, 0);
    if (!t)
        return nullptr;
    prepare_switch_frame(t, t->kstack_top, kernel_thread_trampoline, reinterpret_cast<uint64_t>(fn),
                         reinterpret_cast<uint64_t>(arg));
    return t;
}

Thread* create_user_thread(proc::Process* process, const arch::TrapFrame& frame, int priority,
                           uint32_t tid) {
    Thread* t = alloc_thread(proc::name_of(*process), priority, tid);
    if (!t)
        return nullptr;
    t->process = process;
    uint64_t frame_addr = t->kstack_top - sizeof(arch::TrapFrame);
    auto* f = reinterpret_cast<arch::TrapFrame*>(frame_addr);
    *f = frame;
    f->cs = arch::USER_CS;
    f->ss = arch::USER_DS;
    f->rflags = (frame.rflags & 0xcd5) | 0x202; // user-settable flags, IF on
    prepare_switch_frame(t, frame_addr, user_thread_trampoline, frame_addr, 0);
    return t;
}

void inherit_fpu_state(Thread& t) { asm volatile("fxsave64 (%0)" ::"r"(t.fpu) : "memory"); }

void destroy_unstarted_thread(Thread* t) { free_thread(t); }

void start(Thread* t) {
    arch::InterruptGuard guard;
    enqueue(t);
}

// Precondition: interrupts disabled.
static void schedule() {
    Thread* prev = current();
    if (prev != &g_idle_thread && prev->state == ThreadState::Running)
        enqueue(prev);
    g_need_resched = false;
    switch_to(pick_next());
    sched_finish_switch_impl();
}

void sched_finish_switch_impl() {
    if (g_dead_thread && g_dead_thread != current()) {
        free_thread(g_dead_thread);
        g_dead_thread = nullptr;
    }
}

void hand_off_to(Thread* t) { g_handoff = t; }

void yield() {
    arch::InterruptGuard guard;
    schedule();
}

WakeReason block(uint64_t deadline_ns, bool interruptible) {
    Thread* self = current();
    if (interruptible && self->kill_pending)
        return WakeReason::Interrupted;
    if (interruptible && self->delivery_count && !self->signals_deferred)
        return WakeReason::Signal;
    self->state = ThreadState::Blocked;
    self->wake_reason = WakeReason::None;
    self->interruptible = interruptible;
    self->wake_deadline_ns = deadline_ns;
    if (deadline_ns) {
        Thread* pos = nullptr;
        for (auto& t : g_sleepers) {
            if (t.wake_deadline_ns > deadline_ns) {
                pos = &t;
                break;
            }
        }
        if (pos)
            g_sleepers.insert_before(*pos, *self);
        else
            g_sleepers.push_back(*self);
    }
    schedule();
    return self->wake_reason;
}

WakeReason wait_on(WaitQueue& q, uint64_t deadline_ns, bool interruptible) {
    Thread* self = current();
    if (interruptible && self->kill_pending)
        return WakeReason::Interrupted;
    if (interruptible && self->delivery_count && !self->signals_deferred)
        return WakeReason::Signal;
    self->waiting_on = &q;
    q.waiters.push_back(*self);
    WakeReason r = block(deadline_ns, interruptible);
    return r;
}

// Precondition: interrupts disabled.
void wake(Thread* t, WakeReason reason) {
    if (t->state != ThreadState::Blocked)
        return;
    if (t->waiting_on) {
        decltype(t->waiting_on->waiters)::remove(*t);
        t->waiting_on = nullptr;
    }
    IntrusiveList<Thread, &Thread::sleep_node>::remove(*t);
    t->wake_reason = reason;
    enqueue(t);
    if (t->priority < current()->priority || current() == &g_idle_thread)
        g_need_resched = true;
}

size_t wake_one(WaitQueue& q) {
    arch::InterruptGuard guard;
    if (Thread* t = q.waiters.front()) {
        wake(t, WakeReason::Woken);
        return 1;
    }
    return 0;
}

size_t wake_all(WaitQueue& q) {
    arch::InterruptGuard guard;
    size_t n = 0;
    while (Thread* t = q.waiters.front()) {
        wake(t, WakeReason::Woken);
        ++n;
    }
    return n;
}

WakeReason sleep_until(uint64_t deadline_ns) {
    arch::InterruptGuard guard;
    if (deadline_ns <= time::monotonic_ns())
        return WakeReason::Timeout;
    return block(deadline_ns, true);
}

void exit_current_thread() {
    arch::cli();
    Thread* self = current();
    self->state = ThreadState::Dead;
    if (g_dead_thread)
        panic("two threads dead at once");
    g_dead_thread = self;
    g_need_resched = false;
    switch_to(pick_next());
    panic("dead thread %s was scheduled again", self->name);
}

namespace {

// Threads running or ready to run (the current one unless it is idle).
uint32_t count_runnable() {
    uint32_t n = current() != &g_idle_thread;
    for (auto& q : g_run_queues)
        for (auto& t : q) {
            (void)t;
            ++n;
        }
    return n;
}

// Every 5 s, as Linux's calc_load: load = load * e + n * (1 - e), with
// e = exp(-5 s / 1, 5, 15 min) in kLoadShift fixed point.
void update_load_average() {
    constexpr uint64_t kOne = 1u << kLoadShift;
    constexpr uint64_t kExp[3] = {1884, 2014, 2037};
    uint32_t n = count_runnable();
    g_stats.runnable = n;
    for (int i = 0; i < 3; ++i) {
        uint64_t load = g_stats.loads[i] * kExp[i] + uint64_t(n) * kOne * (kOne - kExp[i]);
        g_stats.loads[i] = (load + kOne / 2) >> kLoadShift;
    }
}

} // namespace

void on_timer_tick(bool from_user) {
    g_stats.ticks++;
    if (current() == &g_idle_thread)
        g_stats.idle_ticks++;
    else if (from_user)
        g_stats.user_ticks++;
    else
        g_stats.system_ticks++;
    if (g_stats.ticks % (5 * kTickHz) == 0)
        update_load_average();
    uint64_t now = time::monotonic_ns();
    while (Thread* t = g_sleepers.front()) {
        if (t->wake_deadline_ns > now)
            break;
        wake(t, WakeReason::Timeout);
    }
    Thread* self = current();
    self->ticks_used++;
    if (self->process)
        proc::check_cpu_alarm(*self->process);
    if (++g_slice_ticks >= kTimeSliceTicks)
        g_need_resched = true;
}

void on_return_to_user(arch::TrapFrame& frame) {
    // Interrupts may be on (after a syscall); the scheduler needs them off.
    arch::cli();
    Thread* self = current();
    if (self->kill_pending)
        proc::exit_current_thread_for_teardown();
    if (g_need_resched)
        schedule();
    // Job control stops and signal handlers take effect here, on the way
    // out to user mode.
    signal::before_return_to_user(frame);
    if (self->kill_pending)
        proc::exit_current_thread_for_teardown();
}

void reset_thread_fpu(Thread& t) { __builtin_memcpy(t.fpu, g_initial_fpu, sizeof t.fpu); }

void reset_fpu_state() { asm volatile("fxrstor64 (%0)" ::"r"(g_initial_fpu) : "memory"); }

void run_idle_loop() {
    arch::start_periodic_timer(kTickHz);
    for (;;) {
        arch::cli();
        if (g_need_resched || !g_run_queues[0].empty() || !g_run_queues[1].empty() ||
            !g_run_queues[2].empty())
            schedule();
        // sti; hlt is atomic with respect to interrupts: no lost wake-up.
        asm volatile("sti; hlt" ::: "memory");
    }
}

Stats stats() {
    arch::InterruptGuard guard;
    Stats s = g_stats;
    s.runnable = count_runnable();
    return s;
}

} // namespace kernel::sched

extern "C" void sched_finish_switch() { kernel::sched::sched_finish_switch_impl(); }

extern "C" void sched_first_return_to_user(kernel::arch::TrapFrame* frame) {
    kernel::sched::on_return_to_user(*frame);
}

extern "C" [[noreturn]] void kernel_thread_start(void (*fn)(void*), void* arg) {
    kernel::sched::sched_finish_switch_impl();
    kernel::arch::sti();
    fn(arg);
    kernel::sched::exit_current_thread();
}
