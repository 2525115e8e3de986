// loaderd: process spawn. Reads the program (and its PT_INTERP
// interpreter), builds the process through the process broker, enters it
// into procd's tree (which decides its pid), then starts it.
//
// Files come from the boot bundle for now; reading through vfsd (and
// execve, #! scripts, /proc/self/exe) arrives with the Linux personality.
#include <rustos/loader/loader.h>
#include <rustos/service/log.h>
#include <rustos/service/server.h>
#include <rustos/service/spawn.h>

using namespace rustos;
using namespace rustos::service;

namespace {

Handle g_procd;

ErrorOr<uint32_t> register_with_procd(handle_t process, uint32_t parent, bool init_role) {
    if (!g_procd)
        g_procd = TRY(lookup(ipc::service::PROCD, 5'000'000'000ull));
    int64_t dup =
        user::handle_duplicate(process, abi::RIGHT_INFO | abi::RIGHT_MANAGE | abi::RIGHT_TRANSFER);
    if (dup < 0)
        return Error::from_errno(Errno(-dup));
    auto req = new_message(ipc::op::PROCD_REGISTER);
    auto rep = new_message();
    MessageWriter w(*req);
    w.u32(parent).u32(init_role ? 1 : 0);
    w.handle(handle_t(dup));
    w.finish();
    TRY(call(g_procd.get(), *req, *rep));
    auto rd = reader_of(*rep);
    uint32_t pid = rd.u32();
    if (!rd.ok())
        return Error(EPROTO, "malformed REGISTER reply from procd");
    return pid;
}

void handle_spawn(Call& call) {
    auto request = SpawnRequest::decode(call.request());
    if (request.is_error()) {
        call.fail(request.error().code(), request.error().reason());
        return;
    }
    const SpawnRequest& r = request.value();
    loader::Program program{r.path, {}, r.argv, r.envp};
    auto built = loader::build_process(program, read_boot_file);
    if (built.is_error()) {
        log("cannot spawn %s for pid %u: %s", r.path.c_str(), call.sender_pid(),
            built.error().reason());
        call.fail(built.error().code(), built.error().reason());
        return;
    }
    loader::Built& b = built.value();
    uint32_t parent = r.parent_pid == kParentIsCaller ? call.sender_pid() : r.parent_pid;
    auto pid = register_with_procd(b.process.get(), parent, r.flags & SPAWN_ROLE_INIT);
    if (pid.is_error()) {
        log("cannot register %s with procd: %s", r.path.c_str(), pid.error().reason());
        call.fail(pid.error().code(), pid.error().reason());
        return; // dropping the handle destroys the never-started process
    }
    if (!(r.flags & SPAWN_SUSPENDED)) {
        int64_t resumed = user::process_resume(b.process.get());
        if (resumed < 0) {
            call.fail(Errno(-resumed), "cannot start the process");
            return;
        }
    }
    if (b.dynamic)
        log("spawned pid %u (%s) from %s, interpreter %s, entry 0x%lx%s", pid.value(),
            loader::base_name(r.path).c_str(), r.path.c_str(), b.interpreter.c_str(), b.entry,
            (r.flags & SPAWN_SUSPENDED) ? " (suspended)" : "");
    else
        log("spawned pid %u (%s) from %s, entry 0x%lx%s", pid.value(),
            loader::base_name(r.path).c_str(), r.path.c_str(), b.entry,
            (r.flags & SPAWN_SUSPENDED) ? " (suspended)" : "");
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
    server.set_not_yet("execve, #! scripts and reading programs through vfsd (programs come from "
                       "the boot bundle)");
    server.on(ipc::op::LOADERD_SPAWN, handle_spawn);
    auto started = server.start();
    if (started.is_error()) {
        log("cannot start: %s", started.error().reason());
        return 1;
    }
    server.serve();
}
