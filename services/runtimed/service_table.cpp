#include "service_table.h"

#include <rustos/service/log.h>
#include <rustos/service/spawn.h>

#include <sys/wait.h>

#include <chrono>
#include <csignal>
#include <utility>

namespace runtimed {

using namespace rustos;
namespace rc = rustos::runtime_control;
namespace rtc = rustos::runtime_client;
using rustos::service::log;

const char* to_string(State s) {
    switch (s) {
    case State::Inactive:
        return "inactive";
    case State::Running:
        return "running";
    case State::Restarting:
        return "restarting";
    case State::Stopping:
        return "stopping";
    case State::Stopped:
        return "stopped";
    case State::Exited:
        return "exited";
    case State::Failed:
        return "failed";
    }
    return "?";
}

namespace {

std::unique_ptr<RestartTracker> tracker_for(const rc::LaunchSpec& spec) {
    return std::make_unique<RestartTracker>(spec.restart, spec.restart_budget,
                                            spec.restart_window_ms, spec.backoff_ms);
}

} // namespace

void ServiceTable::add(const rc::LaunchSpec& spec) {
    std::lock_guard lock(m_mutex);
    auto [it, fresh] = m_instances.try_emplace(spec.id);
    Instance& inst = it->second;
    if (fresh) {
        inst.spec = spec;
    } else {
        // Launched from its desktop entry: keep how it was launched, take
        // the catalog's policy.
        inst.spec.startup = spec.startup;
        inst.spec.restart = spec.restart;
        inst.spec.restart_budget = spec.restart_budget;
        inst.spec.restart_window_ms = spec.restart_window_ms;
        inst.spec.backoff_ms = spec.backoff_ms;
        inst.spec.runtime_deps = spec.runtime_deps;
    }
    inst.restarts = tracker_for(inst.spec);
}

ErrorOr<ServiceTable::Instance*> ServiceTable::find(const std::string& id) {
    const Instance* inst = TRY(std::as_const(*this).find(id));
    return const_cast<Instance*>(inst);
}

ErrorOr<const ServiceTable::Instance*> ServiceTable::find(const std::string& id) const {
    auto it = m_instances.find(id);
    if (it == m_instances.end())
        return Error::formatted(ENOENT, "no catalog entry '%s'", id.c_str());
    return &it->second;
}

rtc::EntryInfo ServiceTable::info(const Instance& inst) const {
    rtc::EntryInfo e;
    e.id = inst.spec.id;
    e.state = to_string(inst.state);
    e.startup = std::string(rc::to_string(inst.spec.startup));
    e.pid = inst.pid;
    e.restarts = inst.restarts ? inst.restarts->total_restarts() : 0;
    e.exec = inst.spec.exec;
    e.last_exit = inst.last_exit;
    return e;
}

ErrorOr<uint32_t> ServiceTable::launch_locked(Instance& inst) {
    ++inst.generation;
    auto pid = m_launcher.launch(inst.spec);
    if (pid.is_error()) {
        inst.state = State::Failed;
        inst.pid = 0;
        return pid.error();
    }
    inst.state = State::Running;
    inst.pid = pid.value();
    m_pids[inst.pid] = inst.spec.id;
    return inst.pid;
}

ErrorOr<uint32_t> ServiceTable::launch(const std::string& id) {
    std::lock_guard lock(m_mutex);
    Instance* inst = TRY(find(id));
    return launch_locked(*inst);
}

ExitOutcome ServiceTable::on_exit(uint32_t pid, int status, uint64_t now_ms) {
    std::lock_guard lock(m_mutex);
    ExitOutcome out;
    auto it = m_pids.find(pid);
    if (it == m_pids.end())
        return out;
    out.known = true;
    out.id = it->second;
    m_pids.erase(it);
    Instance& inst = m_instances[out.id];
    std::string how = service::describe_wait_status(status);
    inst.pid = 0;
    inst.last_exit = how;
    m_collected.notify_all();
    if (inst.state == State::Stopping) {
        inst.state = State::Stopped;
        log("%s (pid %u) %s; stopped on request, not restarting", out.id.c_str(), pid, how.c_str());
        return out;
    }
    bool failed = !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    auto d = inst.restarts->on_exit(now_ms, failed);
    if (!d.restart) {
        inst.state = failed ? State::Failed : State::Exited;
        log("%s (pid %u) %s; not restarting: %s", out.id.c_str(), pid, how.c_str(), d.reason);
        return out;
    }
    inst.state = State::Restarting;
    log("%s (pid %u) %s unexpectedly; restart %u of %llu within %llu ms, in %llu ms",
        out.id.c_str(), pid, how.c_str(), d.attempt, (unsigned long long)inst.spec.restart_budget,
        (unsigned long long)inst.spec.restart_window_ms, (unsigned long long)d.delay_ms);
    out.restart = true;
    out.delay_ms = d.delay_ms;
    out.generation = inst.generation;
    return out;
}

void ServiceTable::restart_due(const std::string& id, uint64_t generation) {
    std::lock_guard lock(m_mutex);
    auto inst = find(id);
    if (inst.is_error() || (*inst)->state != State::Restarting || (*inst)->generation != generation)
        return; // stopped or started on purpose meanwhile
    auto pid = launch_locked(**inst);
    if (pid.is_error()) {
        log("cannot restart %s: %s", id.c_str(), pid.error().reason());
        return;
    }
    log("restarted %s (pid %u, restart %u)", id.c_str(), pid.value(),
        (*inst)->restarts->total_restarts());
}

std::vector<rtc::EntryInfo> ServiceTable::list() const {
    std::lock_guard lock(m_mutex);
    std::vector<rtc::EntryInfo> out;
    for (auto& [id, inst] : m_instances)
        out.push_back(info(inst));
    return out;
}

ErrorOr<rtc::EntryInfo> ServiceTable::status(const std::string& id) const {
    std::lock_guard lock(m_mutex);
    const Instance* inst = TRY(find(id));
    return info(*inst);
}

ErrorOr<ActionResult> ServiceTable::start(const std::string& id) {
    std::lock_guard lock(m_mutex);
    Instance* inst = TRY(find(id));
    const char* name = id.c_str();
    switch (inst->state) {
    case State::Running:
        return ActionResult{info(*inst),
                            id + " is already running (pid " + std::to_string(inst->pid) + ")"};
    case State::Stopping:
        return Error::formatted(EBUSY, "%s is being stopped", name);
    case State::Restarting: // its pending restart is superseded
    case State::Inactive:
    case State::Stopped:
    case State::Exited:
    case State::Failed:
        break;
    }
    inst->restarts->forget_recent();
    auto pid = launch_locked(*inst);
    if (pid.is_error()) {
        log("start: cannot start %s: %s", name, pid.error().reason());
        return Error::formatted(pid.error().code(), "cannot start %s: %s", name,
                                pid.error().reason());
    }
    log("start: started %s (pid %u)", name, pid.value());
    return ActionResult{info(*inst),
                        "started " + id + " (pid " + std::to_string(pid.value()) + ")"};
}

bool ServiceTable::wait_collected(std::unique_lock<std::mutex>& lock, const Instance& inst,
                                  uint32_t pid, uint64_t ms) {
    return m_collected.wait_for(lock, std::chrono::milliseconds(ms),
                                [&] { return !m_pids.count(pid) || inst.pid != pid; });
}

ErrorOr<ActionResult> ServiceTable::stop(const std::string& id) {
    std::unique_lock lock(m_mutex);
    Instance* inst = TRY(find(id));
    const char* name = id.c_str();
    switch (inst->state) {
    case State::Stopping:
        return Error::formatted(EBUSY, "%s is already being stopped", name);
    case State::Restarting:
        ++inst->generation;
        inst->state = State::Stopped;
        log("stop: %s: its pending restart is cancelled", name);
        return ActionResult{info(*inst), "stopped " + id + " (its pending restart is cancelled)"};
    case State::Running:
        break;
    case State::Inactive:
    case State::Stopped:
    case State::Exited:
    case State::Failed:
        return ActionResult{info(*inst), id + " is not running (" + to_string(inst->state) + ")"};
    }
    uint32_t pid = inst->pid;
    inst->state = State::Stopping;
    ++inst->generation;
    log("stop: %s (pid %u): sending SIGTERM", name, pid);
    auto sent = m_launcher.signal(pid, SIGTERM);
    if (sent.is_error() && sent.error().code() != ESRCH) { // ESRCH: it is ending anyway
        inst->state = State::Running;
        return Error::formatted(sent.error().code(), "cannot stop %s (pid %u): %s", name, pid,
                                sent.error().reason());
    }
    if (!wait_collected(lock, *inst, pid, m_timeouts.term_ms)) {
        log("stop: %s (pid %u) still runs %llu ms after SIGTERM: sending SIGKILL", name, pid,
            (unsigned long long)m_timeouts.term_ms);
        (void)m_launcher.signal(pid, SIGKILL);
        if (!wait_collected(lock, *inst, pid, m_timeouts.kill_ms))
            return Error::formatted(ETIMEDOUT, "%s (pid %u) did not end after SIGTERM and SIGKILL",
                                    name, pid);
    }
    return ActionResult{info(*inst), "stopped " + id + " (pid " + std::to_string(pid) + ", " +
                                         inst->last_exit + ")"};
}

ErrorOr<ActionResult> ServiceTable::restart(const std::string& id) {
    rtc::EntryInfo before = TRY(status(id));
    bool was_running =
        before.state == to_string(State::Running) || before.state == to_string(State::Restarting);
    if (was_running)
        TRY(stop(id));
    ActionResult started = TRY(start(id));
    if (!was_running) {
        started.message += " (it was " + before.state + ")";
        return started;
    }
    if (before.pid) {
        log("restart: %s restarted (pid %u -> %u)", id.c_str(), before.pid, started.entry.pid);
        started.message = "restarted " + id + " (pid " + std::to_string(before.pid) + " -> " +
                          std::to_string(started.entry.pid) + ")";
    } else {
        log("restart: %s restarted (pid %u)", id.c_str(), started.entry.pid);
        started.message = "restarted " + id + " (pid " + std::to_string(started.entry.pid) + ")";
    }
    return started;
}

rtc::Reply ServiceTable::handle(const rtc::Request& request) {
    rtc::Reply reply;
    reply.op = request.op;
    auto fail = [&](const Error& e) {
        reply.status = int32_t(e.code());
        reply.message = e.reason();
        return reply;
    };
    auto action = [&](ErrorOr<ActionResult> r) {
        if (r.is_error())
            return fail(r.error());
        reply.message = r->message;
        reply.entries.push_back(r->entry);
        return reply;
    };
    switch (request.op) {
    case rtc::Op::Hello: // normally answered by the connection loop
        reply.min_version = reply.max_version = rtc::kVersion;
        reply.server = "runtimed";
        return reply;
    case rtc::Op::List:
        reply.entries = list();
        return reply;
    case rtc::Op::Status: {
        auto e = status(request.id);
        if (e.is_error())
            return fail(e.error());
        reply.entries.push_back(e.value());
        return reply;
    }
    case rtc::Op::Start:
        return action(start(request.id));
    case rtc::Op::Stop:
        return action(stop(request.id));
    case rtc::Op::Restart:
        return action(restart(request.id));
    }
    return fail(Error(EOPNOTSUPP, "unknown request"));
}

} // namespace runtimed
