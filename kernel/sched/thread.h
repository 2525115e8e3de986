// Threads: a kernel stack, saved registers, FPU state and scheduling state.
// A user thread belongs to a process; kernel threads have none.
#pragma once

#include "arch/x86_64/trap_frame.h"
#include "lib/list.h"

#include <stddef.h>
#include <stdint.h>

namespace kernel::proc {
struct Process;
}
namespace kernel::ipc {
struct Transaction;
struct KMessage;
class Endpoint;
} // namespace kernel::ipc
namespace rustos::abi {
struct SignalDelivery;
}

namespace kernel::sched {

enum class ThreadState { Runnable, Running, Blocked, Dead };
// Interrupted: the thread must leave (process teardown). Signal: a signal
// handler is to run (blocking calls return EINTR or are cancelled).
enum class WakeReason { None, Woken, Timeout, Interrupted, Signal };

inline constexpr int kPriorityLevels = 4;
inline constexpr int kPriorityHigh = 0;
inline constexpr int kPriorityNormal = 1;
inline constexpr int kPriorityIdle = kPriorityLevels - 1;

struct WaitQueue;

struct Thread {
    uint64_t tid = 0;
    bool owns_tid = false; // released when the thread is freed (a main thread's is the pid)
    proc::Process* process = nullptr;
    ThreadState state = ThreadState::Runnable;
    int priority = kPriorityNormal;
    char name[32] = {};

    uint64_t saved_rsp = 0; // kernel rsp while switched out
    uint8_t* kstack = nullptr;
    uint64_t kstack_top = 0;
    uint64_t fs_base = 0;
    uint64_t user_gs_base = 0;
    alignas(16) uint8_t fpu[512];

    ListNode run_node;     // run queue or wait queue
    ListNode process_node; // owning process's thread list
    ListNode sleep_node;   // timed waits, sorted by deadline
    uint64_t wake_deadline_ns = 0;
    WakeReason wake_reason = WakeReason::None;
    WaitQueue* waiting_on = nullptr;
    bool interruptible = false;

    // Set when the process is being torn down (exit_group, fatal signal);
    // the thread exits at its next return towards user mode.
    bool kill_pending = false;
    uint64_t clear_child_tid = 0; // CLONE_CHILD_CLEARTID / set_tid_address
    arch::TrapFrame* syscall_frame = nullptr;
    // IPC: what a caller handed straight to this thread while it waited in
    // receive (a call, or a one-way kernel event).
    ipc::Transaction* ipc_incoming_call = nullptr;
    ipc::KMessage* ipc_incoming_event = nullptr;

    // Signals (the policy is syscalld's; this is the mechanism). Handlers
    // syscalld asked to run, in order, each becoming a frame on the user
    // stack when the thread next returns to user mode.
    static constexpr int kMaxPendingDeliveries = 8;
    rustos::abi::SignalDelivery* deliveries[kMaxPendingDeliveries] = {};
    int delivery_count = 0;
    uint64_t syscall_nr = 0;          // the system call being served
    bool syscall_interrupted = false; // it ended with EINTR because of a signal
    // The thread waits for a service to answer a cancelled call: further
    // signals must not wake it again.
    bool signals_deferred = false;
    uint64_t ticks_used = 0;
};

struct WaitQueue {
    IntrusiveList<Thread, &Thread::run_node> waiters;
};

} // namespace kernel::sched
