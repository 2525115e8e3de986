// procd's process table: the Linux process tree (pid, parent, process
// group, session), exit states, and which exited child a wait4/waitid
// call may collect. Pure logic, unit-tested on the host.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace procd {

inline constexpr uint32_t kInitPid = 1;

struct Proc {
    uint32_t pid = 0;
    uint32_t ppid = 0;
    uint32_t pgid = 0;
    uint32_t sid = 0;
    uint64_t koid = 0;
    std::string name;
    bool exited = false;
    int32_t wait_status = 0; // Linux encoding
    uint32_t handle = 0;     // procd's handle to the kernel process object
    bool adopted = false;    // started before procd (rootd, foundational services): never waits
    bool execed = false;     // ran execve since fork (setpgid: EACCES)
    bool stopped = false;    // job control
    int32_t stop_signal = 0;
    bool report_stop = false;     // a stop not yet collected by WUNTRACED
    bool report_continue = false; // a continue not yet collected by WCONTINUED
    // CPU time (ms) of the children it reaped, theirs included: what
    // RUSAGE_CHILDREN and times()'s tms_cutime report.
    uint64_t children_ms = 0;
};

// Which children a wait call names (wait4's pid argument).
struct WaitSelector {
    int64_t pid; // > 0: that child; -1: any; 0: caller's group; < -1: group -pid
};

enum class WaitOutcome {
    Reapable,   // `pid` is an exited child matching the selector
    Stopped,    // `pid` stopped (WUNTRACED/WSTOPPED)
    Continued,  // `pid` continued (WCONTINUED)
    NotYet,     // matching children exist, none has exited
    NoChildren, // ECHILD
};

struct WaitCheck {
    WaitOutcome outcome;
    uint32_t pid = 0;
};

class ProcessTable {
public:
    // A process enters the tree (registered before it starts, or adopted).
    void add(Proc p);
    const Proc* find(uint32_t pid) const;
    Proc* find(uint32_t pid);

    // The process ended: marks it exited and gives its children to init
    // (or to nobody: ppid 0, when init itself is gone). Returns the pids
    // that changed parent.
    std::vector<uint32_t> mark_exited(uint32_t pid, int32_t wait_status);

    WaitCheck check_wait(uint32_t parent, WaitSelector sel, bool exited = true, bool stops = false,
                         bool continues = false) const;
    // Removes an exited process and returns it.
    std::optional<Proc> reap(uint32_t pid);

    std::vector<const Proc*> all() const;
    size_t size() const { return m_procs.size(); }

private:
    bool matches(const Proc& child, uint32_t parent, WaitSelector sel) const;
    std::map<uint32_t, Proc> m_procs;
};

} // namespace procd
