// FileData and SharedMemory on the host, where the shared memory is a
// memfd: the same code paths as on RustOS above the memory object calls.
#include "file_data.h"

#include <gtest/gtest.h>

#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <string>

using namespace vfsd;

namespace {

std::string read_all(const FileData& d) {
    std::string s(d.size(), '\0');
    EXPECT_EQ(d.read(0, s.data(), s.size()), s.size());
    return s;
}

// Maps a shared handle as a program's MAP_SHARED mapping would.
char* map_handle(int64_t fd, size_t len) {
    void* p = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_SHARED, int(fd), 0);
    EXPECT_NE(p, MAP_FAILED);
    return static_cast<char*>(p);
}

} // namespace

TEST(VfsdFileData, WriteReadGrowAndHoles) {
    FileData d;
    EXPECT_EQ(d.size(), 0u);
    char buf[8];
    EXPECT_EQ(d.read(0, buf, sizeof buf), 0u);
    ASSERT_EQ(d.write(0, "hello", 5).value(), 5u);
    ASSERT_EQ(d.write(8, "xy", 2).value(), 2u);
    EXPECT_EQ(read_all(d), std::string("hello\0\0\0xy", 10));
    EXPECT_EQ(d.read(8, buf, sizeof buf), 2u);
    EXPECT_EQ(d.read(100, buf, sizeof buf), 0u);
}

TEST(VfsdFileData, TruncateShrinksAndZeroExtends) {
    FileData d;
    ASSERT_FALSE(d.write(0, "abcdef", 6).is_error());
    ASSERT_FALSE(d.resize(3).is_error());
    EXPECT_EQ(read_all(d), "abc");
    ASSERT_FALSE(d.resize(5).is_error());
    EXPECT_EQ(read_all(d), std::string("abc\0\0", 5));
}

TEST(VfsdFileData, TooLargeIsEfbig) {
    FileData d;
    auto r = d.write(FileData::kMaxSize, "x", 1);
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error().code(), EFBIG);
    EXPECT_EQ(d.resize(FileData::kMaxSize + 1).error().code(), EFBIG);
}

TEST(VfsdFileData, SharingKeepsTheBytesAndIsCoherent) {
    FileData d;
    ASSERT_FALSE(d.write(0, "page cache", 10).is_error());
    auto h = d.share(true);
    ASSERT_FALSE(h.is_error()) << h.error().reason();
    EXPECT_TRUE(d.is_shared());
    EXPECT_EQ(read_all(d), "page cache");
    char* m = map_handle(h.value(), 4096);
    // A write through the mapping is what read() returns, and the other
    // way round: one set of bytes.
    std::memcpy(m, "PAGE", 4);
    EXPECT_EQ(read_all(d), "PAGE cache");
    ASSERT_FALSE(d.write(5, "CACHE", 5).is_error());
    EXPECT_EQ(std::string(m, 10), "PAGE CACHE");
    munmap(m, 4096);
    close(int(h.value()));
}

TEST(VfsdFileData, SharedFileGrowsPastItsWindow) {
    FileData d;
    auto h = d.share(true);
    ASSERT_FALSE(h.is_error());
    // Far past the first window of vfsd's own mapping: it is mapped anew.
    std::string big(1 << 20, 'q');
    ASSERT_FALSE(d.write(0, big.data(), big.size()).is_error());
    ASSERT_FALSE(d.write(big.size(), "end", 3).is_error());
    EXPECT_EQ(d.size(), big.size() + 3);
    char tail[3];
    EXPECT_EQ(d.read(big.size(), tail, 3), 3u);
    EXPECT_EQ(std::string(tail, 3), "end");
    char* m = map_handle(h.value(), big.size() + 4096);
    EXPECT_EQ(std::string(m + big.size(), 3), "end");
    munmap(m, big.size() + 4096);
    close(int(h.value()));
}

TEST(VfsdFileData, ShrinkOfASharedFileZeroesTheTail) {
    FileData d;
    ASSERT_FALSE(d.write(0, "0123456789", 10).is_error());
    auto h = d.share(true);
    ASSERT_FALSE(h.is_error());
    ASSERT_FALSE(d.resize(4).is_error());
    ASSERT_FALSE(d.resize(10).is_error());
    EXPECT_EQ(read_all(d), std::string("0123\0\0\0\0\0\0", 10));
    close(int(h.value()));
}
