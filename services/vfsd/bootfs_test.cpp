// bootfs: the boot bundle as a read-only file system, built from a small
// cpio newc archive, on its own and attached to the root as main.cpp does.
#include "test_support.h"

#include "bootfs.h"

#include <sys/statfs.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <iomanip>
#include <sstream>

using namespace vfsd;
using namespace vfsd::test;

namespace {

// Writes a cpio "newc" archive: a header of 13 hex fields per entry, the
// name and the data each padded to 4 bytes, then the trailer.
class Archive {
public:
    Archive& entry(const std::string& name, uint32_t mode, const std::string& data = {},
                   uint32_t mtime = 0) {
        const uint32_t fields[13] = {++m_ino,
                                     mode,
                                     0,
                                     0,
                                     1,
                                     mtime,
                                     uint32_t(data.size()),
                                     0,
                                     0,
                                     0,
                                     0,
                                     uint32_t(name.size() + 1),
                                     0};
        std::ostringstream hdr;
        hdr << "070701" << std::hex << std::uppercase << std::setfill('0');
        for (uint32_t f : fields)
            hdr << std::setw(8) << f;
        m_bytes += hdr.str() + name + '\0';
        align();
        m_bytes += data;
        align();
        return *this;
    }
    const std::string& finish() {
        entry("TRAILER!!!", 0);
        return m_bytes;
    }

private:
    void align() { m_bytes.resize((m_bytes.size() + 3) & ~size_t(3), '\0'); }
    std::string m_bytes;
    uint32_t m_ino = 0;
};

rustos::ReadonlyBytes view(const std::string& s) {
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::string sample() {
    return Archive()
        .entry("bin", 040755, {}, 1000)
        .entry("bin/tool", 0100755, "#!/bin/sh\necho hi\n", 1234)
        .entry("./etc/motd", 0100644, "welcome\n") // "etc" made as a parent
        .entry("bin/sh", 0120777, "busybox")
        .finish();
}

TEST(VfsdBootfs, TreeFromTheArchive) {
    std::string archive = sample();
    size_t files = 0;
    auto root = load_bootfs(view(archive), &files);
    ASSERT_FALSE(root.is_error()) << root.error().reason();
    EXPECT_EQ(files, 4u);
    NodePtr bin = root.value()->lookup("bin").value();
    EXPECT_EQ(bin->attributes().mode, S_IFDIR | 0755);
    NodePtr tool = bin->lookup("tool").value();
    Attributes a = tool->attributes();
    EXPECT_EQ(a.mode, S_IFREG | 0755);
    EXPECT_EQ(a.size, 18u);
    EXPECT_EQ(a.mtime.sec, 1234);
    char buf[32];
    ASSERT_EQ(tool->read(10, buf, sizeof buf).value(), 8u);
    EXPECT_EQ(std::string(buf, 8), "echo hi\n");
    EXPECT_EQ(tool->read(18, buf, 1).value(), 0u);
    EXPECT_EQ(bin->lookup("sh").value()->readlink().value(), "busybox");
    EXPECT_EQ(error_of(tool->readlink()), EINVAL);
    NodePtr etc = root.value()->lookup("etc").value();
    EXPECT_TRUE(etc->is_directory());
    EXPECT_EQ(etc->entries().value().size(), 1u);
    EXPECT_EQ(error_of(root.value()->lookup("nothing")), ENOENT);
    EXPECT_EQ(error_of(tool->lookup("x")), ENOTDIR);
    EXPECT_EQ(error_of(bin->read(0, buf, 1)), EISDIR);
}

TEST(VfsdBootfs, ReadOnly) {
    std::string archive = sample();
    size_t files;
    auto root = load_bootfs(view(archive), &files).release_value();
    NodePtr tool = root->lookup("bin").value()->lookup("tool").value();
    EXPECT_TRUE(tool->read_only());
    EXPECT_EQ(error_of(tool->write(0, "x", 1)), EROFS);
    EXPECT_EQ(error_of(tool->truncate(0)), EROFS);
    EXPECT_EQ(error_of(tool->set_mode(0777)), EROFS);
    EXPECT_EQ(error_of(tool->share_memory(true)), EROFS);
    EXPECT_EQ(error_of(root->create("x", FileType::Regular, 0644)), EROFS);
    EXPECT_EQ(error_of(root->lookup("bin").value()->share_memory(false)), ENODEV);
}

TEST(VfsdBootfs, TruncatedArchivesAreRefused) {
    std::string archive = sample();
    size_t files;
    EXPECT_TRUE(load_bootfs(view(archive.substr(0, archive.size() / 2)), &files).is_error());
}

// The bundle's directories attached to a memfs root, as main.cpp mounts it.
class VfsdBootfsMounted : public VfsHarness {
protected:
    void SetUp() override {
        size_t files;
        auto boot = load_bootfs(view(archive), &files);
        ASSERT_FALSE(boot.is_error());
        for (auto& [name, node] : boot.value()->children)
            ASSERT_FALSE(root->attach(name, node).is_error());
    }
    std::string archive = sample();
};

TEST_F(VfsdBootfsMounted, ReadsAndRefusesWrites) {
    EXPECT_EQ(get_file("/bin/tool"), "#!/bin/sh\necho hi\n");
    EXPECT_EQ(get_file("/etc/motd"), "welcome\n");
    EXPECT_EQ(open("/bin/tool", O_WRONLY), -EROFS);
    EXPECT_EQ(open("/bin/tool", O_RDWR | O_TRUNC), -EROFS);
    EXPECT_EQ(open("/bin/tool", O_RDONLY | O_TRUNC), -EROFS); // O_TRUNC writes
    EXPECT_EQ(open("/bin/new", O_WRONLY | O_CREAT), -EROFS);
    EXPECT_EQ(mkdir("/bin/dir"), -EROFS);
    EXPECT_EQ(unlink("/bin/tool"), -EROFS);
    EXPECT_EQ(rename("/bin/tool", "/bin/tool2"), -EROFS);
    EXPECT_EQ(symlink("x", "/bin/l"), -EROFS);
    EXPECT_EQ(sys(LinuxSyscall::truncate, {0, 0}, {{0, "/bin/tool"}}), -EROFS);
    EXPECT_EQ(sys(LinuxSyscall::access, {0, W_OK}, {{0, "/bin/tool"}}), -EROFS);
    EXPECT_EQ(sys(LinuxSyscall::access, {0, X_OK}, {{0, "/bin/tool"}}), 0);
    EXPECT_EQ(sys(LinuxSyscall::access, {0, X_OK}, {{0, "/etc/motd"}}), -EACCES);
    // The symlink resolves inside the bundle.
    EXPECT_EQ(sys(LinuxSyscall::readlink, {0, 0, 100}, {{0, "/bin/sh"}}), 7);
    struct stat st;
    ASSERT_EQ(stat("/bin/sh", &st, AT_SYMLINK_NOFOLLOW), 0);
    EXPECT_TRUE(S_ISLNK(st.st_mode));
    EXPECT_EQ(stat("/bin/sh", &st), -ENOENT); // busybox is not in this bundle
    // Bundle directories attached to the root are mount points.
    EXPECT_EQ(rmdir("/etc"), -EBUSY);
    EXPECT_EQ(sys(LinuxSyscall::statfs, {0, 1}, {{0, "/bin"}}), 0);
    EXPECT_EQ(value_of<struct statfs>(output(1)).f_flags & ST_RDONLY, ST_RDONLY);
}

TEST_F(VfsdBootfsMounted, OpenForLoaderd) {
    // loaderd reads programs as the process would open them.
    auto opened = vfs.open_for(kPid, "/bin/tool");
    ASSERT_FALSE(opened.is_error());
    EXPECT_EQ(opened->first, "/bin/tool");
    char buf[2];
    ASSERT_EQ(opened->second->pread(0, buf, 2).value(), 2u);
    EXPECT_EQ(std::string(buf, 2), "#!");
    EXPECT_EQ(error_of(vfs.open_for(kPid, "/bin")), EACCES);
    EXPECT_EQ(error_of(vfs.open_for(kPid, "/bin/none")), ENOENT);
    // Relative to the process's cwd once vfsd knows it.
    ASSERT_EQ(chdir("/bin"), 0);
    auto rel = vfs.open_for(kPid, "tool");
    ASSERT_FALSE(rel.is_error());
    EXPECT_EQ(rel->first, "/bin/tool");
}

} // namespace
