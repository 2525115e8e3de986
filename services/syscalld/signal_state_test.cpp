#include "signal_state.h"

#include <gtest/gtest.h>

using namespace syscalld;

TEST(SyscalldSignals, DefaultsAndIgnore) {
    ProcessSignals p(10);
    SigInfo info;
    EXPECT_EQ(p.raise(SIGTERM, info, 0).verdict, Verdict::Terminate);
    EXPECT_EQ(p.raise(SIGCHLD, info, 0).verdict, Verdict::Ignore);
    EXPECT_EQ(p.raise(SIGTSTP, info, 0).verdict, Verdict::Stop);
    EXPECT_EQ(p.raise(SIGCONT, info, 0).verdict, Verdict::Continue);
    EXPECT_EQ(p.raise(SIGKILL, info, 0).verdict, Verdict::Terminate);
    Action ign{kSigIgn};
    ASSERT_TRUE(p.set_action(SIGINT, ign));
    EXPECT_EQ(p.raise(SIGINT, info, 0).verdict, Verdict::Ignore);
    EXPECT_FALSE(p.set_action(SIGKILL, ign));
    EXPECT_FALSE(p.set_action(SIGSTOP, ign));
    EXPECT_FALSE(p.set_action(0, ign));
    EXPECT_FALSE(p.set_action(65, ign));
}

TEST(SyscalldSignals, HandlerAndMaskDuringIt) {
    ProcessSignals p(10);
    Action h{0x401000, SA_RESTART, 0x402000, bit(SIGUSR2)};
    ASSERT_TRUE(p.set_action(SIGUSR1, h));
    auto d = p.raise(SIGUSR1, SigInfo{SIGUSR1}, 0);
    ASSERT_EQ(d.verdict, Verdict::Handle);
    EXPECT_EQ(d.tid, 10u);
    uint64_t saved = p.begin_handler(d.tid, SIGUSR1);
    EXPECT_EQ(saved, 0u);
    EXPECT_EQ(p.thread(10).mask, bit(SIGUSR1) | bit(SIGUSR2));
    // A second one while the handler runs stays pending, then comes when unmasked.
    EXPECT_EQ(p.raise(SIGUSR1, SigInfo{SIGUSR1}, 0).verdict, Verdict::Pending);
    EXPECT_FALSE(p.next_deliverable(10));
    p.thread(10).mask = saved; // rt_sigreturn
    auto next = p.next_deliverable(10);
    ASSERT_TRUE(next);
    EXPECT_EQ(next->first, SIGUSR1);
}

TEST(SyscalldSignals, BlockedDefaultsWaitAndSigtimedwait) {
    ProcessSignals p(10);
    p.thread(10).mask = bit(SIGTERM) | bit(SIGUSR1);
    EXPECT_EQ(p.raise(SIGTERM, SigInfo{SIGTERM}, 0).verdict, Verdict::Pending);
    EXPECT_EQ(p.pending_for(10), bit(SIGTERM));
    auto taken = p.take_pending(10, bit(SIGTERM));
    ASSERT_TRUE(taken);
    EXPECT_EQ(taken->first, SIGTERM);
    EXPECT_EQ(p.pending_for(10), 0u);
}

TEST(SyscalldSignals, PicksAThreadThatDoesNotBlock) {
    ProcessSignals p(10);
    ASSERT_TRUE(p.set_action(SIGUSR1, Action{0x401000}));
    p.thread(10).mask = bit(SIGUSR1);
    p.thread(11).mask = 0;
    auto d = p.raise(SIGUSR1, SigInfo{SIGUSR1}, 0);
    EXPECT_EQ(d.verdict, Verdict::Handle);
    EXPECT_EQ(d.tid, 11u);
}

TEST(SyscalldSignals, ResetHandExecAndFork) {
    ProcessSignals p(10);
    ASSERT_TRUE(p.set_action(SIGUSR1, Action{0x401000, SA_RESETHAND}));
    ASSERT_TRUE(p.set_action(SIGUSR2, Action{kSigIgn}));
    ASSERT_TRUE(p.set_action(SIGHUP, Action{0x401000}));
    p.begin_handler(10, SIGUSR1);
    EXPECT_EQ(p.action(SIGUSR1).handler, kSigDfl);
    p.thread(10).mask = bit(SIGHUP);
    ProcessSignals c = p.fork_to(20, 10);
    EXPECT_EQ(c.action(SIGHUP).handler, 0x401000u);
    EXPECT_EQ(c.thread(20).mask, bit(SIGHUP));
    c.reset_for_exec();
    EXPECT_EQ(c.action(SIGHUP).handler, kSigDfl);
    EXPECT_EQ(c.action(SIGUSR2).handler, kSigIgn); // ignored stays ignored
}

TEST(SyscalldSignals, JobControlBitsFollowDispositionAndMask) {
    ProcessSignals p(10);
    EXPECT_EQ(p.job_control_bits(10), 0u);
    Action ign;
    ign.handler = kSigIgn;
    ASSERT_TRUE(p.set_action(SIGTTOU, ign));
    EXPECT_EQ(p.job_control_bits(10), ProcessSignals::kTtouIgnored);
    p.thread(11).mask = bit(SIGTTIN);
    EXPECT_EQ(p.job_control_bits(11), ProcessSignals::kTtouIgnored | ProcessSignals::kTtinIgnored);
    EXPECT_EQ(p.job_control_bits(10), ProcessSignals::kTtouIgnored);
    // fork keeps an ignored disposition; exec too (only handlers reset).
    ProcessSignals child = p.fork_to(20, 11);
    EXPECT_EQ(child.job_control_bits(20),
              ProcessSignals::kTtouIgnored | ProcessSignals::kTtinIgnored);
    child.reset_for_exec();
    EXPECT_EQ(child.job_control_bits(20),
              ProcessSignals::kTtouIgnored | ProcessSignals::kTtinIgnored);
}

// Real-time signals queue, one instance per send with its own siginfo, in
// order; a standard signal sent twice while blocked is pending once, with
// the first siginfo.
TEST(SyscalldSignals, RealTimeSignalsQueue) {
    ProcessSignals p(10);
    const int rt = 40;
    Action h;
    h.handler = 0x1000;
    ASSERT_TRUE(p.set_action(rt, h));
    ASSERT_TRUE(p.set_action(SIGUSR1, h));
    p.thread(10).mask = bit(rt) | bit(SIGUSR1);
    for (int v = 1; v <= 3; ++v) {
        SigInfo info;
        info.signo = rt;
        info.rest[12] = uint8_t(v); // si_value
        EXPECT_EQ(p.raise(rt, info, 0).verdict, Verdict::Pending);
        SigInfo u;
        u.signo = SIGUSR1;
        u.rest[12] = uint8_t(v);
        EXPECT_EQ(p.raise(SIGUSR1, u, 0).verdict, Verdict::Pending);
    }
    auto first = p.take_pending(10, bit(SIGUSR1));
    ASSERT_TRUE(first);
    EXPECT_EQ(first->second.rest[12], 1);
    EXPECT_FALSE(p.take_pending(10, bit(SIGUSR1)));
    for (int v = 1; v <= 3; ++v) {
        EXPECT_TRUE(p.pending_for(10) & bit(rt));
        auto got = p.take_pending(10, bit(rt));
        ASSERT_TRUE(got);
        EXPECT_EQ(got->first, rt);
        EXPECT_EQ(got->second.rest[12], v);
    }
    EXPECT_FALSE(p.pending_for(10) & bit(rt));
}

// The queue is bounded: past kMaxQueuedSignals a real-time signal is
// lost, and ignoring a signal frees its queue.
TEST(SyscalldSignals, TheQueueIsBounded) {
    ProcessSignals p(10);
    const int rt = 50;
    Action h;
    h.handler = 0x1000;
    ASSERT_TRUE(p.set_action(rt, h));
    p.thread(10).mask = bit(rt);
    SigInfo info;
    info.signo = rt;
    for (size_t i = 0; i < kMaxQueuedSignals + 10; ++i)
        p.raise(rt, info, 0);
    size_t n = 0;
    while (p.take_pending(10, bit(rt)))
        ++n;
    EXPECT_EQ(n, kMaxQueuedSignals);
    for (size_t i = 0; i < kMaxQueuedSignals; ++i)
        p.raise(rt, info, 0);
    Action ign;
    ign.handler = kSigIgn;
    ASSERT_TRUE(p.set_action(rt, ign));
    ASSERT_TRUE(p.set_action(rt, h));
    p.raise(rt, info, 0);
    EXPECT_TRUE(p.take_pending(10, bit(rt)));
    EXPECT_FALSE(p.take_pending(10, bit(rt)));
}
