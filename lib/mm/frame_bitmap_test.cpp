#include <rustos/mm/frame_bitmap.h>

#include <gtest/gtest.h>

#include <set>
#include <vector>

using namespace rustos;
using namespace rustos::mm;

namespace {

struct Fixture {
    std::vector<uint64_t> words;
    FrameBitmap bm;
    explicit Fixture(size_t frames) : words(FrameBitmap::words_needed(frames)) {
        bm.init(words.data(), frames);
    }
};

} // namespace

TEST(FrameBitmap, StartsFullyUsed) {
    Fixture f(100);
    EXPECT_EQ(f.bm.free_count(), 0u);
    EXPECT_TRUE(f.bm.allocate().is_error());
}

TEST(FrameBitmap, UsableMinusReserved) {
    Fixture f(1024);
    PhysRange usable[] = {{0x1800, 0x10000}, {0x100000, 0x100000}}; // first starts mid-frame
    PhysRange reserved[] = {{0x3000, 0x1}, {0x180000, 0x2000}};
    mark_usable(f.bm, usable, reserved);
    // [0x2000, 0x11000) = 15 frames (0x1800 rounds up) minus frame 3;
    // [0x100000, 0x200000) = 256 frames minus 2.
    EXPECT_EQ(f.bm.free_count(), 14u + 254u);
    EXPECT_TRUE(f.bm.is_used(1));
    EXPECT_TRUE(f.bm.is_used(3));
    EXPECT_FALSE(f.bm.is_used(2));
    EXPECT_TRUE(f.bm.is_used(0x180));
    EXPECT_TRUE(f.bm.is_used(0x181));
    EXPECT_FALSE(f.bm.is_used(0x182));
}

TEST(FrameBitmap, LowestFirstAndNoDuplicates) {
    Fixture f(4096);
    PhysRange usable[] = {{0, 4096ull * 4096}};
    mark_usable(f.bm, usable, {});
    std::set<uint64_t> seen;
    uint64_t prev = 0;
    for (int i = 0; i < 4096; ++i) {
        auto r = f.bm.allocate();
        ASSERT_FALSE(r.is_error());
        if (i) {
            EXPECT_GT(r.value(), prev);
        }
        prev = r.value();
        EXPECT_TRUE(seen.insert(r.value()).second);
    }
    auto none = f.bm.allocate();
    ASSERT_TRUE(none.is_error());
    EXPECT_EQ(none.error().code(), ENOMEM);
    ASSERT_FALSE(f.bm.free(17).is_error());
    EXPECT_EQ(f.bm.allocate().value(), 17u); // the hint moves back down
}

TEST(FrameBitmap, DoubleFreeAndRangeErrors) {
    Fixture f(64);
    PhysRange usable[] = {{0, 64 * 4096}};
    mark_usable(f.bm, usable, {});
    uint64_t a = f.bm.allocate().value();
    ASSERT_FALSE(f.bm.free(a).is_error());
    auto again = f.bm.free(a);
    ASSERT_TRUE(again.is_error());
    EXPECT_STREQ(again.error().reason(), "freeing a frame that is already free (double free)");
    EXPECT_TRUE(f.bm.free(64).is_error());
    EXPECT_TRUE(f.bm.free(UINT64_MAX, 2).is_error());
}

TEST(FrameBitmap, ContiguousAligned) {
    Fixture f(256);
    PhysRange usable[] = {{0, 256 * 4096}};
    PhysRange reserved[] = {{5 * 4096, 4096}};
    mark_usable(f.bm, usable, reserved);
    auto r = f.bm.allocate_contiguous(8, 8);
    ASSERT_FALSE(r.is_error());
    EXPECT_EQ(r.value(), 8u); // 0..7 holds the reserved frame 5
    for (uint64_t i = 8; i < 16; ++i)
        EXPECT_TRUE(f.bm.is_used(i));
    EXPECT_TRUE(f.bm.allocate_contiguous(300, 1).is_error());
    EXPECT_TRUE(f.bm.allocate_contiguous(0, 1).is_error());
    ASSERT_FALSE(f.bm.free(r.value(), 8).is_error());
}
