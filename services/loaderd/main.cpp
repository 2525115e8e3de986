// loaderd: program loading. It spawns new processes (LOADERD_SPAWN) and
// serves execve/execveat for every Linux process: the program (and its
// PT_INTERP interpreter) is read through vfsd as the calling process
// would open it, `#!` scripts are followed to their interpreter, and the
// new image is built in a fresh address space before it replaces the old
// one, so a failed exec leaves the caller running with an error.
//
// After an exec, vfsd closes the O_CLOEXEC descriptors and records
// /proc/<pid>/exe and cmdline, syscalld resets handled signals, and procd
// learns the new name (and releases a vfork parent).
#include "script.h"

#include <rustos/abi/syscalls.h>
#include <rustos/loader/loader.h>
#include <rustos/service/linux_call.h>
#include <rustos/service/log.h>
#include <rustos/service/server.h>
#include <rustos/service/spawn.h>

#include <cstring>
#include <optional>

#include <sys/mman.h>

using namespace rustos;
using namespace rustos::service;
using namespace loaderd;

namespace {

Handle g_procd, g_vfsd, g_syscalld;

ErrorOr<handle_t> service_handle(Handle& slot, uint32_t id) {
    if (!slot)
        slot = TRY(lookup(id, 5'000'000'000ull));
    return slot.get();
}

// A file as process `pid` would open it, read through vfsd.
struct OpenedFile {
    std::string resolved;
    uint32_t mode = 0;
    loader::FileBytes data;
    Handle object; // its page cache, when it has one: segments map from it
};

constexpr uint32_t kModeTypeMask = 0170000, kModeRegular = 0100000;
constexpr uint64_t kMaxProgramBytes = 256ull << 20;

ErrorOr<void> check_program_file(const std::string& path, uint32_t mode, uint64_t size) {
    if ((mode & kModeTypeMask) != kModeRegular)
        return Error::formatted(EACCES, "%s: not a regular file", path.c_str());
    if (size > kMaxProgramBytes)
        return Error::formatted(E2BIG, "%s: larger than %llu MiB", path.c_str(),
                                (unsigned long long)(kMaxProgramBytes >> 20));
    return {};
}

// Through the file's page cache (VFSD_MAP_FILE): one call, and the bytes
// are a read-only mapping of it (only the pages looked at are touched).
// nullopt when the file has none (procfs): read it.
ErrorOr<std::optional<OpenedFile>> map_as(handle_t vfsd, uint32_t pid, const std::string& path) {
    auto req = new_message(ipc::op::VFSD_MAP_FILE);
    auto rep = new_message();
    MessageWriter w(*req);
    w.u32(pid).str(StringView(path.data(), path.size()));
    w.finish();
    auto r = call(vfsd, *req, *rep);
    if (r.is_error()) {
        if (r.error().code() == ENODEV)
            return std::optional<OpenedFile>();
        return r.error();
    }
    OpenedFile f;
    f.object = Handle(rep->header.handle_count ? rep->header.handles[0] : 0);
    auto rd = reader_of(*rep);
    StringView resolved = rd.str(4096);
    uint64_t size = rd.u64();
    f.mode = rd.u32();
    if (!rd.ok() || !f.object)
        return Error(EPROTO, "malformed MAP_FILE reply from vfsd");
    f.resolved.assign(resolved.data(), resolved.size());
    TRY(check_program_file(path, f.mode, size));
    if (size) {
        uint64_t len = (size + 4095) & ~uint64_t(4095);
        // Zeros, not SIGBUS, should someone truncate the file while we look.
        int64_t at = user::memory_map(f.object.get(), 0, len,
                                      abi::mm_prot_flags(PROT_READ, abi::MM_ZERO_PAST_END), 0);
        if (at < 0)
            return Error::formatted(Errno(-at), "%s: cannot map its page cache", path.c_str());
        f.data = loader::FileBytes::mapping(reinterpret_cast<const void*>(at), size, len);
    }
    return std::optional<OpenedFile>(std::move(f));
}

ErrorOr<OpenedFile> read_as(uint32_t pid, const std::string& path) {
    handle_t vfsd = TRY(service_handle(g_vfsd, ipc::service::VFSD));
    if (auto mapped = TRY(map_as(vfsd, pid, path)))
        return std::move(*mapped);
    OpenedFile f;
    std::string data;
    auto req = new_message();
    auto rep = new_message();
    uint64_t size = 0;
    bool first = true;
    while (first || data.size() < size) {
        // After the first chunk, read by the resolved path: resolving a
        // path such as /proc/self/exe again for every chunk is costly.
        const std::string& name = first ? path : f.resolved;
        req->reset(ipc::op::VFSD_READ_FILE);
        MessageWriter w(*req);
        w.u32(pid).str(StringView(name.data(), name.size())).u64(data.size()).u32(ipc::kMaxPayload);
        w.finish();
        TRY(call(vfsd, *req, *rep));
        auto rd = reader_of(*rep);
        StringView resolved = rd.str(4096);
        size = rd.u64();
        f.mode = rd.u32();
        size_t n = 0;
        const uint8_t* bytes = rd.bytes(&n);
        if (!rd.ok())
            return Error(EPROTO, "malformed READ_FILE reply from vfsd");
        if (first) {
            f.resolved.assign(resolved.data(), resolved.size());
            TRY(check_program_file(path, f.mode, size));
            data.reserve(size);
            first = false;
        }
        if (n == 0)
            break; // the file shrank while we read it
        data.append(reinterpret_cast<const char*>(bytes), n);
    }
    f.data = loader::FileBytes(std::move(data));
    return f;
}

// What execve runs after following `#!` lines: the final program, its
// arguments and the file names along the way.
struct Resolved {
    loader::Files files;
    std::string exe; // the resolved path of the program that runs (/proc/<pid>/exe)
    loader::Program program;
    // The page caches of the program and its interpreter (segments are
    // mapped from them); files.*_object name these.
    Handle program_object, interpreter_object;
};

ErrorOr<Resolved> resolve_program(uint32_t pid, std::string path, std::vector<std::string> argv,
                                  std::vector<std::string> envp) {
    std::string execfn = path;
    for (int depth = 0;; ++depth) {
        OpenedFile f = TRY(read_as(pid, path));
        if (!(f.mode & 0111))
            return Error::formatted(EACCES, "%s: not executable (mode %o)", path.c_str(),
                                    f.mode & 07777);
        std::string_view bytes = f.data.view();
        if (bytes.size() >= 2 && bytes[0] == '#' && bytes[1] == '!') {
            if (depth >= kMaxScriptDepth)
                return Error::formatted(ELOOP, "%s: more than %d nested #! interpreters",
                                        path.c_str(), kMaxScriptDepth);
            auto line = parse_shebang(bytes);
            if (line.is_error())
                return Error::formatted(ENOEXEC, "%s: %s", path.c_str(), line.error().reason());
            argv = script_argv(line.value(), path, argv);
            path = line.value().interpreter;
            continue;
        }
        Resolved r;
        r.exe = f.resolved;
        r.program_object = std::move(f.object);
        auto reader = [pid, &f, &path, &r](const std::string& p) -> ErrorOr<loader::FileBytes> {
            if (p == path)
                return std::move(f.data);
            auto interp = TRY(read_as(pid, p));
            r.interpreter_object = std::move(interp.object);
            return std::move(interp.data);
        };
        r.files = TRY(loader::read_files(path, reader));
        r.files.program_object = r.program_object.get();
        r.files.interpreter_object = r.interpreter_object.get();
        r.program.path = execfn;
        r.program.name = loader::base_name(path);
        r.program.argv = std::move(argv);
        r.program.envp = std::move(envp);
        return r;
    }
}

void notify(Handle& slot, uint32_t service, Message& m) {
    auto h = service_handle(slot, service);
    if (h.is_error())
        return;
    auto rep = new_message();
    auto r = call(h.value(), m, *rep);
    if (r.is_error())
        log("%s did not take op 0x%x: %s",
            service == ipc::service::VFSD ? "vfsd" : "syscalld/procd", m.header.op,
            r.error().reason());
}

// vfsd learns the program a process now runs (exe, cmdline) and closes
// its O_CLOEXEC descriptors.
void tell_vfsd_exec(uint32_t pid, const std::string& exe, const std::vector<std::string>& argv) {
    auto m = new_message(ipc::op::VFSD_EXEC);
    MessageWriter w(*m);
    w.u32(pid).str(StringView(exe.data(), exe.size())).u32(uint32_t(argv.size()));
    for (auto& a : argv)
        w.str(StringView(a.data(), a.size()));
    if (!w.finish()) {
        // A command line too long for one message: keep what fits.
        m->reset(ipc::op::VFSD_EXEC);
        MessageWriter w2(*m);
        w2.u32(pid).str(StringView(exe.data(), exe.size())).u32(1);
        w2.str(StringView(argv.empty() ? exe.data() : argv[0].data(),
                          argv.empty() ? exe.size() : argv[0].size()));
        w2.finish();
    }
    notify(g_vfsd, ipc::service::VFSD, *m);
}

void tell_procd_name(uint32_t pid, const std::string& name) {
    auto m = new_message(ipc::op::PROCD_SET_NAME);
    MessageWriter w(*m);
    w.u32(pid).str(StringView(name.data(), std::min<size_t>(name.size(), 31)));
    w.finish();
    notify(g_procd, ipc::service::PROCD, *m);
}

ErrorOr<void> exec_program(const LinuxCall& c, handle_t process) {
    std::string path;
    if (c.nr == uint32_t(abi::LinuxSyscall::execve)) {
        path = c.path(0);
    } else {
        // execveat(dirfd, path, argv, envp, flags): relative paths and
        // AT_EMPTY_PATH resolve through the caller's /proc/self/fd.
        constexpr uint64_t kAtEmptyPath = 0x1000, kAtSymlinkNofollow = 0x100;
        constexpr int32_t kAtFdcwd = -100;
        if (c.args[4] & ~(kAtEmptyPath | kAtSymlinkNofollow))
            return Error(EINVAL, "unknown execveat flags");
        path = c.path(1);
        int32_t dirfd = c.arg_int(0);
        if (path.empty()) {
            if (!(c.args[4] & kAtEmptyPath))
                return Error(ENOENT, "empty path");
            path = "/proc/self/fd/" + std::to_string(dirfd);
        } else if (path[0] != '/' && dirfd != kAtFdcwd) {
            path = "/proc/self/fd/" + std::to_string(dirfd) + "/" + path;
        }
    }
    if (path.empty())
        return Error(ENOENT, "empty path");
    auto argv = TRY(c.strings(c.nr == uint32_t(abi::LinuxSyscall::execve) ? 1 : 2));
    auto envp = TRY(c.strings(c.nr == uint32_t(abi::LinuxSyscall::execve) ? 2 : 3));
    Resolved r = TRY(resolve_program(c.pid, path, std::move(argv), std::move(envp)));

    int64_t space = user::process_exec_prepare(process);
    if (space < 0)
        return Error::formatted(Errno(-space), "PROCESS_EXEC_PREPARE: %s",
                                abi::errno_description(Errno(-space)));
    Handle space_handle{handle_t(space)};
    loader::Image image = TRY(loader::populate(space_handle.get(), r.files, r.program));
    abi::ExecCommit commit{};
    commit.tid = c.tid;
    commit.entry = image.entry;
    commit.rsp = image.rsp;
    commit.brk = image.brk;
    std::strncpy(commit.name, r.program.name.c_str(), sizeof commit.name - 1);
    int64_t done = user::process_exec_commit(process, space_handle.get(), &commit);
    if (done < 0)
        return Error::formatted(Errno(-done), "PROCESS_EXEC_COMMIT: %s",
                                abi::errno_description(Errno(-done)));
    // The old image is gone; the thread waits for our answer before it
    // runs the new one, so the services see the exec first.
    tell_vfsd_exec(c.pid, r.exe, r.program.argv);
    auto m = new_message(ipc::op::SYSCALLD_EXEC);
    MessageWriter w(*m);
    w.u32(c.pid);
    w.finish();
    notify(g_syscalld, ipc::service::SYSCALLD, *m);
    tell_procd_name(c.pid, r.program.name);
    return {};
}

void handle_linux(Call& call) {
    auto decoded = LinuxCall::decode(call);
    if (decoded.is_error()) {
        call.fail(decoded.error().code(), decoded.error().reason());
        return;
    }
    LinuxCall& c = decoded.value();
    Handle process{c.process};
    LinuxReply reply;
    if (c.nr != uint32_t(abi::LinuxSyscall::execve) &&
        c.nr != uint32_t(abi::LinuxSyscall::execveat)) {
        reply = LinuxReply::error(ENOSYS);
    } else if (!process) {
        reply = LinuxReply::error(EINVAL);
    } else {
        auto r = exec_program(c, process.get());
        if (r.is_error()) {
            // Shells try every $PATH entry: only unusual failures are news.
            Errno e = r.error().code();
            if (e != ENOENT && e != EACCES && e != ENOTDIR)
                log("exec by pid %u failed: %s", c.pid, r.error().reason());
            reply = LinuxReply::from(r.error());
        }
    }
    reply.write(call.writer());
}

ErrorOr<uint32_t> register_with_procd(handle_t process, uint32_t parent, uint32_t role) {
    handle_t procd = TRY(service_handle(g_procd, ipc::service::PROCD));
    int64_t dup =
        user::handle_duplicate(process, abi::RIGHT_INFO | abi::RIGHT_MANAGE | abi::RIGHT_TRANSFER);
    if (dup < 0)
        return Error::from_errno(Errno(-dup));
    auto req = new_message(ipc::op::PROCD_REGISTER);
    auto rep = new_message();
    MessageWriter w(*req);
    w.u32(parent).u32(role);
    w.handle(handle_t(dup));
    w.finish();
    TRY(call(procd, *req, *rep));
    auto rd = reader_of(*rep);
    uint32_t pid = rd.u32();
    if (!rd.ok())
        return Error(EPROTO, "malformed REGISTER reply from procd");
    return pid;
}

// A spawned process's descriptors: its parent's (minus O_CLOEXEC ones),
// or the console on 0, 1 and 2 as the controlling tty of a new session.
void tell_vfsd_spawn(uint32_t pid, uint32_t parent, bool console_session) {
    auto m = new_message(ipc::op::VFSD_SPAWN_STDIO);
    MessageWriter w(*m);
    w.u32(pid).u32(parent).str(console_session ? "/dev/console" : "");
    w.finish();
    notify(g_vfsd, ipc::service::VFSD, *m);
}

void handle_spawn(Call& call) {
    auto request = SpawnRequest::decode(call.request());
    if (request.is_error()) {
        call.fail(request.error().code(), request.error().reason());
        return;
    }
    const SpawnRequest& r = request.value();
    uint32_t parent = r.parent_pid == kParentIsCaller ? call.sender_pid() : r.parent_pid;
    auto resolved = resolve_program(parent, r.path, r.argv, r.envp);
    if (resolved.is_error()) {
        log("cannot spawn %s for pid %u: %s", r.path.c_str(), call.sender_pid(),
            resolved.error().reason());
        call.fail(resolved.error().code(), resolved.error().reason());
        return;
    }
    Resolved& res = resolved.value();
    auto built = loader::build_process(res.program, res.files);
    if (built.is_error()) {
        log("cannot spawn %s for pid %u: %s", r.path.c_str(), call.sender_pid(),
            built.error().reason());
        call.fail(built.error().code(), built.error().reason());
        return;
    }
    loader::Built& b = built.value();
    uint32_t role = (r.flags & SPAWN_ROLE_INIT ? 1 : 0) | (r.flags & SPAWN_CONSOLE_SESSION ? 2 : 0);
    auto pid = register_with_procd(b.process.get(), parent, role);
    if (pid.is_error()) {
        log("cannot register %s with procd: %s", r.path.c_str(), pid.error().reason());
        call.fail(pid.error().code(), pid.error().reason());
        return; // dropping the handle destroys the never-started process
    }
    tell_vfsd_spawn(pid.value(), parent, r.flags & SPAWN_CONSOLE_SESSION);
    tell_vfsd_exec(pid.value(), res.exe, res.program.argv);
    if (!(r.flags & SPAWN_SUSPENDED)) {
        int64_t resumed = user::process_resume(b.process.get());
        if (resumed < 0) {
            call.fail(Errno(-resumed), "cannot start the process");
            return;
        }
    }
    const char* suspended = (r.flags & SPAWN_SUSPENDED) ? " (suspended)" : "";
    if (b.dynamic)
        log("spawned pid %u (%s) from %s, interpreter %s, entry 0x%lx%s", pid.value(),
            res.program.name.c_str(), res.exe.c_str(), b.interpreter.c_str(), b.entry, suspended);
    else
        log("spawned pid %u (%s) from %s, entry 0x%lx%s", pid.value(), res.program.name.c_str(),
            res.exe.c_str(), b.entry, suspended);
    call.writer().u32(pid.value());
    if (r.flags & SPAWN_RETURN_HANDLE) {
        int64_t h = user::handle_duplicate(b.process.get(),
                                           abi::RIGHT_INFO | abi::RIGHT_START | abi::RIGHT_MANAGE |
                                               abi::RIGHT_TRANSFER | abi::RIGHT_DUPLICATE);
        if (h >= 0)
            call.writer().handle(handle_t(h));
    }
}

} // namespace

int main() {
    Server server("loaderd", ipc::service::LOADERD);
    server.serve_linux_calls();
    server.on(ipc::op::LOADERD_SPAWN, handle_spawn);
    server.on(ipc::op::KERNEL_LINUX_SYSCALL, handle_linux);
    return run(server);
}
