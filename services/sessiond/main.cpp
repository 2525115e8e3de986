// sessiond: session policy. It runs the console session: a login shell
// (/bin/sh, as "-sh") in a new session whose controlling tty is
// /dev/console, started through loaderd, and started again when it ends,
// the way getty respawns on a Linux console. Focus and per-user resources
// follow with the UI sessions.
//
// Kernel command line: rustos.console_shell=<path> runs another program
// (its only argument is its name), rustos.console_shell=off runs none.
#include "respawn.h"

#include <rustos/service/log.h>
#include <rustos/service/server.h>
#include <rustos/service/spawn.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <thread>

using namespace rustos;
using namespace rustos::service;

namespace {

constexpr const char* kDefaultShell = "/bin/sh";

std::vector<std::string> session_environment() {
    auto env = current_environment();
    bool has_term = false;
    for (auto& e : env)
        has_term |= e.rfind("TERM=", 0) == 0;
    // The console is a serial line to whatever terminal the user has.
    if (!has_term)
        env.push_back("TERM=vt102");
    return env;
}

[[noreturn]] void run_console_sessions(std::string shell) {
    auto loaderd = lookup(ipc::service::LOADERD, 10'000'000'000ull);
    if (loaderd.is_error()) {
        log("no console session: loaderd is not running");
        sleep_forever();
    }
    sessiond::RespawnPolicy policy;
    std::string name = shell.substr(shell.rfind('/') + 1);
    for (uint32_t session = 1;; ++session) {
        SpawnRequest req;
        req.path = shell;
        req.argv = {"-" + name}; // a login shell: reads /etc/profile
        req.envp = session_environment();
        req.flags = SPAWN_CONSOLE_SESSION;
        auto spawned = spawn(loaderd.value().get(), req);
        uint64_t started = monotonic_ns();
        if (spawned.is_error()) {
            log("console session %u: cannot start %s: %s", session, shell.c_str(),
                spawned.error().reason());
        } else {
            uint32_t pid = spawned.value().pid;
            log("console session %u: %s (pid %u) on /dev/console", session, shell.c_str(), pid);
            int status = 0;
            while (waitpid(pid_t(pid), &status, 0) < 0 && errno == EINTR) {
            }
            log("console session %u: %s (pid %u) %s", session, shell.c_str(), pid,
                describe_wait_status(status).c_str());
        }
        auto delay = policy.next(started, monotonic_ns());
        if (!delay) {
            log("console sessions end: %s failed %u times within %llu ms", shell.c_str(),
                sessiond::RespawnPolicy::kMaxQuickFailures,
                (unsigned long long)(sessiond::RespawnPolicy::kQuickNs / 1'000'000));
            sleep_forever();
        }
        if (*delay)
            usleep(useconds_t(*delay / 1000));
    }
}

} // namespace

int main() {
    Server server("sessiond", ipc::service::SESSIOND);
    server.set_not_yet("focus and per-user resources (UI sessions)");
    std::string shell = kernel_cmdline_value("rustos.console_shell");
    if (shell.empty())
        shell = kDefaultShell;
    auto started = server.start();
    if (started.is_error()) {
        log("cannot start: %s", started.error().reason());
        return 1;
    }
    if (shell != "off")
        std::thread(run_console_sessions, shell).detach();
    else
        log("no console session (rustos.console_shell=off)");
    server.serve();
}
