// When to start the console session again after it ended: at once after
// a session that lasted, after a growing pause after quick failures, and
// not at all after too many of those in a row (a shell that cannot start).
#pragma once

#include <cstdint>
#include <optional>

namespace sessiond {

class RespawnPolicy {
public:
    static constexpr uint64_t kQuickNs = 2'000'000'000; // a session shorter than this failed
    static constexpr uint32_t kMaxQuickFailures = 5;
    static constexpr uint64_t kFirstPauseNs = 250'000'000;

    // The pause before the next start (0: at once), or nullopt to stop.
    std::optional<uint64_t> next(uint64_t started_ns, uint64_t ended_ns);

private:
    uint32_t m_quick = 0;
};

} // namespace sessiond
