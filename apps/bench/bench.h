/* Helpers shared by the benchmark programs (C and C++). All but ipc-bench
   are plain static POSIX programs: `./x bench` runs them on RustOS under
   QEMU -icount shift=0 (1 ns of guest time per guest instruction),
   `./x bench --host` runs the same binaries on the build machine (wall-clock
   ns) and `./x bench --linux` on Debian's Linux kernel under the same QEMU.
   Each result is one line tools/bench.py parses:

     bench: NAME VALUE ns/op (N ops)

   and a failure is "bench: NAME failed: WHY". Arguments:

     --ops=N          replaces every benchmark's operation count (the
                      integration test runs each program with a tiny N to
                      prove it still works)
     --only=NAME,...  runs only the benchmarks named (to profile one) */
#ifndef RUSTOS_APPS_BENCH_BENCH_H
#define RUSTOS_APPS_BENCH_BENCH_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static uint64_t bench_ops_override;
static const char* bench_only;
static int bench_failures;

static inline uint64_t bench_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Parses the arguments; returns 0, or 2 after printing the usage. */
static inline int bench_init(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        if (strncmp(argv[i], "--ops=", 6) == 0 && atoll(argv[i] + 6) > 0) {
            bench_ops_override = (uint64_t)atoll(argv[i] + 6);
        } else if (strncmp(argv[i], "--only=", 7) == 0) {
            bench_only = argv[i] + 7;
        } else {
            fprintf(stderr, "usage: %s [--ops=N] [--only=NAME,...]\n", argv[0]);
            return 2;
        }
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    return 0;
}

/* Whether the benchmark `name` is to run (--only). */
static inline int bench_selected(const char* name) {
    if (!bench_only)
        return 1;
    size_t len = strlen(name);
    for (const char* p = bench_only; *p;) {
        const char* end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == len && strncmp(p, name, n) == 0)
            return 1;
        p += n + (end ? 1 : 0);
    }
    return 0;
}

/* The operation count of a benchmark: `dflt`, or what --ops= said. */
static inline uint64_t bench_ops(uint64_t dflt) {
    return bench_ops_override ? bench_ops_override : dflt;
}

/* Untimed rounds before the timed ones: the caches, page tables and
   services have seen the path once. */
static inline uint64_t bench_warmup(uint64_t ops) {
    uint64_t n = ops / 10;
    return n < 1 ? 1 : n > 100 ? 100 : n;
}

static inline void bench_report(const char* name, uint64_t ns, uint64_t ops) {
    printf("bench: %s %llu ns/op (%llu ops)\n", name, (unsigned long long)(ns / ops),
           (unsigned long long)ops);
}

/* Reports a failed benchmark; with errno_value != 0 its name is appended. */
static inline void bench_fail(const char* name, const char* what, int errno_value) {
    if (errno_value)
        printf("bench: %s failed: %s: %s\n", name, what, strerror(errno_value));
    else
        printf("bench: %s failed: %s\n", name, what);
    ++bench_failures;
}

/* The exit status of a benchmark program. */
static inline int bench_exit_status(void) { return bench_failures ? 1 : 0; }

/* This program's own file (from /proc/self/exe), or NULL. */
static inline const char* bench_self_exe(void) {
    static char path[4096];
    if (!path[0]) {
        ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
        if (n <= 0)
            return NULL;
        path[n] = 0;
    }
    return path;
}

/* `name` in the directory of this program's own file, or NULL. */
static inline const char* bench_sibling(const char* name) {
    static char path[4096];
    const char* self = bench_self_exe();
    const char* slash = self ? strrchr(self, '/') : NULL;
    if (!slash)
        return NULL;
    snprintf(path, sizeof path, "%.*s/%s", (int)(slash - self), self, name);
    return path;
}

#endif
