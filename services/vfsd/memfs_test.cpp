// The memory file system (tmpfs): directory operations, link counts,
// rename rules, symlinks, modes and timestamps, compared with Linux tmpfs.
#include "test_support.h"

#include "memfs.h"

#include <cerrno>

using namespace vfsd;
using namespace vfsd::test;

namespace {

class VfsdMemfs : public ::testing::Test {
protected:
    NodePtr mk(const NodePtr& dir, const std::string& name, FileType t = FileType::Regular,
               uint32_t perm = 0644) {
        auto r = dir->create(name, t, perm);
        EXPECT_FALSE(r.is_error()) << name << ": " << (r.is_error() ? r.error().reason() : "");
        return r.is_error() ? nullptr : r.value();
    }
    static uint32_t nlink(const NodePtr& n) { return n->attributes().nlink; }
    static std::vector<std::string> names(const NodePtr& dir) {
        std::vector<std::string> out;
        auto list = dir->entries().value(); // a copy: the ErrorOr is a temporary
        for (auto& e : list)
            out.push_back(e.name);
        return out;
    }
    static std::string contents(const NodePtr& n) {
        std::string s(n->attributes().size, '\0');
        EXPECT_EQ(n->read(0, s.data(), s.size()).value(), s.size());
        return s;
    }
    static void write(const NodePtr& n, std::string_view data, uint64_t offset = 0) {
        ASSERT_EQ(n->write(offset, data.data(), data.size()).value(), data.size());
    }
    // Puts a node's timestamps far in the past, so any update shows.
    static void age(const NodePtr& n) { ASSERT_FALSE(n->set_times({1, 0}, {1, 0}).is_error()); }

    std::shared_ptr<MemDirectory> root = make_memfs_root();
};

TEST_F(VfsdMemfs, CreateLookupAndList) {
    NodePtr f = mk(root, "file");
    NodePtr d = mk(root, "dir", FileType::Directory, 0755);
    NodePtr fifo = mk(root, "fifo", FileType::Fifo);
    NodePtr sock = mk(root, "sock", FileType::Socket);
    EXPECT_EQ(f->attributes().mode, S_IFREG | 0644);
    EXPECT_EQ(d->attributes().mode, S_IFDIR | 0755);
    EXPECT_EQ(fifo->attributes().mode, S_IFIFO | 0644);
    EXPECT_EQ(sock->attributes().mode, S_IFSOCK | 0644);
    EXPECT_EQ(root->lookup("file").value(), f);
    EXPECT_EQ(error_of(root->lookup("nothing")), ENOENT);
    EXPECT_EQ(error_of(root->create("file", FileType::Regular, 0644)), EEXIST);
    EXPECT_EQ(error_of(root->create("dir", FileType::Directory, 0755)), EEXIST);
    // A file is not a directory.
    EXPECT_EQ(error_of(f->lookup("x")), ENOTDIR);
    EXPECT_EQ(error_of(f->create("x", FileType::Regular, 0644)), ENOTDIR);
    EXPECT_EQ(error_of(f->entries()), ENOTDIR);

    auto list = root->entries().value();
    ASSERT_EQ(list.size(), 4u);
    EXPECT_EQ(names(root), (std::vector<std::string>{"dir", "fifo", "file", "sock"}));
    for (auto& e : list)
        EXPECT_EQ(e.ino, root->lookup(e.name).value()->attributes().ino);
    EXPECT_EQ(list[0].type, FileType::Directory);
    EXPECT_EQ(list[2].type, FileType::Regular);
}

TEST_F(VfsdMemfs, ModesAreMaskedAndKeepTheType) {
    NodePtr f = mk(root, "f", FileType::Regular, 0177777);
    EXPECT_EQ(f->attributes().mode, S_IFREG | 07777);
    ASSERT_FALSE(f->set_mode(0100600).is_error());
    EXPECT_EQ(f->attributes().mode, S_IFREG | 0600);
    ASSERT_FALSE(f->set_mode(04755).is_error());
    EXPECT_EQ(f->attributes().mode, S_IFREG | 04755);
}

TEST_F(VfsdMemfs, InodesAndDevices) {
    NodePtr a = mk(root, "a"), b = mk(root, "b");
    auto other = make_memfs_root();
    NodePtr c = mk(other, "c");
    EXPECT_NE(a->attributes().ino, b->attributes().ino);
    EXPECT_EQ(a->attributes().dev, root->attributes().dev);
    EXPECT_NE(c->attributes().dev, a->attributes().dev);
}

TEST_F(VfsdMemfs, FileContents) {
    NodePtr f = mk(root, "f");
    write(f, "hello");
    write(f, "!", 8);
    EXPECT_EQ(f->attributes().size, 9u);
    EXPECT_EQ(contents(f), std::string("hello\0\0\0!", 9));
    ASSERT_FALSE(f->truncate(2).is_error());
    EXPECT_EQ(contents(f), "he");
    char c;
    EXPECT_EQ(f->read(5, &c, 1).value(), 0u);
    // Directories refuse file operations.
    EXPECT_EQ(error_of(root->read(0, &c, 1)), EISDIR);
    EXPECT_EQ(error_of(root->write(0, "x", 1)), EISDIR);
    EXPECT_EQ(error_of(root->truncate(0)), EISDIR);
}

TEST_F(VfsdMemfs, UnlinkAndRmdir) {
    NodePtr f = mk(root, "f");
    NodePtr d = mk(root, "d", FileType::Directory);
    mk(d, "inner");
    EXPECT_EQ(error_of(root->unlink("missing", false)), ENOENT);
    EXPECT_EQ(error_of(root->unlink("d", false)), EISDIR);
    EXPECT_EQ(error_of(root->unlink("f", true)), ENOTDIR);
    EXPECT_EQ(error_of(root->unlink("d", true)), ENOTEMPTY);
    ASSERT_FALSE(d->unlink("inner", false).is_error());
    EXPECT_EQ(nlink(root), 3u);
    ASSERT_FALSE(root->unlink("d", true).is_error());
    EXPECT_EQ(nlink(root), 2u);
    EXPECT_EQ(nlink(d), 0u); // what fstat on an fd still open shows
    ASSERT_FALSE(root->unlink("f", false).is_error());
    EXPECT_EQ(nlink(f), 0u);
    EXPECT_TRUE(names(root).empty());
    // The bytes live on while someone holds the node (an open fd).
    write(f, "still here");
    EXPECT_EQ(contents(f), "still here");
}

TEST_F(VfsdMemfs, DirectoryLinkCounts) {
    NodePtr d = mk(root, "d", FileType::Directory);
    EXPECT_EQ(nlink(root), 3u); // its entry, "." and d's ".."
    EXPECT_EQ(nlink(d), 2u);
    mk(d, "s1", FileType::Directory);
    mk(d, "s2", FileType::Directory);
    mk(d, "file");
    EXPECT_EQ(nlink(d), 4u);
}

TEST_F(VfsdMemfs, HardLinks) {
    NodePtr f = mk(root, "f");
    write(f, "data");
    NodePtr d = mk(root, "d", FileType::Directory);
    ASSERT_FALSE(d->link("g", f).is_error());
    EXPECT_EQ(nlink(f), 2u);
    EXPECT_EQ(d->lookup("g").value(), f);
    EXPECT_EQ(error_of(d->link("g", f)), EEXIST);
    EXPECT_EQ(error_of(root->link("d2", d)), EPERM);
    auto other = make_memfs_root();
    EXPECT_EQ(error_of(other->link("x", f)), EXDEV);
    ASSERT_FALSE(root->unlink("f", false).is_error());
    EXPECT_EQ(nlink(f), 1u);
    EXPECT_EQ(contents(d->lookup("g").value()), "data");
}

TEST_F(VfsdMemfs, Symlinks) {
    auto l = root->symlink("link", "../some/target");
    ASSERT_FALSE(l.is_error());
    Attributes a = l.value()->attributes();
    EXPECT_EQ(a.mode, S_IFLNK | 0777);
    EXPECT_EQ(a.size, 14u);
    EXPECT_EQ(l.value()->readlink().value(), "../some/target");
    EXPECT_EQ(error_of(root->symlink("link", "x")), EEXIST);
    EXPECT_EQ(root->entries().value()[0].type, FileType::Symlink);
    NodePtr f = mk(root, "f");
    EXPECT_EQ(error_of(f->readlink()), EINVAL);
}

TEST_F(VfsdMemfs, RenameAFile) {
    NodePtr f = mk(root, "f");
    NodePtr d = mk(root, "d", FileType::Directory);
    ASSERT_FALSE(root->rename("f", *d, "g").is_error());
    EXPECT_EQ(error_of(root->lookup("f")), ENOENT);
    EXPECT_EQ(d->lookup("g").value(), f);
    EXPECT_EQ(error_of(root->rename("f", *d, "h")), ENOENT);
    // Onto itself: nothing happens.
    ASSERT_FALSE(d->rename("g", *d, "g").is_error());
    EXPECT_EQ(d->lookup("g").value(), f);
}

TEST_F(VfsdMemfs, RenameReplacesAFile) {
    NodePtr a = mk(root, "a"), b = mk(root, "b");
    write(a, "new");
    write(b, "old");
    ASSERT_FALSE(root->rename("a", *root, "b").is_error());
    EXPECT_EQ(root->lookup("b").value(), a);
    EXPECT_EQ(contents(root->lookup("b").value()), "new");
    EXPECT_EQ(nlink(b), 0u);
    EXPECT_EQ(names(root), std::vector<std::string>{"b"});
}

TEST_F(VfsdMemfs, RenameBetweenLinksOfOneFileDoesNothing) {
    NodePtr a = mk(root, "a");
    ASSERT_FALSE(root->link("b", a).is_error());
    ASSERT_FALSE(root->rename("a", *root, "b").is_error());
    // Linux: "If oldpath and newpath are existing hard links referring to
    // the same file, then rename() does nothing".
    EXPECT_EQ(names(root), (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(nlink(a), 2u);
}

TEST_F(VfsdMemfs, RenameDirectories) {
    NodePtr from = mk(root, "from", FileType::Directory);
    NodePtr to_parent = mk(root, "to", FileType::Directory);
    mk(from, "child");
    EXPECT_EQ(nlink(root), 4u);
    ASSERT_FALSE(root->rename("from", *to_parent, "moved").is_error());
    EXPECT_EQ(nlink(root), 3u);
    EXPECT_EQ(nlink(to_parent), 3u);
    EXPECT_EQ(to_parent->lookup("moved").value(), from);

    // Over an empty directory: it goes; over a non-empty one: ENOTEMPTY.
    NodePtr empty = mk(root, "empty", FileType::Directory);
    NodePtr full = mk(root, "full", FileType::Directory);
    mk(full, "x");
    EXPECT_EQ(error_of(to_parent->rename("moved", *root, "full")), ENOTEMPTY);
    ASSERT_FALSE(to_parent->rename("moved", *root, "empty").is_error());
    EXPECT_EQ(root->lookup("empty").value(), from);
    EXPECT_EQ(nlink(to_parent), 2u);
    EXPECT_EQ(nlink(root), 5u); // to, empty (now from), full
    EXPECT_EQ(nlink(empty), 0u);
}

TEST_F(VfsdMemfs, RenameKindMismatches) {
    mk(root, "d", FileType::Directory);
    mk(root, "f");
    EXPECT_EQ(error_of(root->rename("d", *root, "f")), ENOTDIR);
    EXPECT_EQ(error_of(root->rename("f", *root, "d")), EISDIR);
    NodePtr f = root->lookup("f").value();
    EXPECT_EQ(error_of(root->rename("f", *f, "x")), EXDEV); // not a memfs directory
}

TEST_F(VfsdMemfs, RenameAcrossFileSystemsIsExdev) {
    // Two tmpfs instances (/tmp and /run) are separate file systems: Linux
    // refuses the rename with EXDEV and mv copies instead.
    auto other = make_memfs_root();
    mk(root, "f");
    mk(root, "d", FileType::Directory);
    EXPECT_EQ(error_of(root->rename("f", *other, "f")), EXDEV);
    EXPECT_EQ(error_of(root->rename("d", *other, "d")), EXDEV);
    EXPECT_EQ(names(root), (std::vector<std::string>{"d", "f"}));
    EXPECT_TRUE(names(other).empty());
}

TEST_F(VfsdMemfs, MountPointsAreBusy) {
    // A file system attached over a name (as /tmp on the root) is a mount
    // point: Linux's rmdir and rename answer EBUSY.
    auto mounted = make_memfs_root(01777);
    ASSERT_FALSE(root->attach("mnt", mounted).is_error());
    mk(root, "empty", FileType::Directory);
    EXPECT_EQ(error_of(root->attach("mnt", mounted)), EEXIST);
    EXPECT_EQ(error_of(root->unlink("mnt", true)), EBUSY);
    EXPECT_EQ(error_of(root->rename("mnt", *root, "elsewhere")), EBUSY);
    EXPECT_EQ(error_of(root->rename("empty", *root, "mnt")), EBUSY);
    EXPECT_EQ(root->lookup("mnt").value(), mounted);
}

TEST_F(VfsdMemfs, TimestampsMoveOnChanges) {
    NodePtr f = mk(root, "f");
    age(f);
    write(f, "x");
    Attributes a = f->attributes();
    EXPECT_GT(a.mtime.sec, 1);
    EXPECT_GT(a.ctime.sec, 1);
    EXPECT_EQ(a.atime.sec, 1); // reads and writes leave atime alone

    age(f);
    ASSERT_FALSE(f->truncate(0).is_error());
    EXPECT_GT(f->attributes().mtime.sec, 1);

    // set_times sets atime and mtime as given and moves ctime to now.
    ASSERT_FALSE(f->set_times({100, 5}, {200, 6}).is_error());
    a = f->attributes();
    EXPECT_EQ(a.atime.sec, 100);
    EXPECT_EQ(a.atime.nsec, 5);
    EXPECT_EQ(a.mtime.sec, 200);
    EXPECT_EQ(a.mtime.nsec, 6);
    EXPECT_GT(a.ctime.sec, 200);

    // A chmod moves ctime only.
    age(f);
    ASSERT_FALSE(f->set_mode(0600).is_error());
    EXPECT_EQ(f->attributes().mtime.sec, 1);

    // Entries made or removed move the directory's mtime.
    age(root);
    mk(root, "g");
    EXPECT_GT(root->attributes().mtime.sec, 1);
    age(root);
    ASSERT_FALSE(root->unlink("g", false).is_error());
    EXPECT_GT(root->attributes().mtime.sec, 1);
    age(root);
    ASSERT_FALSE(root->rename("f", *root, "h").is_error());
    EXPECT_GT(root->attributes().mtime.sec, 1);
}

TEST_F(VfsdMemfs, DefaultNodeRefusesChanges) {
    // A directory from a file system that does not implement changes
    // (as the boot bundle): EROFS; a non-directory: ENOTDIR.
    class Fixed final : public Node {
    public:
        explicit Fixed(FileType t) : m_type(t) {}
        Attributes attributes() override {
            Attributes a;
            a.mode = uint32_t(m_type) | 0555;
            return a;
        }

    private:
        FileType m_type;
    };
    auto dir = std::make_shared<Fixed>(FileType::Directory);
    auto file = std::make_shared<Fixed>(FileType::Regular);
    EXPECT_EQ(error_of(dir->create("x", FileType::Regular, 0644)), EROFS);
    EXPECT_EQ(error_of(dir->symlink("x", "y")), EROFS);
    EXPECT_EQ(error_of(dir->unlink("x", false)), EROFS);
    EXPECT_EQ(error_of(dir->link("x", file)), EROFS);
    EXPECT_EQ(error_of(dir->rename("x", *dir, "y")), EROFS);
    EXPECT_EQ(error_of(dir->set_mode(0)), EROFS);
    EXPECT_EQ(error_of(file->create("x", FileType::Regular, 0644)), ENOTDIR);
    EXPECT_EQ(error_of(file->unlink("x", false)), ENOTDIR);
    char c;
    EXPECT_EQ(error_of(file->read(0, &c, 1)), EINVAL);
    EXPECT_EQ(error_of(file->share_memory(false)), ENODEV);
}

} // namespace
