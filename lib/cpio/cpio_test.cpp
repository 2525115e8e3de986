#include <rustos/cpio/cpio.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

using namespace rustos;

namespace {

void pad4(std::string& s) {
    while (s.size() % 4)
        s.push_back('\0');
}

void add(std::string& a, const std::string& name, uint32_t mode, const std::string& data) {
    char hdr[111];
    std::snprintf(hdr, sizeof hdr, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", 1u,
                  mode, 0u, 0u, 1u, 0u, unsigned(data.size()), 0u, 0u, 0u, 0u,
                  unsigned(name.size() + 1), 0u);
    a += hdr;
    a += name;
    a.push_back('\0');
    pad4(a);
    a += data;
    pad4(a);
}

std::string sample() {
    std::string a;
    add(a, "services", 040755, "");
    add(a, "services/rootd/rootd", 0100755, "ELF...");
    add(a, "./system/boot/list", 0100644, "hello\n");
    add(a, "TRAILER!!!", 0, "");
    return a;
}

ReadonlyBytes view(const std::string& s) {
    return ReadonlyBytes(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

} // namespace

TEST(Cpio, FindsFilesWithAnyPrefix) {
    auto a = sample();
    ASSERT_FALSE(cpio::validate(view(a)).is_error());
    for (const char* p : {"/system/boot/list", "system/boot/list", "./system/boot/list"}) {
        auto e = cpio::find(view(a), p);
        ASSERT_FALSE(e.is_error()) << p;
        EXPECT_EQ(std::string(reinterpret_cast<const char*>(e->data.data()), e->data.size()),
                  "hello\n");
        EXPECT_EQ(e->mode & cpio::kTypeMask, cpio::kTypeRegular);
    }
    auto dir = cpio::find(view(a), "/services");
    ASSERT_FALSE(dir.is_error());
    EXPECT_EQ(dir->mode & cpio::kTypeMask, cpio::kTypeDirectory);
    auto missing = cpio::find(view(a), "/nope");
    ASSERT_TRUE(missing.is_error());
    EXPECT_EQ(missing.error().code(), ENOENT);
}

TEST(Cpio, IteratesInOrder) {
    auto a = sample();
    cpio::Reader r(view(a));
    cpio::Entry e;
    std::vector<std::string> names;
    while (true) {
        auto more = r.next(e);
        ASSERT_FALSE(more.is_error());
        if (!more.value())
            break;
        names.emplace_back(e.name.data(), e.name.size());
    }
    EXPECT_EQ(names,
              (std::vector<std::string>{"services", "services/rootd/rootd", "system/boot/list"}));
}

TEST(Cpio, MalformedArchivesAreRefusedWithReasons) {
    auto a = sample();
    auto reason = [](const std::string& s) {
        auto r = cpio::validate(view(s));
        return r.is_error() ? std::string(r.error().reason()) : std::string("ok");
    };
    std::string bad_magic = a;
    bad_magic[0] = '1';
    EXPECT_EQ(reason(bad_magic), "cpio: bad magic (not a newc archive)");
    std::string bad_hex = a;
    bad_hex[10] = 'z';
    EXPECT_EQ(reason(bad_hex), "cpio: header field is not hexadecimal");
    EXPECT_EQ(reason(a.substr(0, a.size() - 120)), "cpio: truncated header (missing TRAILER!!!)");
    std::string huge;
    add(huge, "big", 0100644, "x");
    huge.replace(6 + 6 * 8, 8, "7FFFFFFF"); // filesize
    EXPECT_EQ(reason(huge), "cpio: file data runs past the end of the archive");
    EXPECT_EQ(reason(""), "cpio: truncated header (missing TRAILER!!!)");
}

TEST(Cpio, EveryTruncationIsRefused) {
    auto a = sample();
    for (size_t n = 0; n < a.size(); ++n)
        EXPECT_TRUE(cpio::validate(view(a.substr(0, n))).is_error()) << n;
}

TEST(Cpio, RandomCorruptionNeverCrashes) {
    auto base = sample();
    std::mt19937 rng(7);
    for (int i = 0; i < 20000; ++i) {
        auto a = base;
        a[rng() % a.size()] = char(rng());
        (void)cpio::validate(view(a));
        (void)cpio::find(view(a), "system/boot/list");
    }
}
