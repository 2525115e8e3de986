#include "process_table.h"

#include <gtest/gtest.h>

using namespace procd;

namespace {

Proc make(uint32_t pid, uint32_t ppid, const char* name) {
    Proc p;
    p.pid = pid;
    p.ppid = ppid;
    p.name = name;
    return p;
}

} // namespace

TEST(ProcessTable, WaitForAnyChild) {
    ProcessTable t;
    t.add(make(1, 0, "initd"));
    t.add(make(10, 1, "runtimed"));
    t.add(make(11, 1, "sh"));
    EXPECT_EQ(t.check_wait(1, {-1}).outcome, WaitOutcome::NotYet);
    EXPECT_EQ(t.check_wait(10, {-1}).outcome, WaitOutcome::NoChildren);
    t.mark_exited(11, 3 << 8);
    auto c = t.check_wait(1, {-1});
    ASSERT_EQ(c.outcome, WaitOutcome::Reapable);
    EXPECT_EQ(c.pid, 11u);
    auto reaped = t.reap(11);
    ASSERT_TRUE(reaped);
    EXPECT_EQ(reaped->wait_status, 3 << 8);
    EXPECT_EQ(t.find(11), nullptr);
    EXPECT_FALSE(t.reap(10)); // still running
}

TEST(ProcessTable, SpecificPidAndGroups) {
    ProcessTable t;
    t.add(make(1, 0, "initd"));
    Proc a = make(20, 1, "a");
    a.pgid = 20;
    Proc b = make(21, 1, "b");
    b.pgid = 20;
    t.add(a);
    t.add(b);
    t.mark_exited(21, 0);
    EXPECT_EQ(t.check_wait(1, {20}).outcome, WaitOutcome::NotYet);
    EXPECT_EQ(t.check_wait(1, {21}).pid, 21u);
    EXPECT_EQ(t.check_wait(1, {-20}).pid, 21u);
    EXPECT_EQ(t.check_wait(1, {-99}).outcome, WaitOutcome::NoChildren);
    EXPECT_EQ(t.check_wait(1, {999}).outcome, WaitOutcome::NoChildren);
}

TEST(ProcessTable, OrphansGoToInit) {
    ProcessTable t;
    t.add(make(1, 0, "initd"));
    t.add(make(30, 1, "shell"));
    t.add(make(31, 30, "child"));
    t.add(make(32, 30, "child2"));
    t.mark_exited(32, 0);
    auto moved = t.mark_exited(30, 0);
    EXPECT_EQ(moved.size(), 2u);
    EXPECT_EQ(t.find(31)->ppid, 1u);
    // init now collects both the shell and its exited orphan.
    EXPECT_EQ(t.check_wait(1, {-1}).outcome, WaitOutcome::Reapable);
    EXPECT_TRUE(t.reap(30));
    EXPECT_EQ(t.check_wait(1, {-1}).pid, 32u);
}

TEST(ProcessTable, ExitTwiceIsHarmless) {
    ProcessTable t;
    t.add(make(1, 0, "initd"));
    t.add(make(5, 1, "x"));
    t.mark_exited(5, 9);
    t.mark_exited(5, 0);
    EXPECT_EQ(t.find(5)->wait_status, 9);
    EXPECT_TRUE(t.mark_exited(77, 0).empty()); // unknown pid
}

TEST(ProcessTable, StopsAndContinuesAreReportedWhenAsked) {
    ProcessTable t;
    t.add(make(1, 0, "initd"));
    t.add(make(40, 1, "sleep"));
    t.find(40)->report_stop = true;
    EXPECT_EQ(t.check_wait(1, {-1}).outcome, WaitOutcome::NotYet);
    auto c = t.check_wait(1, {-1}, true, true);
    EXPECT_EQ(c.outcome, WaitOutcome::Stopped);
    EXPECT_EQ(c.pid, 40u);
    t.find(40)->report_stop = false;
    t.find(40)->report_continue = true;
    EXPECT_EQ(t.check_wait(1, {-1}, true, true, true).outcome, WaitOutcome::Continued);
    t.mark_exited(40, 0);
    EXPECT_EQ(t.check_wait(1, {-1}, false, true, true).outcome, WaitOutcome::NotYet);
    EXPECT_EQ(t.check_wait(1, {-1}).outcome, WaitOutcome::Reapable);
}
