// The Volume API on fresh mkfs.fat volumes: semantics of each operation,
// then fsck.fat and mtools as the judges of what reached the disk.
#include "fat_test_util.h"

#include <algorithm>
#include <map>
#include <set>

using namespace rustos;
using namespace rustos::fat;
using namespace rustos::fat::test;

namespace {

class FatVolume : public ::testing::Test {
protected:
    void SetUp() override {
        FAT_REQUIRE_TOOLS();
        ASSERT_FALSE(m_dir.path().empty());
        m_image = m_dir.file("vol.img");
        ASSERT_TRUE(make_image(m_image, 40960, 1));
        m_volume = FAT_OK(mount_image(m_image));
    }

    Volume& v() { return *m_volume.volume; }

    // Unmount (syncing), then check the image with fsck.fat.
    ::testing::AssertionResult unmount_and_check() {
        auto synced = v().sync();
        if (synced.is_error())
            return ::testing::AssertionFailure() << synced.error().reason();
        m_volume = {};
        return fsck_clean(m_image);
    }

    void remount(MountOptions options = {}) {
        m_volume = {};
        m_volume = FAT_OK(mount_image(m_image, std::move(options)));
    }

    std::string mtype(const std::string& path) {
        CommandResult r = run("mtype -i " + quote(m_image) + " " + quote("::" + path));
        EXPECT_EQ(r.status, 0) << r.output;
        return r.output;
    }

    std::vector<uint8_t> mcopy_out(const std::string& path) {
        std::string host = m_dir.file("out.bin");
        CommandResult r =
            run("mcopy -n -o -i " + quote(m_image) + " " + quote("::" + path) + " " + quote(host));
        EXPECT_EQ(r.status, 0) << r.output;
        return read_host_file(host);
    }

    std::set<std::string> mtools_paths() { return rustos::fat::test::mtools_paths(m_image); }

    std::vector<std::string> names(NodeId dir) {
        std::vector<std::string> out;
        for (auto& e : FAT_OK(v().readdir(dir)))
            out.push_back(e.name);
        return out;
    }

    NodeId make_file(NodeId dir, const std::string& name, const std::string& content) {
        NodeId id = FAT_OK(v().create(dir, name, NodeKind::File));
        std::vector<uint8_t> bytes(content.begin(), content.end());
        FAT_OK(write_all(v(), id, 0, bytes));
        return id;
    }

    TempDir m_dir;
    std::string m_image;
    Mounted m_volume;
};

} // namespace

TEST_F(FatVolume, FreshVolume) {
    EXPECT_TRUE(names(v().root()).empty());
    FsStat fs = FAT_OK(v().statfs());
    EXPECT_EQ(fs.cluster_size, 512u);
    EXPECT_EQ(fs.total_clusters, 80628u);
    EXPECT_EQ(fs.free_clusters, 80627u); // the root directory has one
    EXPECT_EQ(fs.serial, 0x12345678u);
    Stat root = FAT_OK(v().stat(v().root()));
    EXPECT_TRUE(root.is_dir);
    EXPECT_EQ(root.allocated, 512u);
    EXPECT_EQ(FAT_OK(v().lookup(v().root(), ".")), v().root());
    EXPECT_EQ(FAT_OK(v().lookup(v().root(), "..")), v().root());
    EXPECT_EQ(error_code(v().lookup(v().root(), "missing")), ENOENT);
    EXPECT_TRUE(unmount_and_check());
}

TEST_F(FatVolume, CreatesFilesAndDirectories) {
    NodeId hello = make_file(v().root(), "hello.txt", "Hello, FAT!\n");
    NodeId sub = FAT_OK(v().create(v().root(), "Sub Directory", NodeKind::Directory));
    NodeId nested = make_file(sub, "a nested file with a rather long name.data", "nested\n");
    FAT_OK(v().create(sub, "empty", NodeKind::File));
    NodeId deeper = FAT_OK(v().create(sub, "deeper", NodeKind::Directory));

    // Case-insensitive lookups, by long name or by 8.3 alias.
    EXPECT_EQ(FAT_OK(v().lookup(v().root(), "HELLO.TXT")), hello);
    EXPECT_EQ(FAT_OK(v().lookup(v().root(), "sub directory")), sub);
    EXPECT_EQ(FAT_OK(v().lookup(v().root(), "SUBDIR~1")), sub);
    EXPECT_EQ(FAT_OK(v().resolve("/Sub Directory/A NESTED file with a rather long name.data")),
              nested);
    EXPECT_EQ(FAT_OK(v().lookup(deeper, "..")), sub);
    EXPECT_EQ(error_code(v().create(v().root(), "HELLO.txt", NodeKind::File)), EEXIST);
    EXPECT_EQ(error_code(v().create(v().root(), "subdir~1", NodeKind::File)), EEXIST);
    EXPECT_EQ(error_code(v().create(hello, "x", NodeKind::File)), ENOTDIR);
    EXPECT_EQ(error_code(v().lookup(hello, "x")), ENOTDIR);
    EXPECT_EQ(error_code(v().create(v().root(), "bad:name", NodeKind::File)), EINVAL);

    auto entries = FAT_OK(v().readdir(sub));
    ASSERT_EQ(entries.size(), 3u);
    EXPECT_EQ(entries[0].name, "a nested file with a rather long name.data");
    EXPECT_EQ(entries[0].short_name, "ANESTE~1.DAT");
    EXPECT_EQ(entries[0].size, 7u);
    EXPECT_FALSE(entries[0].is_dir);
    EXPECT_EQ(entries[0].node, nested);
    EXPECT_EQ(entries[1].name, "empty");
    EXPECT_EQ(entries[1].short_name, "EMPTY");
    EXPECT_TRUE(entries[2].is_dir);
    EXPECT_EQ(entries[2].mtime, fixed_clock());

    Stat st = FAT_OK(v().stat(hello));
    EXPECT_EQ(st.size, 12u);
    EXPECT_FALSE(st.is_dir);
    EXPECT_EQ(st.mtime, fixed_clock());
    EXPECT_EQ(st.ctime, fixed_clock());
    EXPECT_EQ(st.atime, fixed_clock() / 86400 * 86400);
    EXPECT_TRUE(st.attributes & attr::kArchive);

    ASSERT_TRUE(unmount_and_check());
    EXPECT_EQ(mtools_paths(),
              (std::set<std::string>{"/hello.txt", "/Sub Directory/",
                                     "/Sub Directory/a nested file with a rather long name.data",
                                     "/Sub Directory/empty", "/Sub Directory/deeper/"}));
    EXPECT_EQ(mtype("/hello.txt"), "Hello, FAT!\n");
    EXPECT_EQ(mtype("/Sub Directory/a nested file with a rather long name.data"), "nested\n");
    EXPECT_EQ(mtype("/Sub Directory/empty"), "");
}

TEST_F(FatVolume, WritesAndReadsAtAnyOffset) {
    NodeId f = FAT_OK(v().create(v().root(), "data.bin", NodeKind::File));
    std::vector<uint8_t> expected = pattern_bytes(300000, 1);
    // Odd-sized pieces, out of order.
    std::vector<std::pair<size_t, size_t>> pieces;
    for (size_t at = 0; at < expected.size(); at += 7777)
        pieces.push_back({at, std::min<size_t>(7777, expected.size() - at)});
    std::mt19937 rng(7);
    std::shuffle(pieces.begin() + 1, pieces.end(), rng);
    std::sort(pieces.begin(), pieces.begin() + 1);
    for (auto [at, len] : pieces) {
        size_t n = FAT_OK(v().write(f, at, expected.data() + at, len));
        ASSERT_EQ(n, len);
    }
    EXPECT_EQ(FAT_OK(read_all(v(), f)), expected);
    // Reads of every alignment; reading at or past the end gives 0.
    for (size_t at :
         {size_t(0), size_t(1), size_t(511), size_t(512), size_t(4097), size_t(299990)}) {
        std::vector<uint8_t> buf(1000);
        size_t n = FAT_OK(v().read(f, at, buf.data(), buf.size()));
        ASSERT_EQ(n, std::min<size_t>(1000, expected.size() - at));
        EXPECT_TRUE(std::equal(buf.begin(), buf.begin() + long(n), expected.begin() + long(at)));
    }
    uint8_t byte;
    EXPECT_EQ(FAT_OK(v().read(f, expected.size(), &byte, 1)), 0u);
    EXPECT_EQ(FAT_OK(v().read(f, 1 << 30, &byte, 1)), 0u);

    // Overwrite in the middle, then write past the end: the gap reads as zeroes.
    std::vector<uint8_t> patch = pattern_bytes(10000, 2);
    FAT_OK(v().write(f, 12345, patch.data(), patch.size()));
    std::copy(patch.begin(), patch.end(), expected.begin() + 12345);
    std::vector<uint8_t> tail = pattern_bytes(777, 3);
    FAT_OK(v().write(f, 400000, tail.data(), tail.size()));
    expected.resize(400000, 0);
    expected.insert(expected.end(), tail.begin(), tail.end());
    EXPECT_EQ(FAT_OK(read_all(v(), f)), expected);
    EXPECT_EQ(FAT_OK(v().stat(f)).size, expected.size());
    EXPECT_EQ(FAT_OK(v().write(f, 0, nullptr, 0)), 0u);

    EXPECT_EQ(error_code(v().write(v().root(), 0, &byte, 1)), EISDIR);
    EXPECT_EQ(error_code(v().read(v().root(), 0, &byte, 1)), EISDIR);
    EXPECT_EQ(error_code(v().write(f, kMaxFileSize, &byte, 1)), EFBIG);

    ASSERT_TRUE(unmount_and_check());
    EXPECT_EQ(mcopy_out("/data.bin"), expected);
}

TEST_F(FatVolume, Truncates) {
    uint32_t free_before = FAT_OK(v().statfs()).free_clusters;
    NodeId f = FAT_OK(v().create(v().root(), "t.bin", NodeKind::File));
    std::vector<uint8_t> data = pattern_bytes(10000, 4);
    FAT_OK(write_all(v(), f, 0, data));
    EXPECT_EQ(FAT_OK(v().statfs()).free_clusters, free_before - 20);

    FAT_OK(v().truncate(f, 1000)); // shrink: 2 clusters left
    data.resize(1000);
    EXPECT_EQ(FAT_OK(read_all(v(), f)), data);
    EXPECT_EQ(FAT_OK(v().statfs()).free_clusters, free_before - 2);
    FAT_OK(v().truncate(f, 5000)); // grow: zeroes, also over the stale tail of cluster 2
    data.resize(5000, 0);
    EXPECT_EQ(FAT_OK(read_all(v(), f)), data);
    EXPECT_EQ(FAT_OK(v().statfs()).free_clusters, free_before - 10);
    ASSERT_TRUE(unmount_and_check());
    EXPECT_EQ(mcopy_out("/t.bin"), data);

    remount();
    f = FAT_OK(v().lookup(v().root(), "t.bin"));
    FAT_OK(v().truncate(f, 0));
    Stat st = FAT_OK(v().stat(f));
    EXPECT_EQ(st.size, 0u);
    EXPECT_EQ(st.first_cluster, 0u);
    EXPECT_EQ(FAT_OK(v().statfs()).free_clusters, free_before);
    EXPECT_EQ(error_code(v().truncate(f, kMaxFileSize + 1)), EFBIG);
    EXPECT_EQ(error_code(v().truncate(v().root(), 0)), EISDIR);
    ASSERT_TRUE(unmount_and_check());
    EXPECT_EQ(mtype("/t.bin"), "");
}

TEST_F(FatVolume, UnlinksAndRemovesDirectories) {
    uint32_t free_before = FAT_OK(v().statfs()).free_clusters;
    NodeId dir = FAT_OK(v().create(v().root(), "dir", NodeKind::Directory));
    NodeId file = make_file(dir, "File With Long Name.txt", std::string(5000, 'x'));
    make_file(v().root(), "keep.txt", "keep");

    EXPECT_EQ(error_code(v().rmdir(v().root(), "dir")), ENOTEMPTY);
    EXPECT_EQ(error_code(v().rmdir(v().root(), "keep.txt")), ENOTDIR);
    EXPECT_EQ(error_code(v().unlink(v().root(), "dir")), EISDIR);
    EXPECT_EQ(error_code(v().unlink(v().root(), "nothing")), ENOENT);
    EXPECT_EQ(error_code(v().rmdir(dir, ".")), EINVAL);
    EXPECT_EQ(error_code(v().rmdir(dir, "..")), ENOTEMPTY);

    FAT_OK(v().unlink(dir, "FILE WITH LONG NAME.TXT"));
    EXPECT_EQ(error_code(v().stat(file)), ENOENT); // the id is gone with the file
    EXPECT_EQ(error_code(v().lookup(dir, "File With Long Name.txt")), ENOENT);
    EXPECT_EQ(error_code(v().lookup(dir, "FILEWI~1.TXT")), ENOENT);
    EXPECT_TRUE(names(dir).empty());
    FAT_OK(v().rmdir(v().root(), "dir"));
    EXPECT_EQ(error_code(v().readdir(dir)), ENOENT);
    EXPECT_EQ(names(v().root()), std::vector<std::string>{"keep.txt"});
    EXPECT_EQ(FAT_OK(v().statfs()).free_clusters, free_before - 1);

    // The freed slots are reused.
    make_file(v().root(), "again", "again");
    ASSERT_TRUE(unmount_and_check());
    EXPECT_EQ(mtools_paths(), (std::set<std::string>{"/keep.txt", "/again"}));
}

TEST_F(FatVolume, RenamesLikePosix) {
    NodeId a = make_file(v().root(), "a.txt", "AAAA");
    NodeId d1 = FAT_OK(v().create(v().root(), "first dir", NodeKind::Directory));
    NodeId d2 = FAT_OK(v().create(v().root(), "second dir", NodeKind::Directory));
    NodeId inner = FAT_OK(v().create(d1, "inner", NodeKind::Directory));
    make_file(inner, "deep.txt", "deep");
    NodeId b = make_file(d2, "b.txt", std::string(3000, 'b'));

    // Within a directory and across: the NodeId follows the file.
    FAT_OK(v().rename(v().root(), "a.txt", v().root(), "A file renamed to a long name.txt"));
    EXPECT_EQ(FAT_OK(v().lookup(v().root(), "a file renamed to a long name.txt")), a);
    EXPECT_EQ(error_code(v().lookup(v().root(), "a.txt")), ENOENT);
    FAT_OK(v().rename(v().root(), "A file renamed to a long name.txt", d1, "moved.txt"));
    EXPECT_EQ(FAT_OK(v().resolve("/first dir/moved.txt")), a);
    EXPECT_EQ(FAT_OK(read_all(v(), a)), std::vector<uint8_t>({'A', 'A', 'A', 'A'}));

    // Replacing a file frees the old one.
    uint32_t free_before = FAT_OK(v().statfs()).free_clusters;
    FAT_OK(v().rename(d1, "moved.txt", d2, "B.TXT"));
    EXPECT_EQ(FAT_OK(v().lookup(d2, "b.txt")), a);
    EXPECT_EQ(error_code(v().stat(b)), ENOENT);
    EXPECT_EQ(FAT_OK(v().statfs()).free_clusters, free_before + 6);
    EXPECT_EQ(names(d2), std::vector<std::string>{"B.TXT"});

    // Only a change of case.
    FAT_OK(v().rename(d2, "b.txt", d2, "b.txt"));
    EXPECT_EQ(names(d2), std::vector<std::string>{"b.txt"});
    FAT_OK(v().rename(d2, "b.txt", d2, "b.txt")); // the same name: nothing happens
    FAT_OK(v().rename(d2, "B.txt", d2, "Mixed Case.Txt"));
    FAT_OK(v().rename(d2, "mixed case.txt", d2, "MIXED CASE.TXT"));
    EXPECT_EQ(names(d2), std::vector<std::string>{"MIXED CASE.TXT"});

    // Directories: errors first.
    EXPECT_EQ(error_code(v().rename(v().root(), "first dir", inner, "x")), EINVAL);
    EXPECT_EQ(error_code(v().rename(v().root(), "first dir", d1, "x")), EINVAL);
    EXPECT_EQ(error_code(v().rename(v().root(), "first dir", d2, "MIXED CASE.TXT")), ENOTDIR);
    EXPECT_EQ(error_code(v().rename(d2, "MIXED CASE.TXT", v().root(), "first dir")), EISDIR);
    EXPECT_EQ(error_code(v().rename(v().root(), "second dir", v().root(), "first dir")), ENOTEMPTY);
    EXPECT_EQ(error_code(v().rename(v().root(), "nope", v().root(), "x")), ENOENT);
    EXPECT_EQ(error_code(v().rename(v().root(), "..", v().root(), "x")), EINVAL);
    EXPECT_EQ(error_code(v().rename(v().root(), "second dir", v().root(), "a/b")), EINVAL);

    // Move a directory to another parent: its ".." follows (fsck checks it).
    FAT_OK(v().rename(d1, "inner", d2, "Inner Moved"));
    EXPECT_EQ(FAT_OK(v().lookup(inner, "..")), d2);
    EXPECT_EQ(FAT_OK(v().resolve("/second dir/inner moved/deep.txt")),
              FAT_OK(v().lookup(inner, "deep.txt")));
    // Replace an empty directory.
    NodeId empty = FAT_OK(v().create(v().root(), "empty dir", NodeKind::Directory));
    FAT_OK(v().rename(v().root(), "first dir", v().root(), "empty dir"));
    EXPECT_EQ(error_code(v().stat(empty)), ENOENT);
    EXPECT_EQ(FAT_OK(v().lookup(v().root(), "empty dir")), d1);
    // Move a directory up to the root.
    FAT_OK(v().rename(d2, "inner moved", v().root(), "top"));

    ASSERT_TRUE(unmount_and_check());
    EXPECT_EQ(mtools_paths(),
              (std::set<std::string>{"/empty dir/", "/second dir/", "/second dir/MIXED CASE.TXT",
                                     "/top/", "/top/deep.txt"}));
    EXPECT_EQ(mtype("/second dir/MIXED CASE.TXT"), "AAAA");
    EXPECT_EQ(mtype("/top/deep.txt"), "deep");
}

TEST_F(FatVolume, ReadOnlyMountChangesNothing) {
    make_file(v().root(), "file.txt", "content");
    ASSERT_TRUE(unmount_and_check());
    std::vector<uint8_t> before = read_host_file(m_image);

    MountOptions ro;
    ro.read_only = true;
    ro.update_access_date_on_read = true;
    remount(std::move(ro));
    EXPECT_TRUE(v().read_only());
    NodeId f = FAT_OK(v().lookup(v().root(), "FILE.TXT"));
    EXPECT_EQ(FAT_OK(read_all(v(), f)), std::vector<uint8_t>({'c', 'o', 'n', 't', 'e', 'n', 't'}));
    uint8_t byte = 0;
    EXPECT_EQ(error_code(v().write(f, 0, &byte, 1)), EROFS);
    EXPECT_EQ(error_code(v().truncate(f, 0)), EROFS);
    EXPECT_EQ(error_code(v().create(v().root(), "x", NodeKind::File)), EROFS);
    EXPECT_EQ(error_code(v().unlink(v().root(), "file.txt")), EROFS);
    EXPECT_EQ(error_code(v().rmdir(v().root(), "file.txt")), EROFS);
    EXPECT_EQ(error_code(v().rename(v().root(), "file.txt", v().root(), "y")), EROFS);
    EXPECT_EQ(error_code(v().set_times(f, 0, 0)), EROFS);
    EXPECT_EQ(error_code(v().set_read_only(f, true)), EROFS);
    FAT_OK(v().sync());
    m_volume = {};
    EXPECT_TRUE(read_host_file(m_image) == before);
}

TEST_F(FatVolume, LongNamesGetUniqueAliases) {
    std::set<std::string> expected, shorts;
    for (int i = 1; i <= 30; ++i) {
        std::string name = "Long file name number " + std::to_string(i) + ".text";
        make_file(v().root(), name, name);
        expected.insert("/" + name);
    }
    std::string longest(255, 'n');
    longest[100] = '.';
    make_file(v().root(), longest, "longest");
    expected.insert("/" + longest);
    EXPECT_EQ(error_code(v().create(v().root(), std::string(256, 'n'), NodeKind::File)),
              ENAMETOOLONG);
    for (std::string name : {"Ünïcödé ñame.txt", "日本語のファイル名.txt", "readme.txt", "Makefile",
                             ".hidden", "x+y=z.tar.gz"}) {
        make_file(v().root(), name, name);
        expected.insert("/" + name);
    }
    for (auto& e : FAT_OK(v().readdir(v().root())))
        shorts.insert(e.short_name);
    EXPECT_EQ(shorts.size(), expected.size());
    EXPECT_TRUE(shorts.count("LONGFI~1.TEX"));
    EXPECT_TRUE(shorts.count("LONGFI~9.TEX"));
    EXPECT_TRUE(shorts.count("LONGF~10.TEX"));
    EXPECT_TRUE(shorts.count("README.TXT"));
    EXPECT_EQ(FAT_OK(v().resolve("/ÜNÏCÖDÉ ÑAME.TXT")), FAT_OK(v().resolve("/ünïcödé ñame.txt")));
    // Outside the BMP: a surrogate pair on disk (mtools shows each half as '_',
    // so only the library reads it back).
    NodeId emoji = make_file(v().root(), "emoji 😀.txt", "e");
    remount();
    EXPECT_EQ(FAT_OK(v().lookup(v().root(), "EMOJI 😀.TXT")), FAT_OK(v().resolve("emoji 😀.txt")));
    auto all = FAT_OK(v().readdir(v().root()));
    EXPECT_EQ(all.back().name, "emoji 😀.txt");
    FAT_OK(v().unlink(v().root(), "emoji 😀.txt"));
    (void)emoji;

    ASSERT_TRUE(unmount_and_check());
    std::set<std::string> listed = mtools_paths();
    for (auto& p : listed)
        EXPECT_TRUE(expected.count(p)) << "unexpected " << p;
    for (auto& p : expected)
        EXPECT_TRUE(listed.count(p)) << "missing " << p;
    EXPECT_EQ(mtype("/Long file name number 17.text"), "Long file name number 17.text");
    EXPECT_EQ(mtype("/日本語のファイル名.txt"), "日本語のファイル名.txt");
    EXPECT_EQ(mtype("/" + longest), "longest");
}

TEST_F(FatVolume, DirectoriesGrowAndReuseSlots) {
    NodeId dir = FAT_OK(v().create(v().root(), "many", NodeKind::Directory));
    std::set<std::string> expected = {"/many/"};
    for (int i = 0; i < 300; ++i) {
        std::string name = "entry number " + std::to_string(i);
        make_file(dir, name, std::to_string(i));
    }
    // 300 names of 3 entries each: ~57 clusters of 16 entries.
    EXPECT_GE(FAT_OK(v().stat(dir)).allocated, 50u * 512);
    for (int i = 0; i < 300; i += 2)
        FAT_OK(v().unlink(dir, "entry number " + std::to_string(i)));
    uint64_t allocated = FAT_OK(v().stat(dir)).allocated;
    for (int i = 0; i < 150; ++i)
        make_file(dir, "new " + std::to_string(i), "n");
    EXPECT_EQ(FAT_OK(v().stat(dir)).allocated, allocated); // deleted slots were reused
    for (int i = 1; i < 300; i += 2)
        expected.insert("/many/entry number " + std::to_string(i));
    for (int i = 0; i < 150; ++i)
        expected.insert("/many/new " + std::to_string(i));
    EXPECT_EQ(FAT_OK(v().readdir(dir)).size(), 300u);
    EXPECT_EQ(FAT_OK(read_all(v(), FAT_OK(v().lookup(dir, "ENTRY NUMBER 299")))),
              std::vector<uint8_t>({'2', '9', '9'}));

    // Paging through with cookies sees every entry once.
    std::vector<std::string> paged;
    uint32_t cookie = 0;
    for (;;) {
        auto page = FAT_OK(v().readdir(dir, cookie, 7));
        if (page.empty())
            break;
        for (auto& e : page)
            paged.push_back(e.name);
        cookie = page.back().next_cookie;
    }
    EXPECT_EQ(paged, names(dir));
    EXPECT_EQ(error_code(v().readdir(dir, 5)), EINVAL);

    ASSERT_TRUE(unmount_and_check());
    EXPECT_EQ(mtools_paths(), expected);
}

TEST_F(FatVolume, TimesAndAttributes) {
    int64_t clock = 1700000000;
    remount({.read_only = false, .clock = [&] { return clock; }});
    NodeId f = make_file(v().root(), "times.txt", "t");
    clock += 3600 * 24 * 3 + 7; // three days later, an odd second
    FAT_OK(v().write(f, 1, reinterpret_cast<const uint8_t*>("u"), 1));
    Stat st = FAT_OK(v().stat(f));
    EXPECT_EQ(st.ctime, 1700000000);
    EXPECT_EQ(st.mtime, clock - 1); // 2-second resolution
    EXPECT_EQ(st.atime, clock / 86400 * 86400);

    // 2001-02-03 04:05:06 and 2010-01-01.
    FAT_OK(v().set_times(f, 1262304000 + 5000, 981173106));
    st = FAT_OK(v().stat(f));
    EXPECT_EQ(st.mtime, 981173106);
    EXPECT_EQ(st.atime, 1262304000);
    FAT_OK(v().set_times(f, std::nullopt, 981173106 + 86400));
    EXPECT_EQ(FAT_OK(v().stat(f)).atime, 1262304000);
    FAT_OK(v().set_times(v().root(), 1, 1)); // the root has no entry: ignored

    FAT_OK(v().set_read_only(f, true));
    EXPECT_TRUE(FAT_OK(v().stat(f)).read_only);

    // Creating an entry updates the directory's modification time.
    NodeId dir = FAT_OK(v().create(v().root(), "d", NodeKind::Directory));
    clock += 100;
    make_file(dir, "x", "x");
    EXPECT_EQ(FAT_OK(v().stat(dir)).mtime, clock / 2 * 2);

    ASSERT_TRUE(unmount_and_check());
    CommandResult r = run("TZ=UTC mdir -i " + quote(m_image) + " ::/times.txt");
    EXPECT_NE(r.output.find("2001-02-04   4:05"), std::string::npos) << r.output;
    r = run("mattrib -i " + quote(m_image) + " ::/times.txt");
    EXPECT_NE(r.output.find("R"), std::string::npos) << r.output;

    remount();
    f = FAT_OK(v().lookup(v().root(), "times.txt"));
    st = FAT_OK(v().stat(f));
    EXPECT_TRUE(st.read_only);
    EXPECT_EQ(st.mtime, 981173106 + 86400);
}

TEST_F(FatVolume, AccessDateOnRead) {
    NodeId f = make_file(v().root(), "a", "a");
    FAT_OK(v().set_times(f, 0, std::nullopt)); // 1980-01-01
    int64_t clock = 1700000000;
    remount({.clock = [&] { return clock; }, .update_access_date_on_read = true});
    f = FAT_OK(v().lookup(v().root(), "a"));
    EXPECT_EQ(FAT_OK(v().stat(f)).atime, 315532800);
    uint8_t byte;
    EXPECT_EQ(FAT_OK(v().read(f, 0, &byte, 1)), 1u);
    EXPECT_EQ(FAT_OK(v().stat(f)).atime, clock / 86400 * 86400);
    EXPECT_TRUE(unmount_and_check());
}

TEST_F(FatVolume, ChangesSurviveARemount) {
    NodeId dir = FAT_OK(v().create(v().root(), "persist", NodeKind::Directory));
    std::vector<uint8_t> data = pattern_bytes(123456, 9);
    NodeId f = FAT_OK(v().create(dir, "data", NodeKind::File));
    FAT_OK(write_all(v(), f, 0, data));
    uint32_t free_now = FAT_OK(v().statfs()).free_clusters;
    remount(); // the destructor syncs
    f = FAT_OK(v().resolve("persist/data"));
    EXPECT_EQ(FAT_OK(read_all(v(), f)), data);
    EXPECT_EQ(FAT_OK(v().statfs()).free_clusters, free_now);
    EXPECT_TRUE(unmount_and_check());
}

TEST_F(FatVolume, WorksInMemoryWithASmallCache) {
    m_volume = {};
    MemoryBlockDevice device(read_host_file(m_image));
    {
        // A cache of 16 sectors forces evictions of dirty FAT and directory sectors.
        auto volume = FAT_OK(Volume::mount(device, {.clock = fixed_clock, .cache_sectors = 16}));
        for (int i = 0; i < 40; ++i) {
            NodeId d = FAT_OK(
                volume->create(volume->root(), "dir " + std::to_string(i), NodeKind::Directory));
            NodeId f = FAT_OK(volume->create(d, "file", NodeKind::File));
            FAT_OK(write_all(*volume, f, 0, pattern_bytes(5000 + i, i)));
        }
        FAT_OK(volume->sync());
    }
    write_host_file(m_image, device.bytes());
    ASSERT_TRUE(fsck_clean(m_image));
    m_volume = FAT_OK(mount_image(m_image));
    for (int i = 0; i < 40; ++i) {
        NodeId f = FAT_OK(v().resolve("dir " + std::to_string(i) + "/file"));
        EXPECT_EQ(FAT_OK(read_all(v(), f)), pattern_bytes(5000 + i, i));
    }
}

namespace {

// A model of the tree: path -> content, directories end with '/'.
using Model = std::map<std::string, std::vector<uint8_t>>;

bool model_has_children(const Model& m, const std::string& dir) {
    auto it = m.upper_bound(dir);
    return it != m.end() && it->first.rfind(dir, 0) == 0;
}

ErrorOr<void> walk_tree(Volume& v, NodeId dir, const std::string& prefix, Model& out) {
    for (auto& e : TRY(v.readdir(dir))) {
        std::string path = prefix + e.name;
        if (e.is_dir) {
            out[path + "/"] = {};
            TRY(walk_tree(v, e.node, path + "/", out));
        } else {
            out[path] = TRY(read_all(v, e.node));
        }
    }
    return {};
}

} // namespace

TEST_F(FatVolume, RandomOperationsMatchAModel) {
    // Names differ by more than case, so the model can compare exactly.
    const std::vector<std::string> pool = {"a",
                                           "B.TXT",
                                           "long file name one.txt",
                                           "Ünïcode ñame",
                                           "dir",
                                           "Other Directory",
                                           "x.y.z",
                                           "readme.txt",
                                           "a name that takes three entries"};
    Model model;
    std::mt19937 rng(42);
    auto pick = [&](auto filter) -> std::optional<std::string> {
        std::vector<std::string> candidates;
        for (auto& [path, content] : model)
            if (filter(path))
                candidates.push_back(path);
        if (candidates.empty())
            return std::nullopt;
        return candidates[rng() % candidates.size()];
    };
    auto is_dir = [](const std::string& p) { return p.back() == '/'; };
    auto pick_dir = [&] {
        auto d = pick(is_dir);
        return d && rng() % 3 ? *d : std::string("/");
    };
    auto trimmed = [](std::string p) {
        if (p.size() > 1 && p.back() == '/')
            p.pop_back();
        return p;
    };
    auto split = [&](const std::string& path, std::string& parent, std::string& name) {
        std::string t = trimmed(path);
        size_t slash = t.rfind('/');
        parent = t.substr(0, slash + 1);
        name = t.substr(slash + 1);
    };
    auto exists = [&](const std::string& dir,
                      const std::string& name) -> std::optional<std::string> {
        if (model.count(dir + name))
            return dir + name;
        if (model.count(dir + name + "/"))
            return dir + name + "/";
        return std::nullopt;
    };
    auto node = [&](const std::string& path) { return FAT_OK(v().resolve(trimmed(path))); };

    for (int step = 0; step < 600; ++step) {
        SCOPED_TRACE("step " + std::to_string(step));
        switch (rng() % 8) {
        case 0:
        case 1: { // create a file or a directory
            std::string dir = pick_dir(), name = pool[rng() % pool.size()];
            bool make_dir = rng() % 4 == 0;
            auto r = v().create(node(dir), name, make_dir ? NodeKind::Directory : NodeKind::File);
            if (exists(dir, name)) {
                EXPECT_EQ(error_code(r), EEXIST);
            } else {
                ASSERT_FALSE(r.is_error()) << r.error().reason();
                model[dir + name + (make_dir ? "/" : "")] = {};
            }
            break;
        }
        case 2:
        case 3: { // write somewhere
            auto f = pick([&](auto& p) { return !is_dir(p); });
            if (!f)
                break;
            auto& content = model[*f];
            size_t at = rng() % (content.size() + 3000), len = rng() % 6000;
            std::vector<uint8_t> data = pattern_bytes(len, step);
            ASSERT_EQ(FAT_OK(v().write(node(*f), at, data.data(), len)), len);
            if (len) {
                if (content.size() < at + len)
                    content.resize(at + len, 0);
                std::copy(data.begin(), data.end(), content.begin() + long(at));
            }
            break;
        }
        case 4: { // truncate
            auto f = pick([&](auto& p) { return !is_dir(p); });
            if (!f)
                break;
            size_t size = rng() % (model[*f].size() * 2 + 1000);
            FAT_OK(v().truncate(node(*f), size));
            model[*f].resize(size, 0);
            break;
        }
        case 5: { // unlink or rmdir
            auto victim = pick([](auto&) { return true; });
            if (!victim)
                break;
            std::string parent, name;
            split(*victim, parent, name);
            if (!is_dir(*victim)) {
                FAT_OK(v().unlink(node(parent), name));
                model.erase(*victim);
            } else if (model_has_children(model, *victim)) {
                EXPECT_EQ(error_code(v().rmdir(node(parent), name)), ENOTEMPTY);
            } else {
                FAT_OK(v().rmdir(node(parent), name));
                model.erase(*victim);
            }
            break;
        }
        default: { // rename
            auto src = pick([](auto&) { return true; });
            if (!src)
                break;
            std::string from_parent, from_name;
            split(*src, from_parent, from_name);
            std::string to_parent = pick_dir(), to_name = pool[rng() % pool.size()];
            auto r = v().rename(node(from_parent), from_name, node(to_parent), to_name);
            auto target = exists(to_parent, to_name);
            if (is_dir(*src) && (to_parent + to_name + "/").rfind(*src, 0) == 0 &&
                to_parent + to_name + "/" != *src) {
                EXPECT_EQ(error_code(r), EINVAL);
            } else if (target && *target == *src) {
                EXPECT_FALSE(r.is_error());
            } else if (target && is_dir(*src) && !is_dir(*target)) {
                EXPECT_EQ(error_code(r), ENOTDIR);
            } else if (target && !is_dir(*src) && is_dir(*target)) {
                EXPECT_EQ(error_code(r), EISDIR);
            } else if (target && is_dir(*target) && model_has_children(model, *target)) {
                EXPECT_EQ(error_code(r), ENOTEMPTY);
            } else {
                ASSERT_FALSE(r.is_error()) << r.error().reason();
                if (target)
                    model.erase(*target);
                std::string to = to_parent + to_name + (is_dir(*src) ? "/" : "");
                Model moved;
                for (auto it = model.begin(); it != model.end();) {
                    if (it->first.rfind(*src, 0) == 0 && (is_dir(*src) || it->first == *src)) {
                        moved[to + it->first.substr(src->size())] = std::move(it->second);
                        it = model.erase(it);
                    } else {
                        ++it;
                    }
                }
                model.merge(moved);
            }
            break;
        }
        }
        if (step % 100 == 99) {
            if (step % 200 == 199)
                remount();
            Model seen;
            FAT_OK(walk_tree(v(), v().root(), "/", seen));
            ASSERT_TRUE(seen == model) << "the volume and the model differ";
        }
    }
    ASSERT_TRUE(unmount_and_check());
    Model listed;
    for (auto& path : mtools_paths())
        listed[path] = path.back() == '/' ? std::vector<uint8_t>() : mcopy_out(path);
    EXPECT_TRUE(listed == model) << "mtools disagrees";
}
