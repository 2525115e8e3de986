// An ordinary process (no capabilities) calls every gated interface; each
// must answer EPERM, and the kernel logs each refusal. Prints one line per
// call and a verdict.
#include <rustos/user/syscall.h>

#include <sys/reboot.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

using namespace rustos;

namespace {

bool expect_eperm(const char* what, int64_t r) {
    bool ok = r == -EPERM;
    std::printf("cap-check: %s -> %s\n", what, ok ? "EPERM" : strerror(int(r < 0 ? -r : 0)));
    return ok;
}

} // namespace

int main() {
    bool ok = true;
    ok &= expect_eperm("SYS_RUSTOS_MM_BROKER", user::mm_broker(abi::MmOp::Map, 1, 0, 4096, 3, 0));
    ok &=
        expect_eperm("SYS_RUSTOS_DRIVER_LOAD_MODULE_BROKER", user::driver_load_module("x", 1, "x"));
    ok &= expect_eperm("SYS_RUSTOS_PROCESS_CREATE", user::process_create("intruder"));
    int64_t ep = user::ipc_endpoint_create();
    ok &= expect_eperm("SYS_RUSTOS_SERVICE_REGISTER(netd)",
                       user::service_register(ipc::service::NETD, rustos::ipc::handle_t(ep)));
    ok &= expect_eperm("SYS_RUSTOS_PROCESS_SET_PID", user::process_set_pid(1, 1));
    errno = 0;
    int r = reboot(RB_POWER_OFF);
    ok &= expect_eperm("reboot(RB_POWER_OFF)", r < 0 ? -errno : r);
    std::printf("cap-check: %s\n", ok ? "every gated call refused" : "FAILED");
    return ok ? 0 : 1;
}
