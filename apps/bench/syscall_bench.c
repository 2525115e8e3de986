/* System calls with no work behind them: what entering the system costs.

     getpid   answered by the kernel itself (syscall(SYS_getpid), so no libc
              cache can hide it)
     getppid  on RustOS offloaded by the kernel to procd, the cheapest call
              that goes to a service: the offload round trip alone */
#include "bench.h"

#include <sys/syscall.h>

static void bench_syscall(const char* name, long nr, uint64_t ops) {
    if (!bench_selected(name))
        return;
    for (uint64_t i = 0; i < bench_warmup(ops); ++i)
        syscall(nr);
    uint64_t t0 = bench_now_ns();
    for (uint64_t i = 0; i < ops; ++i)
        if (syscall(nr) < 0) {
            bench_fail(name, "the call failed", errno);
            return;
        }
    bench_report(name, bench_now_ns() - t0, ops);
}

int main(int argc, char** argv) {
    if (bench_init(argc, argv))
        return 2;
    bench_syscall("getpid", SYS_getpid, bench_ops(100000));
    bench_syscall("getppid", SYS_getppid, bench_ops(20000));
    return bench_exit_status();
}
