#include "restart_policy.h"

#include <gtest/gtest.h>

using runtimed::RestartTracker;
using rustos::runtime_control::RestartPolicy;

TEST(RestartTracker, BackoffDoublesWithinTheWindow) {
    RestartTracker t(RestartPolicy::OnFailure, 3, 10000, 200);
    auto a = t.on_exit(1000, true);
    EXPECT_TRUE(a.restart);
    EXPECT_EQ(a.delay_ms, 200u);
    EXPECT_EQ(a.attempt, 1u);
    auto b = t.on_exit(2000, true);
    EXPECT_EQ(b.delay_ms, 400u);
    auto c = t.on_exit(3000, true);
    EXPECT_EQ(c.delay_ms, 800u);
    EXPECT_EQ(c.attempt, 3u);
    auto d = t.on_exit(4000, true);
    EXPECT_FALSE(d.restart);
    EXPECT_STREQ(d.reason, "its restart budget for the window is spent");
    EXPECT_EQ(t.total_restarts(), 3u);
}

TEST(RestartTracker, WindowForgetsOldRestarts) {
    RestartTracker t(RestartPolicy::Always, 1, 5000, 100);
    EXPECT_TRUE(t.on_exit(0, false).restart);
    EXPECT_FALSE(t.on_exit(1000, true).restart);
    auto later = t.on_exit(6000, true);
    EXPECT_TRUE(later.restart);
    EXPECT_EQ(later.delay_ms, 100u); // the window emptied: back to the base delay
}

TEST(RestartTracker, Policies) {
    RestartTracker never(RestartPolicy::Never, 3, 10000, 200);
    EXPECT_FALSE(never.on_exit(0, true).restart);
    RestartTracker on_failure(RestartPolicy::OnFailure, 3, 10000, 200);
    EXPECT_FALSE(on_failure.on_exit(0, false).restart);
    EXPECT_TRUE(on_failure.on_exit(0, true).restart);
    RestartTracker always(RestartPolicy::Always, 3, 10000, 200);
    EXPECT_TRUE(always.on_exit(0, false).restart);
}

TEST(RestartTracker, ZeroBudgetNeverRestarts) {
    RestartTracker t(RestartPolicy::Always, 0, 10000, 200);
    EXPECT_FALSE(t.on_exit(0, true).restart);
}

TEST(RestartTracker, AStartOnPurposeGivesAFreshBudget) {
    RestartTracker t(RestartPolicy::OnFailure, 1, 10000, 200);
    EXPECT_TRUE(t.on_exit(0, true).restart);
    EXPECT_FALSE(t.on_exit(100, true).restart);
    t.forget_recent();
    auto again = t.on_exit(200, true);
    EXPECT_TRUE(again.restart);
    EXPECT_EQ(again.delay_ms, 200u);
    EXPECT_EQ(t.total_restarts(), 2u);
}
