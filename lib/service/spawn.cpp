#include <rustos/service/spawn.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

namespace rustos::service {

namespace {
constexpr size_t kMaxStrings = 1024;
constexpr size_t kMaxPath = 4096;
} // namespace

bool SpawnRequest::encode(Message& m) const {
    m.reset(ipc::op::LOADERD_SPAWN);
    MessageWriter w(m);
    w.str(StringView(path.data(), path.size()));
    w.u32(uint32_t(argv.size()));
    for (auto& a : argv)
        w.str(StringView(a.data(), a.size()));
    w.u32(uint32_t(envp.size()));
    for (auto& e : envp)
        w.str(StringView(e.data(), e.size()));
    w.u32(flags).u32(parent_pid);
    return w.finish();
}

ErrorOr<SpawnRequest> SpawnRequest::decode(const Message& m) {
    auto rd = reader_of(m);
    SpawnRequest r;
    StringView path = rd.str(kMaxPath);
    r.path.assign(path.data(), path.size());
    uint32_t argc = rd.u32();
    if (argc > kMaxStrings)
        return Error(E2BIG, "too many arguments");
    for (uint32_t i = 0; i < argc && rd.ok(); ++i) {
        StringView a = rd.str();
        r.argv.emplace_back(a.data(), a.size());
    }
    uint32_t envc = rd.u32();
    if (envc > kMaxStrings)
        return Error(E2BIG, "too many environment strings");
    for (uint32_t i = 0; i < envc && rd.ok(); ++i) {
        StringView e = rd.str();
        r.envp.emplace_back(e.data(), e.size());
    }
    r.flags = rd.u32();
    r.parent_pid = rd.u32();
    if (!rd.ok())
        return Error(EINVAL, "malformed SPAWN request");
    if (r.path.empty() || r.path[0] != '/')
        return Error(EINVAL, "SPAWN needs an absolute path");
    if (r.flags &
        ~uint32_t(SPAWN_SUSPENDED | SPAWN_RETURN_HANDLE | SPAWN_ROLE_INIT | SPAWN_CONSOLE_SESSION))
        return Error(EINVAL, "unknown SPAWN flags");
    return r;
}

ErrorOr<SpawnResult> spawn(handle_t loaderd, const SpawnRequest& request) {
    auto req = new_message();
    auto rep = new_message();
    if (!request.encode(*req))
        return Error(E2BIG, "arguments do not fit in one SPAWN request");
    TRY(call(loaderd, *req, *rep));
    auto rd = reader_of(*rep);
    SpawnResult out;
    out.pid = rd.u32();
    if (!rd.ok())
        return Error(EPROTO, "malformed SPAWN reply");
    if (rep->header.handle_count > 0)
        out.process = Handle(rep->header.handles[0]);
    for (size_t i = 1; i < rep->header.handle_count; ++i)
        user::handle_close(rep->header.handles[i]);
    return out;
}

std::vector<std::string> current_environment() {
    std::vector<std::string> env;
    for (char** e = environ; e && *e; ++e)
        env.emplace_back(*e);
    return env;
}

std::string describe_wait_status(int status) {
    char buf[64];
    if (WIFEXITED(status))
        std::snprintf(buf, sizeof buf, "exited with status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        std::snprintf(buf, sizeof buf, "killed by signal %d", WTERMSIG(status));
    else if (WIFSTOPPED(status))
        std::snprintf(buf, sizeof buf, "stopped by signal %d", WSTOPSIG(status));
    else
        std::snprintf(buf, sizeof buf, "status 0x%x", status);
    return buf;
}

} // namespace rustos::service
