#include <rustos/base/civil_time.h>
#include <rustos/base/cmdline.h>
#include <rustos/base/error.h>
#include <rustos/base/span.h>

#include <gtest/gtest.h>

#include <string>

using namespace rustos;

TEST(CivilTime, KnownDates) {
    EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
    EXPECT_EQ(days_from_civil(2000, 3, 1), 11017);
    EXPECT_EQ(days_from_civil(2026, 11, 24), 20781);
    EXPECT_EQ(days_from_civil(1969, 12, 31), -1);
    EXPECT_EQ(days_from_civil(2024, 2, 29) + 1, days_from_civil(2024, 3, 1));
}

TEST(Cmdline, ValueLookup) {
    StringView line = "loglevel=debug rustos.test=panic -- --programs=/x loglevel=warn";
    EXPECT_EQ(std::string(cmdline::value(line, "loglevel").data(),
                          cmdline::value(line, "loglevel").size()),
              "debug");
    EXPECT_TRUE(cmdline::value(line, "rustos.test") == "panic");
    EXPECT_TRUE(cmdline::value(line, "rustos").empty());
    EXPECT_TRUE(cmdline::value(line, "missing").empty());
    EXPECT_TRUE(cmdline::value("", "x").empty());
}

TEST(Cmdline, InitArgsAfterDoubleDash) {
    EXPECT_TRUE(cmdline::init_args("a=b -- --programs=/p --poweroff") ==
                "--programs=/p --poweroff");
    EXPECT_TRUE(cmdline::init_args("-- x") == "x");
    EXPECT_TRUE(cmdline::init_args("a=--b").empty());
    EXPECT_TRUE(cmdline::init_args("a=b --").empty());
    EXPECT_TRUE(cmdline::init_args("").empty());
}

TEST(Cmdline, SplitWords) {
    StringView words[3];
    EXPECT_EQ(cmdline::split_words("  a bb   ccc dddd ", words, 3), 3u);
    EXPECT_TRUE(words[0] == "a");
    EXPECT_TRUE(words[2] == "ccc");
    EXPECT_EQ(cmdline::split_words("   ", words, 3), 0u);
}

TEST(ErrorOr, TryPropagates) {
    auto fails = []() -> ErrorOr<int> { return Error(EINVAL, "bad"); };
    auto uses = [&]() -> ErrorOr<int> {
        int v = TRY(fails());
        return v + 1;
    };
    auto r = uses();
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error().code(), EINVAL);
    EXPECT_STREQ(r.error().reason(), "bad");
    EXPECT_EQ(r.error().as_syscall_return(), -22);
}

TEST(Span, SliceAndRangeChecks) {
    uint8_t data[8] = {};
    Bytes b(data);
    EXPECT_EQ(b.slice(6).size(), 2u);
    EXPECT_EQ(b.slice(10).size(), 0u);
    EXPECT_TRUE(b.contains_range(0, 8));
    EXPECT_FALSE(b.contains_range(1, 8));
    EXPECT_FALSE(b.contains_range(UINT64_MAX, 2));
}

TEST(ErrorOr, OwnedMessagesInHostedCode) {
    auto parse = [](int line) -> ErrorOr<std::string> {
        return Error::formatted(EINVAL, "manifest.toml:%d: 'id' is missing", line);
    };
    auto r = parse(7);
    ASSERT_TRUE(r.is_error());
    EXPECT_STREQ(r.error().reason(), "manifest.toml:7: 'id' is missing");
    Error copy = r.error();
    EXPECT_EQ(copy.code(), EINVAL);
    EXPECT_STREQ(copy.reason(), "manifest.toml:7: 'id' is missing");
    ErrorOr<std::string> ok = std::string("value");
    EXPECT_EQ(*ok, "value");
}

#include <rustos/base/id_allocator.h>

TEST(IdAllocator, CyclicAboveReservedRange) {
    uint64_t words[2];
    IdAllocator ids;
    ids.init(words, 128, 2);
    EXPECT_EQ(ids.allocate().value(), 2u);
    EXPECT_EQ(ids.allocate().value(), 3u);
    ids.release(2);
    EXPECT_EQ(ids.allocate().value(), 4u); // not reused at once
    ASSERT_FALSE(ids.claim(1).is_error()); // the reserved id, on request only
    EXPECT_EQ(ids.claim(1).error().code(), EEXIST);
    EXPECT_EQ(ids.claim(0).error().code(), EINVAL);
    EXPECT_EQ(ids.claim(128).error().code(), EINVAL);
    for (int i = 0; i < 200; ++i) {
        auto r = ids.allocate();
        if (r.is_error()) {
            EXPECT_EQ(r.error().code(), EAGAIN);
            break;
        }
        EXPECT_GE(r.value(), 2u);
        EXPECT_LT(r.value(), 128u);
    }
    EXPECT_EQ(ids.used(), 127u); // 1..127 all taken
    ids.release(50);
    EXPECT_EQ(ids.allocate().value(), 50u); // wraps around to find it
}
