// Path resolution (Namespace::resolve) and the per-process fd tables
// (Process, ProcessTable), against Linux's path_walk and fd semantics.
#include "test_support.h"

#include "memfs.h"
#include "vfs.h"

#include <cerrno>

using namespace vfsd;
using namespace vfsd::test;

namespace {

// /a/b/file, /a/b/sub/, /file (a root memfs), and a second memfs mounted
// on /mnt holding /mnt/inner.
class VfsdResolve : public ::testing::Test {
protected:
    VfsdResolve() {
        root = make_memfs_root();
        ns.set_root(root);
        a = mk_dir(root, "a");
        b = mk_dir(a, "b");
        sub = mk_dir(b, "sub");
        file = mk_file(b, "file");
        top_file = mk_file(root, "file");
        mnt = make_memfs_root();
        EXPECT_FALSE(root->attach("mnt", mnt).is_error());
        inner = mk_file(mnt, "inner");
    }

    static NodePtr mk_dir(const NodePtr& parent, const std::string& name) {
        return parent->create(name, FileType::Directory, 0755).value();
    }
    static NodePtr mk_file(const NodePtr& parent, const std::string& name) {
        return parent->create(name, FileType::Regular, 0644).value();
    }
    void mk_link(const NodePtr& parent, const std::string& name, const std::string& target) {
        ASSERT_FALSE(parent->symlink(name, target).is_error());
    }

    ErrorOr<Resolved> resolve(std::string_view path, ResolveOptions o = {}) const {
        return ns.resolve(ns.root(), path, o);
    }
    ErrorOr<Resolved> resolve_from(const NodePtr& dir, std::string_view dir_path,
                                   std::string_view path, ResolveOptions o = {}) const {
        auto start = ns.resolve(ns.root(), dir_path, {});
        EXPECT_FALSE(start.is_error());
        EXPECT_EQ(start->node, dir);
        return ns.resolve(start->full, path, o);
    }
    // The errno of resolving `path` (0 when it resolves).
    int err(std::string_view path, ResolveOptions o = {}) const {
        return error_of(resolve(path, o));
    }
    // The path a resolution ends at, "" on error.
    std::string where(std::string_view path, ResolveOptions o = {}) const {
        auto r = resolve(path, o);
        return r.is_error() ? std::string() : r->full.path();
    }

    static ResolveOptions no_follow() {
        ResolveOptions o;
        o.follow_last = false;
        return o;
    }
    static ResolveOptions may_be_missing() {
        ResolveOptions o;
        o.must_exist = false;
        return o;
    }

    Namespace ns;
    std::shared_ptr<MemDirectory> root, mnt;
    NodePtr a, b, sub, file, top_file, inner;
};

TEST_F(VfsdResolve, AbsoluteAndRelativePaths) {
    auto r = resolve("/a/b/file");
    ASSERT_FALSE(r.is_error());
    EXPECT_EQ(r->node, file);
    EXPECT_EQ(r->name, "file");
    EXPECT_EQ(r->parent.node(), b);
    EXPECT_EQ(r->parent.path(), "/a/b");
    EXPECT_EQ(r->full.path(), "/a/b/file");

    auto rel = resolve_from(a, "/a", "b/file");
    ASSERT_FALSE(rel.is_error());
    EXPECT_EQ(rel->node, file);
    EXPECT_EQ(rel->full.path(), "/a/b/file");
    // An absolute path ignores where the walk starts.
    auto abs = resolve_from(a, "/a", "/file");
    ASSERT_FALSE(abs.is_error());
    EXPECT_EQ(abs->node, top_file);
}

TEST_F(VfsdResolve, RootAndRepeatedSlashes) {
    auto r = resolve("/");
    ASSERT_FALSE(r.is_error());
    EXPECT_EQ(r->node, root);
    EXPECT_EQ(r->name, "");
    EXPECT_EQ(r->full.path(), "/");
    EXPECT_EQ(where("///"), "/");
    EXPECT_EQ(where("//a///b//file"), "/a/b/file");
    EXPECT_EQ(err(""), ENOENT);
}

TEST_F(VfsdResolve, DotAndDotDot) {
    EXPECT_EQ(where("/a/./b/."), "/a/b");
    EXPECT_EQ(where("/a/b/../b/sub/.."), "/a/b");
    EXPECT_EQ(where("/a/b/sub/../../.."), "/");
    // ".." at the root stays at the root.
    EXPECT_EQ(where("/.."), "/");
    EXPECT_EQ(where("/../../a"), "/a");
    auto up = resolve_from(b, "/a/b", "../..");
    ASSERT_FALSE(up.is_error());
    EXPECT_EQ(up->node, root);
    // The last component's name is kept as written.
    auto dot = resolve("/a/.");
    ASSERT_FALSE(dot.is_error());
    EXPECT_EQ(dot->name, ".");
    EXPECT_EQ(dot->node, a);
}

TEST_F(VfsdResolve, DotsAfterAFileAreNotADirectory) {
    EXPECT_EQ(err("/a/b/file/."), ENOTDIR);
    EXPECT_EQ(err("/a/b/file/.."), ENOTDIR);
    EXPECT_EQ(err("/a/b/file/x"), ENOTDIR);
    EXPECT_EQ(err("/a/b/file/x", may_be_missing()), ENOTDIR);
}

TEST_F(VfsdResolve, TrailingSlashes) {
    EXPECT_EQ(where("/a/"), "/a");
    EXPECT_EQ(where("/a/b//"), "/a/b");
    EXPECT_EQ(err("/a/b/file/"), ENOTDIR);
    EXPECT_EQ(err("/a/b/file//"), ENOTDIR);
    // A missing last component with a slash may still be created (mkdir "x/").
    auto r = resolve("/a/newdir/", may_be_missing());
    ASSERT_FALSE(r.is_error());
    EXPECT_FALSE(r->node);
    EXPECT_EQ(r->name, "newdir");
}

TEST_F(VfsdResolve, MissingComponents) {
    EXPECT_EQ(err("/a/missing"), ENOENT);
    EXPECT_EQ(err("/missing/file"), ENOENT);
    // Only the last component may be missing.
    EXPECT_EQ(err("/missing/file", may_be_missing()), ENOENT);
    auto r = resolve("/a/b/new", may_be_missing());
    ASSERT_FALSE(r.is_error());
    EXPECT_FALSE(r->node);
    EXPECT_EQ(r->name, "new");
    EXPECT_EQ(r->parent.node(), b);
    EXPECT_EQ(r->parent.path(), "/a/b");
}

TEST_F(VfsdResolve, NameAndPathLengthLimits) {
    std::string name255(255, 'n'), name256(256, 'n');
    auto ok = resolve("/a/" + name255, may_be_missing());
    ASSERT_FALSE(ok.is_error());
    EXPECT_EQ(ok->name, name255);
    EXPECT_EQ(err("/a/" + name256, may_be_missing()), ENAMETOOLONG);
    EXPECT_EQ(err("/" + name256 + "/a"), ENAMETOOLONG);
    ASSERT_FALSE(a->create(name255, FileType::Regular, 0644).is_error());
    EXPECT_EQ(err("/a/" + name255), 0);

    // PATH_MAX counts the terminating NUL: 4095 bytes resolve, 4096 do not.
    std::string path = "/a";
    path.insert(0, 4095 - path.size(), '/');
    EXPECT_EQ(where(path), "/a");
    EXPECT_EQ(err(path + "/"), ENAMETOOLONG);
}

TEST_F(VfsdResolve, RelativeAndAbsoluteSymlinks) {
    mk_link(a, "rel", "b/file");
    mk_link(root, "abs", "/a/b");
    mk_link(sub, "up", "../..");
    EXPECT_EQ(where("/a/rel"), "/a/b/file");
    EXPECT_EQ(where("/abs/file"), "/a/b/file");
    EXPECT_EQ(where("/a/b/sub/up/b"), "/a/b");
    // ".." after a symlink to a directory goes to the target's parent, as
    // Linux's physical walk does.
    EXPECT_EQ(where("/abs/.."), "/a");
}

TEST_F(VfsdResolve, FollowLastOnlyChangesTheLastComponent) {
    mk_link(root, "abs", "/a/b");
    auto link = resolve("/abs", no_follow());
    ASSERT_FALSE(link.is_error());
    EXPECT_EQ(link->node->type(), FileType::Symlink);
    EXPECT_EQ(link->full.path(), "/abs");
    // Intermediate symlinks are always followed; a trailing slash follows
    // the last one too.
    EXPECT_EQ(where("/abs/file", no_follow()), "/a/b/file");
    EXPECT_EQ(where("/abs/", no_follow()), "/a/b");
    mk_link(root, "to_file", "/a/b/file");
    EXPECT_EQ(err("/to_file/"), ENOTDIR);
}

TEST_F(VfsdResolve, SymlinkChainLimitIsForty) {
    // l1 -> file, l2 -> l1, ... : Linux follows 40 links in one walk.
    mk_link(root, "l1", "/file");
    for (int i = 2; i <= 41; ++i)
        mk_link(root, "l" + std::to_string(i), "l" + std::to_string(i - 1));
    EXPECT_EQ(where("/l40"), "/file");
    EXPECT_EQ(err("/l41"), ELOOP);
    EXPECT_EQ(err("/l41", no_follow()), 0);
}

TEST_F(VfsdResolve, SymlinkLoopsAndEmptyTargets) {
    mk_link(root, "self", "self");
    mk_link(root, "ping", "pong");
    mk_link(root, "pong", "ping");
    mk_link(root, "empty", "");
    EXPECT_EQ(err("/self"), ELOOP);
    EXPECT_EQ(err("/ping/x"), ELOOP);
    EXPECT_EQ(err("/self", no_follow()), 0);
    EXPECT_EQ(err("/empty"), ENOENT);
}

TEST_F(VfsdResolve, DanglingSymlinkLeadsCreationToItsTarget) {
    mk_link(root, "dangling", "/a/b/made");
    mk_link(root, "deep", "/missing/made");
    EXPECT_EQ(err("/dangling"), ENOENT);
    auto r = resolve("/dangling", may_be_missing());
    ASSERT_FALSE(r.is_error());
    EXPECT_FALSE(r->node);
    EXPECT_EQ(r->name, "made");
    EXPECT_EQ(r->parent.path(), "/a/b");
    EXPECT_EQ(err("/deep", may_be_missing()), ENOENT);
    EXPECT_EQ(err("/dangling/x", may_be_missing()), ENOENT);
    // Not followed, the link itself is there.
    ResolveOptions o = may_be_missing();
    o.follow_last = false;
    auto link = resolve("/dangling", o);
    ASSERT_FALSE(link.is_error());
    EXPECT_EQ(link->node->type(), FileType::Symlink);
}

TEST_F(VfsdResolve, WalksIntoAndOutOfAMount) {
    auto r = resolve("/mnt/inner");
    ASSERT_FALSE(r.is_error());
    EXPECT_EQ(r->node, inner);
    EXPECT_EQ(r->full.path(), "/mnt/inner");
    EXPECT_NE(r->node->attributes().dev, file->attributes().dev);
    EXPECT_EQ(where("/mnt/../a"), "/a");
    EXPECT_EQ(where("/mnt/.."), "/");
}

TEST_F(VfsdResolve, LocationPath) {
    Location l = ns.root();
    EXPECT_EQ(l.path(), "/");
    l.chain.push_back({"a", a});
    l.chain.push_back({"b", b});
    EXPECT_EQ(l.path(), "/a/b");
    EXPECT_EQ(l.node(), b);
    Location empty;
    EXPECT_EQ(empty.path(), "/");
}

// --- fd tables ---

FilePtr some_file() {
    auto node = std::make_shared<MemFile>(0644, 1);
    return node->open(O_RDWR).value();
}

TEST(VfsdFdTable, InstallTakesTheLowestFreeFd) {
    Process p;
    EXPECT_EQ(p.install(some_file(), false).value(), 0);
    EXPECT_EQ(p.install(some_file(), false).value(), 1);
    EXPECT_EQ(p.install(some_file(), false).value(), 2);
    ASSERT_FALSE(p.close(1).is_error());
    EXPECT_EQ(p.install(some_file(), false).value(), 1);
    EXPECT_EQ(p.install(some_file(), false, 7).value(), 7); // F_DUPFD's minimum
    EXPECT_EQ(p.install(some_file(), false, 7).value(), 8);
    EXPECT_EQ(p.install(some_file(), false).value(), 3);
    EXPECT_EQ(error_of(p.install(some_file(), false, -1)), EINVAL);
}

TEST(VfsdFdTable, LookupAndClose) {
    Process p;
    FilePtr f = some_file();
    int fd = p.install(f, true).value();
    EXPECT_EQ(p.file(fd).value(), f);
    EXPECT_TRUE(p.entry(fd)->cloexec);
    EXPECT_EQ(error_of(p.file(-1)), EBADF);
    EXPECT_EQ(error_of(p.file(fd + 1)), EBADF);
    EXPECT_EQ(p.entry(1000), nullptr);
    ASSERT_FALSE(p.close(fd).is_error());
    EXPECT_EQ(error_of(p.close(fd)), EBADF);
    EXPECT_EQ(error_of(p.close(-1)), EBADF);
    EXPECT_EQ(error_of(p.file(fd)), EBADF);
}

TEST(VfsdFdTable, InstallAtReplacesAndRespectsTheLimit) {
    Process p;
    p.fd_limit = 16;
    FilePtr first = some_file();
    std::weak_ptr<OpenFile> weak = first;
    ASSERT_FALSE(p.install_at(9, std::move(first), false).is_error());
    EXPECT_FALSE(weak.expired());
    ASSERT_FALSE(p.install_at(9, some_file(), true).is_error());
    EXPECT_TRUE(weak.expired()); // the replaced file is closed
    EXPECT_TRUE(p.entry(9)->cloexec);
    EXPECT_EQ(p.install(some_file(), false).value(), 0);
    EXPECT_EQ(error_of(p.install_at(16, some_file(), false)), EBADF);
    EXPECT_EQ(error_of(p.install_at(-1, some_file(), false)), EBADF);
}

TEST(VfsdFdTable, FdLimitGivesEmfile) {
    Process p;
    p.fd_limit = 4;
    for (int i = 0; i < 4; ++i)
        EXPECT_EQ(p.install(some_file(), false).value(), i);
    EXPECT_EQ(error_of(p.install(some_file(), false)), EMFILE);
    ASSERT_FALSE(p.close(2).is_error());
    EXPECT_EQ(error_of(p.install(some_file(), false, 3)), EMFILE);
    EXPECT_EQ(p.install(some_file(), false, 1).value(), 2);
    // A minimum at or past the limit is EINVAL (F_DUPFD).
    EXPECT_EQ(error_of(p.install(some_file(), false, 4)), EINVAL);
}

TEST(VfsdFdTable, CloseOnExecClosesOnlyCloexecFds) {
    Process p;
    FilePtr keep = some_file(), drop = some_file();
    ASSERT_EQ(p.install(keep, false).value(), 0);
    ASSERT_EQ(p.install(drop, true).value(), 1);
    std::weak_ptr<OpenFile> weak_drop = drop;
    drop.reset();
    p.close_on_exec();
    EXPECT_EQ(p.file(0).value(), keep);
    EXPECT_EQ(error_of(p.file(1)), EBADF);
    EXPECT_TRUE(weak_drop.expired());
    EXPECT_EQ(p.install(some_file(), false).value(), 1);
}

TEST(VfsdProcessTable, FirstUseGetsTheConsoleAndTheInitialCwd) {
    ProcessTable t;
    auto dir = make_memfs_root();
    t.initial_cwd.chain.push_back({"", dir});
    FilePtr console = some_file();
    int opened = 0;
    t.open_console = [&] {
        ++opened;
        return console;
    };
    Process& p = t.get(5);
    EXPECT_EQ(p.pid, 5u);
    EXPECT_EQ(opened, 1);
    for (int fd = 0; fd < 3; ++fd)
        EXPECT_EQ(p.file(fd).value(), console);
    EXPECT_EQ(p.cwd.node(), dir);
    EXPECT_EQ(&t.get(5), &p);
    EXPECT_EQ(opened, 1);
    EXPECT_EQ(t.find(6), nullptr);
}

TEST(VfsdProcessTable, ForkCopiesTheTableAndSharesOpenFiles) {
    ProcessTable t;
    Process& parent = t.get(10);
    parent.umask = 077;
    parent.exe = "/bin/prog";
    parent.cmdline = {"prog", "-x"};
    parent.pgid = 10;
    parent.sid = 3;
    parent.fd_limit = 64;
    FilePtr f = some_file();
    ASSERT_EQ(parent.install(f, true).value(), 0);
    ASSERT_FALSE(f->write("hello", 5).is_error());

    t.fork(10, 11);
    Process* child = t.find(11);
    ASSERT_NE(child, nullptr);
    EXPECT_EQ(child->ppid, 10u);
    EXPECT_EQ(child->pgid, 10u);
    EXPECT_EQ(child->sid, 3u);
    EXPECT_EQ(child->umask, 077u);
    EXPECT_EQ(child->exe, "/bin/prog");
    EXPECT_EQ(child->cmdline, parent.cmdline);
    EXPECT_EQ(child->fd_limit, 64u);
    // The same open file: one offset, and the close-on-exec flag copied.
    FilePtr cf = child->file(0).value();
    EXPECT_EQ(cf, f);
    EXPECT_TRUE(child->entry(0)->cloexec);
    EXPECT_EQ(cf->offset, 5u);
    ASSERT_FALSE(cf->write("!", 1).is_error());
    EXPECT_EQ(f->offset, 6u);
    // Closing in the child leaves the parent's fd alone.
    ASSERT_FALSE(child->close(0).is_error());
    EXPECT_EQ(t.find(10)->file(0).value(), f);
}

TEST(VfsdProcessTable, RemoveClosesEverything) {
    ProcessTable t;
    FilePtr f = some_file();
    std::weak_ptr<OpenFile> weak = f;
    ASSERT_FALSE(t.get(20).install(std::move(f), false).is_error());
    t.remove(20);
    t.remove(21); // unknown: nothing happens
    EXPECT_EQ(t.find(20), nullptr);
    EXPECT_TRUE(weak.expired());
}

} // namespace
