#include "cli.h"

#include <rustos/runtime_client/connection.h>

#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

using namespace rustos;
namespace rtc = rustos::runtime_client;

namespace {

rtc::EntryInfo entry(const std::string& id, const std::string& state, uint32_t pid) {
    rtc::EntryInfo e;
    e.id = id;
    e.state = state;
    e.startup = "session";
    e.pid = pid;
    e.exec = "/services/" + id + "/" + id;
    return e;
}

// A stand-in for runtimed on a temporary socket.
class FakeRuntimed {
public:
    FakeRuntimed() {
        auto dir = std::filesystem::temp_directory_path() /
                   ("rustos-rustosctl-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir);
        path = (dir / "runtimed.sock").string();
        auto fd = rtc::listen_at(path);
        EXPECT_FALSE(fd.is_error());
        m_fd = fd.value();
        rtc::ServerOptions o;
        o.stop = &m_stop;
        m_thread = std::thread([this, o] { (void)rtc::serve_listener(m_fd, answer, o); });
    }
    ~FakeRuntimed() {
        m_stop = true;
        m_thread.join();
        ::close(m_fd);
        std::filesystem::remove_all(std::filesystem::path(path).parent_path());
    }
    std::string path;

private:
    static rtc::Reply answer(const rtc::Request& r) {
        rtc::Reply reply;
        reply.op = r.op;
        if (r.op == rtc::Op::List) {
            reply.entries = {entry("inputd", "running", 12), entry("netd", "running", 9),
                             entry("rustosctl", "inactive", 0)};
            reply.entries[1].restarts = 1;
            reply.entries[1].last_exit = "killed by signal 15";
            reply.entries[2].startup = "none";
            return reply;
        }
        if (r.id != "netd") {
            reply.status = ENOENT;
            reply.message = "no catalog entry '" + r.id + "'";
            return reply;
        }
        reply.entries = {entry("netd", "running", 17)};
        if (r.op == rtc::Op::Restart)
            reply.message = "restarted netd (pid 9 -> 17)";
        return reply;
    }

    int m_fd = -1;
    std::atomic<bool> m_stop = false;
    std::thread m_thread;
};

struct Result {
    int status;
    std::string out, err;
};

Result run(std::vector<std::string> args) {
    Result r;
    r.status = rustosctl::run(args, r.out, r.err);
    return r;
}

} // namespace

TEST(Rustosctl, ListIsATable) {
    FakeRuntimed rt;
    auto r = run({"--socket", rt.path, "list"});
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, "ID         STATE     PID  RESTARTS  STARTUP  LAST EXIT\n"
                     "inputd     running   12   0         session  -\n"
                     "netd       running   9    1         session  killed by signal 15\n"
                     "rustosctl  inactive  -    0         none     -\n");
    EXPECT_EQ(r.err, "");
}

TEST(Rustosctl, StatusAndActions) {
    FakeRuntimed rt;
    auto status = run({"--socket=" + rt.path, "status", "netd"});
    EXPECT_EQ(status.status, 0) << status.err;
    EXPECT_EQ(status.out, "netd: running (pid 17)\n"
                          "  startup:   session\n"
                          "  exec:      /services/netd/netd\n"
                          "  restarts:  0\n"
                          "  last exit: -\n");
    auto restart = run({"restart", "netd", "--socket", rt.path});
    EXPECT_EQ(restart.status, 0);
    EXPECT_EQ(restart.out, "restarted netd (pid 9 -> 17)\n");
    auto version = run({"--socket", rt.path, "version"});
    EXPECT_EQ(version.status, 0);
    EXPECT_EQ(version.out, "rustosctl speaks RuntimeClient protocol version 1\n"
                           "runtimed speaks versions 1 to 1\n");
}

TEST(Rustosctl, RuntimedErrorsGoToStderrWithStatus1) {
    FakeRuntimed rt;
    auto r = run({"--socket", rt.path, "status", "nosuch"});
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err, "rustosctl: no catalog entry 'nosuch'\n");
}

TEST(Rustosctl, CannotConnect) {
    auto r = run({"--socket", "/nonexistent/runtimed.sock", "list"});
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(
        r.err,
        "rustosctl: cannot connect to /nonexistent/runtimed.sock: No such file or directory\n");
}

TEST(Rustosctl, UsageErrors) {
    auto help = run({"--help"});
    EXPECT_EQ(help.status, 0);
    EXPECT_NE(help.out.find("Usage: rustosctl [--socket PATH] COMMAND [ID]"), std::string::npos);
    EXPECT_NE(help.out.find("restart ID"), std::string::npos);
    EXPECT_EQ(run({"help"}).status, 0);
    struct Case {
        std::vector<std::string> args;
        const char* message;
    } cases[] = {
        {{}, "no command given"},
        {{"reboot"}, "unknown command 'reboot'"},
        {{"hello"}, "unknown command 'hello'"},
        {{"status"}, "status needs the id of a catalog entry (see rustosctl list)"},
        {{"list", "extra"}, "too many arguments for list"},
        {{"stop", "a", "b"}, "too many arguments for stop"},
        {{"start", "net d"}, "'net d' is not an entry id"},
        {{"--bogus", "list"}, "unknown option '--bogus'"},
        {{"list", "--socket"}, "--socket needs a path"},
    };
    for (auto& c : cases) {
        auto r = run(c.args);
        EXPECT_EQ(r.status, 2) << c.message;
        EXPECT_EQ(r.out, "");
        EXPECT_EQ(r.err, std::string("rustosctl: ") + c.message +
                             "\nUsage: rustosctl [--socket PATH] COMMAND [ID]; rustosctl --help "
                             "lists the commands\n");
    }
}
