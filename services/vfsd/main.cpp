// vfsd: Linux VFS policy. It owns the namespace (bootfs as the root's
// contents, tmpfs on /tmp and /run, devfs on /dev, procfs on /proc), every
// process's fd table and current directory, pipes, AF_UNIX sockets, poll,
// select and epoll, and the console tty.
//
// One thread serves everything: a call that must wait (a read of an empty
// pipe, accept, poll) is parked with its one-shot reply handle and run
// again whenever some stream changes state, when its deadline passes, or
// answered with EINTR when the kernel cancels it for a signal.
#include "bootfs.h"
#include "console.h"
#include "devfs.h"
#include "memfs.h"
#include "pipe.h"
#include "procfs.h"
#include "syscalls.h"

#include <rustos/service/log.h>
#include <rustos/service/server.h>

#include <list>

using namespace rustos;
using namespace rustos::service;
using namespace vfsd;

namespace {

struct Parked {
    LinuxCall call;
    CallState state;
    DeferredReply reply;
};

Vfs g_vfs;
std::list<Parked> g_parked;
Server* g_server;
Handle g_syscalld;
std::shared_ptr<Console> g_console;

void send_reply(DeferredReply& reply, const LinuxReply& r) {
    auto m = new_message();
    r.write(*m);
    (void)reply.send(*m);
}

// Runs the parked calls again (after a state change or a deadline).
void retry_parked(bool deadlines_only) {
    uint64_t now = monotonic_ns();
    bool progress = true;
    // A completed call may unblock another (a read frees pipe space for a
    // parked write): go round until nothing moves.
    for (int rounds = 0; progress && rounds < 16; ++rounds) {
        progress = false;
        g_state_changed = false;
        for (auto it = g_parked.begin(); it != g_parked.end();) {
            bool due = it->state.deadline_ns && now >= it->state.deadline_ns;
            if (deadlines_only && !due) {
                ++it;
                continue;
            }
            it->state.retry = true;
            it->state.timed_out = due;
            Outcome o = g_vfs.handle(it->call, it->state);
            if (o.park) {
                ++it;
                continue;
            }
            send_reply(it->reply, o.reply);
            it = g_parked.erase(it);
            progress = true;
        }
        if (!g_state_changed)
            break;
        deadlines_only = false;
        progress = true;
    }
}

uint64_t next_deadline() {
    uint64_t best = 0;
    for (auto& p : g_parked)
        if (p.state.deadline_ns && (!best || p.state.deadline_ns < best))
            best = p.state.deadline_ns;
    return best;
}

void on_wake() {
    uint64_t due = next_deadline();
    if (g_state_changed)
        retry_parked(false);
    else if (due && monotonic_ns() >= due)
        retry_parked(true);
}

void handle_linux(Call& call) {
    auto decoded = LinuxCall::decode(call);
    if (decoded.is_error()) {
        call.fail(decoded.error().code(), decoded.error().reason());
        return;
    }
    CallState state;
    Outcome o = g_vfs.handle(decoded.value(), state);
    if (o.park) {
        state.deadline_ns = o.deadline_ns ? o.deadline_ns : state.deadline_ns;
        g_parked.push_back(Parked{std::move(decoded.value()), state, call.defer()});
        return;
    }
    o.reply.write(call.writer());
}

void raise_group(uint32_t pgid, int signo) {
    if (!g_syscalld) {
        auto h = lookup(ipc::service::SYSCALLD, 0);
        if (h.is_error())
            return;
        g_syscalld = std::move(h.value());
    }
    auto m = new_message(ipc::op::SYSCALLD_RAISE_GROUP);
    MessageWriter w(*m);
    w.u32(pgid).i32(signo);
    w.finish();
    user::ipc_send(g_syscalld.get(), m.get());
}

void handle_event(const Message& m) {
    if (m.header.op == ipc::op::VFSD_JOB_SIGNALS &&
        ipc::sender_service(m.header) == ipc::service::SYSCALLD) {
        auto rd = reader_of(m);
        uint32_t pid = rd.u32(), tid = rd.u32(), bits = rd.u32();
        if (rd.ok())
            if (Process* p = g_vfs.procs.find(pid))
                p->job_signals[tid] = bits;
        return;
    }
    if (!(m.header.flags & ipc::kFromKernel))
        return;
    auto rd = reader_of(m);
    switch (m.header.op) {
    case ipc::op::KERNEL_CONSOLE_INPUT:
        if (g_console)
            g_console->input(
                std::string_view(reinterpret_cast<const char*>(m.payload), m.header.length));
        break;
    case ipc::op::KERNEL_PROCESS_EXITED: {
        uint32_t pid = rd.u32();
        if (!rd.ok())
            return;
        // Its parked calls died with it (the kernel dropped them).
        g_parked.remove_if([pid](const Parked& p) { return p.call.pid == pid; });
        if (Process* p = g_vfs.procs.find(pid))
            p->exited = true;
        g_vfs.procs.remove(pid);
        if (g_console)
            g_console->process_exited(pid);
        g_state_changed = true;
        break;
    }
    case ipc::op::KERNEL_CANCEL: {
        uint32_t tid = rd.u32();
        for (auto it = g_parked.begin(); it != g_parked.end(); ++it) {
            if (it->call.tid != tid)
                continue;
            send_reply(it->reply, LinuxReply::error(EINTR));
            g_parked.erase(it);
            break;
        }
        break;
    }
    default:
        break;
    }
}

// The requests below come from one peer service each; anyone else gets
// EPERM before anything is decoded.

void handle_fork(Call& call) {
    if (!call.require_sender(ipc::service::PROCD))
        return;
    auto rd = call.reader();
    uint32_t parent = rd.u32(), child = rd.u32();
    if (!rd.ok() || !child) {
        call.fail(EINVAL, "FORK: parent and child pid");
        return;
    }
    g_vfs.procs.fork(parent, child);
}

void handle_exec(Call& call) {
    if (!call.require_sender(ipc::service::LOADERD))
        return;
    auto rd = call.reader();
    uint32_t pid = rd.u32();
    StringView exe = rd.str(4096);
    uint32_t argc = rd.u32();
    std::vector<std::string> argv;
    for (uint32_t i = 0; i < argc && i < 4096 && rd.ok(); ++i) {
        StringView a = rd.str();
        argv.emplace_back(a.data(), a.size());
    }
    if (!rd.ok()) {
        call.fail(EINVAL, "EXEC: malformed");
        return;
    }
    Process& p = g_vfs.procs.get(pid);
    p.close_on_exec();
    p.exe.assign(exe.data(), exe.size());
    auto node = g_vfs.ns.resolve(g_vfs.procs.initial_cwd, p.exe, {});
    p.exe_node = node.is_error() ? std::weak_ptr<Node>() : std::weak_ptr<Node>(node->node);
    p.cmdline = std::move(argv);
    g_state_changed = true;
}

void handle_spawn_stdio(Call& call) {
    if (!call.require_sender(ipc::service::LOADERD))
        return;
    auto rd = call.reader();
    uint32_t pid = rd.u32(), parent = rd.u32();
    StringView console = rd.str(256);
    if (!rd.ok()) {
        call.fail(EINVAL, "SPAWN_STDIO: malformed");
        return;
    }
    if (!console.empty()) {
        // A console session: the console on 0, 1, 2, as its controlling tty.
        g_vfs.procs.remove(pid);
        Process& p = g_vfs.procs.get(pid);
        p.sid = p.pgid = pid;
        g_console->set_session(pid, pid);
    } else if (!g_vfs.procs.find(parent)) {
        g_vfs.procs.get(pid); // the console on 0, 1, 2
    } else {
        g_vfs.procs.fork(parent, pid);
        g_vfs.procs.get(pid).close_on_exec();
    }
}

void handle_process_info(Call& call) {
    if (!call.require_sender(ipc::service::PROCD))
        return;
    auto rd = call.reader();
    uint32_t pid = rd.u32(), ppid = rd.u32(), pgid = rd.u32(), sid = rd.u32();
    rd.u32();
    if (!rd.ok()) {
        call.fail(EINVAL, "PROCESS_INFO: malformed");
        return;
    }
    Process& p = g_vfs.procs.get(pid);
    bool new_session = p.sid != sid && sid == pid;
    p.ppid = ppid;
    p.pgid = pgid;
    p.sid = sid;
    if (new_session && g_console)
        g_console->session_left(pid);
}

void handle_read_file(Call& call) {
    if (!call.require_sender(ipc::service::LOADERD))
        return;
    auto rd = call.reader();
    uint32_t pid = rd.u32();
    StringView path = rd.str(4096);
    uint64_t offset = rd.u64();
    uint32_t max = rd.u32();
    if (!rd.ok() || path.empty()) {
        call.fail(EINVAL, "READ_FILE: malformed");
        return;
    }
    auto opened = g_vfs.open_for(pid, std::string(path.data(), path.size()));
    if (opened.is_error()) {
        call.fail(opened.error().code(), opened.error().reason());
        return;
    }
    auto& [resolved, file] = opened.value();
    Attributes a = file->node()->attributes();
    size_t n = std::min<size_t>(max, ipc::kMaxPayload - 512);
    std::string buf(n, '\0');
    auto got = file->pread(offset, buf.data(), n);
    if (got.is_error()) {
        call.fail(got.error().code(), got.error().reason());
        return;
    }
    call.writer().str(StringView(resolved.data(), resolved.size()));
    call.writer().u64(a.size).u32(a.mode);
    call.writer().bytes(buf.data(), got.value());
}

void handle_read_fd(Call& call) {
    if (!call.require_sender(ipc::service::SYSCALLD))
        return;
    auto rd = call.reader();
    uint32_t pid = rd.u32();
    int32_t fd = rd.i32();
    uint64_t offset = rd.u64();
    uint32_t max = rd.u32();
    if (!rd.ok()) {
        call.fail(EINVAL, "READ_FD: malformed");
        return;
    }
    Process* p = g_vfs.procs.find(pid);
    auto file = p ? p->file(fd) : ErrorOr<FilePtr>(Error(EBADF, "bad file descriptor"));
    if (file.is_error()) {
        call.fail(EBADF, "bad file descriptor");
        return;
    }
    FilePtr f = file.value();
    Attributes a = f->node()->attributes();
    FileType t = FileType(a.mode & kTypeMask);
    if (t != FileType::Regular && t != FileType::CharDevice) {
        call.fail(ENODEV, "cannot be mapped");
        return;
    }
    size_t n = std::min<size_t>(max, ipc::kMaxPayload - 512);
    std::string buf(n, '\0');
    size_t got = 0;
    if (t == FileType::Regular) {
        auto r = f->pread(offset, buf.data(), n);
        if (r.is_error()) {
            call.fail(r.error().code(), r.error().reason());
            return;
        }
        got = r.value();
    }
    call.writer().u64(a.size).u32(a.mode).u32(uint32_t(f->flags()));
    call.writer().bytes(buf.data(), got);
}

void handle_map_fd(Call& call) {
    if (!call.require_sender(ipc::service::SYSCALLD))
        return;
    auto rd = call.reader();
    uint32_t pid = rd.u32();
    int32_t fd = rd.i32();
    bool shared_writable = rd.u32() != 0;
    if (!rd.ok())
        return call.fail(EINVAL, "MAP_FD: malformed");
    Process* p = g_vfs.procs.find(pid);
    auto file = p ? p->file(fd) : ErrorOr<FilePtr>(Error(EBADF, "bad file descriptor"));
    if (file.is_error())
        return call.fail(EBADF, "bad file descriptor");
    FilePtr f = file.value();
    Attributes a = f->node()->attributes();
    if (FileType(a.mode & kTypeMask) != FileType::Regular)
        return call.fail(ENODEV, "not a regular file");
    if (shared_writable && !f->writable())
        return call.fail(EACCES, "shared writable mapping of a file not open for writing");
    auto h = f->node()->share_memory(shared_writable);
    if (h.is_error())
        return call.fail(h.error().code(), h.error().reason());
    call.writer().u64(a.size).u32(a.mode).u32(uint32_t(f->flags()));
    call.writer().handle(handle_t(h.value()));
}

void handle_map_file(Call& call) {
    if (!call.require_sender(ipc::service::LOADERD))
        return;
    auto rd = call.reader();
    uint32_t pid = rd.u32();
    StringView path = rd.str(4096);
    if (!rd.ok() || path.empty())
        return call.fail(EINVAL, "MAP_FILE: malformed");
    auto opened = g_vfs.open_for(pid, std::string(path.data(), path.size()));
    if (opened.is_error())
        return call.fail(opened.error().code(), opened.error().reason());
    auto& [resolved, file] = opened.value();
    Attributes a = file->node()->attributes();
    if (FileType(a.mode & kTypeMask) != FileType::Regular)
        return call.fail(EACCES, "not a regular file");
    if (g_vfs.procs.open_for_writing(file->node().get()))
        return call.fail(ETXTBSY, "open for writing");
    auto h = file->node()->share_memory(false);
    if (h.is_error())
        return call.fail(h.error().code(), h.error().reason());
    call.writer().str(StringView(resolved.data(), resolved.size()));
    call.writer().u64(a.size).u32(a.mode);
    call.writer().handle(handle_t(h.value()));
}

void handle_set_fd_limit(Call& call) {
    if (!call.require_sender(ipc::service::SYSCALLD))
        return;
    auto rd = call.reader();
    uint32_t pid = rd.u32(), limit = rd.u32();
    if (!rd.ok()) {
        call.fail(EINVAL, "SET_FD_LIMIT: malformed");
        return;
    }
    g_vfs.procs.get(pid).fd_limit = std::min<uint32_t>(std::max<uint32_t>(limit, 3), 65536);
}

void mount_everything() {
    uint64_t size = 0;
    int64_t addr = user::bootfs_map(&size);
    auto root = make_memfs_root(0755);
    if (addr < 0) {
        log("cannot map the boot bundle: %s", abi::errno_description(Errno(-addr)));
    } else {
        size_t files = 0;
        auto bootfs = load_bootfs({reinterpret_cast<const uint8_t*>(addr), size}, &files);
        if (bootfs.is_error()) {
            log("boot bundle unusable: %s", bootfs.error().reason());
        } else {
            for (auto& [name, node] : bootfs.value()->children)
                (void)root->attach(name, node);
            log("bootfs: %zu files from the boot bundle (%llu KiB), read-only", files,
                (unsigned long long)(size / 1024));
        }
    }
    g_console = make_console([](uint32_t pgid, int signo) { raise_group(pgid, signo); },
                             [](const char* data, size_t len) { user::console_write(data, len); },
                             &g_vfs.procs);
    g_vfs.console = g_console->node();
    auto tmp = make_memfs_root(01777);
    auto run = make_memfs_root(0755);
    auto user_dir = run->create("user", FileType::Directory, 0755);
    if (!user_dir.is_error())
        (void)user_dir.value()->create("1000", FileType::Directory, 0700);
    (void)root->attach("tmp", tmp);
    (void)root->attach("run", run);
    (void)root->attach("dev", make_devfs(g_console->node()));
    (void)root->create("root", FileType::Directory, 0700);
    (void)root->create("home", FileType::Directory, 0755);
    (void)root->create("etc", FileType::Directory, 0755);
    (void)root->create("var", FileType::Directory, 0755);
    g_vfs.ns.set_root(root);
    (void)root->attach("proc", make_procfs(g_vfs.procs, g_vfs.ns));
    g_vfs.ns.mounts = {{"rootfs", "/", "rootfs", "rw"},
                       {"bootfs", "/", "bootfs", "ro"},
                       {"tmpfs", "/tmp", "tmpfs", "rw,mode=1777"},
                       {"tmpfs", "/run", "tmpfs", "rw,mode=755"},
                       {"devtmpfs", "/dev", "devtmpfs", "rw"},
                       {"tmpfs", "/dev/shm", "tmpfs", "rw,mode=1777"},
                       {"proc", "/proc", "proc", "rw"}};
    g_vfs.procs.initial_cwd = g_vfs.ns.root();
    g_vfs.procs.open_console = [] {
        auto f = g_console->node()->open(kReadWrite);
        if (f.is_error())
            return FilePtr();
        f.value()->path = "/dev/console";
        return f.value();
    };
    g_vfs.tty_ioctl = [](Process& p, uint32_t request, const LinuxCall& c, LinuxReply& r) {
        return g_console->ioctl(p, request, c, r);
    };
}

} // namespace

int main() {
    mount_everything();
    Server server("vfsd", ipc::service::VFSD);
    g_server = &server;
    server.serve_linux_calls();
    server.set_not_yet(
        "the FAT32 boot volume (the file system code is ready: mounting waits for storaged "
        "and the AHCI/NVMe drivers)");
    server.on(ipc::op::KERNEL_LINUX_SYSCALL, handle_linux);
    server.on(ipc::op::VFSD_FORK, handle_fork);
    server.on(ipc::op::VFSD_EXEC, handle_exec);
    server.on(ipc::op::VFSD_SPAWN_STDIO, handle_spawn_stdio);
    server.on(ipc::op::VFSD_PROCESS_INFO, handle_process_info);
    server.on(ipc::op::VFSD_READ_FILE, handle_read_file);
    server.on(ipc::op::VFSD_READ_FD, handle_read_fd);
    server.on(ipc::op::VFSD_MAP_FD, handle_map_fd);
    server.on(ipc::op::VFSD_MAP_FILE, handle_map_file);
    server.on(ipc::op::VFSD_SET_FD_LIMIT, handle_set_fd_limit);
    server.on_event(handle_event);
    server.set_wakeups(next_deadline, on_wake);
    auto started = server.start();
    if (started.is_error()) {
        log("cannot start: %s", started.error().reason());
        return 1;
    }
    // Console input and process exits arrive as events on our endpoint.
    int64_t r = user::console_events(server.endpoint());
    if (r < 0)
        log("no console input: %s", abi::errno_description(Errno(-r)));
    r = user::process_events(server.endpoint());
    if (r < 0)
        log("no process events: %s", abi::errno_description(Errno(-r)));
    server.serve();
}
