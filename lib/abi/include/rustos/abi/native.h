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
    RIGHTS_ALL = 0xff,
};

// PROCESS_START flags.
inline constexpr uint32_t START_SUSPENDED = 1;

// PROCESS_MAP kinds (what the region is for; /proc/<pid>/maps shows it).
enum class MapKind : uint32_t { Image = 0, Heap = 1, Stack = 2, Anonymous = 3 };

// MM_BROKER operations.
enum class MmOp : uint32_t { Map = 1, Unmap = 2, Protect = 3 };

enum class ProcessState : uint32_t { Created = 0, Suspended = 1, Running = 2, Exited = 3 };

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

} // namespace rustos::abi
