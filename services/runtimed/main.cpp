// runtimed: service manager and launch broker.
//
//  1. bootstrap_ui_server: reads the uiserver desktop entry synchronously and
//     starts uiserver with its manifest args and env (RUSTOS_UI_PROFILE)
//     before anything else, so the UI comes up on the first run;
//  2. loads the catalog (runtime-launch.tsv + the desktop entries) on a
//     worker thread; both reads of the desktop entries share one parse;
//  3. dispatches autostart (the session services, dependencies first);
//  4. supervises what it started: a program that ends unexpectedly is
//     restarted after a backoff, within a restart budget;
//  5. answers RUNTIMED_LIST (the catalog with states) on its endpoint.
//
// Test-only trigger: "rustos.test.crash=<id>" on the kernel command line
// makes the first launch of <id> crash right after it is ready.
#include "restart_policy.h"

#include <rustos/runtime_control/desktop_entry_cache.h>
#include <rustos/service/log.h>
#include <rustos/service/server.h>
#include <rustos/service/spawn.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

using namespace rustos;
using namespace rustos::service;
namespace rc = rustos::runtime_control;

namespace {

constexpr const char* kDesktopPrograms = "/system/registry/desktop-programs.tsv";
constexpr const char* kRuntimeLaunch = "/system/registry/runtime-launch.tsv";

enum class State { Starting, Running, Restarting, Exited, Failed };

const char* to_string(State s) {
    switch (s) {
    case State::Starting:
        return "starting";
    case State::Running:
        return "running";
    case State::Restarting:
        return "restarting";
    case State::Exited:
        return "exited";
    case State::Failed:
        return "failed";
    }
    return "?";
}

struct Instance {
    rc::LaunchSpec spec;
    State state = State::Starting;
    uint32_t pid = 0;
    Handle process;
    std::unique_ptr<runtimed::RestartTracker> restarts;
    bool crash_once = false; // test-only trigger pending
};

std::mutex g_mutex;
std::map<std::string, Instance> g_instances; // by package id
std::map<uint32_t, std::string> g_pids;      // live pid → package id
Handle g_loaderd;
std::string g_crash_target;
rc::DesktopEntryCache g_desktop(kDesktopPrograms, read_boot_file);

uint64_t now_ms() {
    return uint64_t(std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now().time_since_epoch())
                        .count());
}

// The IPC service id a package registers, or 0.
uint32_t service_id_of(const std::string& package) {
    for (uint32_t id = 1; id <= ipc::service::kMaxId; ++id) {
        const char* name = ipc::service_name(id);
        if (name && package == name)
            return id;
    }
    return 0;
}

std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (auto& s : v)
        out += (out.empty() ? "" : " ") + s;
    return out;
}

// Starts (or restarts) an instance. Precondition: g_mutex held.
ErrorOr<uint32_t> launch(Instance& inst) {
    const rc::LaunchSpec& spec = inst.spec;
    SpawnRequest req;
    req.path = spec.exec;
    req.argv.push_back(spec.exec.substr(spec.exec.rfind('/') + 1));
    req.argv.insert(req.argv.end(), spec.args.begin(), spec.args.end());
    req.envp = current_environment();
    for (auto& [k, v] : spec.env)
        req.envp.push_back(k + "=" + v);
    if (inst.crash_once) {
        req.envp.push_back("RUSTOS_TEST_CRASH=1");
        inst.crash_once = false;
    }
    req.flags = SPAWN_SUSPENDED | SPAWN_RETURN_HANDLE;
    auto spawned = TRY(spawn(g_loaderd.get(), req));
    if (uint32_t sid = service_id_of(spec.id)) {
        int64_t r = user::cap_grant(spawned.process.get(), abi::Capability::SERVICE_REGISTER, sid);
        if (r < 0)
            log("cannot let %s register IPC_SERVICE_%s: %s", spec.id.c_str(),
                ipc::service_name(sid), abi::errno_description(Errno(-r)));
    }
    if (user::process_resume(spawned.process.get()) < 0)
        return Error(EIO, "cannot start the process");
    inst.pid = spawned.pid;
    inst.process = std::move(spawned.process);
    inst.state = State::Running;
    g_pids[inst.pid] = spec.id;
    return inst.pid;
}

Instance& add_instance(const rc::LaunchSpec& spec) {
    Instance& inst = g_instances[spec.id];
    inst.spec = spec;
    inst.restarts = std::make_unique<runtimed::RestartTracker>(
        spec.restart, spec.restart_budget, spec.restart_window_ms, spec.backoff_ms);
    inst.crash_once = spec.id == g_crash_target;
    return inst;
}

void bootstrap_ui_server() {
    // Synchronous read: the very first uiserver must see its manifest env.
    auto entry = g_desktop.find("uiserver");
    if (entry.is_error()) {
        log("bootstrap_ui_server: no uiserver desktop entry: %s", entry.error().reason());
        return;
    }
    const rc::DesktopEntry& e = entry.value();
    rc::LaunchSpec spec;
    spec.id = e.package;
    spec.exec = e.exec;
    spec.args = e.args;
    spec.env = e.env;
    spec.startup = rc::Startup::Desktop;
    spec.restart = rc::RestartPolicy::Always; // refined from the catalog once it is loaded
    std::string env_text;
    for (auto& [k, v] : e.env)
        env_text += (env_text.empty() ? "" : " ") + k + "=" + v;
    std::lock_guard lock(g_mutex);
    Instance& inst = add_instance(spec);
    auto pid = launch(inst);
    if (pid.is_error()) {
        inst.state = State::Failed;
        log("bootstrap_ui_server: cannot start uiserver: %s", pid.error().reason());
        return;
    }
    log("bootstrap_ui_server: started uiserver (pid %u) from its desktop entry: env %s, args %s",
        pid.value(), env_text.empty() ? "none" : env_text.c_str(),
        e.args.empty() ? "none" : join(e.args).c_str());
}

void load_catalog_and_autostart() {
    auto catalog = rc::load_catalog(kRuntimeLaunch, g_desktop, read_boot_file);
    if (catalog.is_error()) {
        log("catalog not loaded: %s", catalog.error().reason());
        return;
    }
    const rc::Catalog& c = catalog.value();
    log("catalog loaded on a worker thread: %zu launch specs, %zu desktop entries (desktop entries "
        "parsed %zu time%s)",
        c.launch_specs().size(), c.desktop_entries().size(), g_desktop.load_count(),
        g_desktop.load_count() == 1 ? "" : "s");
    std::lock_guard lock(g_mutex);
    for (const rc::LaunchSpec& spec : c.launch_specs()) {
        auto it = g_instances.find(spec.id);
        if (it != g_instances.end()) {
            // Already running (uiserver): adopt the catalog's restart policy.
            it->second.spec.restart = spec.restart;
            it->second.restarts = std::make_unique<runtimed::RestartTracker>(
                spec.restart, spec.restart_budget, spec.restart_window_ms, spec.backoff_ms);
        }
    }
    for (const rc::LaunchSpec* spec : c.autostart_order()) {
        if (g_instances.count(spec->id))
            continue;
        Instance& inst = add_instance(*spec);
        auto pid = launch(inst);
        if (pid.is_error()) {
            inst.state = State::Failed;
            log("autostart: cannot start %s: %s", spec->id.c_str(), pid.error().reason());
            continue;
        }
        log("autostart: started %s (pid %u)", spec->id.c_str(), pid.value());
    }
    for (const rc::LaunchSpec& spec : c.launch_specs())
        if (!g_instances.count(spec.id))
            g_instances[spec.id].spec = spec, g_instances[spec.id].state = State::Exited;
}

std::string describe(int status) {
    char buf[64];
    if (WIFEXITED(status))
        std::snprintf(buf, sizeof buf, "exited with status %d", WEXITSTATUS(status));
    else
        std::snprintf(buf, sizeof buf, "killed by signal %d", WTERMSIG(status));
    return buf;
}

void restart_later(std::string id, uint64_t delay_ms) {
    std::thread([id, delay_ms] {
        std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
        std::lock_guard lock(g_mutex);
        Instance& inst = g_instances[id];
        auto pid = launch(inst);
        if (pid.is_error()) {
            inst.state = State::Failed;
            log("cannot restart %s: %s", id.c_str(), pid.error().reason());
            return;
        }
        log("restarted %s (pid %u, restart %u)", id.c_str(), pid.value(),
            inst.restarts->total_restarts());
    }).detach();
}

// Collects every child that ends and applies its restart policy.
void supervise() {
    for (;;) {
        int status = 0;
        pid_t pid = wait4(-1, &status, 0, nullptr);
        if (pid < 0) {
            if (errno == ECHILD)
                std::this_thread::sleep_for(std::chrono::milliseconds(200));
            continue;
        }
        std::lock_guard lock(g_mutex);
        auto it = g_pids.find(uint32_t(pid));
        if (it == g_pids.end())
            continue;
        std::string id = it->second;
        g_pids.erase(it);
        Instance& inst = g_instances[id];
        inst.process.reset();
        bool failed = !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        auto d = inst.restarts->on_exit(now_ms(), failed);
        if (!d.restart) {
            inst.state = failed ? State::Failed : State::Exited;
            log("%s (pid %d) %s; not restarting: %s", id.c_str(), pid, describe(status).c_str(),
                d.reason);
            continue;
        }
        inst.state = State::Restarting;
        log("%s (pid %d) %s unexpectedly; restart %u of %llu within %llu ms, in %llu ms",
            id.c_str(), pid, describe(status).c_str(), d.attempt,
            (unsigned long long)inst.spec.restart_budget,
            (unsigned long long)inst.spec.restart_window_ms, (unsigned long long)d.delay_ms);
        restart_later(id, d.delay_ms);
    }
}

void handle_list(Call& call) {
    std::lock_guard lock(g_mutex);
    call.writer().u32(uint32_t(g_instances.size()));
    for (auto& [id, inst] : g_instances) {
        call.writer().str(StringView(id.data(), id.size()));
        call.writer().str(to_string(inst.state));
        call.writer().u32(inst.state == State::Running ? inst.pid : 0);
        call.writer().u32(inst.restarts ? inst.restarts->total_restarts() : 0);
    }
}

} // namespace

int main() {
    log("starting (pid %d)", int(getpid()));
    g_crash_target = kernel_cmdline_value("rustos.test.crash");
    auto loaderd = lookup(ipc::service::LOADERD, 5'000'000'000ull);
    if (loaderd.is_error()) {
        log("cannot reach loaderd: %s", loaderd.error().reason());
        return 1;
    }
    g_loaderd = std::move(loaderd.value());

    bootstrap_ui_server();
    std::thread worker(load_catalog_and_autostart);
    std::thread supervisor(supervise);
    worker.detach();
    supervisor.detach();

    Server server("runtimed", ipc::service::RUNTIMED);
    server.set_not_yet(
        "the /run/runtimed.sock RuntimeClient socket (needs vfsd's AF_UNIX sockets) and "
        "on-demand launches");
    server.on(ipc::op::RUNTIMED_LIST, handle_list);
    return run(server);
}
