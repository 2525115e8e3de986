// syscalld's signal policy, as pure logic: per-process dispositions and
// pending sets, per-thread masks, pending sets and alternate stacks, the
// default action of every signal, and the decision what a signal does now:
// nothing (ignored), terminate, stop, continue, run a handler on a thread,
// or wait pending until unblocked.
#pragma once

#include <csignal>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace syscalld {

inline constexpr int kNumSignals = 64;
// Signals from here on are real-time (glibc's SIGRTMIN is 34; 32 and 33
// are its own): each one sent is queued with its siginfo, in order, up to
// kMaxQueuedSignals per process; a standard signal is pending once.
inline constexpr int kFirstRealtime = 32;
inline constexpr size_t kMaxQueuedSignals = 4096;
// Signal numbers and SA_* flags are Linux's, from <signal.h>.
inline constexpr uint64_t kSigDfl = 0, kSigIgn = 1;

inline uint64_t bit(int sig) { return 1ull << (sig - 1); }
inline constexpr uint64_t kUnblockable = (1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1));

enum class DefaultAction { Terminate, Core, Ignore, Stop, Continue };
DefaultAction default_action(int sig);

struct Action {
    uint64_t handler = kSigDfl;
    uint64_t flags = 0;
    uint64_t restorer = 0;
    uint64_t mask = 0;
};

struct AltStack {
    uint64_t sp = 0;
    int32_t flags = 2; // SS_DISABLE
    uint64_t size = 0;
};

struct SigInfo {
    int32_t signo = 0, errno_ = 0, code = 0;
    uint8_t rest[116] = {};    // the union, laid out by the sender
    std::string bytes() const; // the 128-byte Linux siginfo_t
};

// Pending signals: the set, and the siginfo of each instance (one for a
// standard signal, the queue for a real-time one).
struct PendingSet {
    uint64_t bits = 0;
    std::map<int, std::deque<SigInfo>> infos;
    // False when the signal was not queued (a real-time queue is full).
    bool add(int sig, const SigInfo& info, size_t& queued);
    std::optional<SigInfo> take(int sig, size_t& queued);
    void drop(int sig, size_t& queued);
};

struct ThreadState {
    uint64_t mask = 0;
    PendingSet pending;
    AltStack altstack;
};

enum class Verdict {
    Ignore,    // dropped
    Terminate, // kill the process with the signal
    Stop,      // stop the process
    Continue,  // continue the process (and drop)
    Handle,    // run the handler on `tid`
    Pending,   // blocked everywhere: stays pending
};

struct Decision {
    Verdict verdict = Verdict::Ignore;
    uint32_t tid = 0;
};

class ProcessSignals {
public:
    explicit ProcessSignals(uint32_t pid) : m_pid(pid) {}
    uint32_t pid() const { return m_pid; }

    Action action(int sig) const { return m_actions[sig]; }
    // rt_sigaction: EINVAL for SIGKILL/SIGSTOP; setting kSigIgn drops pending.
    bool set_action(int sig, const Action& a);
    ThreadState& thread(uint32_t tid);
    bool has_thread(uint32_t tid) const { return m_threads.count(tid); }
    void forget_thread(uint32_t tid);

    // A signal arrives for the process (target_tid 0) or one thread. The
    // decision says what must happen; Handle takes the signal off pending.
    Decision raise(int sig, const SigInfo& info, uint32_t target_tid);
    // After the mask of `tid` changed (sigprocmask, sigreturn): a pending
    // signal it can take now, if any (taken off pending).
    std::optional<std::pair<int, SigInfo>> next_deliverable(uint32_t tid);
    // For a Handle decision: the mask during the handler and the action's
    // one-shot reset (SA_RESETHAND).
    uint64_t begin_handler(uint32_t tid, int sig);
    // sigtimedwait: takes a pending signal in `set`.
    std::optional<std::pair<int, SigInfo>> take_pending(uint32_t tid, uint64_t set);
    uint64_t pending_for(uint32_t tid);

    // What vfsd's tty needs for its job-control checks, per thread:
    // kTtinIgnored and kTtouIgnored (ignored, or blocked by that thread).
    static constexpr uint32_t kTtinIgnored = 1, kTtouIgnored = 2;
    uint32_t job_control_bits(uint32_t tid) const;
    std::vector<uint32_t> thread_ids() const;

    // exec: handled signals go back to their default action.
    void reset_for_exec();
    // fork: the child's copy (dispositions, the forking thread's mask and
    // alternate stack for the child's main thread; no pending signals).
    ProcessSignals fork_to(uint32_t child_pid, uint32_t parent_tid) const;

private:
    uint32_t pick_thread(int sig) const;
    uint32_t m_pid;
    Action m_actions[kNumSignals + 1];
    PendingSet m_pending;
    size_t m_queued = 0; // signal instances pending in the process and its threads
    std::map<uint32_t, ThreadState> m_threads;
};

} // namespace syscalld
