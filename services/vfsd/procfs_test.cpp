// procfs: the /proc/<pid>/stat and status formats (from a kernel process
// entry and vfsd's state), what /proc/<pid>/fd links show, and the files
// that need no kernel process list. The host has no RustOS process list
// (the native call answers ENOSYS), so no <pid> directories appear here.
#include "test_support.h"

#include "pipe.h"
#include "procfs.h"
#include "socket.h"

#include <algorithm>
#include <fstream>
#include <sstream>

using namespace vfsd;
using namespace vfsd::test;

namespace {

rustos::abi::ProcessInfo kernel_entry(uint32_t pid, const char* name) {
    rustos::abi::ProcessInfo info{};
    info.pid = pid;
    info.creator_pid = 2;
    info.state = uint32_t(rustos::abi::ProcessState::Running);
    info.threads = 3;
    info.user_pages = 10;
    info.cpu_ticks = 1234; // 1 ms ticks: 123 clock ticks of 1/100 s
    std::snprintf(info.name, sizeof info.name, "%s", name);
    return info;
}

// The fields of a stat line, numbered from 1 as in proc(5).
std::vector<std::string> fields(const std::string& line) {
    std::vector<std::string> out{""};
    std::istringstream in(line);
    for (std::string f; in >> f;)
        out.push_back(f);
    return out;
}

TEST(VfsdProcfsStat, FieldsWhereProcFiveSaysTheyAre) {
    std::string line = stat_text(kernel_entry(42, "prog"), nullptr);
    ASSERT_FALSE(line.empty());
    EXPECT_EQ(line.back(), '\n');
    auto f = fields(line);
    ASSERT_EQ(f.size(), 45u); // fields 1 to 44: up to cguest_time
    EXPECT_EQ(f[1], "42");
    EXPECT_EQ(f[2], "(prog)");
    EXPECT_EQ(f[3], "S");
    EXPECT_EQ(f[4], "2"); // ppid: the creator while procd has said nothing
    EXPECT_EQ(f[5], "42");
    EXPECT_EQ(f[6], "42");
    EXPECT_EQ(f[8], "-1");   // tpgid
    EXPECT_EQ(f[14], "123"); // utime
    EXPECT_EQ(f[18], "20");  // priority
    EXPECT_EQ(f[19], "0");   // nice
    EXPECT_EQ(f[20], "3");   // num_threads
    EXPECT_EQ(f[22], "0");   // starttime
    EXPECT_EQ(f[23], "40960");
    EXPECT_EQ(f[24], "10"); // rss in pages
    EXPECT_EQ(f[25], "18446744073709551615");
    EXPECT_EQ(f[38], "17"); // exit_signal: SIGCHLD
}

TEST(VfsdProcfsStat, VfsdsStateAndZombies) {
    Process p;
    p.ppid = 7;
    p.pgid = 8;
    p.sid = 9;
    auto f = fields(stat_text(kernel_entry(42, "prog"), &p));
    EXPECT_EQ(f[4], "7");
    EXPECT_EQ(f[5], "8");
    EXPECT_EQ(f[6], "9");
    // init's parent is 0, not its creator.
    Process init;
    EXPECT_EQ(fields(stat_text(kernel_entry(1, "initd"), &init))[4], "0");
    // A process vfsd knows nothing more of uses its own pid as group and session.
    Process blank;
    EXPECT_EQ(fields(stat_text(kernel_entry(5, "x"), &blank))[5], "5");
    auto dead = kernel_entry(42, "prog");
    dead.state = uint32_t(rustos::abi::ProcessState::Exited);
    EXPECT_EQ(fields(stat_text(dead, nullptr))[3], "Z");
    p.exited = true;
    EXPECT_EQ(fields(stat_text(kernel_entry(42, "prog"), &p))[3], "Z");
}

TEST(VfsdProcfsStatus, Lines) {
    Process p;
    p.umask = 077;
    p.ppid = 7;
    p.fds.resize(4);
    std::string s = status_text(kernel_entry(42, "prog"), &p);
    EXPECT_EQ(s.rfind("Name:\tprog\nUmask:\t0077\nState:\tS (sleeping)\nTgid:\t42\n", 0), 0u) << s;
    EXPECT_NE(s.find("\nPid:\t42\nPPid:\t7\n"), std::string::npos);
    EXPECT_NE(s.find("\nFDSize:\t4\n"), std::string::npos);
    EXPECT_NE(s.find("\nVmRSS:\t40 kB\n"), std::string::npos);
    EXPECT_NE(s.find("\nThreads:\t3\n"), std::string::npos);
    auto dead = kernel_entry(42, "prog");
    dead.state = uint32_t(rustos::abi::ProcessState::Exited);
    std::string z = status_text(dead, nullptr);
    EXPECT_NE(z.find("\nUmask:\t0022\nState:\tZ (zombie)\n"), std::string::npos) << z;
    EXPECT_NE(z.find("\nPPid:\t2\n"), std::string::npos);
}

TEST(VfsdProcfs, FdLinkTargets) {
    auto [r, w] = make_pipe(0);
    EXPECT_EQ(describe_open_file(*r), "pipe:[" + std::to_string(r->node()->attributes().ino) + "]");
    auto s = std::make_shared<UnixSocket>(1, 0);
    EXPECT_EQ(describe_open_file(*s),
              "socket:[" + std::to_string(s->node()->attributes().ino) + "]");
    auto file = std::make_shared<MemFile>(0644, 1);
    FilePtr f = file->open(O_RDONLY).value();
    EXPECT_EQ(describe_open_file(*f), "anon_inode:[unknown]");
    f->path = "/tmp/x";
    EXPECT_EQ(describe_open_file(*f), "/tmp/x");
}

class VfsdProcfsFiles : public ::testing::Test {
protected:
    VfsdProcfsFiles() {
        ns.mounts = {{"rootfs", "/", "rootfs", "rw"}, {"tmpfs", "/tmp", "tmpfs", "rw,mode=1777"}};
        proc = make_procfs(procs, ns);
    }
    std::string contents(const std::string& name) {
        auto node = proc->lookup(name);
        EXPECT_FALSE(node.is_error()) << name;
        if (node.is_error())
            return {};
        auto f = node.value()->open(O_RDONLY);
        EXPECT_FALSE(f.is_error()) << name;
        return f.is_error() ? std::string() : drain(*f.value());
    }
    ProcessTable procs;
    Namespace ns;
    NodePtr proc;
};

TEST_F(VfsdProcfsFiles, SelfIsTheCaller) {
    uint32_t saved = g_current_pid;
    g_current_pid = 77;
    EXPECT_EQ(proc->lookup("self").value()->readlink().value(), "77");
    EXPECT_EQ(proc->lookup("thread-self").value()->readlink().value(), "77/task/77");
    g_current_pid = saved;
}

TEST_F(VfsdProcfsFiles, MountsFollowTheNamespace) {
    std::string expected = "rootfs / rootfs rw 0 0\ntmpfs /tmp tmpfs rw,mode=1777 0 0\n";
    EXPECT_EQ(contents("mounts"), expected);
    ns.mounts.push_back({"proc", "/proc", "proc", "rw"});
    EXPECT_EQ(contents("mounts"), expected + "proc /proc proc rw 0 0\n");
}

TEST_F(VfsdProcfsFiles, FixedFormats) {
    // "<seconds>.<hundredths> 0.00\n"
    std::string up = contents("uptime");
    size_t dot = up.find('.');
    ASSERT_NE(dot, std::string::npos) << up;
    EXPECT_GT(dot, 0u);
    EXPECT_EQ(up.substr(dot + 3), " 0.00\n");
    EXPECT_EQ(up.find_first_not_of("0123456789.", 0), dot + 3);
    std::string mem = contents("meminfo");
    EXPECT_EQ(mem.rfind("MemTotal:", 0), 0u);
    EXPECT_NE(mem.find(" kB\nMemFree:"), std::string::npos);
    EXPECT_NE(mem.find("\nMemAvailable:"), std::string::npos);
    EXPECT_NE(contents("filesystems").find("nodev\ttmpfs\n"), std::string::npos);
    EXPECT_EQ(contents("loadavg"), "0.00 0.00 0.00 1/0 0\n"); // no kernel list on the host
    EXPECT_EQ(contents("cpuinfo").rfind("processor\t: 0\n", 0), 0u);
    EXPECT_EQ(contents("stat").rfind("cpu  0 0 0 ", 0), 0u);
}

TEST_F(VfsdProcfsFiles, SnapshotsAreReadOnlyAndSeekable) {
    auto node = proc->lookup("mounts").value();
    EXPECT_EQ(node->attributes().mode, S_IFREG | 0444);
    EXPECT_EQ(error_of(node->open(O_WRONLY)), EACCES);
    EXPECT_EQ(error_of(node->open(O_RDWR)), EACCES);
    FilePtr f = node->open(O_RDONLY).value();
    char buf[7];
    ASSERT_EQ(f->read(buf, 6).value(), 6u);
    EXPECT_EQ(std::string(buf, 6), "rootfs");
    EXPECT_EQ(f->seek(-4, SEEK_END).value(), int64_t(contents("mounts").size() - 4));
    ASSERT_EQ(f->read(buf, 7).value(), 4u);
    EXPECT_EQ(std::string(buf, 4), "0 0\n");
    EXPECT_EQ(f->pread(7, buf, 1).value(), 1u);
    EXPECT_EQ(buf[0], '/');
    EXPECT_EQ(error_of(f->seek(-1, SEEK_SET)), EINVAL);
    EXPECT_EQ(error_of(f->write("x", 1)), EACCES);
}

TEST_F(VfsdProcfsFiles, TheDirectoryListsItsFiles) {
    EXPECT_TRUE(proc->is_directory());
    std::vector<std::string> names;
    auto list = proc->entries().value();
    for (auto& e : list)
        names.push_back(e.name);
    for (const char* n : {"self", "thread-self", "meminfo", "uptime", "mounts", "cmdline",
                          "filesystems", "version", "loadavg", "stat", "cpuinfo"})
        EXPECT_NE(std::find(names.begin(), names.end(), n), names.end()) << n;
    EXPECT_EQ(error_of(proc->lookup("1")), ENOENT);
    EXPECT_EQ(error_of(proc->create("x", FileType::Regular, 0644)), EROFS);
}

} // namespace

namespace vfsd {
namespace {

TEST(VfsdProcfsText, StatCountsInUserHz) {
    rustos::abi::CpuStats s{};
    s.tick_hz = 1000;
    s.user_ticks = 2500;   // 2.5 s
    s.system_ticks = 1000; // 1 s
    s.idle_ticks = 123456;
    s.context_switches = 77;
    s.processes_created = 31;
    s.runnable = 2;
    std::string t = proc_stat_text(s, 1764633600);
    EXPECT_EQ(t.rfind("cpu  250 0 100 12345 0 0 0 0 0 0\ncpu0 250 0 100 12345 0 0 0 0 0 0\n", 0),
              0u)
        << t;
    EXPECT_NE(t.find("\nctxt 77\nbtime 1764633600\nprocesses 31\nprocs_running 2\n"),
              std::string::npos)
        << t;
}

TEST(VfsdProcfsText, LoadAverageHasTwoDecimals) {
    rustos::abi::CpuStats s{};
    s.loads[0] = (1u << 16) + (1u << 15); // 1.5
    s.loads[1] = (1u << 16) / 4;          // 0.25
    s.loads[2] = 3u << 16;                // 3
    s.runnable = 3;
    EXPECT_EQ(loadavg_text(s, 19, 42), "1.50 0.25 3.00 3/19 42\n");
}

// What CPUID says matches what the Linux host's own /proc/cpuinfo says.
TEST(VfsdProcfsText, CpuinfoMatchesTheHost) {
    std::ifstream f("/proc/cpuinfo");
    std::string line, host_vendor, host_model;
    while (std::getline(f, line)) {
        if (host_vendor.empty() && line.rfind("vendor_id", 0) == 0)
            host_vendor = line.substr(line.find(": ") + 2);
        if (host_model.empty() && line.rfind("model name", 0) == 0)
            host_model = line.substr(line.find(": ") + 2);
    }
    std::string t = cpuinfo_text();
    EXPECT_NE(t.find("vendor_id\t: " + host_vendor + "\n"), std::string::npos) << t;
    EXPECT_NE(t.find("model name\t: " + host_model + "\n"), std::string::npos) << t;
    for (const char* flag : {" fpu ", " sse2 ", " lm "})
        EXPECT_NE(t.find(flag), std::string::npos) << flag << "\n" << t;
}

} // namespace
} // namespace vfsd
