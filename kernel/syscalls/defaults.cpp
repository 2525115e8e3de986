// Kernel defaults for process calls whose policy is procd's: what a process
// created before procd registered (a foundational service) gets. Such
// processes have no Linux children and their creator is their parent.
#include "proc/process.h"
#include "syscall.h"

namespace kernel::syscalls {

int64_t sys_wait4(Args&) { return rustos::abi::syscall_error(ECHILD); }
int64_t sys_waitid(Args&) { return rustos::abi::syscall_error(ECHILD); }
int64_t sys_getppid(Args&) { return proc::current_process()->creator_pid; }

} // namespace kernel::syscalls
