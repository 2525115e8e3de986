// initd: PID 1, a Linux-style init. Sets the per-session environment from
// runtime-env.tsv, starts runtimed (giving it the authority over the
// session services' ids it received from rootd), and reaps orphans for as
// long as the system runs.
//
// As Linux's init, it takes SIGUSR1 (halt) and SIGUSR2 (power off) and
// SIGTERM (reboot): what busybox's halt, poweroff and reboot send it.
//
// Arguments (from the kernel command line after "--", through rootd):
//   --programs=<boot file>  run each listed program (path and arguments per
//                           line) after runtimed, report its exit status
//   --poweroff              power off once those programs have run
#include <rustos/runtime_control/registry.h>
#include <rustos/service/log.h>
#include <rustos/service/spawn.h>

#include <signal.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <sstream>
#include <string>
#include <vector>

using namespace rustos;
using namespace rustos::service;
using abi::Capability;

namespace {

constexpr const char* kRuntimeEnv = "/system/registry/runtime-env.tsv";
constexpr const char* kRuntimed = "/services/runtimed/runtimed";

std::map<uint32_t, std::string> g_children; // pid → what it is, for the reaper's log

void set_session_environment() {
    auto text = read_boot_file(kRuntimeEnv);
    if (text.is_error()) {
        log("no session environment: %s", text.error().reason());
        return;
    }
    auto records = runtime_control::parse_runtime_env(text.value(), kRuntimeEnv);
    if (records.is_error()) {
        log("session environment not applied: %s", records.error().reason());
        return;
    }
    std::string summary;
    for (auto& r : records.value()) {
        setenv(r.name.c_str(), r.value.c_str(), 1);
        summary += " " + r.name + "=" + r.value;
    }
    log("session environment from %s:%s", kRuntimeEnv, summary.c_str());
}

ErrorOr<uint32_t> start_runtimed(handle_t loaderd) {
    SpawnRequest req;
    req.path = kRuntimed;
    req.argv = {"runtimed"};
    req.envp = current_environment();
    req.flags = SPAWN_SUSPENDED | SPAWN_RETURN_HANDLE;
    auto spawned = TRY(spawn(loaderd, req));
    handle_t h = spawned.process.get();
    // runtimed registers its own endpoint and grants the session services
    // theirs: move the authority over those ids along.
    user::cap_grant(h, Capability::SERVICE_REGISTER, ipc::service::RUNTIMED);
    for (uint32_t id : {ipc::service::RUNTIMED, ipc::service::UISERVER, ipc::service::SESSIOND,
                        ipc::service::INPUTD, ipc::service::NETD}) {
        int64_t r = user::cap_grant(h, Capability::SERVICE_AUTHORITY, id);
        if (r < 0)
            log("cannot hand the authority over IPC_SERVICE_%s to runtimed: %s",
                ipc::service_name(id), abi::errno_description(Errno(-r)));
    }
    if (user::process_resume(h) < 0)
        return Error(EIO, "cannot start runtimed");
    return spawned.pid;
}

std::vector<std::string> split_words(const std::string& line) {
    std::vector<std::string> words;
    std::istringstream in(line);
    std::string w;
    while (in >> w)
        words.push_back(w);
    return words;
}

// Runs the programs of a list one after another (a test and bring-up aid).
void run_program_list(handle_t loaderd, const std::string& list_path) {
    auto text = read_boot_file(list_path);
    if (text.is_error()) {
        log("cannot read program list: %s", text.error().reason());
        return;
    }
    std::istringstream lines(text.value());
    std::string line;
    size_t line_no = 0, ran = 0, failed = 0;
    while (std::getline(lines, line)) {
        ++line_no;
        auto words = split_words(line);
        if (words.empty() || words[0][0] == '#')
            continue;
        if (words[0][0] != '/') {
            log("%s:%zu: program path '%s' is not absolute; skipped", list_path.c_str(), line_no,
                words[0].c_str());
            ++failed;
            continue;
        }
        SpawnRequest req;
        req.path = words[0];
        req.argv = words;
        req.argv[0] = req.path.substr(req.path.rfind('/') + 1);
        req.envp = current_environment();
        auto spawned = spawn(loaderd, req);
        if (spawned.is_error()) {
            log("cannot start %s: %s", req.path.c_str(), spawned.error().reason());
            ++failed;
            continue;
        }
        int status = 0;
        pid_t pid = pid_t(spawned.value().pid);
        pid_t r;
        do {
            r = waitpid(pid, &status, 0);
        } while (r < 0 && errno == EINTR);
        if (r != pid) {
            log("waiting for %s (pid %d) failed: %s", req.path.c_str(), pid, strerror(errno));
            ++failed;
            continue;
        }
        log("%s (pid %d) %s", req.path.c_str(), pid, describe_wait_status(status).c_str());
        ++ran;
    }
    log("ran %zu program(s) from %s, %zu could not be started", ran, list_path.c_str(), failed);
}

volatile sig_atomic_t g_power_signal = 0, g_power_sender = 0;

void on_power_signal(int sig, siginfo_t* info, void*) {
    g_power_signal = sig;
    g_power_sender = info ? info->si_pid : 0;
}

// Without SA_RESTART: the signal ends initd's wait4 with EINTR.
void take_power_signals() {
    struct sigaction sa {};
    sa.sa_sigaction = on_power_signal;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    for (int sig : {SIGUSR1, SIGUSR2, SIGTERM})
        sigaction(sig, &sa, nullptr);
}

[[noreturn]] void power_down(int sig, int sender) {
    bool restart = sig == SIGTERM;
    log("%s from pid %d: %s", strsignal(sig), sender, restart ? "restarting" : "powering off");
    reboot(restart ? RB_AUTOBOOT : RB_POWER_OFF);
    log("%s failed: %s", restart ? "restart" : "power off", strerror(errno));
    sleep_forever();
}

} // namespace

int main(int argc, char** argv) {
    std::string programs;
    bool poweroff = false;
    for (int i = 1; i < argc; ++i) {
        if (std::strncmp(argv[i], "--programs=", 11) == 0)
            programs = argv[i] + 11;
        else if (std::strcmp(argv[i], "--poweroff") == 0)
            poweroff = true;
        else
            log("ignoring unknown argument '%s'", argv[i]);
    }
    log("starting as PID %d (parent %d)", int(getpid()), int(getppid()));
    take_power_signals();
    set_session_environment();

    auto loaderd = lookup(ipc::service::LOADERD, 5'000'000'000ull);
    if (loaderd.is_error()) {
        log("cannot reach loaderd: %s", loaderd.error().reason());
        sleep_forever();
    }
    auto runtimed = start_runtimed(loaderd.value().get());
    if (runtimed.is_error())
        log("cannot start runtimed: %s", runtimed.error().reason());
    else {
        g_children[runtimed.value()] = "runtimed";
        log("started runtimed (pid %u)", runtimed.value());
    }

    if (!programs.empty())
        run_program_list(loaderd.value().get(), programs);
    if (poweroff) {
        log("powering off");
        reboot(RB_POWER_OFF);
        log("power off failed: %s", strerror(errno));
    }

    // Reap whatever ends up with us.
    for (;;) {
        int status = 0;
        pid_t pid = wait4(-1, &status, 0, nullptr);
        if (g_power_signal)
            power_down(g_power_signal, g_power_sender);
        if (pid < 0) {
            if (errno == ECHILD)
                sleep(1);
            continue;
        }
        auto it = g_children.find(uint32_t(pid));
        if (it != g_children.end()) {
            log("%s (pid %d) %s", it->second.c_str(), pid, describe_wait_status(status).c_str());
            g_children.erase(it);
        } else {
            log("reaped orphan pid %d (%s)", pid, describe_wait_status(status).c_str());
        }
    }
}
