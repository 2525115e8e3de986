#include <rustos/abi/errno.h>
#include <rustos/abi/initial_stack.h>
#include <rustos/abi/rlimits.h>
#include <rustos/abi/syscalls.h>

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <sys/syscall.h>
#include <vector>

using namespace rustos;
using namespace rustos::abi;

TEST(Syscalls, LinuxNumbersMatchTheHostHeaders) {
    EXPECT_EQ(uint32_t(LinuxSyscall::read), uint32_t(SYS_read));
    EXPECT_EQ(uint32_t(LinuxSyscall::openat), uint32_t(SYS_openat));
    EXPECT_EQ(uint32_t(LinuxSyscall::clone3), uint32_t(SYS_clone3));
    EXPECT_EQ(uint32_t(LinuxSyscall::exit_group), uint32_t(SYS_exit_group));
    EXPECT_STREQ(linux_syscall_name(SYS_futex), "futex");
    EXPECT_STREQ(linux_syscall_name(SYS_newfstatat), "newfstatat");
    EXPECT_EQ(linux_syscall_name(100000), nullptr);
}

TEST(Syscalls, NativeRange) {
    EXPECT_EQ(SYS_RUSTOS_LOG, 0x52550000u);
    EXPECT_TRUE(is_rustos_syscall(SYS_RUSTOS_LOG));
    EXPECT_FALSE(is_rustos_syscall(SYS_read));
    EXPECT_STREQ(rustos_syscall_name(SYS_RUSTOS_IPC_CALL), "IPC_CALL");
    EXPECT_STREQ(rustos_syscall_name(SYS_RUSTOS_MM_BROKER), "MM_BROKER");
    EXPECT_EQ(rustos_syscall_name(kRustosSyscallBase + 0xffff), nullptr);
}

TEST(Errno, NamesAndDescriptions) {
    EXPECT_STREQ(errno_name(EFAULT), "EFAULT");
    EXPECT_STREQ(errno_description(ENOENT), "No such file or directory");
    EXPECT_STREQ(errno_name(4000), "E?");
    EXPECT_EQ(syscall_error(ENOSYS), -38);
}

namespace {

struct StackFixture {
    static constexpr uint64_t kTop = 0x7ffffffff000ull;
    std::vector<uint8_t> buffer = std::vector<uint8_t>(16384);
    uint64_t word(uint64_t addr) const {
        uint64_t v;
        std::memcpy(&v, &buffer[addr - (kTop - buffer.size())], 8);
        return v;
    }
    std::string str(uint64_t addr) const {
        return std::string(reinterpret_cast<const char*>(&buffer[addr - (kTop - buffer.size())]));
    }
};

} // namespace

TEST(InitialStack, LinuxLayout) {
    StackFixture f;
    StringView argv[] = {"busybox", "echo", "hi"};
    StringView envp[] = {"PATH=/bin", "HOME=/"};
    uint8_t random[16];
    for (int i = 0; i < 16; ++i)
        random[i] = uint8_t(i * 3);
    AuxEntry aux[] = {{AT_PAGESZ, 4096}, {AT_ENTRY, 0x401000}};
    InitialStackSpec spec{argv, envp, "/bin/busybox", "x86_64", random, aux};
    auto rsp_or = build_initial_stack(Bytes(f.buffer.data(), f.buffer.size()), f.kTop, spec);
    ASSERT_FALSE(rsp_or.is_error());
    uint64_t rsp = rsp_or.value();
    EXPECT_EQ(rsp % 16, 0u);
    EXPECT_EQ(f.word(rsp), 3u);
    EXPECT_EQ(f.str(f.word(rsp + 8)), "busybox");
    EXPECT_EQ(f.str(f.word(rsp + 16)), "echo");
    EXPECT_EQ(f.str(f.word(rsp + 24)), "hi");
    EXPECT_EQ(f.word(rsp + 32), 0u);
    EXPECT_EQ(f.str(f.word(rsp + 40)), "PATH=/bin");
    EXPECT_EQ(f.str(f.word(rsp + 48)), "HOME=/");
    EXPECT_EQ(f.word(rsp + 56), 0u);
    uint64_t a = rsp + 64;
    std::vector<std::pair<uint64_t, uint64_t>> auxv;
    for (;; a += 16) {
        auxv.emplace_back(f.word(a), f.word(a + 8));
        if (f.word(a) == AT_NULL)
            break;
    }
    ASSERT_EQ(auxv.size(), 6u);
    EXPECT_EQ(auxv[0], std::make_pair(uint64_t(AT_PAGESZ), uint64_t(4096)));
    EXPECT_EQ(auxv[1], std::make_pair(uint64_t(AT_ENTRY), uint64_t(0x401000)));
    EXPECT_EQ(auxv[2].first, AT_RANDOM);
    EXPECT_EQ(auxv[2].second % 16, 0u);
    EXPECT_EQ(std::memcmp(&f.buffer[auxv[2].second - (f.kTop - f.buffer.size())], random, 16), 0);
    EXPECT_EQ(auxv[3].first, AT_EXECFN);
    EXPECT_EQ(f.str(auxv[3].second), "/bin/busybox");
    EXPECT_EQ(auxv[4].first, AT_PLATFORM);
    EXPECT_EQ(f.str(auxv[4].second), "x86_64");
    // Everything the stack refers to lies above rsp and below the top.
    for (auto& [type, value] : auxv) {
        if (type == AT_RANDOM || type == AT_EXECFN || type == AT_PLATFORM) {
            EXPECT_TRUE(value > rsp && value < f.kTop);
        }
    }
}

TEST(InitialStack, AlignmentForEveryArgumentCount) {
    StackFixture f;
    uint8_t random[16] = {};
    std::vector<StringView> args;
    for (int n = 0; n < 9; ++n) {
        InitialStackSpec spec{{args.data(), args.size()}, {}, "x", "x86_64", random, {}};
        auto rsp = build_initial_stack(Bytes(f.buffer.data(), f.buffer.size()), f.kTop, spec);
        ASSERT_FALSE(rsp.is_error());
        EXPECT_EQ(rsp.value() % 16, 0u) << n;
        EXPECT_EQ(f.word(rsp.value()), uint64_t(n));
        args.push_back("a");
    }
}

TEST(InitialStack, TooBigIsE2BIG) {
    StackFixture f;
    uint8_t random[16] = {};
    std::string big(20000, 'x');
    StringView argv[] = {StringView(big.data(), big.size())};
    InitialStackSpec spec{argv, {}, "x", "x86_64", random, {}};
    auto r = build_initial_stack(Bytes(f.buffer.data(), f.buffer.size()), f.kTop, spec);
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error().code(), E2BIG);
}

// The limits every process starts with are Linux's for a root login.
TEST(Abi, DefaultResourceLimitsAreLinuxs) {
    using namespace rustos::abi;
    EXPECT_EQ(default_rlimit(3).cur, 8ull << 20); // RLIMIT_STACK
    EXPECT_EQ(default_rlimit(3).max, kRlimInfinity);
    EXPECT_EQ(default_rlimit(7).cur, 1024u); // RLIMIT_NOFILE
    EXPECT_EQ(default_rlimit(7).max, 4096u);
    EXPECT_EQ(default_rlimit(4).cur, 0u);            // RLIMIT_CORE
    EXPECT_EQ(default_rlimit(0).cur, kRlimInfinity); // RLIMIT_CPU
    for (int i = 0; i < kNumRlimits; ++i)
        EXPECT_LE(default_rlimit(i).cur, default_rlimit(i).max) << i;
}
