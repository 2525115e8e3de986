// runtimed's decision when a supervised program ends: restart it (after a
// backoff that doubles with each consecutive restart) or give up because
// its restart budget for the window is spent, or because its policy says
// not to. Pure logic, unit-tested on the host.
#pragma once

#include <rustos/runtime_control/types.h>

#include <cstdint>
#include <deque>

namespace runtimed {

struct RestartDecision {
    bool restart = false;
    uint64_t delay_ms = 0;
    uint32_t attempt = 0; // 1 for the first restart in the window
    const char* reason = "";
};

class RestartTracker {
public:
    RestartTracker(rustos::runtime_control::RestartPolicy policy, uint64_t budget,
                   uint64_t window_ms, uint64_t backoff_ms)
        : m_policy(policy), m_budget(budget), m_window_ms(window_ms), m_backoff_ms(backoff_ms) {}

    // The program ended at now_ms; `failed` is false for a clean exit (status 0).
    RestartDecision on_exit(uint64_t now_ms, bool failed);
    // Someone started the program on purpose: a fresh budget for the window
    // (the total count stays).
    void forget_recent() { m_recent.clear(); }
    uint32_t total_restarts() const { return m_total; }

private:
    rustos::runtime_control::RestartPolicy m_policy;
    uint64_t m_budget, m_window_ms, m_backoff_ms;
    std::deque<uint64_t> m_recent; // restart times within the window
    uint32_t m_total = 0;
};

} // namespace runtimed
