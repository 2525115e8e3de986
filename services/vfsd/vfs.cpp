#include "vfs.h"

namespace vfsd {

uint32_t g_current_pid = 0;
uint32_t g_current_tid = 0;

namespace {
constexpr int kMaxSymlinks = 40; // Linux's MAXSYMLINKS
constexpr size_t kNameMax = 255;
constexpr size_t kPathMax = 4096;
} // namespace

std::string Location::path() const {
    if (chain.size() <= 1)
        return "/";
    std::string p;
    for (size_t i = 1; i < chain.size(); ++i)
        p += "/" + chain[i].first;
    return p;
}

void Namespace::set_root(NodePtr root) { m_root = std::move(root); }

Location Namespace::root() const {
    Location l;
    l.chain.push_back({"", m_root});
    return l;
}

ErrorOr<void> Namespace::walk(Location& loc, std::string_view path, bool follow_last, bool* missing,
                              std::string* last, Location* parent, int* links) const {
    std::vector<std::string_view> parts;
    size_t i = 0;
    while (i < path.size()) {
        while (i < path.size() && path[i] == '/')
            ++i;
        size_t start = i;
        while (i < path.size() && path[i] != '/')
            ++i;
        if (i > start)
            parts.push_back(path.substr(start, i - start));
    }
    bool trailing_slash = !path.empty() && path.back() == '/';
    *parent = loc;
    *last = "";
    for (size_t k = 0; k < parts.size(); ++k) {
        bool is_last = k + 1 == parts.size();
        std::string comp(parts[k]);
        *parent = loc;
        if (comp == ".") {
            if (!loc.node()->is_directory())
                return Error(ENOTDIR, "not a directory");
            *last = comp;
            continue;
        }
        if (comp == "..") {
            if (!loc.node()->is_directory())
                return Error(ENOTDIR, "not a directory");
            if (loc.chain.size() > 1)
                loc.chain.pop_back();
            *last = comp;
            continue;
        }
        if (comp.size() > kNameMax)
            return Error(ENAMETOOLONG, "file name too long");
        NodePtr dir = loc.node();
        if (!dir->is_directory())
            return Error(ENOTDIR, "not a directory");
        auto child = dir->lookup(comp);
        if (child.is_error()) {
            if (child.error().code() == ENOENT && is_last) {
                *missing = true;
                *last = comp;
                return {};
            }
            return child.error();
        }
        NodePtr node = child.value();
        if (node->type() == FileType::Symlink && (!is_last || follow_last || trailing_slash)) {
            if (--*links < 0)
                return Error(ELOOP, "too many levels of symbolic links");
            std::string target = TRY(node->readlink());
            if (target.empty())
                return Error(ENOENT, "empty symbolic link");
            Location sub = target[0] == '/' ? root() : loc;
            bool sub_missing = false;
            std::string sub_last;
            Location sub_parent;
            TRY(walk(sub, target, true, &sub_missing, &sub_last, &sub_parent, links));
            if (sub_missing) {
                if (!is_last)
                    return Error(ENOENT, "no such file or directory");
                // A dangling symlink as last component: creation goes to its target.
                *missing = true;
                *last = sub_last;
                *parent = sub_parent;
                return {};
            }
            loc = std::move(sub);
            *last = comp;
            continue;
        }
        loc.chain.push_back({comp, node});
        *last = comp;
    }
    if (trailing_slash && !*missing && !loc.node()->is_directory())
        return Error(ENOTDIR, "not a directory");
    return {};
}

ErrorOr<Resolved> Namespace::resolve(const Location& start, std::string_view path,
                                     ResolveOptions options) const {
    if (path.empty())
        return Error(ENOENT, "empty path");
    if (path.size() >= kPathMax)
        return Error(ENAMETOOLONG, "path too long");
    Location loc = path[0] == '/' ? root() : start;
    int links = kMaxSymlinks;
    bool missing = false;
    Resolved r;
    TRY(walk(loc, path, options.follow_last, &missing, &r.name, &r.parent, &links));
    if (missing) {
        if (options.must_exist)
            return Error(ENOENT, "no such file or directory");
        return r;
    }
    r.node = loc.node();
    r.full = std::move(loc);
    return r;
}

FdEntry* Process::entry(int fd) {
    if (fd < 0 || size_t(fd) >= fds.size() || !fds[size_t(fd)].file)
        return nullptr;
    return &fds[size_t(fd)];
}

ErrorOr<FilePtr> Process::file(int fd) {
    FdEntry* e = entry(fd);
    if (!e)
        return Error(EBADF, "bad file descriptor");
    return e->file;
}

ErrorOr<int> Process::install(FilePtr f, bool cloexec, int min) {
    if (min < 0)
        return Error(EINVAL, "negative fd");
    for (size_t fd = size_t(min); fd < fd_limit; ++fd) {
        if (fd >= fds.size())
            fds.resize(fd + 1);
        if (!fds[fd].file) {
            fds[fd] = {std::move(f), cloexec};
            return int(fd);
        }
    }
    return Error(min >= int(fd_limit) ? EINVAL : EMFILE, "too many open files");
}

ErrorOr<void> Process::install_at(int fd, FilePtr f, bool cloexec) {
    if (fd < 0 || uint32_t(fd) >= fd_limit)
        return Error(EBADF, "fd out of range");
    if (size_t(fd) >= fds.size())
        fds.resize(size_t(fd) + 1);
    fds[size_t(fd)] = {std::move(f), cloexec};
    return {};
}

ErrorOr<void> Process::close(int fd) {
    FdEntry* e = entry(fd);
    if (!e)
        return Error(EBADF, "bad file descriptor");
    *e = FdEntry{};
    return {};
}

void Process::close_on_exec() {
    for (auto& e : fds)
        if (e.cloexec)
            e = FdEntry{};
}

void Process::close_all() { fds.clear(); }

Process& ProcessTable::get(uint32_t pid) {
    auto it = m_procs.find(pid);
    if (it != m_procs.end())
        return it->second;
    Process& p = m_procs[pid];
    p.pid = pid;
    p.cwd = initial_cwd;
    if (open_console) {
        // A process vfsd has not heard of (started before vfsd, or whose
        // parent is unknown) gets the console on 0, 1 and 2.
        FilePtr console = open_console();
        if (console)
            for (int fd = 0; fd < 3; ++fd)
                (void)p.install_at(fd, console, false);
    }
    return p;
}

Process* ProcessTable::find(uint32_t pid) {
    auto it = m_procs.find(pid);
    return it == m_procs.end() ? nullptr : &it->second;
}

void ProcessTable::fork(uint32_t parent, uint32_t child) {
    Process& p = get(parent);
    Process c;
    c.pid = child;
    c.ppid = parent;
    c.pgid = p.pgid;
    c.sid = p.sid;
    c.fds = p.fds; // the same open files: shared offsets, as after fork(2)
    c.cwd = p.cwd;
    c.umask = p.umask;
    c.exe = p.exe;
    c.exe_node = p.exe_node;
    c.cmdline = p.cmdline;
    c.fd_limit = p.fd_limit;
    m_procs[child] = std::move(c);
}

bool ProcessTable::executes(const Node* node) const {
    for (auto& [pid, p] : m_procs)
        if (!p.exited && p.exe_node.lock().get() == node)
            return true;
    return false;
}

bool ProcessTable::open_for_writing(const Node* node) const {
    for (auto& [pid, p] : m_procs)
        for (auto& e : p.fds)
            if (e.file && e.file->writable() && e.file->node().get() == node)
                return true;
    return false;
}

void ProcessTable::remove(uint32_t pid) {
    auto it = m_procs.find(pid);
    if (it == m_procs.end())
        return;
    it->second.close_all();
    m_procs.erase(it);
}

} // namespace vfsd
