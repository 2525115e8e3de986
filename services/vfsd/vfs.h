// The namespace and the per-process state vfsd keeps: the root with its
// mounts, path resolution (absolute and relative paths, dirfds, "..",
// symlinks with a loop limit, trailing slashes), and for every process its
// fd table, current directory, umask, program and command line.
#pragma once

#include "node.h"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace vfsd {

struct Resolved {
    Location parent;  // the directory holding the last component
    std::string name; // the last component ("" for "/")
    NodePtr node;     // null when the last component does not exist
    Location full;    // valid when node is set
};

struct ResolveOptions {
    bool follow_last = true;
    bool must_exist = true; // ENOENT when the last component is missing
};

struct Mount {
    std::string source, target, fstype, options;
};

class Namespace {
public:
    void set_root(NodePtr root);
    Location root() const;
    ErrorOr<Resolved> resolve(const Location& start, std::string_view path,
                              ResolveOptions options) const;
    std::vector<Mount> mounts;

private:
    ErrorOr<void> walk(Location& loc, std::string_view path, bool follow_last, bool* missing_last,
                       std::string* last_name, Location* parent, int* links) const;
    NodePtr m_root;
};

struct FdEntry {
    FilePtr file;
    bool cloexec = false;
};

struct Process {
    uint32_t pid = 0;
    uint32_t ppid = 0, pgid = 0, sid = 0;
    bool exited = false;
    std::vector<FdEntry> fds;
    Location cwd;
    uint32_t umask = 022;
    std::string exe;
    // The file exe names, while this process runs it: writing to it is
    // ETXTBSY, as on Linux.
    std::weak_ptr<Node> exe_node;
    std::vector<std::string> cmdline;
    uint32_t fd_limit = 1024;
    // From syscalld, per thread: SIGTTIN (1) / SIGTTOU (2) ignored or
    // blocked, for the tty's job-control checks.
    std::map<uint32_t, uint32_t> job_signals;

    FdEntry* entry(int fd);
    ErrorOr<FilePtr> file(int fd);
    // Lowest free fd >= min.
    ErrorOr<int> install(FilePtr file, bool cloexec, int min = 0);
    ErrorOr<void> install_at(int fd, FilePtr file, bool cloexec);
    ErrorOr<void> close(int fd);
    void close_on_exec();
    void close_all();
};

class ProcessTable {
public:
    // The state of `pid`, created on first use with the console on 0, 1, 2.
    Process& get(uint32_t pid);
    Process* find(uint32_t pid);
    void fork(uint32_t parent, uint32_t child);
    void remove(uint32_t pid);
    std::map<uint32_t, Process>& all() { return m_procs; }
    // A live process runs `node` (its exe): it may not be written.
    bool executes(const Node* node) const;
    // Some process has `node` open for writing: it may not be executed.
    bool open_for_writing(const Node* node) const;

    std::function<FilePtr()> open_console;
    Location initial_cwd;

private:
    std::map<uint32_t, Process> m_procs;
};

// The process and thread whose call is being served (procfs's /proc/self,
// the tty's job-control checks).
extern uint32_t g_current_pid;
extern uint32_t g_current_tid;

} // namespace vfsd
