// runtimed's catalog entries and what happens to them: launches, exits and
// the restart policy, and the RuntimeClient actions on them (status,
// start, stop, restart). The table decides; a Launcher carries it out
// (spawns through loaderd, sends signals), so the rules are unit-tested on
// the host with a fake one.
//
// Thread safety: every method may be called from any thread. The
// supervisor thread reports exits with on_exit(); stop() waits (with a
// deadline) for that report.
#pragma once

#include "restart_policy.h"

#include <rustos/runtime_client/protocol.h>
#include <rustos/runtime_control/registry.h>

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace runtimed {

enum class State { Inactive, Running, Restarting, Stopping, Stopped, Exited, Failed };
const char* to_string(State state);

class Launcher {
public:
    virtual ~Launcher() = default;
    // Starts the program of `spec` and returns its pid. Called with the
    // table locked, so it must not call back into the table.
    virtual rustos::ErrorOr<uint32_t> launch(const rustos::runtime_control::LaunchSpec& spec) = 0;
    // Sends signal `signo` to a program the table launched.
    virtual rustos::ErrorOr<void> signal(uint32_t pid, int signo) = 0;
};

struct StopTimeouts {
    uint64_t term_ms = 3000; // after SIGTERM, before SIGKILL
    uint64_t kill_ms = 2000; // after SIGKILL, before giving up
};

// What the supervisor does after an exit.
struct ExitOutcome {
    bool known = false; // a program of the table
    bool restart = false;
    uint64_t delay_ms = 0;
    std::string id;
    uint64_t generation = 0; // for restart_due()
};

// The result of a RuntimeClient action: the entry afterwards, and what
// happened in words.
struct ActionResult {
    rustos::runtime_client::EntryInfo entry;
    std::string message;
};

class ServiceTable {
public:
    explicit ServiceTable(Launcher& launcher, StopTimeouts timeouts = {})
        : m_launcher(launcher), m_timeouts(timeouts) {}

    // Adds an inactive entry or, when the id is known (uiserver, launched
    // before the catalog loaded), takes over the spec's startup and restart
    // policy.
    void add(const rustos::runtime_control::LaunchSpec& spec);
    // Launches an entry now (bootstrap, autostart); its pid.
    rustos::ErrorOr<uint32_t> launch(const std::string& id);

    // The supervisor collected `pid` with wait status `status` at now_ms.
    ExitOutcome on_exit(uint32_t pid, int status, uint64_t now_ms);
    // A restart on_exit() asked for is due. Does nothing when the entry was
    // stopped or started meanwhile (its generation moved on).
    void restart_due(const std::string& id, uint64_t generation);

    // The RuntimeClient actions. ENOENT for an id not in the catalog.
    std::vector<rustos::runtime_client::EntryInfo> list() const;
    rustos::ErrorOr<rustos::runtime_client::EntryInfo> status(const std::string& id) const;
    // Launches an inactive, stopped, exited or failed entry (with a fresh
    // restart budget); an entry that runs already is left alone.
    rustos::ErrorOr<ActionResult> start(const std::string& id);
    // Ends supervision (no restart) and the program: SIGTERM, then SIGKILL
    // after term_ms; returns once the program has been collected.
    rustos::ErrorOr<ActionResult> stop(const std::string& id);
    // stop() when running, then start().
    rustos::ErrorOr<ActionResult> restart(const std::string& id);
    // A RuntimeClient request answered with the methods above.
    rustos::runtime_client::Reply handle(const rustos::runtime_client::Request& request);

private:
    struct Instance {
        rustos::runtime_control::LaunchSpec spec;
        State state = State::Inactive;
        uint32_t pid = 0;
        std::unique_ptr<RestartTracker> restarts;
        uint64_t generation = 0; // moves on with every start and stop
        std::string last_exit;
    };

    rustos::ErrorOr<Instance*> find(const std::string& id);
    rustos::ErrorOr<const Instance*> find(const std::string& id) const;
    rustos::runtime_client::EntryInfo info(const Instance& inst) const;
    // Precondition: m_mutex held.
    rustos::ErrorOr<uint32_t> launch_locked(Instance& inst);
    // Waits until `pid` of `inst` has been collected; false at the deadline.
    bool wait_collected(std::unique_lock<std::mutex>& lock, const Instance& inst, uint32_t pid,
                        uint64_t ms);

    Launcher& m_launcher;
    StopTimeouts m_timeouts;
    mutable std::mutex m_mutex;
    std::condition_variable m_collected;
    std::map<std::string, Instance> m_instances; // by package id
    std::map<uint32_t, std::string> m_pids;      // live pid -> package id
};

} // namespace runtimed
