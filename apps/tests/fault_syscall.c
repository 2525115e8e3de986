// Passes wild pointers to system calls: each must fail with EFAULT (no
// kernel fault), then the program exits normally with a verdict.
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int check(const char* what, long r) {
    int ok = r == -1 && errno == EFAULT;
    printf("fault-syscall: %s -> %s\n", what, ok ? "EFAULT" : "unexpected");
    return ok;
}

int main(void) {
    int ok = 1;
    ok &= check("write(1, 0x10, 16)", syscall(SYS_write, 1, (void*)0x10, 16));
    ok &= check("clock_gettime(MONOTONIC, kernel address)",
                syscall(SYS_clock_gettime, CLOCK_MONOTONIC, (void*)0xffffffff80100000ull));
    ok &=
        check("nanosleep(non-canonical)", syscall(SYS_nanosleep, (void*)0x0000900000000000ull, 0));
    ok &= check("uname(0x1000)", syscall(SYS_uname, (void*)0x1000));
    printf("fault-syscall: %s\n", ok ? "all wild pointers refused" : "FAILED");
    return ok ? 0 : 1;
}
