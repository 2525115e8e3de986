#include "respawn.h"

#include <gtest/gtest.h>

using sessiond::RespawnPolicy;

TEST(SessionRespawn, LongSessionsRestartAtOnce) {
    RespawnPolicy p;
    for (int i = 0; i < 20; ++i)
        EXPECT_EQ(p.next(0, 60'000'000'000ull), 0u);
}

TEST(SessionRespawn, QuickFailuresBackOffThenStop) {
    RespawnPolicy p;
    EXPECT_EQ(p.next(0, 1), RespawnPolicy::kFirstPauseNs);
    EXPECT_EQ(p.next(0, 1), 2 * RespawnPolicy::kFirstPauseNs);
    EXPECT_EQ(p.next(0, 1), 4 * RespawnPolicy::kFirstPauseNs);
    EXPECT_EQ(p.next(0, 1), 8 * RespawnPolicy::kFirstPauseNs);
    EXPECT_FALSE(p.next(0, 1).has_value());
}

TEST(SessionRespawn, ALastingSessionForgetsFailures) {
    RespawnPolicy p;
    for (int i = 0; i < 4; ++i)
        ASSERT_TRUE(p.next(0, 1).has_value());
    EXPECT_EQ(p.next(0, RespawnPolicy::kQuickNs), 0u);
    EXPECT_EQ(p.next(0, 1), RespawnPolicy::kFirstPauseNs);
}
