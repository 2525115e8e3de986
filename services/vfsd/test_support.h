// Scaffolding shared by vfsd's host tests: errno checks on ErrorOr
// results, and a Vfs over memory file systems (a root with /tmp mounted on
// it, as main.cpp does minus the boot bundle, the console and procfs) that
// takes synthetic offloaded Linux calls the way the kernel sends them.
//
// The tests speak in the host's own <fcntl.h>, <poll.h>, <errno.h> ...
// constants: the host is x86_64 Linux, so they are the values a program on
// RustOS passes, and a test fails if vfsd's own copies drift from them.
#pragma once

#include "memfs.h"
#include "syscalls.h"

#include <rustos/abi/syscalls.h>

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>

#include <array>
#include <cstring>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>

namespace vfsd::test {

using rustos::abi::LinuxSyscall;
using rustos::service::LinuxCall;
using rustos::service::LinuxReply;

// The errno a result carries, 0 for a value.
template <typename T>
int error_of(const ErrorOr<T>& r) {
    return r.is_error() ? int(r.error().code()) : 0;
}

// The bytes of a trivially copyable value, as a marshalled input.
template <typename T>
std::string bytes_of(const T& v) {
    return std::string(reinterpret_cast<const char*>(&v), sizeof v);
}

// A value read back from output bytes (zero-filled when short).
template <typename T>
T value_of(std::string_view bytes) {
    T v{};
    std::memcpy(&v, bytes.data(), std::min(bytes.size(), sizeof v));
    return v;
}

// Reads everything an open file has now (stops at EOF or EAGAIN).
inline std::string drain(OpenFile& f) {
    std::string out;
    char buf[4096];
    for (;;) {
        auto r = f.read(buf, sizeof buf);
        if (r.is_error() || r.value() == 0)
            return out;
        out.append(buf, r.value());
    }
}

// A Vfs with a memfs root, a second memfs mounted on /tmp, and callers
// whose Linux calls go through Vfs::handle. Results are what the kernel
// would return to the program: >= 0, or -errno.
class VfsHarness : public ::testing::Test {
protected:
    static constexpr uint32_t kPid = 100;

    VfsHarness() {
        root = make_memfs_root(0755);
        tmp = make_memfs_root(01777);
        EXPECT_FALSE(root->attach("tmp", tmp).is_error());
        vfs.ns.set_root(root);
        vfs.procs.initial_cwd = vfs.ns.root();
    }

    LinuxCall make_call(LinuxSyscall nr, std::initializer_list<uint64_t> args,
                        std::map<uint32_t, std::string> inputs = {}, uint32_t pid = kPid) const {
        LinuxCall c;
        c.nr = uint32_t(nr);
        c.pid = pid;
        c.tid = pid;
        size_t i = 0;
        for (uint64_t a : args)
            c.args[i++] = a;
        c.inputs = std::move(inputs);
        return c;
    }

    // One call as it first arrives (not a retry of a parked one).
    Outcome handle(const LinuxCall& c) {
        CallState state;
        return vfs.handle(c, state);
    }

    // A call with a timeout that finds nothing ready: it must park with a
    // deadline. Its reply once run again past the deadline (also in `last`).
    LinuxReply after_timeout(const LinuxCall& c) {
        CallState state;
        Outcome o = vfs.handle(c, state);
        EXPECT_TRUE(o.park);
        EXPECT_GT(o.deadline_ns, 0u);
        state.retry = state.timed_out = true;
        o = vfs.handle(c, state);
        EXPECT_FALSE(o.park);
        last = std::move(o.reply);
        return last;
    }

    // The result of one call; its reply stays in `last` for outputs.
    int64_t sys(LinuxSyscall nr, std::initializer_list<uint64_t> args,
                std::map<uint32_t, std::string> inputs = {}, uint32_t pid = kPid) {
        Outcome o = handle(make_call(nr, args, std::move(inputs), pid));
        EXPECT_FALSE(o.park) << "call " << uint32_t(nr) << " parked";
        last = std::move(o.reply);
        return last.result;
    }

    // The output the last call wrote for argument `arg` ("" when none).
    std::string output(uint32_t arg) const {
        for (auto& [a, bytes] : last.outputs)
            if (a == arg)
                return bytes;
        return {};
    }
    bool has_output(uint32_t arg) const {
        for (auto& [a, bytes] : last.outputs)
            if (a == arg)
                return true;
        return false;
    }

    static uint64_t at(int dirfd) { return uint64_t(int64_t(dirfd)); }

    // --- the calls most tests need ---
    int64_t open(std::string_view path, int flags, uint32_t mode = 0644, int dirfd = AT_FDCWD) {
        return sys(LinuxSyscall::openat, {at(dirfd), 0, uint64_t(flags), mode},
                   {{1, std::string(path)}});
    }
    int64_t close(int64_t fd) { return sys(LinuxSyscall::close, {uint64_t(fd)}); }
    int64_t write(int64_t fd, std::string_view data) {
        return sys(LinuxSyscall::write, {uint64_t(fd), 0, data.size()}, {{1, std::string(data)}});
    }
    // The bytes read, or "" with the error in last.result.
    std::string read(int64_t fd, size_t n) {
        sys(LinuxSyscall::read, {uint64_t(fd), 0, n});
        return output(1);
    }
    int64_t mkdir(std::string_view path, uint32_t mode = 0755) {
        return sys(LinuxSyscall::mkdir, {0, mode}, {{0, std::string(path)}});
    }
    int64_t unlink(std::string_view path) {
        return sys(LinuxSyscall::unlink, {0}, {{0, std::string(path)}});
    }
    int64_t rmdir(std::string_view path) {
        return sys(LinuxSyscall::rmdir, {0}, {{0, std::string(path)}});
    }
    int64_t symlink(std::string_view target, std::string_view path) {
        return sys(LinuxSyscall::symlink, {0, 0},
                   {{0, std::string(target)}, {1, std::string(path)}});
    }
    int64_t rename(std::string_view from, std::string_view to, uint32_t flags = 0) {
        return sys(LinuxSyscall::renameat2, {at(AT_FDCWD), 0, at(AT_FDCWD), 0, flags},
                   {{1, std::string(from)}, {3, std::string(to)}});
    }
    int64_t chdir(std::string_view path) {
        return sys(LinuxSyscall::chdir, {0}, {{0, std::string(path)}});
    }
    // newfstatat; the struct stat in `st` on success.
    int64_t stat(std::string_view path, struct stat* st, int flags = 0, int dirfd = AT_FDCWD) {
        int64_t r = sys(LinuxSyscall::newfstatat, {at(dirfd), 0, 0, uint64_t(flags)},
                        {{1, std::string(path)}});
        if (r == 0 && st)
            *st = value_of<struct stat>(output(2));
        return r;
    }
    int64_t fstat(int64_t fd, struct stat* st) {
        int64_t r = sys(LinuxSyscall::fstat, {uint64_t(fd), 0});
        if (r == 0 && st)
            *st = value_of<struct stat>(output(1));
        return r;
    }
    // The two fds of pipe2 (-errno in the first on failure).
    std::pair<int, int> pipe(int flags = 0) {
        int64_t r = sys(LinuxSyscall::pipe2, {0, uint64_t(flags)});
        if (r < 0)
            return {int(r), -1};
        auto fds = value_of<std::array<int32_t, 2>>(output(0));
        return {fds[0], fds[1]};
    }
    // A file's contents written through the namespace, for setting up.
    void put_file(std::string_view path, std::string_view data) {
        int64_t fd = open(path, O_WRONLY | O_CREAT | O_TRUNC);
        ASSERT_GE(fd, 0) << path;
        ASSERT_EQ(write(fd, data), int64_t(data.size()));
        ASSERT_EQ(close(fd), 0);
    }
    std::string get_file(std::string_view path) {
        int64_t fd = open(path, O_RDONLY);
        EXPECT_GE(fd, 0) << path;
        std::string s = read(fd, 65536);
        close(fd);
        return s;
    }

    Process& process() { return vfs.procs.get(kPid); }

    Vfs vfs;
    std::shared_ptr<MemDirectory> root, tmp;
    LinuxReply last;
};

} // namespace vfsd::test
