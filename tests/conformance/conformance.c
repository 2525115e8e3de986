/* Syscall conformance program: the harness, the name tables and the helpers
   the checks share.  Every check runs in a forked child inside its own fresh
   scratch directory; see README.md. */
#include "conformance.h"

#include <dirent.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define CHECK_TIMEOUT_NS (10LL * 1000 * 1000 * 1000)

const char* conf_self_exe;

/* Where a check reports its failure: the write end of a pipe the harness
   reads, inherited by every process the check forks. */
static int result_fd = -1;

/* ---- names ---------------------------------------------------------------- */

#define E(x) [x] = #x
static const char* const errno_names[] = {
    E(EPERM),
    E(ENOENT),
    E(ESRCH),
    E(EINTR),
    E(EIO),
    E(ENXIO),
    E(E2BIG),
    E(ENOEXEC),
    E(EBADF),
    E(ECHILD),
    E(EAGAIN),
    E(ENOMEM),
    E(EACCES),
    E(EFAULT),
    E(ENOTBLK),
    E(EBUSY),
    E(EEXIST),
    E(EXDEV),
    E(ENODEV),
    E(ENOTDIR),
    E(EISDIR),
    E(EINVAL),
    E(ENFILE),
    E(EMFILE),
    E(ENOTTY),
    E(ETXTBSY),
    E(EFBIG),
    E(ENOSPC),
    E(ESPIPE),
    E(EROFS),
    E(EMLINK),
    E(EPIPE),
    E(EDOM),
    E(ERANGE),
    E(EDEADLK),
    E(ENAMETOOLONG),
    E(ENOLCK),
    E(ENOSYS),
    E(ENOTEMPTY),
    E(ELOOP),
    E(ENOMSG),
    E(EIDRM),
    E(ECHRNG),
    E(EL2NSYNC),
    E(EL3HLT),
    E(EL3RST),
    E(ELNRNG),
    E(EUNATCH),
    E(ENOCSI),
    E(EL2HLT),
    E(EBADE),
    E(EBADR),
    E(EXFULL),
    E(ENOANO),
    E(EBADRQC),
    E(EBADSLT),
    E(EBFONT),
    E(ENOSTR),
    E(ENODATA),
    E(ETIME),
    E(ENOSR),
    E(ENONET),
    E(ENOPKG),
    E(EREMOTE),
    E(ENOLINK),
    E(EADV),
    E(ESRMNT),
    E(ECOMM),
    E(EPROTO),
    E(EMULTIHOP),
    E(EDOTDOT),
    E(EBADMSG),
    E(EOVERFLOW),
    E(ENOTUNIQ),
    E(EBADFD),
    E(EREMCHG),
    E(ELIBACC),
    E(ELIBBAD),
    E(ELIBSCN),
    E(ELIBMAX),
    E(ELIBEXEC),
    E(EILSEQ),
    E(ERESTART),
    E(ESTRPIPE),
    E(EUSERS),
    E(ENOTSOCK),
    E(EDESTADDRREQ),
    E(EMSGSIZE),
    E(EPROTOTYPE),
    E(ENOPROTOOPT),
    E(EPROTONOSUPPORT),
    E(ESOCKTNOSUPPORT),
    E(EOPNOTSUPP),
    E(EPFNOSUPPORT),
    E(EAFNOSUPPORT),
    E(EADDRINUSE),
    E(EADDRNOTAVAIL),
    E(ENETDOWN),
    E(ENETUNREACH),
    E(ENETRESET),
    E(ECONNABORTED),
    E(ECONNRESET),
    E(ENOBUFS),
    E(EISCONN),
    E(ENOTCONN),
    E(ESHUTDOWN),
    E(ETOOMANYREFS),
    E(ETIMEDOUT),
    E(ECONNREFUSED),
    E(EHOSTDOWN),
    E(EHOSTUNREACH),
    E(EALREADY),
    E(EINPROGRESS),
    E(ESTALE),
    E(EUCLEAN),
    E(ENOTNAM),
    E(ENAVAIL),
    E(EISNAM),
    E(EREMOTEIO),
    E(EDQUOT),
    E(ENOMEDIUM),
    E(EMEDIUMTYPE),
    E(ECANCELED),
    E(ENOKEY),
    E(EKEYEXPIRED),
    E(EKEYREVOKED),
    E(EKEYREJECTED),
    E(EOWNERDEAD),
    E(ENOTRECOVERABLE),
    E(ERFKILL),
    E(EHWPOISON),
};

static const char* const signal_names[] = {
    E(SIGHUP),  E(SIGINT),    E(SIGQUIT), E(SIGILL),  E(SIGTRAP),   E(SIGABRT), E(SIGBUS),
    E(SIGFPE),  E(SIGKILL),   E(SIGUSR1), E(SIGSEGV), E(SIGUSR2),   E(SIGPIPE), E(SIGALRM),
    E(SIGTERM), E(SIGSTKFLT), E(SIGCHLD), E(SIGCONT), E(SIGSTOP),   E(SIGTSTP), E(SIGTTIN),
    E(SIGTTOU), E(SIGURG),    E(SIGXCPU), E(SIGXFSZ), E(SIGVTALRM), E(SIGPROF), E(SIGWINCH),
    E(SIGIO),   E(SIGPWR),    E(SIGSYS),
};
#undef E

static char* scratch_buf(void) {
    static char bufs[8][256];
    static unsigned next;
    return bufs[next++ % 8];
}

const char* errname(int e) {
    if (e == 0)
        return "no error";
    if (e > 0 && (size_t)e < sizeof errno_names / sizeof errno_names[0] && errno_names[e])
        return errno_names[e];
    char* b = scratch_buf();
    snprintf(b, 256, "errno %d", e);
    return b;
}

const char* signame(int s) {
    if (s > 0 && (size_t)s < sizeof signal_names / sizeof signal_names[0] && signal_names[s])
        return signal_names[s];
    char* b = scratch_buf();
    if (s >= SIGRTMIN && s <= SIGRTMAX)
        snprintf(b, 256, "SIGRTMIN+%d", s - SIGRTMIN);
    else
        snprintf(b, 256, "signal %d", s);
    return b;
}

const char* status_str(int status) {
    char* b = scratch_buf();
    if (WIFEXITED(status))
        snprintf(b, 256, "exit %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(b, 256, "killed by %s%s", signame(WTERMSIG(status)),
                 WCOREDUMP(status) ? " (core)" : "");
    else if (WIFSTOPPED(status))
        snprintf(b, 256, "stopped by %s", signame(WSTOPSIG(status)));
    else if (WIFCONTINUED(status))
        snprintf(b, 256, "continued");
    else
        snprintf(b, 256, "status 0x%x", status);
    return b;
}

const char* result_str(long r, int e) {
    char* b = scratch_buf();
    if (r == -1 && e != 0)
        snprintf(b, 256, "-1 %s", errname(e));
    else
        snprintf(b, 256, "%ld", r);
    return b;
}

const char* quote(const void* data, size_t len) {
    const unsigned char* p = data;
    char* b = scratch_buf();
    size_t o = 0;
    b[o++] = '"';
    for (size_t i = 0; i < len && o < 200; i++) {
        if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' && p[i] != '\\')
            b[o++] = (char)p[i];
        else
            o += (size_t)snprintf(b + o, 256 - o, "\\x%02x", p[i]);
    }
    if (len > 0 && o >= 200)
        o += (size_t)snprintf(b + o, 256 - o, "...");
    b[o++] = '"';
    b[o] = 0;
    return b;
}

/* ---- failure reporting ------------------------------------------------------ */

void fail_at(const char* file, int line, const char* fmt, ...) {
    char msg[1024];
    int saved = errno;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof msg - 64, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    if ((size_t)n > sizeof msg - 64)
        n = (int)(sizeof msg - 64);
    const char* base = strrchr(file, '/');
    base = base ? base + 1 : file;
    n += snprintf(msg + n, sizeof msg - (size_t)n, " [%s:%d]\n", base, line);
    for (int i = 0; i < n - 1; i++)
        if (msg[i] == '\n')
            msg[i] = ' ';
    if (result_fd >= 0) {
        ssize_t w = write(result_fd, msg, (size_t)n);
        (void)w;
    }
    errno = saved;
    _exit(1);
}

/* ---- helpers ---------------------------------------------------------------- */

void write_all(int fd, const void* data, size_t len) {
    const char* p = data;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            FAIL("expected write(%d, %zu bytes) to succeed / got %s", fd, len,
                 result_str(w, errno));
        p += w;
        len -= (size_t)w;
    }
}

void read_exact(int fd, void* buf, size_t len) {
    char* p = buf;
    size_t got = 0;
    while (got < len) {
        ssize_t r = read(fd, p + got, len - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            FAIL("expected read(%d) to deliver %zu bytes / got %s after %zu bytes", fd, len,
                 result_str(r, errno), got);
        got += (size_t)r;
    }
}

void put_file(const char* path, const void* data, size_t len) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        FAIL("expected creating %s to succeed / got -1 %s", path, errname(errno));
    write_all(fd, data, len);
    close(fd);
}

void put_str(const char* path, const char* s) { put_file(path, s, strlen(s)); }

size_t get_file(const char* path, char* buf, size_t cap) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        FAIL("expected opening %s to succeed / got -1 %s", path, errname(errno));
    size_t got = 0;
    for (;;) {
        ssize_t r = read(fd, buf + got, cap - 1 - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            FAIL("expected reading %s to succeed / got -1 %s", path, errname(errno));
        if (r == 0 || got + (size_t)r == cap - 1) {
            got += (size_t)r;
            break;
        }
        got += (size_t)r;
    }
    buf[got] = 0;
    close(fd);
    return got;
}

pid_t xfork(void) {
    pid_t pid = fork();
    if (pid < 0)
        FAIL("expected fork to succeed / got -1 %s", errname(errno));
    return pid;
}

int xwait(pid_t pid) {
    int status;
    for (;;) {
        pid_t r = waitpid(pid, &status, 0);
        if (r == pid)
            return status;
        if (r < 0 && errno == EINTR)
            continue;
        FAIL("expected waitpid(%d) to return it / got %s", (int)pid, result_str(r, errno));
    }
}

void expect_exit(pid_t pid, int code) {
    int status = xwait(pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != code)
        FAIL("expected child to exit %d / got %s", code, status_str(status));
}

void expect_signaled(pid_t pid, int sig) {
    int status = xwait(pid);
    if (!WIFSIGNALED(status) || WTERMSIG(status) != sig)
        FAIL("expected child killed by %s / got %s", signame(sig), status_str(status));
}

void set_handler(int sig, void (*fn)(int), int flags) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    if (sigaction(sig, &sa, NULL) != 0)
        FAIL("expected sigaction(%s) to succeed / got -1 %s", signame(sig), errname(errno));
}

void set_action(int sig, void (*fn)(int, siginfo_t*, void*), int flags) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = fn;
    sa.sa_flags = flags | SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    if (sigaction(sig, &sa, NULL) != 0)
        FAIL("expected sigaction(%s) to succeed / got -1 %s", signame(sig), errname(errno));
}

static void change_mask(int how, int sig) {
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, sig);
    if (sigprocmask(how, &s, NULL) != 0)
        FAIL("expected sigprocmask to succeed / got -1 %s", errname(errno));
}

void block_signal(int sig) { change_mask(SIG_BLOCK, sig); }
void unblock_signal(int sig) { change_mask(SIG_UNBLOCK, sig); }

int64_t mono_ns(void) {
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        FAIL("expected clock_gettime(CLOCK_MONOTONIC) to succeed / got -1 %s", errname(errno));
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int fd_is_open(int fd) { return fcntl(fd, F_GETFD) != -1 || errno != EBADF; }

int lowest_free_fd(int from) {
    for (int fd = from; fd < 4096; fd++)
        if (!fd_is_open(fd))
            return fd;
    FAIL("expected a free fd below 4096 / got none");
}

void xpipe(int p[2], int flags) {
    if (pipe2(p, flags) != 0)
        FAIL("expected pipe2 to succeed / got -1 %s", errname(errno));
}

int run_program(const char* path, char* const argv[], char* const envp[]) {
    pid_t pid = xfork();
    if (pid == 0) {
        execve(path, argv, envp);
        _exit(127);
    }
    return xwait(pid);
}

/* ---- harness ---------------------------------------------------------------- */

static void out(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
static void out(const char* fmt, ...) {
    char line[1400];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof line)
        n = sizeof line - 1;
    const char* p = line;
    while (n > 0) {
        ssize_t w = write(STDOUT_FILENO, p, (size_t)n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        p += w;
        n -= (int)w;
    }
}

static void sleep_ns(long ns) {
    struct timespec ts = {0, ns};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* Runs one check in a child; returns 1 if it passed.  The verdict line is
   printed here. */
static int run_check(const struct check* c, const char* scratch) {
    char dir[PATH_MAX];
    int len = snprintf(dir, sizeof dir, "%s/%s", scratch, c->name);
    if (len < 0 || (size_t)len >= sizeof dir) {
        out("conformance: FAIL %s: expected a check directory path below PATH_MAX / got a "
            "longer one\n",
            c->name);
        return 0;
    }
    if (mkdir(dir, 0755) != 0) {
        out("conformance: FAIL %s: expected to create the check directory / got -1 %s\n", c->name,
            errname(errno));
        return 0;
    }
    int p[2];
    if (pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0) {
        out("conformance: FAIL %s: expected the harness pipe / got -1 %s\n", c->name,
            errname(errno));
        return 0;
    }
    pid_t pid = fork();
    if (pid < 0) {
        out("conformance: FAIL %s: expected fork to succeed / got -1 %s\n", c->name,
            errname(errno));
        close(p[0]);
        close(p[1]);
        return 0;
    }
    if (pid == 0) {
        close(p[0]);
        /* Keep the report pipe out of the way of the fd numbers checks use. */
        int high = fcntl(p[1], F_DUPFD_CLOEXEC, 100);
        if (high >= 0) {
            close(p[1]);
            result_fd = high;
        } else {
            result_fd = p[1];
        }
        setpgid(0, 0);
        umask(022);
        if (chdir(dir) != 0)
            FAIL("expected chdir to the check directory / got -1 %s", errname(errno));
        c->fn();
        _exit(0);
    }
    close(p[1]);

    int status = 0, timed_out = 0;
    int64_t start = 0;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    start = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
    long delay = 20000;
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            break;
        if (r < 0 && errno != EINTR) {
            status = -1;
            break;
        }
        clock_gettime(CLOCK_MONOTONIC, &ts);
        if ((int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec - start > CHECK_TIMEOUT_NS) {
            timed_out = 1;
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            break;
        }
        sleep_ns(delay);
        if (delay < 2000000)
            delay *= 2;
    }

    char msg[1100];
    ssize_t n = read(p[0], msg, sizeof msg - 1);
    close(p[0]);
    if (n < 0)
        n = 0;
    msg[n] = 0;
    char* nl = strchr(msg, '\n');
    if (nl)
        *nl = 0;

    int passed = 0;
    if (msg[0])
        out("conformance: FAIL %s: %s\n", c->name, msg);
    else if (timed_out)
        out("conformance: FAIL %s: expected the check to finish within %lld s / got no "
            "result\n",
            c->name, CHECK_TIMEOUT_NS / 1000000000);
    else if (status == -1)
        out("conformance: FAIL %s: expected waitpid to return the check / got -1 %s\n", c->name,
            errname(errno));
    else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        out("conformance: FAIL %s: expected the check to finish / got %s\n", c->name,
            status_str(status));
    else {
        out("conformance: ok %s\n", c->name);
        passed = 1;
    }
    if (!passed)
        kill(-pid, SIGKILL); /* stray helpers of a failed check, if any */
    return passed;
}

/* Removes everything below dirfd/name (not following symlinks), then name. */
static void remove_tree(int dirfd, const char* name) {
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0) {
        DIR* d = fdopendir(fd);
        if (d) {
            struct dirent* e;
            while ((e = readdir(d)) != NULL) {
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                    continue;
                struct stat st;
                if (fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
                    fchmodat(fd, e->d_name, 0700, 0);
                    remove_tree(fd, e->d_name);
                } else {
                    unlinkat(fd, e->d_name, 0);
                }
            }
            closedir(d);
        } else {
            close(fd);
        }
    }
    unlinkat(dirfd, name, AT_REMOVEDIR);
}

static void usage(void) {
    out("usage: conformance [-l] [-k SUBSTRING] [WORKDIR]\n"
        "  -l            list the check names and exit\n"
        "  -k SUBSTRING  run only the checks whose name contains SUBSTRING\n"
        "  WORKDIR       where to create the scratch directory conformance.<pid>\n"
        "                (default $TMPDIR, else /tmp)\n");
}

int main(int argc, char** argv) {
    if (argc >= 3 && strcmp(argv[1], "--exec-helper") == 0)
        return exec_helper(argc, argv);

    const char* filter = NULL;
    const char* base = NULL;
    int list = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-l") == 0) {
            list = 1;
        } else if (strcmp(argv[i], "-k") == 0 && i + 1 < argc) {
            filter = argv[++i];
        } else if (argv[i][0] == '-' || base) {
            usage();
            return 2;
        } else {
            base = argv[i];
        }
    }

    const struct {
        const struct check* checks;
        size_t count;
    } families[] = {
        {fs_checks, fs_checks_count},     {ipc_checks, ipc_checks_count},
        {mem_checks, mem_checks_count},   {sig_checks, sig_checks_count},
        {proc_checks, proc_checks_count},
    };
    const size_t nfamilies = sizeof families / sizeof families[0];

    if (list) {
        for (size_t f = 0; f < nfamilies; f++)
            for (size_t i = 0; i < families[f].count; i++)
                out("%s\n", families[f].checks[i].name);
        return 0;
    }

    /* A predictable starting state whatever the caller left us. */
    for (int fd = 0; fd < 3; fd++)
        if (!fd_is_open(fd) && open("/dev/null", O_RDWR) < 0)
            return 2;
    for (int s = 1; s < 32; s++)
        if (s != SIGKILL && s != SIGSTOP)
            signal(s, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    alarm(0);

    static char self[PATH_MAX];
    ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
    if (sl > 0 && self[0] == '/') {
        self[sl] = 0;
        conf_self_exe = self;
    } else if (strchr(argv[0], '/')) {
        if (argv[0][0] == '/')
            snprintf(self, sizeof self, "%s", argv[0]);
        else if (getcwd(self, sizeof self - 1 - strlen(argv[0])))
            snprintf(self + strlen(self), sizeof self - strlen(self), "/%s", argv[0]);
        conf_self_exe = self[0] == '/' ? self : NULL;
    }

    if (!base) {
        base = getenv("TMPDIR");
        if (!base || !*base)
            base = "/tmp";
    }
    static char abs_base[PATH_MAX], scratch[PATH_MAX];
    int len;
    if (base[0] == '/') {
        len = snprintf(abs_base, sizeof abs_base, "%s", base);
    } else {
        char cwd[PATH_MAX];
        if (!getcwd(cwd, sizeof cwd)) {
            out("conformance: cannot get the current directory: %s\n", errname(errno));
            return 2;
        }
        len = snprintf(abs_base, sizeof abs_base, "%s/%s", cwd, base);
    }
    if (len < 0 || (size_t)len + 32 >= sizeof abs_base) {
        out("conformance: the work directory path is too long\n");
        return 2;
    }
    int created_base = 0;
    if (mkdir(abs_base, 0755) == 0)
        created_base = 1;
    else if (errno != EEXIST) {
        out("conformance: cannot create %s: %s\n", abs_base, errname(errno));
        return 2;
    }
    len = snprintf(scratch, sizeof scratch, "%s/conformance.%d", abs_base, (int)getpid());
    if (len < 0 || (size_t)len >= sizeof scratch) {
        out("conformance: the work directory path is too long\n");
        return 2;
    }
    if (mkdir(scratch, 0755) != 0) {
        out("conformance: cannot create %s: %s\n", scratch, errname(errno));
        return 2;
    }

    int passed = 0, failed = 0;
    for (size_t f = 0; f < nfamilies; f++) {
        for (size_t i = 0; i < families[f].count; i++) {
            const struct check* c = &families[f].checks[i];
            if (filter && !strstr(c->name, filter))
                continue;
            if (run_check(c, scratch))
                passed++;
            else
                failed++;
        }
    }

    remove_tree(AT_FDCWD, scratch);
    if (created_base)
        rmdir(abs_base);
    out("conformance: %d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
