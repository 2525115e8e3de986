#include "restart_policy.h"

namespace runtimed {

using rustos::runtime_control::RestartPolicy;

RestartDecision RestartTracker::on_exit(uint64_t now_ms, bool failed) {
    RestartDecision d;
    if (m_policy == RestartPolicy::Never) {
        d.reason = "its restart policy is never";
        return d;
    }
    if (m_policy == RestartPolicy::OnFailure && !failed) {
        d.reason = "it exited cleanly and restarts only on failure";
        return d;
    }
    while (!m_recent.empty() && now_ms - m_recent.front() >= m_window_ms)
        m_recent.pop_front();
    if (m_recent.size() >= m_budget) {
        d.reason = "its restart budget for the window is spent";
        return d;
    }
    d.restart = true;
    d.attempt = uint32_t(m_recent.size() + 1);
    uint64_t delay = m_backoff_ms;
    for (size_t i = 0; i < m_recent.size() && delay < 60000; ++i)
        delay *= 2;
    d.delay_ms = delay < 60000 ? delay : 60000;
    m_recent.push_back(now_ms);
    ++m_total;
    return d;
}

} // namespace runtimed
