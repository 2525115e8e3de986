// Types and constants of the native (SYS_RUSTOS_*) interface shared by the
// kernel and user programs: capabilities, handle rights, process broker
// flags and records.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace rustos::abi {

enum class Capability : uint32_t {
#define CAPABILITY(n, name, kind, owner, desc) name = n,
#include <rustos/abi/capabilities.def>
#undef CAPABILITY
};

constexpr const char* capability_name(Capability c) {
    switch (c) {
#define CAPABILITY(n, name, kind, owner, desc)                                                     \
    case Capability::name:                                                                         \
        return #name;
#include <rustos/abi/capabilities.def>
#undef CAPABILITY
    }
    return "?";
}

constexpr const char* capability_owner(Capability c) {
    switch (c) {
#define CAPABILITY(n, name, kind, owner, desc)                                                     \
    case Capability::name:                                                                         \
        return owner;
#include <rustos/abi/capabilities.def>
#undef CAPABILITY
    }
    return "?";
}

// Handle rights.
enum Rights : uint32_t {
    RIGHT_CALL = 1u << 0,      // endpoint: IPC_CALL
    RIGHT_RECEIVE = 1u << 1,   // endpoint: IPC_RECEIVE (serve it)
    RIGHT_REPLY = 1u << 2,     // reply handle: IPC_REPLY
    RIGHT_DUPLICATE = 1u << 3, // HANDLE_DUPLICATE
    RIGHT_TRANSFER = 1u << 4,  // may travel in an IPC message
    RIGHT_INFO = 1u << 5,      // process: PROCESS_INFO
    RIGHT_MANAGE = 1u << 6,    // process: broker calls, PROCESS_SET_PID, CAP_GRANT target
    RIGHT_START = 1u << 7,     // process: PROCESS_RESUME
    RIGHT_MAP = 1u << 8,       // memory object: map it (MEMORY_MAP, MM_MAP_OBJECT)
    RIGHT_WRITE = 1u << 9,     // memory object: map it shared and writable
    RIGHTS_ALL = 0x3ff,
};

// PROCESS_START flags.
inline constexpr uint32_t START_SUSPENDED = 1;
// SERVICE_REGISTER flags.
inline constexpr uint32_t SERVICE_SERVES_LINUX = 1;
// PROCESS_CREATE flags.
inline constexpr uint32_t PROCESS_KERNEL_DEFAULTS = 1;

// PROCESS_FORK arguments: the clone(2) request of thread `tid`.
struct ForkArgs {
    uint32_t tid;
    uint32_t reserved;
    uint64_t flags; // CLONE_* (SETTLS, CHILD_SETTID, CHILD_CLEARTID are applied)
    uint64_t stack; // the child's stack pointer, or 0 for the parent's
    uint64_t child_tid_ptr;
    uint64_t tls;
};

// PROCESS_MAP kinds (what the region is for; /proc/<pid>/maps shows it).
enum class MapKind : uint32_t {
    Image = 0,
    Heap = 1,
    Stack = 2,
    Anonymous = 3,
    Physical = 4,
    Object = 5
};

// MM_BROKER operations.
//   Map(addr, len, prot, flags MM_FIXED|MM_NOREPLACE|MM_SHARED) → address
//   Unmap(addr, len), Protect(addr, len, prot)
//   Write(addr, len, -, src): copy from the caller into the target (file-backed mappings)
//   Brk(addr) → the new break
//   Remap(old_addr, old_len, new_len, MM_MAYMOVE) → address
//   Discard(addr, len): drop the pages (MADV_DONTNEED: they read back as zeros)
enum class MmOp : uint32_t {
    Map = 1,
    Unmap = 2,
    Protect = 3,
    Write = 4,
    Brk = 5,
    Remap = 6,
    Discard = 7
};
inline constexpr uint64_t MM_FIXED = 1, MM_NOREPLACE = 2, MM_SHARED = 4, MM_MAYMOVE = 8;
// MEMORY_MAP / MM_MAP_OBJECT, private mappings only: pages past the
// object's end read as zeros instead of SIGBUS.
inline constexpr uint64_t MM_ZERO_PAST_END = 16;
// MEMORY_MAP and MM_MAP_OBJECT take protection and flags in one argument.
inline constexpr uint64_t mm_prot_flags(uint32_t prot, uint64_t flags) {
    return uint64_t(prot) | (flags << 32);
}

enum class ProcessState : uint32_t { Created = 0, Suspended = 1, Running = 2, Exited = 3 };

// CPU_STATS: where the CPU's time went since boot, in timer ticks of
// 1/tick_hz s (user mode, kernel mode, the idle loop), and the load
// averages over 1, 5 and 15 minutes (runnable threads, fixed point with
// 16 fraction bits as in sysinfo(2)).
struct CpuStats {
    uint64_t tick_hz;
    uint64_t user_ticks, system_ticks, idle_ticks;
    uint64_t context_switches;
    uint64_t processes_created;
    uint64_t loads[3];
    uint32_t runnable; // threads running or ready to run now
    uint32_t reserved;
};
static_assert(sizeof(CpuStats) == 80);

struct ProcessInfo {
    uint32_t pid;
    uint32_t creator_pid; // the process that created it (not the Linux parent: procd's)
    uint64_t koid;        // kernel object id, never reused
    uint32_t state;       // ProcessState
    int32_t wait_status;  // Linux wait(2) encoding, once exited
    uint32_t threads;
    uint32_t reserved;
    uint64_t user_pages; // resident user memory in pages
    uint64_t cpu_ticks;  // 1 ms ticks used by all its threads
    char name[32];
};
static_assert(sizeof(ProcessInfo) == 80);

// SIGNAL_DELIVER: what syscalld decided; the kernel builds the Linux
// rt_sigframe from it (and from the thread's registers) on the user stack.
struct SignalDelivery {
    uint64_t handler;    // sa_handler / sa_sigaction
    uint64_t restorer;   // sa_restorer: returns through rt_sigreturn
    uint64_t flags;      // sa_flags (the kernel looks at SA_RESTART and SA_ONSTACK)
    uint64_t saved_mask; // the thread's mask before delivery, restored by rt_sigreturn
    uint64_t altstack_sp;
    uint64_t altstack_size;
    int32_t altstack_flags; // SS_DISABLE when no alternate stack is set
    int32_t signo;
    uint8_t siginfo[128];
};
static_assert(sizeof(SignalDelivery) == 184);

// SA_* and SS_* bits the kernel acts on (Linux x86_64 values; named apart
// from <signal.h>'s macros).
inline constexpr uint64_t kSaOnStack = 0x08000000;
inline constexpr uint64_t kSaRestart = 0x10000000;
inline constexpr int32_t kSsOnStack = 1, kSsDisable = 2;

enum class SignalOp : uint32_t { Kill = 1, Stop = 2, Continue = 3 };

// PROCESS_EXEC_COMMIT arguments.
struct ExecCommit {
    uint32_t tid; // the thread that called execve; it runs the new program
    uint32_t reserved;
    uint64_t entry;
    uint64_t rsp;
    uint64_t brk;
    char name[32]; // the new process name (comm)
};

// PROCESS_MAPS records.
struct VmaInfo {
    uint64_t start, end;
    uint32_t prot;   // PROT_* bits
    uint32_t kind;   // MapKind
    uint32_t shared; // MAP_SHARED
    uint32_t reserved;
};

} // namespace rustos::abi
