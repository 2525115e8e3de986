// rootd: the userspace privilege root, spawned by the kernel's finalize
// step. It holds every capability at birth and gives each to exactly one
// owner:
//
//  1. starts the foundational services (syscalld vfsd loaderd procd devmgrd
//     driverd storaged) through the process broker, each allowed to
//     register its own IPC_SERVICE id, and waits until every one has
//     registered (with a deadline);
//  2. delegates the brokers: PID_BROKER to procd (and has procd adopt the
//     processes started so far), MM_BROKER to syscalld, DRIVER_BROKER to
//     driverd, PROCESS_BROKER to loaderd (from here on loaderd creates every
//     process);
//  3. asks loaderd for initd (pid 1), gives it POWER and the authority over
//     the session services' ids, and lets it run.
//
// Arguments after "--" on the kernel command line reach rootd, which hands
// them to initd (as Linux passes them to init).
#include <rustos/loader/loader.h>
#include <rustos/runtime_control/registry.h>
#include <rustos/service/log.h>
#include <rustos/service/spawn.h>

#include <chrono>
#include <map>
#include <string>
#include <unistd.h>
#include <vector>

using namespace rustos;
using namespace rustos::service;
using abi::Capability;

namespace {

constexpr uint64_t kRegisterDeadlineNs = 10'000'000'000ull;
constexpr const char* kStartupRegistry = "/system/registry/startup.tsv";

struct Foundational {
    const char* id;
    uint32_t service_id;
    Handle process;
    uint32_t pid = 0;
};

[[noreturn]] void stop_boot(const char* why) {
    log("boot chain stopped: %s", why);
    sleep_forever();
}

uint64_t now_ms() {
    return uint64_t(std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now().time_since_epoch())
                        .count());
}

void grant(handle_t process, Capability cap, uint32_t arg, const char* to) {
    int64_t r = user::cap_grant(process, cap, arg);
    if (r < 0)
        log("cannot give %s to %s: %s", abi::capability_name(cap), to,
            abi::errno_description(Errno(-r)));
}

handle_t dup(handle_t h, uint32_t rights) {
    int64_t r = user::handle_duplicate(h, rights);
    return r < 0 ? 0 : handle_t(r);
}

// procd enters rootd and the foundational services into its tree.
void adopt_into_procd(handle_t procd, std::vector<Foundational>& services) {
    std::vector<std::pair<handle_t, uint32_t>> procs; // handle, Linux parent
    uint32_t self_pid = uint32_t(getpid());
    int64_t self = user::process_self();
    if (self >= 0)
        procs.push_back({handle_t(self), 0});
    for (auto& s : services)
        procs.push_back({dup(s.process.get(), abi::RIGHT_INFO | abi::RIGHT_TRANSFER), self_pid});
    for (size_t i = 0; i < procs.size(); i += ipc::kMaxHandles) {
        auto req = new_message(ipc::op::PROCD_ADOPT);
        auto rep = new_message();
        MessageWriter w(*req);
        size_t n = std::min(procs.size() - i, ipc::kMaxHandles);
        w.u32(uint32_t(n));
        for (size_t k = 0; k < n; ++k)
            w.u32(procs[i + k].second);
        for (size_t k = 0; k < n; ++k)
            w.handle(procs[i + k].first);
        w.finish();
        auto r = call(procd, *req, *rep);
        if (r.is_error())
            log("procd did not adopt the early processes: %s", r.error().reason());
    }
}

} // namespace

int main(int argc, char** argv) {
    log("starting (RustOS privilege root, pid %d)", int(getpid()));
    std::vector<std::string> init_args{"initd"};
    for (int i = 1; i < argc; ++i)
        init_args.emplace_back(argv[i]);

    auto registry_text = read_boot_file(kStartupRegistry);
    if (registry_text.is_error())
        stop_boot(registry_text.error().reason());
    auto records = runtime_control::parse_startup(registry_text.value(), kStartupRegistry);
    if (records.is_error())
        stop_boot(records.error().reason());
    std::map<std::string, std::string> paths;
    for (auto& r : records.value())
        paths[r.id] = r.path;

    std::vector<Foundational> services;
    for (auto [id, sid] : {std::pair{"syscalld", ipc::service::SYSCALLD},
                           {"vfsd", ipc::service::VFSD},
                           {"loaderd", ipc::service::LOADERD},
                           {"procd", ipc::service::PROCD},
                           {"devmgrd", ipc::service::DEVMGRD},
                           {"driverd", ipc::service::DRIVERD},
                           {"storaged", ipc::service::STORAGED}})
        services.push_back({id, sid, {}});

    // 1. Start them all, each with its brokers already in hand (vfsd and
    //    syscalld subscribe to kernel events as they start), then wait
    //    for every registration.
    const std::multimap<std::string, Capability> brokers{
        {"procd", Capability::PID_BROKER},          {"procd", Capability::PROCESS_OBSERVER},
        {"vfsd", Capability::PROCESS_OBSERVER},     {"vfsd", Capability::CONSOLE_BROKER},
        {"syscalld", Capability::PROCESS_OBSERVER}, {"syscalld", Capability::MM_BROKER},
        {"syscalld", Capability::SIGNAL_BROKER},    {"driverd", Capability::DRIVER_BROKER},
    };
    auto env = current_environment();
    for (auto& s : services) {
        auto path = paths.find(s.id);
        if (path == paths.end())
            stop_boot((std::string(s.id) + " is not in " + kStartupRegistry).c_str());
        loader::Program program{path->second, s.id, {s.id}, env};
        program.kernel_defaults = true;
        auto built =
            loader::build_process(program, [](const std::string& p) -> ErrorOr<loader::FileBytes> {
                return loader::FileBytes(TRY(read_boot_file(p)));
            });
        if (built.is_error())
            stop_boot((std::string("cannot load ") + s.id + ": " + built.error().reason()).c_str());
        s.process = std::move(built.value().process);
        s.pid = built.value().pid;
        grant(s.process.get(), Capability::SERVICE_REGISTER, s.service_id, s.id);
        auto [first, last] = brokers.equal_range(s.id);
        for (auto it = first; it != last; ++it)
            grant(s.process.get(), it->second, 0, s.id);
        int64_t r = user::process_resume(s.process.get());
        if (r < 0)
            stop_boot((std::string("cannot start ") + s.id).c_str());
        log("started %s (pid %u)", s.id, s.pid);
    }
    // rootd builds processes itself up to here: the process broker moves
    // to loaderd last.
    for (auto& s : services)
        if (std::string(s.id) == "loaderd")
            grant(s.process.get(), Capability::PROCESS_BROKER, 0, "loaderd");
    log("delegated brokers: PID_BROKER to procd, MM_BROKER and SIGNAL_BROKER to syscalld, "
        "CONSOLE_BROKER to vfsd, DRIVER_BROKER to driverd, PROCESS_BROKER to loaderd; "
        "PROCESS_OBSERVER to procd, vfsd and syscalld");
    uint64_t t0 = now_ms();
    std::vector<Handle> endpoints;
    for (auto& s : services) {
        uint64_t waited = (now_ms() - t0) * 1'000'000ull;
        uint64_t left = waited < kRegisterDeadlineNs ? kRegisterDeadlineNs - waited : 1;
        auto ep = lookup(s.service_id, left);
        if (ep.is_error()) {
            log("%s (pid %u) did not register IPC_SERVICE_%s within %llu ms", s.id, s.pid, s.id,
                (unsigned long long)(kRegisterDeadlineNs / 1'000'000));
            stop_boot("a foundational service is missing");
        }
        endpoints.push_back(std::move(ep.value()));
    }
    log("foundational services registered: syscalld vfsd loaderd procd devmgrd driverd storaged "
        "(%llu ms)",
        (unsigned long long)(now_ms() - t0));

    // 2. procd enters the processes started so far into its tree.
    adopt_into_procd(endpoints[3].get(), services);

    // 3. initd, through loaderd.
    SpawnRequest init;
    init.path = "/services/initd/initd";
    init.argv = init_args;
    init.envp = env;
    init.flags = SPAWN_SUSPENDED | SPAWN_RETURN_HANDLE | SPAWN_ROLE_INIT;
    init.parent_pid = 0;
    auto initd = spawn(endpoints[2].get(), init);
    if (initd.is_error())
        stop_boot(
            (std::string("loaderd could not spawn initd: ") + initd.error().reason()).c_str());
    handle_t ih = initd.value().process.get();
    grant(ih, Capability::POWER, 0, "initd");
    for (uint32_t id : {ipc::service::RUNTIMED, ipc::service::UISERVER, ipc::service::SESSIOND,
                        ipc::service::INPUTD, ipc::service::NETD})
        grant(ih, Capability::SERVICE_AUTHORITY, id, "initd");
    if (user::process_resume(ih) < 0)
        stop_boot("cannot start initd");
    log("handed off to initd (pid %u)", initd.value().pid);

    // rootd stays: the process objects of the foundational services are
    // held here for as long as the system runs.
    sleep_forever();
}
