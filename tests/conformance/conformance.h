/* Shared declarations of the syscall conformance program (see README.md). */
#ifndef RUSTOS_CONFORMANCE_H
#define RUSTOS_CONFORMANCE_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

typedef void (*check_fn)(void);

struct check {
    const char* name;
    check_fn fn;
};

/* A table entry for the check function fam_name, named "fam.name". */
#define CHECK_ENTRY(fam, name)                                                                     \
    { #fam "." #name, fam##_##name }

/* The check tables, one per source file, in the order they run. */
extern const struct check fs_checks[];
extern const size_t fs_checks_count;
extern const struct check ipc_checks[];
extern const size_t ipc_checks_count;
extern const struct check mem_checks[];
extern const size_t mem_checks_count;
extern const struct check sig_checks[];
extern const size_t sig_checks_count;
extern const struct check proc_checks[];
extern const size_t proc_checks_count;

/* Absolute path of this program (for the exec checks), or NULL if unknown. */
extern const char* conf_self_exe;

/* The helper mode, argv = {any, "--exec-helper", MODE, ARGS...}: the exec
   checks run this program again to look at what execve passed on. */
int exec_helper(int argc, char** argv);

/* Names and formatting; results live in rotating static buffers. */
const char* errname(int e);
const char* signame(int s);
const char* status_str(int status);
const char* result_str(long r, int e);
const char* quote(const void* data, size_t len);

/* Reports a failed expectation of the running check (from the check's
   process or any child it forked) and ends that process with status 1. */
__attribute__((noreturn, format(printf, 3, 4))) void fail_at(const char* file, int line,
                                                             const char* fmt, ...);

#define FAIL(...) fail_at(__FILE__, __LINE__, __VA_ARGS__)

#define EXPECT(cond, ...)                                                                          \
    do {                                                                                           \
        if (!(cond))                                                                               \
            FAIL(__VA_ARGS__);                                                                     \
    } while (0)

/* expr must return -1 (or MAP_FAILED) with errno == err. */
#define EXPECT_ERR(expr, err)                                                                      \
    do {                                                                                           \
        errno = 0;                                                                                 \
        long r_ = (long)(expr);                                                                    \
        int e_ = errno;                                                                            \
        if (r_ != -1 || e_ != (err))                                                               \
            FAIL("expected %s -> -1 %s / got %s", #expr, errname(err), result_str(r_, e_));        \
    } while (0)

/* expr must not return -1; evaluates to its result (as long). */
#define OK(expr)                                                                                   \
    ({                                                                                             \
        errno = 0;                                                                                 \
        long r_ = (long)(expr);                                                                    \
        if (r_ == -1) {                                                                            \
            int e_ = errno;                                                                        \
            FAIL("expected %s to succeed / got -1 %s", #expr, errname(e_));                        \
        }                                                                                          \
        r_;                                                                                        \
    })

/* expr must equal want (both compared as long). */
#define EXPECT_EQ(expr, want)                                                                      \
    do {                                                                                           \
        errno = 0;                                                                                 \
        long g_ = (long)(expr);                                                                    \
        int e_ = errno;                                                                            \
        long w_ = (long)(want);                                                                    \
        if (g_ != w_)                                                                              \
            FAIL("expected %s == %ld / got %s", #expr, w_, result_str(g_, e_));                    \
    } while (0)

/* The len bytes at got must equal those at want. */
#define EXPECT_MEM(got, want, len)                                                                 \
    do {                                                                                           \
        size_t n_ = (len);                                                                         \
        if (memcmp((got), (want), n_) != 0)                                                        \
            FAIL("expected %s = %s / got %s", #got, quote((want), n_), quote((got), n_));          \
    } while (0)

#define EXPECT_STR(got, want)                                                                      \
    do {                                                                                           \
        const char* g_ = (got);                                                                    \
        const char* w_ = (want);                                                                   \
        if (strcmp(g_, w_) != 0)                                                                   \
            FAIL("expected %s = %s / got %s", #got, quote(w_, strlen(w_)), quote(g_, strlen(g_))); \
    } while (0)

/* Helpers that FAIL on any error. */
void put_file(const char* path, const void* data, size_t len);
void put_str(const char* path, const char* s);
size_t get_file(const char* path, char* buf, size_t cap); /* NUL-terminates */
void write_all(int fd, const void* data, size_t len);
void read_exact(int fd, void* buf, size_t len);
pid_t xfork(void);
int xwait(pid_t pid); /* waitpid(pid, 0), retrying EINTR; returns the status */
void expect_exit(pid_t pid, int code);
void expect_signaled(pid_t pid, int sig);
void set_handler(int sig, void (*fn)(int), int flags);
void set_action(int sig, void (*fn)(int, siginfo_t*, void*), int flags);
void block_signal(int sig);
void unblock_signal(int sig);
int64_t mono_ns(void);
int fd_is_open(int fd);
int lowest_free_fd(int from);
void xpipe(int p[2], int flags);
/* Runs argv (argv[0] is the path) with envp in a child; returns the wait status. */
int run_program(const char* path, char* const argv[], char* const envp[]);

#endif
