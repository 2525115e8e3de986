// runtimed: service manager and launch broker.
//
//  1. bootstrap_ui_server: reads the uiserver desktop entry synchronously and
//     starts uiserver with its manifest args and env (RUSTOS_UI_PROFILE)
//     before anything else, so the UI comes up on the first run;
//  2. loads the catalog (runtime-launch.tsv + the desktop entries) on a
//     worker thread; both reads of the desktop entries share one parse;
//  3. serves the RuntimeClient protocol on /run/runtimed.sock (list, status,
//     start, stop, restart of catalog entries; docs/runtime-client.md), one
//     thread per connection;
//  4. dispatches autostart (the session services, dependencies first);
//  5. supervises what it started: a program that ends unexpectedly is
//     restarted after a backoff, within a restart budget; one stopped on
//     purpose stays stopped;
//  6. answers RUNTIMED_LIST (the catalog with states) on its endpoint.
//
// The rules live in ServiceTable (service_table.h, host-tested); this file
// wires them to loaderd, kill(2), wait4(2) and the socket.
//
// Test-only trigger: "rustos.test.crash=<id>" on the kernel command line
// makes the first launch of <id> crash right after it is ready.
#include "service_table.h"

#include <rustos/runtime_client/connection.h>
#include <rustos/runtime_control/desktop_entry_cache.h>
#include <rustos/service/log.h>
#include <rustos/service/server.h>
#include <rustos/service/spawn.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>

using namespace rustos;
using namespace rustos::service;
namespace rc = rustos::runtime_control;
namespace rtc = rustos::runtime_client;

namespace {

constexpr const char* kDesktopPrograms = "/system/registry/desktop-programs.tsv";
constexpr const char* kRuntimeLaunch = "/system/registry/runtime-launch.tsv";

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

// Launches through loaderd (suspended, so that the program may register
// its service id before it runs), signals with kill(2) (syscalld's policy).
class LoaderdLauncher final : public runtimed::Launcher {
public:
    Handle loaderd;
    std::string crash_target; // rustos.test.crash

    ErrorOr<uint32_t> launch(const rc::LaunchSpec& spec) override {
        SpawnRequest req;
        req.path = spec.exec;
        req.argv.push_back(spec.exec.substr(spec.exec.rfind('/') + 1));
        req.argv.insert(req.argv.end(), spec.args.begin(), spec.args.end());
        req.envp = current_environment();
        for (auto& [k, v] : spec.env)
            req.envp.push_back(k + "=" + v);
        if (!crash_target.empty() && spec.id == crash_target) {
            req.envp.push_back("RUSTOS_TEST_CRASH=1");
            crash_target.clear(); // the first launch only
        }
        req.flags = SPAWN_SUSPENDED | SPAWN_RETURN_HANDLE;
        auto spawned = TRY(spawn(loaderd.get(), req));
        if (uint32_t sid = service_id_of(spec.id)) {
            int64_t r =
                user::cap_grant(spawned.process.get(), abi::Capability::SERVICE_REGISTER, sid);
            if (r < 0)
                log("cannot let %s register IPC_SERVICE_%s: %s", spec.id.c_str(),
                    ipc::service_name(sid), abi::errno_description(Errno(-r)));
        }
        if (user::process_resume(spawned.process.get()) < 0)
            return Error(EIO, "cannot start the process");
        std::lock_guard lock(m_mutex);
        m_processes[spawned.pid] = std::move(spawned.process);
        return spawned.pid;
    }

    ErrorOr<void> signal(uint32_t pid, int signo) override {
        if (::kill(pid_t(pid), signo) < 0)
            return Error::formatted(errno, "kill: %s", std::strerror(errno));
        return {};
    }

    // The program ended and was collected: drop its process handle.
    void forget(uint32_t pid) {
        std::lock_guard lock(m_mutex);
        m_processes.erase(pid);
    }

private:
    std::mutex m_mutex;
    std::map<uint32_t, Handle> m_processes;
};

LoaderdLauncher g_launcher;
runtimed::ServiceTable g_table(g_launcher);
rc::DesktopEntryCache g_desktop(kDesktopPrograms, read_boot_file);

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
    g_table.add(spec);
    auto pid = g_table.launch(spec.id);
    if (pid.is_error()) {
        log("bootstrap_ui_server: cannot start uiserver: %s", pid.error().reason());
        return;
    }
    log("bootstrap_ui_server: started uiserver (pid %u) from its desktop entry: env %s, args %s",
        pid.value(), env_text.empty() ? "none" : env_text.c_str(),
        e.args.empty() ? "none" : join(e.args).c_str());
}

// The RuntimeClient socket, on a thread of its own (and one per client).
void serve_runtime_clients() {
    auto fd = rtc::listen_at(rtc::kSocketPath);
    if (fd.is_error()) {
        log("cannot serve %s: %s", rtc::kSocketPath, fd.error().reason());
        return;
    }
    log("serving the RuntimeClient protocol (version %u) on %s", rtc::kVersion, rtc::kSocketPath);
    std::thread([listener = fd.value()] {
        rtc::ServerOptions options;
        options.log = [](const std::string& text) { log("%s", text.c_str()); };
        auto r = rtc::serve_listener(
            listener, [](const rtc::Request& request) { return g_table.handle(request); }, options);
        log("no longer serving %s: %s", rtc::kSocketPath,
            r.is_error() ? r.error().reason() : "stopped");
    }).detach();
}

void load_catalog_and_autostart() {
    auto catalog = rc::load_catalog(kRuntimeLaunch, g_desktop, read_boot_file);
    if (catalog.is_error()) {
        log("catalog not loaded: %s", catalog.error().reason());
        serve_runtime_clients();
        return;
    }
    const rc::Catalog& c = catalog.value();
    log("catalog loaded on a worker thread: %zu launch specs, %zu desktop entries (desktop entries "
        "parsed %zu time%s)",
        c.launch_specs().size(), c.desktop_entries().size(), g_desktop.load_count(),
        g_desktop.load_count() == 1 ? "" : "s");
    for (const rc::LaunchSpec& spec : c.launch_specs())
        g_table.add(spec);
    // Clients may ask from now on; what autostart has not reached yet is
    // inactive (and may be started on demand).
    serve_runtime_clients();
    for (const rc::LaunchSpec* spec : c.autostart_order()) {
        auto current = g_table.status(spec->id);
        if (!current.is_error() && current->state != runtimed::to_string(runtimed::State::Inactive))
            continue; // uiserver, or started on demand meanwhile
        auto pid = g_table.launch(spec->id);
        if (pid.is_error()) {
            log("autostart: cannot start %s: %s", spec->id.c_str(), pid.error().reason());
            continue;
        }
        log("autostart: started %s (pid %u)", spec->id.c_str(), pid.value());
    }
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
        runtimed::ExitOutcome out = g_table.on_exit(uint32_t(pid), status, now_ms());
        g_launcher.forget(uint32_t(pid));
        if (!out.restart)
            continue;
        std::thread([out] {
            std::this_thread::sleep_for(std::chrono::milliseconds(out.delay_ms));
            g_table.restart_due(out.id, out.generation);
        }).detach();
    }
}

void handle_list(Call& call) {
    auto entries = g_table.list();
    call.writer().u32(uint32_t(entries.size()));
    for (const rtc::EntryInfo& e : entries) {
        call.writer().str(StringView(e.id.data(), e.id.size()));
        call.writer().str(StringView(e.state.data(), e.state.size()));
        call.writer().u32(e.pid);
        call.writer().u32(e.restarts);
    }
}

} // namespace

int main() {
    log("starting (pid %d)", int(getpid()));
    // A client that goes away before its reply must not end runtimed.
    std::signal(SIGPIPE, SIG_IGN);
    g_launcher.crash_target = kernel_cmdline_value("rustos.test.crash");
    auto loaderd = lookup(ipc::service::LOADERD, 5'000'000'000ull);
    if (loaderd.is_error()) {
        log("cannot reach loaderd: %s", loaderd.error().reason());
        return 1;
    }
    g_launcher.loaderd = std::move(loaderd.value());

    bootstrap_ui_server();
    std::thread worker(load_catalog_and_autostart);
    std::thread supervisor(supervise);
    worker.detach();
    supervisor.detach();

    Server server("runtimed", ipc::service::RUNTIMED);
    server.set_not_yet("launching desktop entries by name, and telling RuntimeClient callers apart "
                       "(vfsd reports no peer credentials, so any local program may stop a "
                       "service)");
    server.on(ipc::op::RUNTIMED_LIST, handle_list);
    return run(server);
}
