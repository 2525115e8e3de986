// Processes: an address space (page tables + VMAs), threads, handles,
// capabilities and exit state. This is mechanism only: which processes
// exist and in what tree, what their Linux parent is and who may wait for
// them is procd's policy; how programs are loaded is loaderd's (through the
// process broker). The kernel itself loads exactly one program: rootd.
#pragma once

#include "address_space.h"
#include "lib/list.h"
#include "object/handle_table.h"
#include "object/object.h"
#include "sched/thread.h"

#include <rustos/abi/native.h>
#include <rustos/base/error.h>
#include <rustos/base/span.h>
#include <rustos/base/string_view.h>

namespace kernel::ipc {
class Endpoint;
struct SendQuota;
} // namespace kernel::ipc

namespace kernel::proc {

using rustos::ErrorOr;
using rustos::StringView;
using rustos::abi::Capability;
using rustos::abi::ProcessState;

// Which services a process's Linux system calls go to: bit n for service
// id n (syscalls/offload.cpp names the service of each call). Decided once,
// at creation: the services registered then (so never the process itself,
// which registers later); nothing for processes created with
// PROCESS_KERNEL_DEFAULTS (the foundational services); inherited by fork.
inline uint32_t offload_bit(uint32_t service) { return 1u << service; }

struct Capabilities {
    uint64_t brokers = 0;          // bit n: Capability with number n (BROKER kind)
    uint64_t service_register = 0; // bit id: may register that service id
    uint64_t service_authority = 0;
    bool has(Capability c) const { return brokers & (1ull << uint32_t(c)); }
};

struct Process final : KernelObject {
    Process() : KernelObject(ObjectType::Process) {}
    ~Process() override;

    uint64_t koid = 0;
    int pid = 0;         // Linux pid (the main thread's tid); from the id table
    int creator_pid = 0; // who created it (procd keeps the Linux parent)
    char name[32] = {};
    ProcessState state = ProcessState::Created;
    RefPtr<AddressSpace> space; // null once the process has exited

    IntrusiveList<sched::Thread, &sched::Thread::process_node> threads;
    size_t live_threads = 0;
    sched::Thread* main_thread = nullptr; // until started
    bool exiting = false;
    int wait_status = 0; // Linux wait(2) encoding, once exited
    sched::WaitQueue exit_waiters;
    sched::WaitQueue thread_exit_waiters; // exec waits here for the other threads to end
    bool stopped = false; // job control: threads wait at their next return to user mode
    int stop_signal = 0;
    sched::WaitQueue continue_waiters;
    uint64_t cpu_ticks = 0; // of threads that already ended
    // PROCESS_CPU_ALARM: KERNEL_CPU_ALARM to this endpoint (one reference)
    // once cpu_ticks(*this) reaches cpu_alarm_at (0: none).
    uint64_t cpu_alarm_at = 0;
    ipc::Endpoint* cpu_alarm_endpoint = nullptr;

    HandleTable handles;
    Capabilities caps;
    uint32_t offload = 0;    // OffloadClass bits
    uint32_t service_id = 0; // the service it registered (stamped on its IPC messages)
    // Its one-way messages still queued (IPC_SEND), so that no process can
    // fill the kernel heap with them; created on the first send.
    ipc::SendQuota* send_quota = nullptr;
    uint32_t bad_pointers = 0; // EFAULTs so far (the log stops after a few)

    uint64_t enosys_logged[8] = {}; // one ENOSYS log line per syscall number
    uint64_t denied_logged = 0;     // one EPERM log line per capability
    ListNode all_node;
};

void init();

// Kernel finalize: loads a static ELF from the boot bundle (rootd) into a
// new process holding every capability, and starts it.
ErrorOr<Process*> spawn_root(StringView path, rustos::Span<const StringView> argv,
                             rustos::Span<const StringView> envp);

// Process broker primitives (also used by spawn_root).
ErrorOr<RefPtr<Process>> create(StringView name, int creator_pid);
// CPU time used by all of p's threads, live and ended, in 1 ms ticks.
uint64_t cpu_ticks(const Process& p);
// Sets (at_ticks > 0, endpoint held) or cancels p's CPU-time alarm.
void set_cpu_alarm(Process& p, uint64_t at_ticks, ipc::Endpoint* endpoint);
// The timer tick ran a thread of p: post its CPU-time alarm if it is due.
// Precondition: interrupts disabled.
void check_cpu_alarm(Process& p);
// How many processes have been created since boot (/proc/stat).
uint64_t processes_created();
ErrorOr<void> map_region(AddressSpace& as, uint64_t vaddr, uint64_t len, uint32_t prot,
                         VmaKind kind);
ErrorOr<void> write_memory(AddressSpace& as, uint64_t vaddr, const uint8_t* src, uint64_t len);
ErrorOr<void> start(Process& p, uint64_t entry, uint64_t rsp, uint64_t brk, bool suspended);
ErrorOr<void> resume(Process& p);
// Gives a not-yet-started process another pid (procd's policy: init is 1).
ErrorOr<void> set_pid(Process& p, uint32_t pid);

Process* current_process();
// The process with this Linux pid (live or exited-but-referenced), or nullptr.
Process* find(int pid);
uint64_t page_table_of(const Process& p);
const char* name_of(const Process& p);
rustos::abi::ProcessInfo info_of(const Process& p);
// Fills up to `max` records; returns the number of live processes.
size_t list(rustos::abi::ProcessInfo* out, size_t max);

// Process observers (procd, vfsd, syscalld) get one-way events: exit,
// stop, continue.
rustos::ErrorOr<void> add_observer(ipc::Endpoint* endpoint);
void post_process_event(Process& p, uint32_t op, int32_t arg);
// The services a process created now sends its system calls to.
uint32_t offload_for_new_process();

// PROCESS_FORK: a suspended copy of `parent` whose main thread continues
// thread `tid`'s system call (which must be blocked in the kernel) with
// result 0.
struct ForkRequest {
    uint32_t tid;
    uint64_t flags; // CLONE_* (SETTLS, CHILD_SETTID, CHILD_CLEARTID)
    uint64_t stack; // the child's rsp (0: the parent's)
    uint64_t child_tid_ptr;
    uint64_t tls;
};
ErrorOr<RefPtr<Process>> fork(Process& parent, const ForkRequest& request);
// PROCESS_EXEC_COMMIT: `space` becomes the process's image; thread `tid`
// (blocked in its execve) continues at entry/rsp; every other thread ends.
ErrorOr<void> exec_commit(Process& p, RefPtr<AddressSpace> space,
                          const rustos::abi::ExecCommit& args);
// Terminates another process as if killed by `signo`.
void terminate(Process& p, int signo);
sched::Thread* find_thread(Process& p, uint64_t tid);
sched::Thread* find_thread_any(uint64_t tid);

// Thread ids share the Linux pid namespace.
ErrorOr<uint32_t> allocate_tid();
void release_tid(uint32_t tid);

// --- capabilities ---
// EPERM (and one log line per process and capability) unless held.
ErrorOr<void> require(Process& p, Capability c, const char* what);

// --- address space ---
// Resolves a page fault on a user address in the current process; false
// means the access is invalid.
FaultResult handle_user_page_fault(uint64_t addr, uint64_t error_code);
// Makes [addr, addr+len) of the process present for kernel access (EFAULT
// if not mapped with the needed permission).
inline ErrorOr<void> prepare_user_range(Process& p, uint64_t addr, uint64_t len, bool write) {
    if (!p.space)
        return rustos::Error(EFAULT, "the process has no address space");
    return prepare_range(*p.space, addr, len, write);
}

// --- exit ---
[[noreturn]] void kill_current_process(int signal, const char* reason);
[[noreturn]] void exit_group(int exit_code);
[[noreturn]] void exit_thread(int exit_code);
// Called on the way back to user mode when kill_pending is set.
[[noreturn]] void exit_current_thread_for_teardown();

} // namespace kernel::proc
