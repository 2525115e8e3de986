// Signal mechanism. syscalld owns the policy (dispositions, masks, pending
// sets, which thread takes a signal, default actions) and tells the kernel
// what to do through the signal broker; the kernel builds the Linux
// rt_sigframe on the user stack, restores it on rt_sigreturn, interrupts
// blocking calls (restarting them under SA_RESTART), and stops, continues
// and kills processes.
#pragma once

#include "arch/x86_64/trap_frame.h"
#include "sched/thread.h"

#include <rustos/abi/native.h>
#include <rustos/base/error.h>

namespace kernel::proc {
struct Process;
}

namespace kernel::signal {

// Queues a handler to run on `t`; with `interrupt`, a blocking call of `t`
// ends early (EINTR) or its service is asked to cancel it.
rustos::ErrorOr<void> deliver(sched::Thread& t, const rustos::abi::SignalDelivery& d,
                              bool interrupt);
rustos::ErrorOr<void> signal_process(proc::Process& p, rustos::abi::SignalOp op, int signo);

// On every return to user mode: waits while the process is stopped, then
// turns queued deliveries into signal frames (or restarts the interrupted
// system call, under SA_RESTART). Precondition: interrupts disabled.
void before_return_to_user(arch::TrapFrame& frame);

// A user-mode fault (SIGSEGV, SIGILL, ...): true when a handler will run
// (syscalld decided so); false means the process must die.
bool route_fault(arch::TrapFrame& frame, int signo, int code, uint64_t addr);

void discard_deliveries(sched::Thread& t);

// Whether a signal arriving while the thread blocks should interrupt it.
inline bool interrupts_block(const sched::Thread& t) { return t.delivery_count > 0; }

} // namespace kernel::signal
