// Preemptive priority round-robin scheduler (one CPU for now).
#pragma once

#include "thread.h"

namespace kernel::sched {

void init();
// Enables the timer tick; the current boot context becomes the idle thread.
[[noreturn]] void run_idle_loop();

Thread* current();
// Creates a kernel thread running fn(arg); not started.
Thread* create_kernel_thread(const char* name, void (*fn)(void*), void* arg, int priority);
// Creates a user thread that enters user mode with `frame`; not started.
// `tid` 0 allocates a fresh id; a process's main thread passes its pid.
Thread* create_user_thread(proc::Process* process, const arch::TrapFrame& frame, int priority,
                           uint32_t tid = 0);
// Copies the current thread's FPU state into `t` (clone inherits it).
void inherit_fpu_state(Thread& t);
void start(Thread* t);
// Frees a thread that was created but never started.
void destroy_unstarted_thread(Thread* t);

void yield();
// Precondition: interrupts disabled. The next time this CPU schedules, it
// runs `t` (if runnable) before anything in the run queues: IPC uses it to
// switch from a caller straight to the server thread and back.
void hand_off_to(Thread* t);
// Precondition: interrupts disabled. The caller already linked itself on
// whatever it waits for (or not, for a plain sleep).
WakeReason block(uint64_t deadline_ns, bool interruptible);
// Blocks on `q` until woken, timed out (deadline in monotonic ns, 0 = none)
// or interrupted by process teardown. Precondition: interrupts disabled.
WakeReason wait_on(WaitQueue& q, uint64_t deadline_ns, bool interruptible = true);
void wake(Thread* t, WakeReason reason);
size_t wake_one(WaitQueue& q);
size_t wake_all(WaitQueue& q);
WakeReason sleep_until(uint64_t deadline_ns);

[[noreturn]] void exit_current_thread();

void on_timer_tick(bool from_user);
// Frees the thread that died before the last switch (internal).
void sched_finish_switch_impl();
void on_return_to_user(arch::TrapFrame& frame);
// Loads the clean FPU/SSE state threads start with (signal handlers too).
void reset_fpu_state();
// Gives a thread that is not running the clean FPU/SSE state (exec).
void reset_thread_fpu(Thread& t);

struct Stats {
    uint64_t context_switches;
    uint64_t ticks;
    uint64_t user_ticks, system_ticks, idle_ticks; // what each tick interrupted
    // Load averages over 1, 5, 15 minutes: runnable threads, fixed point
    // with kLoadShift fraction bits, updated every 5 s.
    uint64_t loads[3];
    uint32_t runnable;
};
inline constexpr unsigned kLoadShift = 11;
inline constexpr uint32_t kSchedTickHz = 1000;
Stats stats();

} // namespace kernel::sched
