// FAT32 volumes in vfsd's namespace: an image made by mkfs.fat, mounted
// with mount_fat on /mnt and driven through vfsd's Linux calls, checked
// against what Linux's vfat does (as root, which every vfsd caller is), then
// unmounted and judged by fsck.fat and mtools.
#include "test_support.h"

#include "fatfs.h"

#include "../../lib/fat/fat_test_util.h"

#include <dirent.h>
#include <linux/magic.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <set>
#include <sstream>

using namespace vfsd;
using namespace vfsd::test;
namespace fat = rustos::fat;
namespace ft = rustos::fat::test;

namespace {

// 33 MiB with one 512-byte sector per cluster: 66512 clusters, enough for
// mtools to take the volume for FAT32.
constexpr uint32_t kImageKiB = 33 * 1024;

class VfsdFat : public VfsHarness {
protected:
    void SetUp() override {
        FAT_REQUIRE_TOOLS();
        ASSERT_FALSE(m_dir.path().empty());
        image = m_dir.file("vol.img");
        ASSERT_TRUE(ft::make_image(image, kImageKiB, 1));
        mount();
    }
    void TearDown() override {
        if (!mounted.expired())
            unmount(); // before the image's directory goes
    }

    // Mounts the image on /mnt.
    void mount(bool read_only = false) {
        auto device = fat::FileBlockDevice::open(image, 0, 0, read_only);
        ASSERT_FALSE(device.is_error()) << device.error().reason();
        FatOptions options;
        options.read_only = read_only;
        auto r = mount_fat(device.release_value(), std::move(options));
        ASSERT_FALSE(r.is_error()) << r.error().reason();
        mounted = r.value();
        ASSERT_FALSE(root->attach("mnt", r.value()).is_error());
    }

    // Lets go of everything that holds the volume (the process with its
    // fds and cwd, the namespace with /mnt): the volume is written back
    // and the image closed.
    void unmount() {
        vfs.procs.remove(kPid);
        root = make_memfs_root(0755);
        tmp = make_memfs_root(01777);
        ASSERT_FALSE(root->attach("tmp", tmp).is_error());
        vfs.ns.set_root(root);
        vfs.procs.initial_cwd = vfs.ns.root();
        ASSERT_TRUE(mounted.expired()) << "the volume is still in use";
    }

    std::string img() const { return ft::quote(image); }
    std::string mtype(const std::string& path) {
        ft::CommandResult r = ft::run("mtype -i " + img() + " " + ft::quote("::" + path));
        EXPECT_EQ(r.status, 0) << path << ": " << r.output;
        return r.output;
    }
    // Every path mtools sees, directories with a trailing '/'.
    std::set<std::string> mdir() { return ft::mtools_paths(image); }

    int64_t lseek(int64_t fd, int64_t off, int whence) {
        return sys(LinuxSyscall::lseek, {uint64_t(fd), uint64_t(off), uint64_t(whence)});
    }
    std::string pread(int64_t fd, size_t n, uint64_t offset) {
        sys(LinuxSyscall::pread64, {uint64_t(fd), 0, n, offset});
        return output(1);
    }
    int64_t ftruncate(int64_t fd, uint64_t size) {
        return sys(LinuxSyscall::ftruncate, {uint64_t(fd), size});
    }
    int64_t chmod(std::string_view path, uint32_t mode) {
        return sys(LinuxSyscall::chmod, {0, mode}, {{0, std::string(path)}});
    }
    int64_t utimensat(std::string_view path, const struct timespec (&times)[2]) {
        return sys(LinuxSyscall::utimensat, {at(AT_FDCWD), 0, 0, 0},
                   {{1, std::string(path)}, {2, bytes_of(times)}});
    }
    int64_t mknod(std::string_view path, uint32_t mode) {
        return sys(LinuxSyscall::mknod, {0, mode}, {{0, std::string(path)}});
    }
    int64_t link(std::string_view from, std::string_view to) {
        return sys(LinuxSyscall::link, {0, 0}, {{0, std::string(from)}, {1, std::string(to)}});
    }
    int64_t statfs(std::string_view path, struct statfs* out) {
        int64_t r = sys(LinuxSyscall::statfs, {0, 1}, {{0, std::string(path)}});
        *out = value_of<struct statfs>(output(1));
        return r;
    }
    mode_t mode_of(std::string_view path) {
        struct stat st {};
        EXPECT_EQ(stat(path, &st), 0) << path;
        return st.st_mode;
    }
    uint64_t ino_of(std::string_view path) {
        struct stat st {};
        EXPECT_EQ(stat(path, &st), 0) << path;
        return st.st_ino;
    }
    // getdents64 on an open directory until the end: (name, d_type) in order.
    std::vector<std::pair<std::string, int>> list_fd(int64_t fd) {
        std::vector<std::pair<std::string, int>> out;
        for (;;) {
            int64_t n = sys(LinuxSyscall::getdents64, {uint64_t(fd), 0, 4096});
            EXPECT_GE(n, 0);
            if (n <= 0)
                return out;
            std::string buf = output(1);
            for (size_t pos = 0; pos + 19 <= buf.size();) {
                uint16_t reclen;
                std::memcpy(&reclen, buf.data() + pos + 16, 2);
                out.push_back({std::string(buf.c_str() + pos + 19), int(uint8_t(buf[pos + 18]))});
                pos += reclen;
            }
        }
    }
    std::vector<std::string> names(std::string_view dir) {
        int64_t fd = open(dir, O_RDONLY | O_DIRECTORY);
        EXPECT_GE(fd, 0) << dir;
        std::vector<std::string> out;
        for (auto& [name, type] : list_fd(fd))
            out.push_back(name);
        close(fd);
        return out;
    }

    ft::TempDir m_dir;
    std::string image;
    std::weak_ptr<Node> mounted;
};

TEST_F(VfsdFat, OpenReadWriteSeek) {
    int64_t fd = open("/mnt/hello.txt", O_RDWR | O_CREAT | O_EXCL, 0644);
    ASSERT_GE(fd, 0);
    EXPECT_EQ(open("/mnt/hello.txt", O_RDWR | O_CREAT | O_EXCL), -EEXIST);
    EXPECT_EQ(write(fd, "Hello, FAT!\n"), 12);
    EXPECT_EQ(lseek(fd, 0, SEEK_SET), 0);
    EXPECT_EQ(read(fd, 5), "Hello");
    EXPECT_EQ(pread(fd, 4, 7), "FAT!");
    EXPECT_EQ(read(fd, 100), ", FAT!\n");
    EXPECT_EQ(read(fd, 100), "");
    EXPECT_EQ(lseek(fd, 0, SEEK_END), 12);
    // FAT has no holes: the gap a write past the end leaves reads as zeros.
    EXPECT_EQ(lseek(fd, 20, SEEK_SET), 20);
    EXPECT_EQ(write(fd, "tail"), 4);
    EXPECT_EQ(get_file("/mnt/hello.txt"), std::string("Hello, FAT!\n\0\0\0\0\0\0\0\0tail", 24));

    int64_t trunc = open("/mnt/hello.txt", O_WRONLY | O_TRUNC);
    ASSERT_GE(trunc, 0);
    EXPECT_EQ(get_file("/mnt/hello.txt"), "");
    EXPECT_EQ(write(trunc, "abc"), 3);
    int64_t append = open("/mnt/hello.txt", O_WRONLY | O_APPEND);
    EXPECT_EQ(lseek(append, 0, SEEK_SET), 0);
    EXPECT_EQ(write(append, "de"), 2); // at the end whatever the offset
    EXPECT_EQ(get_file("/mnt/hello.txt"), "abcde");

    // Many clusters, written in pieces that do not line up with them.
    std::vector<uint8_t> pattern = ft::pattern_bytes(300000, 7);
    std::string big(pattern.begin(), pattern.end());
    int64_t b = open("/mnt/big.bin", O_WRONLY | O_CREAT);
    for (size_t pos = 0; pos < big.size(); pos += 70001)
        ASSERT_EQ(write(b, std::string_view(big).substr(pos, 70001)),
                  int64_t(std::min<size_t>(70001, big.size() - pos)));
    int64_t rb = open("/mnt/big.bin", O_RDONLY);
    EXPECT_EQ(pread(rb, 1000, 123456), big.substr(123456, 1000));

    unmount();
    EXPECT_TRUE(ft::fsck_clean(image));
    EXPECT_EQ(mtype("/hello.txt"), "abcde");
    EXPECT_TRUE(mtype("/big.bin") == big);
}

TEST_F(VfsdFat, DirectoriesAndLongNames) {
    ASSERT_EQ(mkdir("/mnt/Sub Dir"), 0);
    put_file("/mnt/Sub Dir/A long file name.txt", "long\n");
    put_file("/mnt/café.txt", "café\n");
    put_file("/mnt/short.txt", "s");
    ASSERT_EQ(mkdir("/mnt/Sub Dir/nested"), 0);

    int64_t fd = open("/mnt", O_RDONLY | O_DIRECTORY);
    auto list = list_fd(fd);
    std::vector<std::pair<std::string, int>> expected = {{".", DT_DIR},
                                                         {"..", DT_DIR},
                                                         {"Sub Dir", DT_DIR},
                                                         {"café.txt", DT_REG},
                                                         {"short.txt", DT_REG}};
    EXPECT_EQ(list, expected);
    EXPECT_EQ(names("/mnt/Sub Dir"),
              (std::vector<std::string>{".", "..", "A long file name.txt", "nested"}));
    EXPECT_EQ(get_file("/mnt/café.txt"), "café\n");
    EXPECT_EQ(get_file("/mnt/Sub Dir/A long file name.txt"), "long\n");

    // Relative to a working directory on the volume.
    ASSERT_EQ(chdir("/mnt/sub dir/NESTED/.."), 0);
    EXPECT_EQ(get_file("A long file name.txt"), "long\n");
    EXPECT_EQ(get_file("../short.txt"), "s");
    ASSERT_EQ(chdir("/"), 0);

    EXPECT_EQ(rmdir("/mnt/Sub Dir"), -ENOTEMPTY);
    EXPECT_EQ(unlink("/mnt/Sub Dir"), -EISDIR);
    EXPECT_EQ(rmdir("/mnt/short.txt"), -ENOTDIR);
    EXPECT_EQ(mkdir("/mnt/short.txt/x"), -ENOTDIR);
    EXPECT_EQ(mkdir("/mnt/Sub Dir"), -EEXIST);
    EXPECT_EQ(rmdir("/mnt/Sub Dir/nested"), 0);
    EXPECT_EQ(unlink("/mnt/Sub Dir/A long file name.txt"), 0);
    EXPECT_EQ(rmdir("/mnt/Sub Dir"), 0);
    EXPECT_EQ(stat("/mnt/Sub Dir", nullptr), -ENOENT);
    ASSERT_EQ(mkdir("/mnt/keep"), 0);
    put_file("/mnt/keep/A file kept in a directory", "kept");

    unmount();
    EXPECT_TRUE(ft::fsck_clean(image));
    EXPECT_EQ(mdir(), (std::set<std::string>{"/café.txt", "/short.txt", "/keep/",
                                             "/keep/A file kept in a directory"}));
    EXPECT_EQ(mtype("/keep/A file kept in a directory"), "kept");
    EXPECT_EQ(mtype("/café.txt"), "café\n");
}

TEST_F(VfsdFat, RenameReplacesAndMoves) {
    put_file("/mnt/a.txt", "A");
    put_file("/mnt/b.txt", "B");
    uint64_t ino_a = ino_of("/mnt/a.txt");
    EXPECT_EQ(rename("/mnt/a.txt", "/mnt/b.txt"), 0);
    EXPECT_EQ(get_file("/mnt/b.txt"), "A");
    EXPECT_EQ(stat("/mnt/a.txt", nullptr), -ENOENT);
    EXPECT_EQ(ino_of("/mnt/b.txt"), ino_a); // the inode moves with the file

    ASSERT_EQ(mkdir("/mnt/d1"), 0);
    ASSERT_EQ(mkdir("/mnt/d2"), 0);
    put_file("/mnt/d1/inner", "in");
    EXPECT_EQ(rename("/mnt/d1", "/mnt/d2/moved"), 0);
    EXPECT_EQ(get_file("/mnt/d2/moved/inner"), "in");
    EXPECT_EQ(rename("/mnt/d2", "/mnt/d2/moved/x"), -EINVAL);
    ASSERT_EQ(mkdir("/mnt/full"), 0);
    put_file("/mnt/full/f", "");
    EXPECT_EQ(rename("/mnt/d2", "/mnt/full"), -ENOTEMPTY);
    EXPECT_EQ(rename("/mnt/b.txt", "/mnt/full"), -EISDIR);
    EXPECT_EQ(rename("/mnt/full", "/mnt/b.txt"), -ENOTDIR);
    ASSERT_EQ(mkdir("/mnt/empty"), 0);
    EXPECT_EQ(rename("/mnt/d2", "/mnt/empty"), 0); // an empty directory is replaced
    EXPECT_EQ(get_file("/mnt/empty/moved/inner"), "in");
    EXPECT_EQ(rename("/mnt/b.txt", "/mnt/A much longer name for b.txt"), 0);

    // Other file systems: EXDEV both ways.
    EXPECT_EQ(rename("/mnt/A much longer name for b.txt", "/tmp/b"), -EXDEV);
    put_file("/tmp/t", "t");
    EXPECT_EQ(rename("/tmp/t", "/mnt/t"), -EXDEV);
    // The mount point itself stays where it is.
    EXPECT_EQ(rename("/mnt", "/moved"), -EBUSY);
    EXPECT_EQ(rmdir("/mnt"), -EBUSY);

    unmount();
    EXPECT_TRUE(ft::fsck_clean(image));
    EXPECT_EQ(mdir(), (std::set<std::string>{"/A much longer name for b.txt", "/full/", "/full/f",
                                             "/empty/", "/empty/moved/", "/empty/moved/inner"}));
    EXPECT_EQ(mtype("/empty/moved/inner"), "in");
    EXPECT_EQ(mtype("/A much longer name for b.txt"), "A");
}

TEST_F(VfsdFat, StatAndTruncate) {
    int64_t before = int64_t(time(nullptr));
    put_file("/mnt/f", "0123456789");
    ASSERT_EQ(mkdir("/mnt/d"), 0);
    struct stat st {};
    ASSERT_EQ(stat("/mnt/f", &st), 0);
    EXPECT_EQ(st.st_mode, S_IFREG | 0755u); // vfat's default masks: rwx for everyone
    EXPECT_EQ(st.st_nlink, 1u);
    EXPECT_EQ(st.st_uid, 0u);
    EXPECT_EQ(st.st_gid, 0u);
    EXPECT_EQ(st.st_size, 10);
    // FAT keeps the modification time in 2-second steps.
    EXPECT_GE(st.st_mtime, before - 2);
    EXPECT_LE(st.st_mtime, int64_t(time(nullptr)));
    struct stat dir {
    }, tmpdir{}, mnt{};
    ASSERT_EQ(stat("/mnt/d", &dir), 0);
    EXPECT_EQ(dir.st_mode, S_IFDIR | 0755u);
    EXPECT_EQ(dir.st_size % 512, 0); // a directory is as large as its clusters
    EXPECT_GT(dir.st_size, 0);
    ASSERT_EQ(stat("/mnt", &mnt), 0);
    ASSERT_EQ(stat("/tmp", &tmpdir), 0);
    EXPECT_EQ(mnt.st_ino, 1u); // the root's inode number, as on Linux's vfat
    EXPECT_EQ(st.st_dev, mnt.st_dev);
    EXPECT_NE(st.st_dev, tmpdir.st_dev);
    EXPECT_NE(st.st_ino, dir.st_ino);

    int64_t fd = open("/mnt/f", O_RDWR);
    struct stat fst {};
    ASSERT_EQ(fstat(fd, &fst), 0);
    EXPECT_EQ(fst.st_ino, st.st_ino);
    EXPECT_EQ(ftruncate(fd, 4), 0);
    EXPECT_EQ(get_file("/mnt/f"), "0123");
    EXPECT_EQ(ftruncate(fd, 5000), 0);
    ASSERT_EQ(fstat(fd, &fst), 0);
    EXPECT_EQ(fst.st_size, 5000);
    EXPECT_EQ(get_file("/mnt/f"), "0123" + std::string(4996, '\0'));
    EXPECT_EQ(sys(LinuxSyscall::truncate, {0, 2}, {{0, "/mnt/f"}}), 0);
    EXPECT_EQ(get_file("/mnt/f"), "01");
    int64_t ro = open("/mnt/f", O_RDONLY);
    EXPECT_EQ(ftruncate(ro, 0), -EINVAL);
    EXPECT_EQ(sys(LinuxSyscall::truncate, {0, 0}, {{0, "/mnt/d"}}), -EISDIR);
    // FAT files end at 4 GiB - 1.
    EXPECT_EQ(ftruncate(fd, 1ull << 32), -EFBIG);
    EXPECT_EQ(sys(LinuxSyscall::pwrite64, {uint64_t(fd), 0, 1, 1ull << 32}, {{1, "x"}}), -EFBIG);

    unmount();
    EXPECT_TRUE(ft::fsck_clean(image));
    EXPECT_EQ(mtype("/f"), "01");
}

TEST_F(VfsdFat, ChmodTogglesTheReadOnlyAttribute) {
    put_file("/mnt/f", "data");
    put_file("/tmp/f", "data");
    ASSERT_EQ(mkdir("/mnt/d"), 0);
    EXPECT_EQ(chmod("/mnt/f", 0444), 0);
    EXPECT_EQ(mode_of("/mnt/f"), S_IFREG | 0555u); // only the write bits are kept
    EXPECT_EQ(chmod("/tmp/f", 0444), 0);
    // vfsd serves everyone as root, and root writes a file without write
    // bits: on tmpfs as on vfat (the attribute is only a permission).
    for (const char* path : {"/tmp/f", "/mnt/f"}) {
        int64_t fd = open(path, O_WRONLY);
        ASSERT_GE(fd, 0) << path;
        EXPECT_EQ(write(fd, "DATA"), 4) << path;
        EXPECT_EQ(close(fd), 0);
        EXPECT_EQ(sys(LinuxSyscall::access, {0, W_OK}, {{0, path}}), 0) << path;
    }
    EXPECT_EQ(get_file("/mnt/f"), "DATA");
    EXPECT_EQ(chmod("/mnt/f", 0644), 0);
    EXPECT_EQ(mode_of("/mnt/f"), S_IFREG | 0755u);
    EXPECT_EQ(chmod("/mnt/f", 0500), 0);
    EXPECT_EQ(mode_of("/mnt/f"), S_IFREG | 0555u);
    // Set-ID and sticky bits cannot be kept: EPERM, as Linux's vfat says.
    EXPECT_EQ(chmod("/mnt/f", 04755), -EPERM);
    EXPECT_EQ(mode_of("/mnt/f"), S_IFREG | 0555u);
    // Directories stay writable (Linux's vfat without "rodir").
    EXPECT_EQ(chmod("/mnt/d", 0555), 0);
    EXPECT_EQ(mode_of("/mnt/d"), S_IFDIR | 0755u);

    unmount();
    EXPECT_TRUE(ft::fsck_clean(image));
    ft::CommandResult r = ft::run("mattrib -i " + img() + " ::/f");
    EXPECT_NE(r.output.substr(0, r.output.find("::")).find('R'), std::string::npos) << r.output;
    // A remount shows it again.
    mount();
    EXPECT_EQ(mode_of("/mnt/f"), S_IFREG | 0555u);
}

TEST_F(VfsdFat, UtimensatSetsFatTimes) {
    put_file("/mnt/t", "t");
    // 2020-09-13 12:26:40 (an even second) and 2023-11-14 22:13:20.
    struct timespec times[2] = {{1700000000, 0}, {1600000000, 0}};
    EXPECT_EQ(utimensat("/mnt/t", times), 0);
    struct stat st {};
    ASSERT_EQ(stat("/mnt/t", &st), 0);
    EXPECT_EQ(st.st_mtime, 1600000000);
    EXPECT_EQ(st.st_atime, 1699920000); // FAT keeps the access day only
    struct timespec omit[2] = {{0, UTIME_NOW}, {0, UTIME_OMIT}};
    EXPECT_EQ(utimensat("/mnt/t", omit), 0);
    ASSERT_EQ(stat("/mnt/t", &st), 0);
    EXPECT_EQ(st.st_mtime, 1600000000);
    EXPECT_EQ(st.st_atime, time(nullptr) / 86400 * 86400);
    // futimens: through the fd.
    int64_t fd = open("/mnt/t", O_RDONLY);
    struct timespec by_fd[2] = {{0, UTIME_OMIT}, {1500000000, 0}};
    EXPECT_EQ(sys(LinuxSyscall::utimensat, {uint64_t(fd), 0, 0, 0}, {{2, bytes_of(by_fd)}}), 0);
    ASSERT_EQ(fstat(fd, &st), 0);
    EXPECT_EQ(st.st_mtime, 1500000000);

    unmount();
    EXPECT_TRUE(ft::fsck_clean(image));
    ft::CommandResult r = ft::run("TZ=UTC mdir -i " + img() + " ::/t");
    EXPECT_NE(r.output.find("2017-07-14   2:40"), std::string::npos) << r.output;
}

TEST_F(VfsdFat, StatfsReportsMsdos) {
    struct statfs fs {};
    ASSERT_EQ(statfs("/mnt", &fs), 0);
    EXPECT_EQ(fs.f_type, MSDOS_SUPER_MAGIC);
    EXPECT_EQ(fs.f_bsize, 4096);
    EXPECT_EQ(fs.f_blocks, 66512u * 512 / 4096);
    EXPECT_LE(fs.f_bfree, fs.f_blocks);
    EXPECT_EQ(fs.f_flags & ST_RDONLY, 0);
    put_file("/mnt/mib", std::string(1 << 20, 'm'));
    struct statfs after {};
    ASSERT_EQ(statfs("/mnt/mib", &after), 0);
    EXPECT_EQ(fs.f_bfree - after.f_bfree, 256u);
    int64_t fd = open("/mnt/mib", O_RDONLY);
    ASSERT_EQ(sys(LinuxSyscall::fstatfs, {uint64_t(fd), 0}), 0);
    EXPECT_EQ(value_of<struct statfs>(output(1)).f_type, MSDOS_SUPER_MAGIC);
}

TEST_F(VfsdFat, NamesAreCaseInsensitive) {
    put_file("/mnt/Readme.TXT", "r");
    EXPECT_EQ(ino_of("/mnt/README.txt"), ino_of("/mnt/Readme.TXT"));
    EXPECT_EQ(get_file("/mnt/readme.txt"), "r");
    EXPECT_EQ(open("/mnt/README.TXT", O_WRONLY | O_CREAT | O_EXCL), -EEXIST);
    EXPECT_EQ(mkdir("/mnt/readme.txt"), -EEXIST);
    ASSERT_EQ(mkdir("/mnt/Dir"), 0);
    EXPECT_EQ(mkdir("/mnt/DIR"), -EEXIST);
    put_file("/mnt/dir/x", "x");
    EXPECT_EQ(get_file("/mnt/DIR/X"), "x");
    // Linux's vfat ignores trailing dots: "notes." is "notes".
    put_file("/mnt/notes.", "n");
    EXPECT_EQ(get_file("/mnt/notes"), "n");
    EXPECT_EQ(get_file("/mnt/NOTES..."), "n");
    // A change of case alone names the same inode: rename(2) does nothing.
    EXPECT_EQ(rename("/mnt/Readme.TXT", "/mnt/README.TXT"), 0);
    EXPECT_EQ(names("/mnt"), (std::vector<std::string>{".", "..", "Readme.TXT", "Dir", "notes"}));

    unmount();
    EXPECT_TRUE(ft::fsck_clean(image));
    EXPECT_EQ(mdir(), (std::set<std::string>{"/Readme.TXT", "/Dir/", "/Dir/x", "/notes"}));
}

TEST_F(VfsdFat, InvalidNamesAreEinval) {
    put_file("/mnt/ok", "ok");
    for (char c : std::string(":*?\"<>|\\")) {
        std::string path = std::string("/mnt/a") + c + "b";
        EXPECT_EQ(open(path, O_WRONLY | O_CREAT), -EINVAL) << path;
        EXPECT_EQ(mkdir(path), -EINVAL) << path;
        EXPECT_EQ(rename("/mnt/ok", path), -EINVAL) << path;
        EXPECT_EQ(unlink(path), -ENOENT) << path;
    }
    EXPECT_EQ(open("/mnt/trailing space ", O_WRONLY | O_CREAT), -EINVAL);
    EXPECT_EQ(open("/mnt/...", O_WRONLY | O_CREAT), -EINVAL);
    EXPECT_EQ(names("/mnt"), (std::vector<std::string>{".", "..", "ok"}));
    unmount();
    EXPECT_TRUE(ft::fsck_clean(image));
}

TEST_F(VfsdFat, OnlyFilesAndDirectories) {
    put_file("/mnt/f", "x");
    put_file("/tmp/x", "x");
    EXPECT_EQ(symlink("f", "/mnt/link"), -EPERM);
    EXPECT_EQ(mknod("/mnt/fifo", S_IFIFO | 0644), -EPERM);
    EXPECT_EQ(mknod("/mnt/dev", S_IFCHR | 0644), -EPERM);
    EXPECT_EQ(mknod("/mnt/plain", 0644), 0); // a regular file is fine
    EXPECT_EQ(link("/mnt/f", "/mnt/g"), -EPERM);
    EXPECT_EQ(link("/tmp/x", "/mnt/g"), -EXDEV);
    int64_t s = sys(LinuxSyscall::socket, {AF_UNIX, SOCK_STREAM, 0});
    ASSERT_GE(s, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strcpy(addr.sun_path, "/mnt/sock");
    EXPECT_EQ(sys(LinuxSyscall::bind, {uint64_t(s), 0, sizeof addr}, {{1, bytes_of(addr)}}),
              -EPERM);
    EXPECT_EQ(names("/mnt"), (std::vector<std::string>{".", "..", "f", "plain"}));
    unmount();
    EXPECT_TRUE(ft::fsck_clean(image));
}

TEST_F(VfsdFat, FullVolumeIsEnospc) {
    int64_t fd = open("/mnt/big", O_WRONLY | O_CREAT);
    ASSERT_GE(fd, 0);
    std::string chunk(1 << 20, 'f');
    int64_t last_written = 0;
    uint64_t total = 0;
    for (int i = 0; i < 64; ++i) {
        last_written = write(fd, chunk);
        if (last_written <= 0)
            break;
        total += uint64_t(last_written);
    }
    // A short write fills the volume, the next one fails.
    EXPECT_EQ(last_written, -ENOSPC);
    EXPECT_EQ(total % 512, 0u);
    EXPECT_NE(total % chunk.size(), 0u);
    struct statfs fs {};
    ASSERT_EQ(statfs("/mnt", &fs), 0);
    EXPECT_EQ(fs.f_bfree, 0u);
    EXPECT_EQ(mkdir("/mnt/newdir"), -ENOSPC); // a directory needs a cluster
    int64_t empty = open("/mnt/empty", O_RDWR | O_CREAT);
    ASSERT_GE(empty, 0); // the root directory still has a free entry
    EXPECT_EQ(write(empty, "x"), -ENOSPC);
    EXPECT_EQ(ftruncate(empty, 10), -ENOSPC);
    struct stat st {};
    ASSERT_EQ(fstat(fd, &st), 0);
    EXPECT_EQ(uint64_t(st.st_size), total);

    EXPECT_EQ(close(fd), 0);
    EXPECT_EQ(unlink("/mnt/big"), 0);
    ASSERT_EQ(statfs("/mnt", &fs), 0);
    EXPECT_GT(fs.f_bfree, 8000u);
    EXPECT_EQ(write(empty, "x"), 1);
    unmount();
    EXPECT_TRUE(ft::fsck_clean(image));
    EXPECT_EQ(mtype("/empty"), "x");
}

TEST_F(VfsdFat, ReadOnlyMount) {
    put_file("/mnt/f", "data");
    ASSERT_EQ(mkdir("/mnt/d"), 0);
    unmount();
    std::vector<uint8_t> before = ft::read_host_file(image);
    mount(true);
    EXPECT_EQ(get_file("/mnt/f"), "data");
    EXPECT_EQ(open("/mnt/f", O_WRONLY), -EROFS);
    EXPECT_EQ(open("/mnt/new", O_WRONLY | O_CREAT), -EROFS);
    EXPECT_EQ(mkdir("/mnt/e"), -EROFS);
    EXPECT_EQ(unlink("/mnt/f"), -EROFS);
    EXPECT_EQ(rmdir("/mnt/d"), -EROFS);
    EXPECT_EQ(rename("/mnt/f", "/mnt/g"), -EROFS);
    EXPECT_EQ(chmod("/mnt/f", 0444), -EROFS);
    struct timespec times[2] = {{1, 0}, {1, 0}};
    EXPECT_EQ(utimensat("/mnt/f", times), -EROFS);
    EXPECT_EQ(sys(LinuxSyscall::truncate, {0, 0}, {{0, "/mnt/f"}}), -EROFS);
    EXPECT_EQ(symlink("f", "/mnt/l"), -EROFS);
    EXPECT_EQ(mknod("/mnt/p", S_IFIFO | 0644), -EROFS);
    EXPECT_EQ(sys(LinuxSyscall::access, {0, W_OK}, {{0, "/mnt/f"}}), -EROFS);
    struct statfs fs {};
    ASSERT_EQ(statfs("/mnt", &fs), 0);
    EXPECT_EQ(fs.f_flags & ST_RDONLY, ST_RDONLY);
    int64_t fd = open("/mnt/f", O_RDONLY);
    EXPECT_EQ(sys(LinuxSyscall::fsync, {uint64_t(fd)}), 0);
    unmount();
    EXPECT_TRUE(ft::read_host_file(image) == before) << "a read-only mount changed the image";
}

TEST_F(VfsdFat, OpenFileOutlivesUnlink) {
    put_file("/mnt/f", "keep me");
    int64_t fd = open("/mnt/f", O_RDWR);
    ASSERT_GE(fd, 0);
    EXPECT_EQ(unlink("/mnt/f"), 0);
    EXPECT_EQ(stat("/mnt/f", nullptr), -ENOENT);
    EXPECT_EQ(read(fd, 100), "keep me");
    struct stat st {};
    ASSERT_EQ(fstat(fd, &st), 0);
    EXPECT_EQ(st.st_nlink, 0u);
    EXPECT_EQ(st.st_size, 7);
    EXPECT_EQ(write(fd, "!"), 1);
    EXPECT_EQ(pread(fd, 100, 0), "keep me!");
    EXPECT_EQ(ftruncate(fd, 4), 0);
    // A new file under the old name is another file.
    put_file("/mnt/f", "new");
    EXPECT_EQ(pread(fd, 100, 0), "keep");
    EXPECT_NE(ino_of("/mnt/f"), uint64_t(st.st_ino));

    // A rename over an open file: that file keeps its bytes too.
    put_file("/mnt/g", "gg");
    int64_t g = open("/mnt/g", O_RDONLY);
    EXPECT_EQ(rename("/mnt/f", "/mnt/g"), 0);
    EXPECT_EQ(get_file("/mnt/g"), "new");
    EXPECT_EQ(read(g, 100), "gg");

    // A removed directory lists nothing and takes no new entries.
    ASSERT_EQ(mkdir("/mnt/d"), 0);
    int64_t dfd = open("/mnt/d", O_RDONLY | O_DIRECTORY);
    EXPECT_EQ(rmdir("/mnt/d"), 0);
    auto list = list_fd(dfd);
    EXPECT_EQ(list.size(), 2u); // "." and ".."
    EXPECT_EQ(open("x", O_WRONLY | O_CREAT, 0644, int(dfd)), -ENOENT);
    ASSERT_EQ(fstat(dfd, &st), 0);
    EXPECT_EQ(st.st_nlink, 0u);

    unmount();
    EXPECT_TRUE(ft::fsck_clean(image));
    EXPECT_EQ(mdir(), (std::set<std::string>{"/g"}));
    EXPECT_EQ(mtype("/g"), "new");
}

TEST_F(VfsdFat, SyncWritesTheVolumeBack) {
    put_file("/mnt/synced.txt", "on disk");
    int64_t fd = open("/mnt/synced.txt", O_RDONLY);
    EXPECT_EQ(sys(LinuxSyscall::fsync, {uint64_t(fd)}), 0);
    // Still mounted: the image is whole and current.
    EXPECT_TRUE(ft::fsck_clean(image));
    EXPECT_EQ(mtype("/synced.txt"), "on disk");
    put_file("/mnt/second.txt", "2");
    EXPECT_EQ(sys(LinuxSyscall::sync, {}), 0);
    EXPECT_TRUE(ft::fsck_clean(image));
    EXPECT_EQ(mtype("/second.txt"), "2");
    ASSERT_EQ(mkdir("/mnt/third"), 0);
    EXPECT_EQ(sys(LinuxSyscall::syncfs, {uint64_t(fd)}), 0);
    EXPECT_TRUE(ft::fsck_clean(image));
    EXPECT_EQ(mdir(), (std::set<std::string>{"/synced.txt", "/second.txt", "/third/"}));
    // Other file systems have nothing to write back.
    int64_t t = open("/tmp/x", O_WRONLY | O_CREAT);
    EXPECT_EQ(sys(LinuxSyscall::fsync, {uint64_t(t)}), 0);
}

TEST_F(VfsdFat, ReadsWhatMtoolsWrote) {
    unmount();
    std::string host = m_dir.file("in.txt");
    ft::write_host_file(host, {'m', 't', 'o', 'o', 'l', 's'});
    for (std::string cmd :
         {"mmd -i " + img() + " '::/From mtools'",
          "mcopy -i " + img() + " " + ft::quote(host) + " '::/From mtools/Some Long Name.txt'",
          "mcopy -i " + img() + " " + ft::quote(host) + " ::/UPPER.TXT"}) {
        ft::CommandResult r = ft::run(cmd);
        ASSERT_EQ(r.status, 0) << cmd << ": " << r.output;
    }
    mount();
    EXPECT_EQ(names("/mnt"), (std::vector<std::string>{".", "..", "From mtools", "UPPER.TXT"}));
    EXPECT_EQ(names("/mnt/From mtools"),
              (std::vector<std::string>{".", "..", "Some Long Name.txt"}));
    EXPECT_EQ(get_file("/mnt/From mtools/Some Long Name.txt"), "mtools");
    EXPECT_EQ(get_file("/mnt/upper.txt"), "mtools");
    EXPECT_EQ(mode_of("/mnt/From mtools"), S_IFDIR | 0755u);
}

// The nodes of a volume, without the namespace around them.
TEST(VfsdFatNodes, OneNodePerFileAndReleaseWritesBack) {
    FAT_REQUIRE_TOOLS();
    ft::TempDir dir;
    std::string image = dir.file("vol.img");
    ASSERT_TRUE(ft::make_image(image, kImageKiB, 1));
    {
        auto device = fat::FileBlockDevice::open(image);
        ASSERT_FALSE(device.is_error()) << device.error().reason();
        auto mounted = mount_fat(device.release_value());
        ASSERT_FALSE(mounted.is_error()) << mounted.error().reason();
        NodePtr root = mounted.value();
        EXPECT_EQ(root->fs_stats().magic, kMsdosMagic);
        auto created = root->create("Node.txt", FileType::Regular, 0600);
        ASSERT_FALSE(created.is_error()) << created.error().reason();
        NodePtr f = created.value();
        EXPECT_EQ(root->lookup("NODE.TXT").value(), f);
        EXPECT_EQ(root->lookup("node.txt.").value(), f);
        ASSERT_EQ(f->write(0, "node", 4).value(), 4u);
        EXPECT_EQ(error_of(f->lookup("x")), ENOTDIR);
        EXPECT_EQ(error_of(f->entries()), ENOTDIR);
        EXPECT_EQ(error_of(f->create("x", FileType::Regular, 0644)), ENOTDIR);
        EXPECT_EQ(error_of(root->create("fifo", FileType::Fifo, 0644)), EPERM);
        EXPECT_EQ(error_of(root->create("sock", FileType::Socket, 0644)), EPERM);
        EXPECT_EQ(error_of(root->lookup("missing")), ENOENT);
        auto list = root->entries().value();
        ASSERT_EQ(list.size(), 1u);
        EXPECT_EQ(list[0].name, "Node.txt");
        EXPECT_EQ(list[0].ino, f->attributes().ino);
        EXPECT_EQ(list[0].type, FileType::Regular);
    }
    // The last node gone, the volume is written back and the image closed.
    EXPECT_TRUE(ft::fsck_clean(image));
    ft::CommandResult r = ft::run("mtype -i " + ft::quote(image) + " ::/Node.txt");
    EXPECT_EQ(r.output, "node");
}

TEST(VfsdFatNodes, MountRefusesWhatIsNotFat32) {
    FAT_REQUIRE_TOOLS();
    auto expect_refused = [](std::unique_ptr<fat::BlockDevice> device, int code, const char* what) {
        auto r = mount_fat(std::move(device));
        ASSERT_TRUE(r.is_error()) << what;
        EXPECT_EQ(r.error().code(), code) << what << ": " << r.error().reason();
        EXPECT_NE(std::string(r.error().reason()), "") << what;
    };
    expect_refused(nullptr, EINVAL, "no device");
    expect_refused(std::make_unique<fat::MemoryBlockDevice>(0), EINVAL, "an empty device");
    expect_refused(std::make_unique<fat::MemoryBlockDevice>(8192), EINVAL, "zeros");

    ft::TempDir dir;
    auto image_of = [&](const std::string& command, const std::string& name) {
        std::string path = dir.file(name);
        ft::CommandResult r = ft::run(command + " " + ft::quote(path) + " 8192");
        EXPECT_EQ(r.status, 0) << command << ": " << r.output;
        return std::make_unique<fat::MemoryBlockDevice>(ft::read_host_file(path));
    };
    // ext2 leaves the first sector empty; FAT16 is FAT, but not FAT32.
    if (ft::have_tool("mke2fs"))
        expect_refused(image_of("mke2fs -q -t ext2 -F", "ext2.img"), EINVAL, "ext2");
    expect_refused(image_of("mkfs.fat -F 16 -s 1 -C", "fat16.img"), EINVAL, "FAT16");
    // A FAT32 volume cut short: damage, not a foreign format.
    std::string image = dir.file("cut.img");
    ASSERT_TRUE(ft::make_image(image, kImageKiB, 1));
    std::vector<uint8_t> bytes = ft::read_host_file(image);
    bytes.resize(bytes.size() / 2);
    expect_refused(std::make_unique<fat::MemoryBlockDevice>(std::move(bytes)), EIO, "truncated");
}

} // namespace
