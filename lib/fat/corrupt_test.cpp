// Damaged and malicious volumes: refused with an error, never a crash or a
// hang (the tests run under ASan/UBSan; a loop would time out).
#include "fat_test_util.h"

#include <cstring>

using namespace rustos;
using namespace rustos::fat;
using namespace rustos::fat::test;

namespace {

uint32_t get16(const std::vector<uint8_t>& b, size_t at) { return b[at] | b[at + 1] << 8; }
uint32_t get32(const std::vector<uint8_t>& b, size_t at) {
    return get16(b, at) | get16(b, at + 2) << 16;
}
void put16(std::vector<uint8_t>& b, size_t at, uint32_t v) {
    b[at] = uint8_t(v);
    b[at + 1] = uint8_t(v >> 8);
}
void put32(std::vector<uint8_t>& b, size_t at, uint32_t v) {
    put16(b, at, v & 0xFFFF);
    put16(b, at + 2, v >> 16);
}

// A small volume (4 MiB, 512-byte clusters, made by mkfs.fat and filled by
// the library: mtools refuses FAT32 volumes this small), held in memory;
// each test damages a copy.
class FatCorrupt : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        if (!have_fat_tools())
            return;
        TempDir dir;
        std::string image = dir.file("small.img");
        if (!make_image(image, 4096, 1))
            return;
        auto filled = [&]() -> ErrorOr<void> {
            Mounted m = TRY(mount_image(image));
            Volume& v = *m.volume;
            NodeId sub = TRY(v.create(v.root(), "sub", NodeKind::Directory));
            TRY(write_all(v, TRY(v.create(v.root(), "file.bin", NodeKind::File)), 0,
                          pattern_bytes(5000, 1)));
            TRY(write_all(v, TRY(v.create(v.root(), "Long Name File.txt", NodeKind::File)), 0,
                          pattern_bytes(100, 2)));
            TRY(write_all(v, TRY(v.create(sub, "inner.txt", NodeKind::File)), 0,
                          pattern_bytes(300, 3)));
            return v.sync();
        }();
        if (filled.is_error() || !fsck_clean(image))
            return;
        s_pristine = new std::vector<uint8_t>(read_host_file(image));
    }
    static void TearDownTestSuite() {
        delete s_pristine;
        s_pristine = nullptr;
    }

    void SetUp() override {
        FAT_REQUIRE_TOOLS();
        ASSERT_NE(s_pristine, nullptr) << "could not build the test image";
        m_image = *s_pristine;
    }

    size_t bytes_per_sector() const { return get16(m_image, 11); }
    size_t fat_offset() const { return get16(m_image, 14) * bytes_per_sector(); }
    size_t fat_bytes() const { return size_t(get32(m_image, 36)) * bytes_per_sector(); }
    size_t cluster_offset(uint32_t c) const {
        size_t data = fat_offset() + m_image[16] * fat_bytes();
        return data + size_t(c - 2) * m_image[13] * bytes_per_sector();
    }
    uint32_t root_cluster() const { return get32(m_image, 44); }
    // Sets the entry in every FAT.
    void set_fat(uint32_t cluster, uint32_t value) {
        for (size_t f = 0; f < m_image[16]; ++f)
            put32(m_image, fat_offset() + f * fat_bytes() + cluster * 4, value);
    }
    uint32_t get_fat(uint32_t cluster) const { return get32(m_image, fat_offset() + cluster * 4); }
    // The short entry named `raw` (11 bytes) in the first cluster of a directory.
    size_t entry(uint32_t dir_cluster, const char* raw) {
        size_t at = cluster_offset(dir_cluster);
        for (size_t i = 0; i < 16; ++i)
            if (!std::memcmp(&m_image[at + i * 32], raw, 11))
                return at + i * 32;
        ADD_FAILURE() << "no entry " << raw;
        return at;
    }
    uint32_t entry_cluster(size_t e) const {
        return get16(m_image, e + 20) << 16 | get16(m_image, e + 26);
    }
    // The last cluster of the chain from `c` (in an undamaged FAT).
    uint32_t last_of(uint32_t c) const {
        while (get_fat(c) < 0x0FFFFFF8)
            c = get_fat(c);
        return c;
    }

    // Devices stay alive with the fixture: a test may still hold the
    // volume of the previous mount when it mounts again.
    ErrorOr<std::unique_ptr<Volume>> mount(bool read_only = false) {
        m_devices.push_back(std::make_unique<MemoryBlockDevice>(m_image));
        m_device = m_devices.back().get();
        return Volume::mount(*m_device, {.read_only = read_only, .clock = fixed_clock});
    }

    // Mounting fails with `code`; the reason is printed for the reader.
    void expect_refused(int code, const char* what) {
        auto v = mount();
        ASSERT_TRUE(v.is_error()) << what;
        EXPECT_EQ(v.error().code(), code) << what << ": " << v.error().reason();
        EXPECT_EQ(std::string(v.error().reason()).rfind("fat: ", 0), 0u) << v.error().reason();
    }

    static std::vector<uint8_t>* s_pristine;
    std::vector<uint8_t> m_image;
    std::vector<std::unique_ptr<MemoryBlockDevice>> m_devices;
    MemoryBlockDevice* m_device = nullptr;
};

std::vector<uint8_t>* FatCorrupt::s_pristine = nullptr;

} // namespace

TEST_F(FatCorrupt, PristineImageMounts) {
    auto v = FAT_OK(mount());
    EXPECT_EQ(FAT_OK(v->readdir(v->root())).size(), 3u);
    EXPECT_EQ(FAT_OK(read_all(*v, FAT_OK(v->resolve("/file.bin")))), pattern_bytes(5000, 1));
}

TEST_F(FatCorrupt, ZeroedBootSectorIsRefused) {
    std::fill(m_image.begin(), m_image.begin() + 512, 0);
    expect_refused(EINVAL, "zeroed boot sector");
}

TEST_F(FatCorrupt, BadBpbFieldsAreRefused) {
    // mkfs.fat put this small volume's size in the 16-bit field; move it to
    // the 32-bit one so the table can damage it.
    put32(m_image, 32, get16(m_image, 19));
    put16(m_image, 19, 0);
    struct Patch {
        const char* what;
        size_t offset;
        int width;
        uint32_t value;
        int code;
    };
    const Patch patches[] = {
        {"no signature", 510, 2, 0, EINVAL},
        {"0 bytes per sector", 11, 2, 0, EINVAL},
        {"1000 bytes per sector", 11, 2, 1000, EINVAL},
        {"8192 bytes per sector", 11, 2, 8192, EINVAL},
        {"0 sectors per cluster", 13, 1, 0, EINVAL},
        {"3 sectors per cluster", 13, 1, 3, EINVAL},
        {"no reserved sectors", 14, 2, 0, EINVAL},
        {"no FATs", 16, 1, 0, EINVAL},
        {"FAT16 root entries", 17, 2, 512, EINVAL},
        {"FAT16 FAT size", 22, 2, 32, EINVAL},
        {"no FAT32 size", 36, 4, 0, EINVAL},
        {"FAT too small for the clusters", 36, 4, 1, EINVAL},
        {"FATs past the end", 36, 4, 0x100000, EINVAL},
        {"no sectors", 32, 4, 0, EINVAL},
        {"more sectors than the device", 32, 4, get32(m_image, 32) + 16, EIO},
        {"media byte", 21, 1, 0x12, EINVAL},
        {"FAT32 version", 42, 2, 0x0100, EINVAL},
        {"root cluster 0", 44, 4, 0, EINVAL},
        {"root cluster 1", 44, 4, 1, EINVAL},
        {"root cluster past the end", 44, 4, 0x0FFFFFF0, EINVAL},
        {"active FAT 5 of 2", 40, 2, 0x85, EINVAL},
    };
    const std::vector<uint8_t> good = m_image;
    for (const Patch& p : patches) {
        m_image = good;
        if (p.width == 1)
            m_image[p.offset] = uint8_t(p.value);
        else if (p.width == 2)
            put16(m_image, p.offset, p.value);
        else
            put32(m_image, p.offset, p.value);
        expect_refused(p.code, p.what);
    }
    m_image = good;
    put16(m_image, 11, 4096);
    m_image[13] = 32;
    expect_refused(EINVAL, "128 KiB clusters");
}

TEST_F(FatCorrupt, TruncatedDeviceIsRefused) {
    std::vector<uint8_t> full = m_image;
    m_image.resize(full.size() / 2);
    expect_refused(EIO, "half the image");
    m_image.resize(100);
    expect_refused(EINVAL, "less than a sector");
    // The same through a host file.
    TempDir dir;
    std::string path = dir.file("cut.img");
    write_host_file(path,
                    std::vector<uint8_t>(full.begin(), full.begin() + long(full.size()) - 512));
    auto m = mount_image(path);
    ASSERT_TRUE(m.is_error());
    EXPECT_EQ(m.error().code(), EIO) << m.error().reason();
    EXPECT_EQ(error_code(mount_image(dir.file("does-not-exist"))), ENOENT);
}

TEST_F(FatCorrupt, LoopInAFileChainIsDetected) {
    uint32_t first = entry_cluster(entry(root_cluster(), "FILE    BIN"));
    set_fat(last_of(first), first);
    auto v = FAT_OK(mount());
    NodeId f = FAT_OK(v->resolve("/file.bin"));
    uint8_t buf[16];
    auto r = v->read(f, 0, buf, sizeof buf);
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error().code(), EIO);
    EXPECT_NE(std::string(r.error().reason()).find("/file.bin loops"), std::string::npos)
        << r.error().reason();
    // Nothing that would follow the chain goes ahead; the rest still works.
    uint32_t free_before = FAT_OK(v->statfs()).free_clusters;
    EXPECT_EQ(error_code(v->unlink(v->root(), "file.bin")), EIO);
    EXPECT_EQ(error_code(v->truncate(f, 0)), EIO);
    EXPECT_EQ(error_code(v->write(f, 0, buf, 1)), EIO);
    EXPECT_EQ(FAT_OK(v->statfs()).free_clusters, free_before);
    EXPECT_EQ(FAT_OK(read_all(*v, FAT_OK(v->resolve("/sub/inner.txt")))), pattern_bytes(300, 3));
    EXPECT_EQ(FAT_OK(v->resolve("/file.bin")), f);

    // A cluster pointing at itself.
    m_image = *s_pristine;
    set_fat(first, first);
    v = FAT_OK(mount());
    EXPECT_EQ(error_code(v->read(FAT_OK(v->resolve("/file.bin")), 0, buf, 1)), EIO);
}

TEST_F(FatCorrupt, LoopInTheRootDirectoryIsRefused) {
    set_fat(root_cluster(), root_cluster());
    expect_refused(EIO, "root directory chain loops");
}

TEST_F(FatCorrupt, LoopInASubdirectoryIsDetected) {
    uint32_t sub = entry_cluster(entry(root_cluster(), "SUB        "));
    set_fat(sub, sub);
    auto v = FAT_OK(mount());
    NodeId d = FAT_OK(v->lookup(v->root(), "sub"));
    EXPECT_EQ(error_code(v->readdir(d)), EIO);
    EXPECT_EQ(error_code(v->lookup(d, "inner.txt")), EIO);
    EXPECT_EQ(error_code(v->create(d, "new", NodeKind::File)), EIO);
    EXPECT_EQ(error_code(v->rmdir(v->root(), "sub")), EIO);
    EXPECT_EQ(FAT_OK(v->readdir(v->root())).size(), 3u);
}

TEST_F(FatCorrupt, BrokenChainsAreDetected) {
    uint32_t first = entry_cluster(entry(root_cluster(), "FILE    BIN"));
    const uint32_t bad_links[] = {0x0FFFFFF0, 0x00FFFFFF, 0, 1, 0x0FFFFFF7};
    for (uint32_t link : bad_links) {
        m_image = *s_pristine;
        set_fat(first, link);
        auto v = FAT_OK(mount());
        uint8_t buf[16];
        auto r = v->read(FAT_OK(v->resolve("/file.bin")), 0, buf, sizeof buf);
        ASSERT_TRUE(r.is_error()) << std::hex << link;
        EXPECT_EQ(r.error().code(), EIO);
        EXPECT_NE(std::string(r.error().reason()).find("broken at cluster"), std::string::npos)
            << r.error().reason();
    }
    // The top 4 bits of an entry are reserved: ignored on read, kept on write.
    m_image = *s_pristine;
    set_fat(first, get_fat(first) | 0xF0000000);
    auto v = FAT_OK(mount());
    NodeId f = FAT_OK(v->resolve("/file.bin"));
    EXPECT_EQ(FAT_OK(read_all(*v, f)), pattern_bytes(5000, 1));
    FAT_OK(v->truncate(f, 100));
    FAT_OK(v->sync());
    EXPECT_EQ(m_device->bytes()[fat_offset() + first * 4 + 3] & 0xF0, 0xF0);
}

TEST_F(FatCorrupt, BadDirectoryEntriesAreRefused) {
    size_t file = entry(root_cluster(), "FILE    BIN");
    size_t sub = entry(root_cluster(), "SUB        ");
    auto expect_eio = [&](const char* what, const char* path) {
        auto v = FAT_OK(mount());
        auto r = v->resolve(path);
        ASSERT_TRUE(r.is_error()) << what;
        EXPECT_EQ(r.error().code(), EIO) << what << ": " << r.error().reason();
        EXPECT_EQ(error_code(v->readdir(v->root())), EIO) << what;
    };
    put16(m_image, file + 20, 0x0FFF); // cluster 0x0FFFxxxx
    expect_eio("file cluster out of range", "/file.bin");
    m_image = *s_pristine;
    put16(m_image, file + 20, 0);
    put16(m_image, file + 26, 0); // no cluster, 5000 bytes
    expect_eio("sized file without a cluster", "/file.bin");
    m_image = *s_pristine;
    put16(m_image, sub + 26, 0); // a directory without a cluster
    expect_eio("directory without a cluster", "/sub");
    m_image = *s_pristine;
    put16(m_image, sub + 26, uint16_t(root_cluster())); // a directory that is the root again
    expect_eio("directory cycle", "/sub");

    // A size larger than the chain: found when the file is used.
    m_image = *s_pristine;
    put32(m_image, file + 28, 1 << 20);
    auto v = FAT_OK(mount());
    NodeId f = FAT_OK(v->resolve("/file.bin"));
    uint8_t byte;
    auto r = v->read(f, 0, &byte, 1);
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error().code(), EIO);
    EXPECT_NE(std::string(r.error().reason()).find("chain holds only"), std::string::npos)
        << r.error().reason();
}

TEST_F(FatCorrupt, DamagedLongNamesFallBackToTheShortName) {
    size_t alias = entry(root_cluster(), "LONGNA~1TXT");
    m_image[alias - 32 + 13] ^= 0xFF; // the checksum of one long-name entry
    auto v = FAT_OK(mount());
    auto entries = FAT_OK(v->readdir(v->root()));
    ASSERT_EQ(entries.size(), 3u);
    EXPECT_EQ(entries[2].name, "LONGNA~1.TXT");
    EXPECT_EQ(FAT_OK(read_all(*v, FAT_OK(v->resolve("/longna~1.txt")))), pattern_bytes(100, 2));
    EXPECT_EQ(error_code(v->resolve("/Long Name File.txt")), ENOENT);
    FAT_OK(v->unlink(v->root(), "LONGNA~1.TXT"));
    EXPECT_EQ(FAT_OK(v->readdir(v->root())).size(), 2u);

    // A long name with a '/' in it is never handed up.
    m_image = *s_pristine;
    m_image[alias - 64 + 1] = '/';
    m_image[alias - 64 + 2] = 0;
    v = FAT_OK(mount());
    EXPECT_EQ(FAT_OK(v->readdir(v->root()))[2].name, "LONGNA~1.TXT");
}

TEST_F(FatCorrupt, WrongFsInfoIsNotTrusted) {
    // An impossible free count is recounted; a wrong hint is ignored.
    put32(m_image, 512 + 488, 0x7FFFFFFF);
    put32(m_image, 512 + 492, 0x0FFFFFF0);
    auto v = FAT_OK(mount());
    uint32_t free = FAT_OK(v->statfs()).free_clusters;
    NodeId f = FAT_OK(v->create(v->root(), "x", NodeKind::File));
    FAT_OK(write_all(*v, f, 0, pattern_bytes(1000, 5)));
    EXPECT_EQ(FAT_OK(v->statfs()).free_clusters, free - 2);
    FAT_OK(v->sync());
    TempDir dir;
    write_host_file(dir.file("v.img"), m_device->bytes());
    EXPECT_TRUE(fsck_clean(dir.file("v.img")));
    // Bad signatures: FSInfo is neither read nor written.
    m_image = *s_pristine;
    put32(m_image, 512, 0);
    v = FAT_OK(mount());
    FAT_OK(v->create(v->root(), "y", NodeKind::Directory));
    FAT_OK(v->sync());
    EXPECT_EQ(get32(m_device->bytes(), 512 + 488), get32(*s_pristine, 512 + 488));
}

TEST_F(FatCorrupt, FsckHelperNoticesDamage) {
    // The judge of the other tests must itself see a problem.
    TempDir dir;
    std::string path = dir.file("bad.img");
    put32(m_image, 512 + 488, get32(m_image, 512 + 488) - 5);
    write_host_file(path, m_image);
    EXPECT_FALSE(fsck_clean(path));
    write_host_file(path, *s_pristine);
    EXPECT_TRUE(fsck_clean(path));
}

TEST_F(FatCorrupt, RandomDamageNeverCrashes) {
    // Random bytes in the boot sector, the FAT and the directories, then
    // everything the API offers. Errors are fine; crashes and hangs are not.
    // Offsets from the undamaged boot sector.
    const size_t fat_start = fat_offset();
    const size_t fat_used = 64 * 4;
    const size_t dirs = cluster_offset(root_cluster());
    std::mt19937 rng(1234);
    int mounted = 0;
    MemoryBlockDevice device(*s_pristine); // reused: big allocations are slow under ASan
    std::vector<uint8_t>& image = device.bytes();
    for (int round = 0; round < 600; ++round) {
        std::copy(s_pristine->begin(), s_pristine->end(), image.begin());
        int damage = 1 + int(rng() % 6);
        for (int i = 0; i < damage; ++i) {
            size_t at;
            switch (rng() % 3) {
            case 0:
                at = rng() % 96;
                break;
            case 1:
                at = fat_start + rng() % fat_used;
                break;
            default:
                at = dirs + rng() % (8 * 512);
                break;
            }
            image[at] = uint8_t(rng() % 4 == 0 ? 0xFF : rng());
        }
        auto v = Volume::mount(device, {.clock = fixed_clock});
        if (v.is_error())
            continue;
        ++mounted;
        Volume& vol = *v.value();
        std::vector<NodeId> dirs_to_visit = {vol.root()};
        std::vector<NodeId> files;
        for (size_t d = 0; d < dirs_to_visit.size() && d < 50; ++d) {
            auto entries = vol.readdir(dirs_to_visit[d]);
            if (entries.is_error())
                continue;
            for (auto& e : entries.value()) {
                (e.is_dir ? dirs_to_visit : files).push_back(e.node);
                auto again = vol.lookup(dirs_to_visit[d], e.name);
                (void)again;
            }
        }
        std::vector<uint8_t> buffer(65536);
        for (NodeId f : files) { // bounded: a damaged size may claim gigabytes
            for (uint64_t at = 0; at < (1 << 20);) {
                auto n = vol.read(f, at, buffer.data(), buffer.size());
                if (n.is_error() || !n.value())
                    break;
                at += n.value();
            }
        }
        std::vector<uint8_t> data = pattern_bytes(3000, round);
        for (NodeId d : dirs_to_visit) {
            auto created = vol.create(d, "fuzz file", NodeKind::File);
            if (!created.is_error()) {
                auto w = write_all(vol, created.value(), 100, data);
                (void)w;
            }
            auto made = vol.create(d, "fuzz dir", NodeKind::Directory);
            (void)made;
            auto renamed = vol.rename(d, "fuzz file", vol.root(), "renamed fuzz file");
            (void)renamed;
        }
        for (NodeId f : files) {
            auto t = vol.truncate(f, 1);
            auto w = vol.write(f, 10000, data.data(), data.size());
            (void)t, (void)w;
        }
        auto top = vol.readdir(vol.root());
        for (auto& e : top.is_error() ? std::vector<DirEntry>() : top.value()) {
            auto r = e.is_dir ? vol.rmdir(vol.root(), e.name) : vol.unlink(vol.root(), e.name);
            (void)r;
        }
        auto st = vol.statfs();
        auto synced = vol.sync();
        (void)st, (void)synced;
    }
    EXPECT_GT(mounted, 100); // the damage was not all in the boot sector
}
