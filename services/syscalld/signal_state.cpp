#include "signal_state.h"

#include <cstring>

namespace syscalld {

DefaultAction default_action(int sig) {
    switch (sig) {
    case SIGCHLD:
    case SIGURG:
    case SIGWINCH:
        return DefaultAction::Ignore;
    case SIGCONT:
        return DefaultAction::Continue;
    case SIGSTOP:
    case SIGTSTP:
    case SIGTTIN:
    case SIGTTOU:
        return DefaultAction::Stop;
    case SIGQUIT:
    case SIGILL:
    case SIGTRAP:
    case SIGABRT:
    case SIGBUS:
    case SIGFPE:
    case SIGSEGV:
    case SIGXCPU:
    case SIGXFSZ:
    case SIGSYS:
        return DefaultAction::Core;
    default:
        return DefaultAction::Terminate; // including real-time signals
    }
}

std::string SigInfo::bytes() const {
    std::string b(128, '\0');
    std::memcpy(b.data(), &signo, 4);
    std::memcpy(b.data() + 4, &errno_, 4);
    std::memcpy(b.data() + 8, &code, 4);
    std::memcpy(b.data() + 12, rest, sizeof rest);
    return b;
}

bool PendingSet::add(int sig, const SigInfo& info, size_t& queued) {
    auto& q = infos[sig];
    if (sig < kFirstRealtime && !q.empty())
        return true; // a standard signal already pending: it stays one
    if (queued >= kMaxQueuedSignals)
        return false;
    q.push_back(info);
    ++queued;
    bits |= bit(sig);
    return true;
}

std::optional<SigInfo> PendingSet::take(int sig, size_t& queued) {
    auto it = infos.find(sig);
    if (!(bits & bit(sig)) || it == infos.end() || it->second.empty())
        return std::nullopt;
    SigInfo info = it->second.front();
    it->second.pop_front();
    --queued;
    if (it->second.empty()) {
        infos.erase(it);
        bits &= ~bit(sig);
    }
    return info;
}

void PendingSet::drop(int sig, size_t& queued) {
    auto it = infos.find(sig);
    if (it != infos.end()) {
        queued -= it->second.size();
        infos.erase(it);
    }
    bits &= ~bit(sig);
}

bool ProcessSignals::set_action(int sig, const Action& a) {
    if (sig < 1 || sig > kNumSignals || sig == SIGKILL || sig == SIGSTOP)
        return false;
    m_actions[sig] = a;
    m_actions[sig].mask &= ~kUnblockable;
    bool ignored = a.handler == kSigIgn ||
                   (a.handler == kSigDfl && default_action(sig) == DefaultAction::Ignore);
    if (ignored) {
        m_pending.drop(sig, m_queued);
        for (auto& [tid, t] : m_threads)
            t.pending.drop(sig, m_queued);
    }
    return true;
}

ThreadState& ProcessSignals::thread(uint32_t tid) { return m_threads[tid]; }

void ProcessSignals::forget_thread(uint32_t tid) {
    auto it = m_threads.find(tid);
    if (it == m_threads.end())
        return;
    for (auto& [sig, q] : it->second.pending.infos)
        m_queued -= q.size();
    m_threads.erase(it);
}

uint32_t ProcessSignals::job_control_bits(uint32_t tid) const {
    auto t = m_threads.find(tid);
    uint64_t mask = t == m_threads.end() ? 0 : t->second.mask;
    uint32_t bits = 0;
    if (m_actions[SIGTTIN].handler == kSigIgn || (mask & bit(SIGTTIN)))
        bits |= kTtinIgnored;
    if (m_actions[SIGTTOU].handler == kSigIgn || (mask & bit(SIGTTOU)))
        bits |= kTtouIgnored;
    return bits;
}

std::vector<uint32_t> ProcessSignals::thread_ids() const {
    std::vector<uint32_t> out;
    for (auto& [tid, t] : m_threads)
        out.push_back(tid);
    if (!m_threads.count(m_pid))
        out.push_back(m_pid);
    return out;
}

uint32_t ProcessSignals::pick_thread(int sig) const {
    // The main thread first, as Linux prefers the thread group leader.
    auto main = m_threads.find(m_pid);
    if (main != m_threads.end() && !(main->second.mask & bit(sig)))
        return m_pid;
    if (main == m_threads.end())
        return m_pid; // never seen another thread: the main one
    for (auto& [tid, t] : m_threads)
        if (!(t.mask & bit(sig)))
            return tid;
    return 0;
}

Decision ProcessSignals::raise(int sig, const SigInfo& info, uint32_t target_tid) {
    const Action& a = m_actions[sig];
    if (sig == SIGKILL)
        return {Verdict::Terminate};
    if (sig == SIGSTOP)
        return {Verdict::Stop};
    bool continues = sig == SIGCONT;
    if (a.handler == kSigIgn)
        return {continues ? Verdict::Continue : Verdict::Ignore};
    if (a.handler == kSigDfl) {
        switch (default_action(sig)) {
        case DefaultAction::Ignore:
            return {Verdict::Ignore};
        case DefaultAction::Continue:
            return {Verdict::Continue};
        default:
            break;
        }
        // Terminating and stopping defaults wait while blocked (Linux keeps
        // them pending; they act when unblocked).
        uint32_t tid = target_tid ? target_tid : pick_thread(sig);
        if (tid && (target_tid == 0 || !(thread(tid).mask & bit(sig)))) {
            DefaultAction d = default_action(sig);
            return {d == DefaultAction::Stop ? Verdict::Stop : Verdict::Terminate};
        }
    } else {
        uint32_t tid =
            target_tid ? (thread(target_tid).mask & bit(sig) ? 0 : target_tid) : pick_thread(sig);
        if (tid)
            return {Verdict::Handle, tid};
    }
    // Blocked: pending (a real-time signal past the queue limit is lost).
    PendingSet& set = target_tid ? thread(target_tid).pending : m_pending;
    (void)set.add(sig, info, m_queued);
    return {continues ? Verdict::Continue : Verdict::Pending};
}

std::optional<std::pair<int, SigInfo>> ProcessSignals::next_deliverable(uint32_t tid) {
    return take_pending(tid, ~thread(tid).mask);
}

uint64_t ProcessSignals::begin_handler(uint32_t tid, int sig) {
    ThreadState& t = thread(tid);
    uint64_t saved = t.mask;
    Action& a = m_actions[sig];
    t.mask |= a.mask;
    if (!(a.flags & SA_NODEFER))
        t.mask |= bit(sig);
    t.mask &= ~kUnblockable;
    if (a.flags & SA_RESETHAND)
        a = Action{};
    return saved;
}

std::optional<std::pair<int, SigInfo>> ProcessSignals::take_pending(uint32_t tid, uint64_t set) {
    ThreadState& t = thread(tid);
    for (int sig = 1; sig <= kNumSignals; ++sig) {
        if (!(set & bit(sig)))
            continue;
        if (auto info = t.pending.take(sig, m_queued))
            return std::make_pair(sig, *info);
        if (auto info = m_pending.take(sig, m_queued))
            return std::make_pair(sig, *info);
    }
    return std::nullopt;
}

uint64_t ProcessSignals::pending_for(uint32_t tid) {
    return thread(tid).pending.bits | m_pending.bits;
}

void ProcessSignals::reset_for_exec() {
    for (int sig = 1; sig <= kNumSignals; ++sig)
        if (m_actions[sig].handler != kSigIgn)
            m_actions[sig] = Action{};
    for (auto& [tid, t] : m_threads)
        t.altstack = AltStack{};
}

ProcessSignals ProcessSignals::fork_to(uint32_t child_pid, uint32_t parent_tid) const {
    ProcessSignals c(child_pid);
    for (int sig = 1; sig <= kNumSignals; ++sig)
        c.m_actions[sig] = m_actions[sig];
    auto it = m_threads.find(parent_tid);
    ThreadState& main = c.m_threads[child_pid];
    if (it != m_threads.end()) {
        main.mask = it->second.mask;
        main.altstack = it->second.altstack;
    }
    return c;
}

} // namespace syscalld
