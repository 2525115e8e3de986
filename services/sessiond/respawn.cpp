#include "respawn.h"

namespace sessiond {

std::optional<uint64_t> RespawnPolicy::next(uint64_t started_ns, uint64_t ended_ns) {
    if (ended_ns - started_ns >= kQuickNs) {
        m_quick = 0;
        return 0;
    }
    if (++m_quick >= kMaxQuickFailures)
        return std::nullopt;
    return kFirstPauseNs << (m_quick - 1);
}

} // namespace sessiond
