#include "service_table.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <set>
#include <thread>

using namespace rustos;
using namespace runtimed;
namespace rc = rustos::runtime_control;
namespace rtc = rustos::runtime_client;

namespace {

rc::LaunchSpec spec(const std::string& id,
                    rc::RestartPolicy restart = rc::RestartPolicy::OnFailure) {
    rc::LaunchSpec s;
    s.id = id;
    s.exec = "/services/" + id + "/" + id;
    s.startup = rc::Startup::Session;
    s.restart = restart;
    return s;
}

int killed_by(int sig) { return sig; } // a wait status
int exited_with(int code) { return code << 8; }

// Pretends to run programs: pids from 100 up; a program ends (reported to
// the table from another thread, like runtimed's supervisor) when it gets
// a signal in `ends_on`.
class FakeLauncher : public Launcher {
public:
    ServiceTable* table = nullptr;
    std::set<int> ends_on = {SIGTERM, SIGKILL};
    int exit_delay_ms = 0;
    bool fail_launch = false;
    std::vector<std::string> launched;
    std::vector<int> signals;

    ErrorOr<uint32_t> launch(const rc::LaunchSpec& s) override {
        if (fail_launch)
            return Error(ENOENT, "no such program");
        launched.push_back(s.id);
        return m_next++;
    }
    ErrorOr<void> signal(uint32_t pid, int signo) override {
        signals.push_back(signo);
        if (ends_on.count(signo))
            m_threads.emplace_back([this, pid, signo] {
                std::this_thread::sleep_for(std::chrono::milliseconds(exit_delay_ms));
                table->on_exit(pid, killed_by(signo), 0);
            });
        return {};
    }
    void join() {
        for (auto& t : m_threads)
            t.join();
        m_threads.clear();
    }

private:
    uint32_t m_next = 100;
    std::vector<std::thread> m_threads;
};

class ServiceTableTest : public ::testing::Test {
protected:
    FakeLauncher launcher;
    // Long enough that a loaded machine never escalates by accident.
    ServiceTable table{launcher, StopTimeouts{5000, 5000}};
    // For the tests that wait for a program that ignores signals.
    ServiceTable quick{launcher, StopTimeouts{100, 100}};

    void SetUp() override {
        launcher.table = &table;
        table.add(spec("inputd"));
        table.add(spec("netd"));
    }
    void TearDown() override { launcher.join(); }

    // `quick` gets the exits from now on.
    void use_quick() {
        launcher.table = &quick;
        quick.add(spec("netd"));
    }

    rtc::EntryInfo entry(const std::string& id) {
        auto e = table.status(id);
        EXPECT_FALSE(e.is_error());
        return e.is_error() ? rtc::EntryInfo{} : e.value();
    }
};

} // namespace

TEST_F(ServiceTableTest, EntriesAreInactiveUntilLaunched) {
    auto all = table.list();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].id, "inputd");
    EXPECT_EQ(all[0].state, "inactive");
    EXPECT_EQ(all[0].pid, 0u);
    EXPECT_EQ(all[0].startup, "session");
    EXPECT_EQ(all[0].exec, "/services/inputd/inputd");
    ASSERT_EQ(table.launch("netd").value(), 100u);
    EXPECT_EQ(entry("netd").state, "running");
    EXPECT_EQ(entry("netd").pid, 100u);
}

TEST_F(ServiceTableTest, ACrashIsRestartedWithinTheBudget) {
    uint32_t pid = table.launch("netd").value();
    auto out = table.on_exit(pid, killed_by(SIGSEGV), 1000);
    EXPECT_TRUE(out.known);
    EXPECT_TRUE(out.restart);
    EXPECT_EQ(out.delay_ms, 200u);
    EXPECT_EQ(entry("netd").state, "restarting");
    EXPECT_EQ(entry("netd").last_exit, "killed by signal 11");
    table.restart_due("netd", out.generation);
    EXPECT_EQ(entry("netd").state, "running");
    EXPECT_EQ(entry("netd").pid, 101u);
    EXPECT_EQ(entry("netd").restarts, 1u);
    // A stale restart does nothing.
    table.restart_due("netd", out.generation);
    EXPECT_EQ(launcher.launched.size(), 2u);
    // An unknown pid is not ours.
    EXPECT_FALSE(table.on_exit(555, 0, 0).known);
}

TEST_F(ServiceTableTest, ACleanExitIsNotRestartedOnFailurePolicy) {
    uint32_t pid = table.launch("netd").value();
    EXPECT_FALSE(table.on_exit(pid, exited_with(0), 0).restart);
    EXPECT_EQ(entry("netd").state, "exited");
    EXPECT_EQ(entry("netd").last_exit, "exited with status 0");
}

TEST_F(ServiceTableTest, StopEndsSupervisionAndTheProgram) {
    table.launch("netd").value();
    auto r = table.stop("netd");
    ASSERT_FALSE(r.is_error()) << r.error().reason();
    EXPECT_EQ(r->message, "stopped netd (pid 100, killed by signal 15)");
    EXPECT_EQ(r->entry.state, "stopped");
    EXPECT_EQ(r->entry.pid, 0u);
    EXPECT_EQ(launcher.signals, (std::vector<int>{SIGTERM}));
    EXPECT_EQ(launcher.launched.size(), 1u); // not restarted
    // Stopping again is fine and says so.
    auto again = table.stop("netd");
    ASSERT_FALSE(again.is_error());
    EXPECT_EQ(again->message, "netd is not running (stopped)");
}

TEST_F(ServiceTableTest, StopEscalatesToSigkill) {
    use_quick();
    launcher.ends_on = {SIGKILL};
    quick.launch("netd").value();
    auto r = quick.stop("netd");
    ASSERT_FALSE(r.is_error()) << r.error().reason();
    EXPECT_EQ(launcher.signals, (std::vector<int>{SIGTERM, SIGKILL}));
    EXPECT_EQ(r->entry.state, "stopped");
    EXPECT_EQ(r->entry.last_exit, "killed by signal 9");
}

TEST_F(ServiceTableTest, StopGivesUpOnAProgramThatWillNotEnd) {
    use_quick();
    launcher.ends_on = {};
    uint32_t pid = quick.launch("netd").value();
    auto r = quick.stop("netd");
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error().code(), ETIMEDOUT);
    EXPECT_STREQ(r.error().reason(), "netd (pid 100) did not end after SIGTERM and SIGKILL");
    EXPECT_EQ(quick.status("netd")->state, "stopping");
    // When it does end, it stays stopped.
    EXPECT_FALSE(quick.on_exit(pid, killed_by(SIGKILL), 0).restart);
    EXPECT_EQ(quick.status("netd")->state, "stopped");
}

TEST_F(ServiceTableTest, StopCancelsAPendingRestart) {
    uint32_t pid = table.launch("netd").value();
    auto out = table.on_exit(pid, killed_by(SIGSEGV), 0);
    ASSERT_TRUE(out.restart);
    auto r = table.stop("netd");
    ASSERT_FALSE(r.is_error());
    EXPECT_EQ(r->message, "stopped netd (its pending restart is cancelled)");
    table.restart_due("netd", out.generation);
    EXPECT_EQ(entry("netd").state, "stopped");
    EXPECT_EQ(launcher.launched.size(), 1u);
}

TEST_F(ServiceTableTest, StartLaunchesWhatDoesNotRun) {
    auto first = table.start("inputd");
    ASSERT_FALSE(first.is_error()) << first.error().reason();
    EXPECT_EQ(first->message, "started inputd (pid 100)");
    auto again = table.start("inputd");
    ASSERT_FALSE(again.is_error());
    EXPECT_EQ(again->message, "inputd is already running (pid 100)");
    EXPECT_EQ(launcher.launched.size(), 1u);
    ASSERT_FALSE(table.stop("inputd").is_error());
    auto restarted = table.start("inputd");
    ASSERT_FALSE(restarted.is_error());
    EXPECT_EQ(restarted->entry.pid, 101u);

    // A launch failure is reported and leaves the entry failed.
    launcher.fail_launch = true;
    auto failed = table.start("netd");
    ASSERT_TRUE(failed.is_error());
    EXPECT_EQ(failed.error().code(), ENOENT);
    EXPECT_STREQ(failed.error().reason(), "cannot start netd: no such program");
    EXPECT_EQ(entry("netd").state, "failed");
}

TEST_F(ServiceTableTest, StartGivesAFreshRestartBudget) {
    rc::LaunchSpec once = spec("once");
    once.restart_budget = 1;
    table.add(once);
    uint32_t pid = table.launch("once").value();
    auto a = table.on_exit(pid, killed_by(SIGSEGV), 0);
    ASSERT_TRUE(a.restart);
    table.restart_due("once", a.generation);
    EXPECT_FALSE(table.on_exit(entry("once").pid, killed_by(SIGSEGV), 10).restart);
    EXPECT_EQ(entry("once").state, "failed");
    ASSERT_FALSE(table.start("once").is_error());
    EXPECT_TRUE(table.on_exit(entry("once").pid, killed_by(SIGSEGV), 20).restart);
}

TEST_F(ServiceTableTest, RestartStopsThenStarts) {
    table.launch("netd").value();
    auto r = table.restart("netd");
    ASSERT_FALSE(r.is_error()) << r.error().reason();
    EXPECT_EQ(r->message, "restarted netd (pid 100 -> 101)");
    EXPECT_EQ(r->entry.state, "running");
    EXPECT_EQ(r->entry.pid, 101u);
    EXPECT_EQ(r->entry.last_exit, "killed by signal 15");
    // The restart on purpose is not counted as a supervision restart.
    EXPECT_EQ(r->entry.restarts, 0u);
    auto inactive = table.restart("inputd");
    ASSERT_FALSE(inactive.is_error());
    EXPECT_EQ(inactive->message, "started inputd (pid 102) (it was inactive)");
}

TEST_F(ServiceTableTest, ConcurrentActionsOnAStoppingEntryAreRefused) {
    launcher.exit_delay_ms = 100;
    table.launch("netd").value();
    std::thread stopper([&] { EXPECT_FALSE(table.stop("netd").is_error()); });
    while (entry("netd").state != "stopping")
        std::this_thread::yield();
    auto second = table.stop("netd");
    ASSERT_TRUE(second.is_error());
    EXPECT_EQ(second.error().code(), EBUSY);
    EXPECT_STREQ(second.error().reason(), "netd is already being stopped");
    auto start = table.start("netd");
    ASSERT_TRUE(start.is_error());
    EXPECT_EQ(start.error().code(), EBUSY);
    // Others are served meanwhile.
    EXPECT_EQ(table.list().size(), 2u);
    stopper.join();
    EXPECT_EQ(entry("netd").state, "stopped");
}

TEST_F(ServiceTableTest, UnknownIds) {
    auto expect_enoent = [](const ErrorOr<ActionResult>& r) {
        ASSERT_TRUE(r.is_error());
        EXPECT_EQ(r.error().code(), ENOENT);
        EXPECT_STREQ(r.error().reason(), "no catalog entry 'nosuch'");
    };
    expect_enoent(table.start("nosuch"));
    expect_enoent(table.stop("nosuch"));
    expect_enoent(table.restart("nosuch"));
    EXPECT_EQ(table.status("nosuch").error().code(), ENOENT);
    EXPECT_EQ(table.launch("nosuch").error().code(), ENOENT);
}

TEST_F(ServiceTableTest, HandleAnswersRequests) {
    table.launch("netd").value();
    auto list = table.handle({rtc::Op::List, "", ""});
    EXPECT_EQ(list.status, 0);
    EXPECT_EQ(list.entries.size(), 2u);
    auto status = table.handle({rtc::Op::Status, "netd", ""});
    ASSERT_EQ(status.entries.size(), 1u);
    EXPECT_EQ(status.entries[0].pid, 100u);
    auto missing = table.handle({rtc::Op::Status, "nosuch", ""});
    EXPECT_EQ(missing.status, ENOENT);
    EXPECT_EQ(missing.message, "no catalog entry 'nosuch'");
    EXPECT_TRUE(missing.entries.empty());
    auto restart = table.handle({rtc::Op::Restart, "netd", ""});
    EXPECT_EQ(restart.status, 0);
    EXPECT_EQ(restart.message, "restarted netd (pid 100 -> 101)");
    EXPECT_EQ(restart.op, rtc::Op::Restart);
}

TEST_F(ServiceTableTest, TheCatalogRefinesAnEntryLaunchedEarlier) {
    rc::LaunchSpec boot = spec("uiserver", rc::RestartPolicy::Always);
    boot.args = {"--bootstrap"};
    table.add(boot);
    uint32_t pid = table.launch("uiserver").value();
    rc::LaunchSpec catalog = spec("uiserver", rc::RestartPolicy::Never);
    catalog.startup = rc::Startup::Desktop;
    table.add(catalog);
    EXPECT_EQ(entry("uiserver").startup, "desktop");
    EXPECT_EQ(entry("uiserver").pid, pid);
    EXPECT_FALSE(table.on_exit(pid, killed_by(SIGSEGV), 0).restart); // now "never"
}
