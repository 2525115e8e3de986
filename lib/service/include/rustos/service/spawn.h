// The LOADERD_SPAWN protocol: encoding for clients (rootd, initd,
// runtimed, test programs) and decoding for loaderd, in one place.
#pragma once

#include <rustos/service/ipc.h>

#include <string>
#include <vector>

namespace rustos::service {

enum SpawnFlags : uint32_t {
    SPAWN_SUSPENDED = 1,       // leave it suspended (resume with PROCESS_RESUME)
    SPAWN_RETURN_HANDLE = 2,   // reply with a process handle (INFO, START, MANAGE)
    SPAWN_ROLE_INIT = 4,       // the init process: procd gives it pid 1
    SPAWN_CONSOLE_SESSION = 8, // a new session with the console on fds 0-2 as its controlling tty
};
inline constexpr uint32_t kParentIsCaller = 0xffffffff;

struct SpawnRequest {
    std::string path;
    std::vector<std::string> argv;
    std::vector<std::string> envp;
    uint32_t flags = 0;
    uint32_t parent_pid = kParentIsCaller;

    bool encode(Message& m) const;
    static ErrorOr<SpawnRequest> decode(const Message& m);
};

struct SpawnResult {
    uint32_t pid = 0;
    Handle process; // with SPAWN_RETURN_HANDLE
};

// Asks loaderd (looked up once per call site) to spawn a program.
ErrorOr<SpawnResult> spawn(handle_t loaderd, const SpawnRequest& request);

// environ as a vector of "K=V" strings.
std::vector<std::string> current_environment();

// A wait(2) status in words for the log: "exited with status 3",
// "killed by signal 9".
std::string describe_wait_status(int status);

} // namespace rustos::service
