// syscalld: Linux memory, clock and signal policy. It holds the MM broker
// (SYS_RUSTOS_MM_BROKER), delegated by rootd.
#include <rustos/service/server.h>

int main() {
    rustos::service::Server server("syscalld", rustos::ipc::service::SYSCALLD);
    server.set_not_yet(
        "mmap/munmap/mprotect/brk, signals (rt_sigaction, kill, delivery), timers and "
        "credentials are still answered by the kernel defaults for every process");
    return rustos::service::run(server);
}
