// Interoperability with Debian's dosfstools and mtools: the library reads
// what mtools wrote, mtools and fsck.fat accept what the library wrote.
#include "fat_test_util.h"

#include <algorithm>
#include <map>
#include <set>

using namespace rustos;
using namespace rustos::fat;
using namespace rustos::fat::test;

namespace {

// A tree of files: path -> content; directories end with '/'.
using Tree = std::map<std::string, std::vector<uint8_t>>;

std::vector<uint8_t> bytes_of(const std::string& s) { return {s.begin(), s.end()}; }

Tree sample_tree(uint32_t cluster_size) {
    Tree t;
    t["/readme.txt"] = bytes_of("read me\n");
    t["/UPPER.TXT"] = bytes_of("UPPER\n");
    t["/A long file name with spaces.text"] = bytes_of("long\n");
    t["/Ünïcödé ñame.txt"] = bytes_of("unicode\n");
    t["/empty"] = {};
    t["/big.bin"] = pattern_bytes(3 * 1024 * 1024 + 123, 11); // many clusters
    t["/exact"] = pattern_bytes(cluster_size * 3, 12);        // ends on a cluster boundary
    t["/Dir One/"] = {};
    t["/Dir One/x.y.z"] = bytes_of("dots\n");
    t["/Dir One/Sub Dir/"] = {};
    t["/Dir One/Sub Dir/deep file.txt"] = bytes_of("deep\n");
    t["/Dir One/Sub Dir/another.dat"] = pattern_bytes(70000, 13);
    t["/EmptyDir/"] = {};
    return t;
}

// Everything on the volume, through the library.
ErrorOr<void> walk(Volume& v, NodeId dir, const std::string& prefix, Tree& out, int depth = 0) {
    if (depth > 16)
        return Error(ELOOP, "tree too deep");
    for (auto& e : TRY(v.readdir(dir))) {
        std::string path = prefix + "/" + e.name;
        if (e.is_dir) {
            out[path + "/"] = {};
            TRY(walk(v, e.node, path, out, depth + 1));
        } else {
            out[path] = TRY(read_all(v, e.node));
        }
    }
    return {};
}

ErrorOr<void> build(Volume& v, const Tree& tree) {
    for (auto& [path, content] : tree) {
        bool is_dir = path.back() == '/';
        std::string trimmed = is_dir ? path.substr(0, path.size() - 1) : path;
        size_t slash = trimmed.rfind('/');
        NodeId parent = TRY(v.resolve(trimmed.substr(0, slash)));
        NodeId n = TRY(v.create(parent, trimmed.substr(slash + 1),
                                is_dir ? NodeKind::Directory : NodeKind::File));
        if (!is_dir)
            TRY(write_all(v, n, 0, content));
    }
    return {};
}

struct Layout {
    uint32_t sectors_per_cluster;
    uint32_t kib;
    uint32_t sector_size;
};

class FatTools : public ::testing::TestWithParam<Layout> {
protected:
    void SetUp() override {
        FAT_REQUIRE_TOOLS();
        ASSERT_FALSE(m_dir.path().empty());
        m_image = m_dir.file("vol.img");
        Layout l = GetParam();
        ASSERT_TRUE(make_image(m_image, l.kib, l.sectors_per_cluster, l.sector_size));
        m_cluster_size = l.sectors_per_cluster * l.sector_size;
    }

    std::string img() const { return quote(m_image); }

    // Copies `tree` onto the image with mcopy and mmd.
    void populate_with_mtools(const Tree& tree) {
        for (auto& [path, content] : tree) {
            CommandResult r;
            if (path.back() == '/') {
                r = run("mmd -i " + img() + " " + quote("::" + path.substr(0, path.size() - 1)));
            } else {
                std::string host = m_dir.file("in.bin");
                write_host_file(host, content);
                r = run("mcopy -i " + img() + " " + quote(host) + " " + quote("::" + path));
            }
            ASSERT_EQ(r.status, 0) << path << ": " << r.output;
        }
    }

    // What mtools sees: names from `mdir -/ -b`, contents through mcopy.
    Tree read_with_mtools() {
        Tree t;
        CommandResult r = run("mdir -/ -b -i " + img() + " ::/");
        std::istringstream lines(r.output);
        std::string line;
        std::string host = m_dir.file("out.bin");
        while (std::getline(lines, line)) {
            if (line.rfind("::/", 0) != 0)
                continue;
            std::string path = line.substr(2);
            if (path.back() == '/') {
                t[path] = {};
                continue;
            }
            CommandResult c =
                run("mcopy -n -o -i " + img() + " " + quote("::" + path) + " " + quote(host));
            EXPECT_EQ(c.status, 0) << c.output;
            t[path] = read_host_file(host);
        }
        return t;
    }

    TempDir m_dir;
    std::string m_image;
    uint32_t m_cluster_size = 0;
};

void expect_same_tree(const Tree& actual, const Tree& expected) {
    for (auto& [path, content] : expected) {
        auto it = actual.find(path);
        if (it == actual.end()) {
            ADD_FAILURE() << "missing " << path;
            continue;
        }
        EXPECT_TRUE(it->second == content)
            << path << ": " << it->second.size() << " bytes, expected " << content.size();
    }
    for (auto& [path, content] : actual)
        EXPECT_TRUE(expected.count(path)) << "unexpected " << path;
}

// The chain of `first` read straight from the image's first FAT: lengths
// of its runs of consecutive clusters.
std::vector<uint32_t> runs_on_disk(const std::string& path, uint32_t first) {
    std::vector<uint8_t> image(512);
    std::ifstream in(path, std::ios::binary);
    in.read(reinterpret_cast<char*>(image.data()), 512);
    auto le16 = [&](size_t at) { return uint32_t(image[at] | image[at + 1] << 8); };
    auto le32 = [&](size_t at) { return le16(at) | le16(at + 2) << 16; };
    size_t fat = size_t(le16(14)) * le16(11);
    image.resize(fat + size_t(le32(36)) * le16(11));
    in.seekg(0);
    in.read(reinterpret_cast<char*>(image.data()), std::streamsize(image.size()));
    std::vector<uint32_t> runs;
    for (uint32_t c = first, prev = 0, guard = 0; c < 0x0FFFFFF8 && guard < 1000000; ++guard) {
        if (runs.empty() || c != prev + 1)
            runs.push_back(0);
        ++runs.back();
        prev = c;
        c = le32(fat + size_t(c) * 4) & 0x0FFFFFFF;
    }
    return runs;
}

} // namespace

TEST_P(FatTools, ReadsWhatMtoolsWrote) {
    Tree tree = sample_tree(m_cluster_size);
    populate_with_mtools(tree);
    ASSERT_TRUE(fsck_clean(m_image));

    MountOptions ro;
    ro.read_only = true;
    Mounted m = FAT_OK(mount_image(m_image, ro));
    Volume& v = *m.volume;
    Tree seen;
    FAT_OK(walk(v, v.root(), "", seen));
    expect_same_tree(seen, tree);

    // mtools stored "readme.txt" as a plain 8.3 entry with lower-case
    // flags, the others with long names and ~1 aliases.
    auto root = FAT_OK(v.readdir(v.root()));
    auto find = [&](const std::string& name) {
        return std::find_if(root.begin(), root.end(), [&](auto& e) { return e.name == name; });
    };
    ASSERT_NE(find("readme.txt"), root.end());
    EXPECT_EQ(find("readme.txt")->short_name, "README.TXT");
    ASSERT_NE(find("A long file name with spaces.text"), root.end());
    EXPECT_EQ(find("A long file name with spaces.text")->short_name, "ALONGF~1.TEX");
    EXPECT_EQ(FAT_OK(v.resolve("/alongf~1.tex")),
              FAT_OK(v.resolve("/A LONG FILE NAME WITH SPACES.TEXT")));
    EXPECT_EQ(FAT_OK(v.resolve("/dir one/SUB DIR/Deep File.TXT")),
              FAT_OK(v.resolve("/Dir One/Sub Dir/deep file.txt")));
    Stat big = FAT_OK(v.stat(FAT_OK(v.resolve("/big.bin"))));
    EXPECT_EQ(big.size, tree["/big.bin"].size());
    EXPECT_EQ(big.allocated, (big.size + m_cluster_size - 1) / m_cluster_size * m_cluster_size);
    EXPECT_GT(big.mtime, 1600000000); // mtools stamps the host's time
}

TEST_P(FatTools, MtoolsReadsWhatTheLibraryWrote) {
    Tree tree = sample_tree(m_cluster_size);
    {
        Mounted m = FAT_OK(mount_image(m_image));
        FAT_OK(build(*m.volume, tree));
        FAT_OK(m.volume->sync());
    }
    ASSERT_TRUE(fsck_clean(m_image));
    expect_same_tree(read_with_mtools(), tree);
    CommandResult r = run("TZ=UTC mdir -i " + img() + " ::/");
    EXPECT_NE(r.output.find("2023-11-14  22:13"), std::string::npos) << r.output;

    // mtools changes the volume; the library sees it, changes more, and
    // both agree again.
    std::string host = m_dir.file("added.txt");
    write_host_file(host, bytes_of("added by mtools\n"));
    ASSERT_EQ(
        run("mcopy -i " + img() + " " + quote(host) + " " + quote("::/Dir One/Added by mtools.txt"))
            .status,
        0);
    ASSERT_EQ(run("mmd -i " + img() + " " + quote("::/mtools dir")).status, 0);
    ASSERT_EQ(run("mdel -i " + img() + " " + quote("::/UPPER.TXT")).status, 0);
    tree["/Dir One/Added by mtools.txt"] = bytes_of("added by mtools\n");
    tree["/mtools dir/"] = {};
    tree.erase("/UPPER.TXT");
    {
        Mounted m = FAT_OK(mount_image(m_image));
        Volume& v = *m.volume;
        Tree seen;
        FAT_OK(walk(v, v.root(), "", seen));
        expect_same_tree(seen, tree);
        FAT_OK(v.rename(FAT_OK(v.resolve("/Dir One")), "added by MTOOLS.txt",
                        FAT_OK(v.resolve("/mtools dir")), "moved.txt"));
        FAT_OK(v.unlink(v.root(), "big.bin"));
        FAT_OK(v.rmdir(v.root(), "EmptyDir"));
        NodeId grow = FAT_OK(v.resolve("/Dir One/Sub Dir/another.dat"));
        std::vector<uint8_t> more = pattern_bytes(50000, 14);
        FAT_OK(write_all(v, grow, 70000, more));
        tree["/Dir One/Sub Dir/another.dat"].insert(tree["/Dir One/Sub Dir/another.dat"].end(),
                                                    more.begin(), more.end());
        tree["/mtools dir/moved.txt"] = tree["/Dir One/Added by mtools.txt"];
        tree.erase("/Dir One/Added by mtools.txt");
        tree.erase("/big.bin");
        tree.erase("/EmptyDir/");
    }
    ASSERT_TRUE(fsck_clean(m_image));
    expect_same_tree(read_with_mtools(), tree);
}

TEST_P(FatTools, InterleavedGrowthFragmentsFiles) {
    std::vector<uint8_t> a, b;
    NodeId fa, fb;
    uint32_t free_at_start;
    {
        Mounted m = FAT_OK(mount_image(m_image));
        Volume& v = *m.volume;
        free_at_start = FAT_OK(v.statfs()).free_clusters;
        fa = FAT_OK(v.create(v.root(), "first fragmented file", NodeKind::File));
        fb = FAT_OK(v.create(v.root(), "second fragmented file", NodeKind::File));
        for (uint32_t i = 0; i < 40; ++i) {
            std::vector<uint8_t> pa = pattern_bytes(m_cluster_size * 2 + 100, 100 + i);
            std::vector<uint8_t> pb = pattern_bytes(m_cluster_size + 7, 200 + i);
            FAT_OK(write_all(v, fa, a.size(), pa));
            FAT_OK(write_all(v, fb, b.size(), pb));
            a.insert(a.end(), pa.begin(), pa.end());
            b.insert(b.end(), pb.begin(), pb.end());
        }
        EXPECT_EQ(FAT_OK(read_all(v, fa)), a);
        EXPECT_EQ(FAT_OK(read_all(v, fb)), b);
        FAT_OK(v.sync());

        EXPECT_GT(runs_on_disk(m_image, FAT_OK(v.stat(fa)).first_cluster).size(), 10u);
        EXPECT_GT(runs_on_disk(m_image, FAT_OK(v.stat(fb)).first_cluster).size(), 10u);
    }
    ASSERT_TRUE(fsck_clean(m_image));
    Tree tree = {{"/first fragmented file", a}, {"/second fragmented file", b}};
    expect_same_tree(read_with_mtools(), tree);

    // Deleting one leaves holes; a new file fills them (and continues past them).
    {
        Mounted m = FAT_OK(mount_image(m_image));
        Volume& v = *m.volume;
        FAT_OK(v.unlink(v.root(), "first fragmented file"));
        NodeId fc = FAT_OK(v.create(v.root(), "third", NodeKind::File));
        std::vector<uint8_t> c = pattern_bytes(a.size() + 5 * m_cluster_size, 300);
        FAT_OK(write_all(v, fc, 0, c));
        EXPECT_EQ(FAT_OK(read_all(v, fc)), c);
        tree.erase("/first fragmented file");
        tree["/third"] = c;
        // Truncate the fragmented file into the middle of a run, then grow it again.
        NodeId sb = FAT_OK(v.lookup(v.root(), "second fragmented file"));
        FAT_OK(v.truncate(sb, b.size() / 2 + 3));
        b.resize(b.size() / 2 + 3);
        FAT_OK(write_all(v, sb, b.size() + 1000, pattern_bytes(100, 301)));
        b.resize(b.size() + 1000, 0);
        auto tail = pattern_bytes(100, 301);
        b.insert(b.end(), tail.begin(), tail.end());
        tree["/second fragmented file"] = b;
        EXPECT_EQ(FAT_OK(read_all(v, sb)), b);
    }
    ASSERT_TRUE(fsck_clean(m_image));
    expect_same_tree(read_with_mtools(), tree);

    // Everything deleted: the free count is back where it started.
    {
        Mounted m = FAT_OK(mount_image(m_image));
        Volume& v = *m.volume;
        FAT_OK(v.unlink(v.root(), "third"));
        FAT_OK(v.unlink(v.root(), "second fragmented file"));
        EXPECT_EQ(FAT_OK(v.statfs()).free_clusters, free_at_start);
    }
    ASSERT_TRUE(fsck_clean(m_image));
}

TEST_P(FatTools, FillingTheVolumeEndsInEnospcAndStaysConsistent) {
    uint64_t expected_size = 0;
    {
        Mounted m = FAT_OK(mount_image(m_image));
        Volume& v = *m.volume;
        NodeId dir = FAT_OK(v.create(v.root(), "dir", NodeKind::Directory));
        NodeId f = FAT_OK(v.create(v.root(), "filler", NodeKind::File));
        std::vector<uint8_t> chunk = pattern_bytes(1 << 20, 400);
        bool short_write = false;
        for (int i = 0; i < 1000; ++i) {
            auto n = v.write(f, expected_size, chunk.data(), chunk.size());
            if (n.is_error()) {
                EXPECT_EQ(n.error().code(), ENOSPC) << n.error().reason();
                break;
            }
            expected_size += n.value();
            if (n.value() < chunk.size())
                short_write = true;
        }
        EXPECT_TRUE(short_write);
        EXPECT_EQ(FAT_OK(v.statfs()).free_clusters, 0u);
        EXPECT_EQ(FAT_OK(v.stat(f)).size, expected_size);
        EXPECT_EQ(expected_size % m_cluster_size, 0u);

        // Everything that needs a cluster fails and changes nothing.
        uint8_t byte = 1;
        EXPECT_EQ(error_code(v.write(f, expected_size, &byte, 1)), ENOSPC);
        EXPECT_EQ(error_code(v.create(v.root(), "new dir", NodeKind::Directory)), ENOSPC);
        NodeId empty = FAT_OK(v.create(v.root(), "empty file fits", NodeKind::File));
        EXPECT_EQ(error_code(v.write(empty, 0, &byte, 1)), ENOSPC);
        EXPECT_EQ(error_code(v.truncate(empty, 10)), ENOSPC);
        EXPECT_EQ(FAT_OK(v.stat(empty)).size, 0u);
        EXPECT_EQ(error_code(v.write(empty, 5000, &byte, 1)), ENOSPC);
        EXPECT_EQ(FAT_OK(v.stat(empty)).first_cluster, 0u);
        // A directory that needs another cluster for the entry cannot grow.
        int created = 0;
        for (; created < 200; ++created) {
            auto r =
                v.create(dir, "a long name that needs several entries " + std::to_string(created),
                         NodeKind::File);
            if (r.is_error()) {
                EXPECT_EQ(r.error().code(), ENOSPC);
                break;
            }
        }
        EXPECT_LT(created, 200);
        FAT_OK(v.sync());
        EXPECT_EQ(FAT_OK(v.statfs()).free_clusters, 0u);
    }
    ASSERT_TRUE(fsck_clean(m_image));
    CommandResult r = run("mdir -i " + img() + " ::/filler");
    EXPECT_NE(r.output.find(std::to_string(expected_size)), std::string::npos)
        << expected_size << "\n"
        << r.output;
    {
        Mounted m = FAT_OK(mount_image(m_image));
        Volume& v = *m.volume;
        NodeId f = FAT_OK(v.lookup(v.root(), "filler"));
        std::vector<uint8_t> tail(4096);
        uint64_t at = expected_size - tail.size();
        EXPECT_EQ(FAT_OK(v.read(f, at, tail.data(), tail.size())), tail.size());
        std::vector<uint8_t> chunk = pattern_bytes(1 << 20, 400);
        EXPECT_TRUE(std::equal(tail.begin(), tail.end(), chunk.begin() + long(at % chunk.size())));
        FAT_OK(v.unlink(v.root(), "filler"));
        FsStat fs = FAT_OK(v.statfs());
        EXPECT_GT(fs.free_clusters, fs.total_clusters - 100);
    }
    ASSERT_TRUE(fsck_clean(m_image));
}

INSTANTIATE_TEST_SUITE_P(Fat, FatTools,
                         ::testing::Values(Layout{1, 40960, 512}, Layout{8, 300 * 1024, 512},
                                           Layout{1, 300 * 1024, 4096}),
                         [](const ::testing::TestParamInfo<Layout>& info) {
                             return std::to_string(info.param.sector_size) + "B_sectors_" +
                                    std::to_string(info.param.sectors_per_cluster) + "_per_cluster";
                         });
