/* Processes, exec, threads and miscellaneous calls. */
#include "conformance.h"

#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/times.h>
#include <sys/utsname.h>
#include <termios.h>
#include <time.h>

extern char** environ;

static void need_self(void) {
    EXPECT(conf_self_exe != NULL,
           "expected the program's own path (from /proc/self/exe or argv[0]) / got %s",
           "none, so it cannot be executed again");
}

/* ---- the exec helper (runs in a freshly executed image) ------------------------ */

static void h_helper(int s) { (void)s; }

int exec_helper(int argc, char** argv) {
    const char* mode = argv[2];
    if (strcmp(mode, "exit3") == 0)
        return 3;
    if (strcmp(mode, "hold") == 0 && argc == 5) {
        /* Says it runs on fd argv[3], then waits for fd argv[4] to close. */
        char c = 'r';
        if (write(atoi(argv[3]), &c, 1) != 1)
            return 50;
        return read(atoi(argv[4]), &c, 1) == 0 ? 0 : 51;
    }
    if (strcmp(mode, "argv") == 0) {
        if (argc != 5 || argv[5] != NULL)
            return 10;
        if (strcmp(argv[0], "conf-helper") != 0)
            return 11;
        if (strcmp(argv[3], "a b") != 0 || strcmp(argv[4], "") != 0)
            return 12;
        if (!environ || !environ[0] || strcmp(environ[0], "CONF_A=1") != 0)
            return 13;
        if (!environ[1] || strcmp(environ[1], "CONF_B=two") != 0 || environ[2])
            return 14;
        const char* b = getenv("CONF_B");
        if (!b || strcmp(b, "two") != 0)
            return 15;
        return 0;
    }
    if (strcmp(mode, "fds") == 0 && argc == 5) {
        int kept = atoi(argv[3]), closed = atoi(argv[4]);
        if (fcntl(kept, F_GETFD) != 0)
            return 20;
        if (fcntl(closed, F_GETFD) != -1 || errno != EBADF)
            return 21;
        char buf[3];
        if (read(kept, buf, 3) != 3 || memcmp(buf, "abc", 3) != 0)
            return 22; /* and moves the shared offset to 3 */
        return 0;
    }
    if (strcmp(mode, "sigs") == 0) {
        struct sigaction a;
        sigaction(SIGUSR1, NULL, &a);
        if (a.sa_handler != SIG_IGN)
            return 30; /* ignored stays ignored */
        sigaction(SIGUSR2, NULL, &a);
        if (a.sa_handler != SIG_DFL)
            return 31; /* a handler is reset to the default */
        sigset_t m, pend;
        sigprocmask(SIG_BLOCK, NULL, &m);
        if (!sigismember(&m, SIGTERM) || !sigismember(&m, SIGHUP))
            return 32; /* the mask is kept */
        sigpending(&pend);
        if (!sigismember(&pend, SIGHUP))
            return 33; /* pending signals are kept */
        signal(SIGHUP, h_helper);
        return 0;
    }
    return 99;
}

/* ---- processes ----------------------------------------------------------------- */

static void proc_fork_exit_status(void) {
    pid_t parent = getpid();
    pid_t pid = xfork();
    if (pid == 0)
        _exit(getpid() != parent ? 42 : 1);
    EXPECT(pid > 0 && pid != parent, "expected a new pid from fork / got %d", (int)pid);
    int status = xwait(pid);
    EXPECT(WIFEXITED(status) && !WIFSIGNALED(status) && WEXITSTATUS(status) == 42,
           "expected exit 42 / got %s", status_str(status));
}

static void proc_child_pid(void) {
    int p[2];
    xpipe(p, 0);
    pid_t pid = xfork();
    if (pid == 0) {
        pid_t me = getpid();
        write_all(p[1], &me, sizeof me);
        _exit(syscall(SYS_gettid) == me && syscall(SYS_getpid) == me ? 0 : 1);
    }
    pid_t reported;
    read_exact(p[0], &reported, sizeof reported);
    EXPECT_EQ(reported, pid);
    expect_exit(pid, 0);
    close(p[0]);
    close(p[1]);
}

static void proc_wait_echild(void) {
    int status;
    EXPECT_ERR(waitpid(-1, &status, 0), ECHILD);
    EXPECT_ERR(waitpid(-1, &status, WNOHANG), ECHILD);
    EXPECT_ERR(wait(&status), ECHILD);
    pid_t gone = xfork();
    if (gone == 0)
        _exit(0);
    expect_exit(gone, 0);
    EXPECT_ERR(waitpid(gone, &status, 0), ECHILD);
    EXPECT_ERR(waitpid(getpid(), &status, 0), ECHILD);
}

static void proc_wnohang(void) {
    int p[2];
    xpipe(p, 0);
    pid_t pid = xfork();
    if (pid == 0) {
        close(p[1]);
        char c;
        ssize_t r = read(p[0], &c, 1);
        _exit(r == 0 ? 5 : 6);
    }
    close(p[0]);
    int status = -1;
    EXPECT_EQ(waitpid(pid, &status, WNOHANG), 0);
    EXPECT_EQ(waitpid(-1, &status, WNOHANG), 0);
    close(p[1]);
    expect_exit(pid, 5);
}

static void proc_wait_specific(void) {
    pid_t a = xfork();
    if (a == 0)
        _exit(1);
    pid_t b = xfork();
    if (b == 0)
        _exit(2);
    expect_exit(b, 2);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    OK(waitid(P_PID, (id_t)a, &si, WEXITED));
    EXPECT_EQ(si.si_pid, a);
    EXPECT_EQ(si.si_code, CLD_EXITED);
    EXPECT_EQ(si.si_status, 1);
    int status;
    EXPECT_ERR(waitpid(a, &status, 0), ECHILD);
}

static void proc_wait_stop_cont(void) {
    pid_t pid = xfork();
    if (pid == 0) {
        for (;;)
            pause();
    }
    int status;
    OK(kill(pid, SIGSTOP));
    EXPECT_EQ(waitpid(pid, &status, WUNTRACED), pid);
    EXPECT(WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP,
           "expected stopped by SIGSTOP / got %s", status_str(status));
    EXPECT_EQ(waitpid(pid, &status, WUNTRACED | WNOHANG), 0);
    OK(kill(pid, SIGCONT));
    EXPECT_EQ(waitpid(pid, &status, WCONTINUED), pid);
    EXPECT(WIFCONTINUED(status), "expected continued / got %s", status_str(status));
    OK(kill(pid, SIGKILL));
    expect_signaled(pid, SIGKILL);
}

static void proc_getppid(void) {
    pid_t parent = getpid();
    pid_t pid = xfork();
    if (pid == 0)
        _exit(getppid() == parent ? 0 : 1);
    expect_exit(pid, 0);
}

static void proc_fork_shares_offset(void) {
    int fd = OK(open("f", O_RDWR | O_CREAT | O_TRUNC, 0644));
    pid_t pid = xfork();
    if (pid == 0) {
        write_all(fd, "abc", 3);
        _exit(0);
    }
    expect_exit(pid, 0);
    EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 3);
    write_all(fd, "def", 3);
    close(fd);
    char buf[16];
    get_file("f", buf, sizeof buf);
    EXPECT_STR(buf, "abcdef");
}

static void proc_execve_enoent(void) {
    char* argv[] = {"missing", NULL};
    char* envp[] = {NULL};
    EXPECT_ERR(execve("./missing", argv, envp), ENOENT);
    EXPECT_ERR(execve("nodir/missing", argv, envp), ENOENT);
    put_str("f", "x");
    EXPECT_ERR(execve("f/x", argv, envp), ENOTDIR);
}

static void proc_execve_eacces(void) {
    char* argv[] = {"noexec", NULL};
    char* envp[] = {NULL};
    put_str("noexec", "#!/bin/sh\nexit 0\n");
    OK(chmod("noexec", 0644));
    EXPECT_ERR(execve("./noexec", argv, envp), EACCES);
    OK(mkdir("d", 0755));
    EXPECT_ERR(execve("./d", argv, envp), EACCES);
}

static void proc_execve_enoexec(void) {
    char* argv[] = {"garbage", NULL};
    char* envp[] = {NULL};
    char junk[256];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (char)(1 + (i * 37) % 200);
    put_file("garbage", junk, sizeof junk);
    OK(chmod("garbage", 0755));
    EXPECT_ERR(execve("./garbage", argv, envp), ENOEXEC);
    put_file("empty", "", 0);
    OK(chmod("empty", 0755));
    EXPECT_ERR(execve("./empty", argv, envp), ENOEXEC);
}

static void proc_execve_script(void) {
    put_str("script", "#!/bin/sh\nexit 42\n");
    OK(chmod("script", 0755));
    char* argv[] = {"script", NULL};
    char* envp[] = {"PATH=/bin:/usr/bin", NULL};
    int status = run_program("./script", argv, envp);
    EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 42,
           "expected the #!/bin/sh script to exit 42 / got %s", status_str(status));
}

static void proc_execve_script_missing_interp(void) {
    put_str("script", "#!/nonexistent/interpreter\n");
    OK(chmod("script", 0755));
    char* argv[] = {"script", NULL};
    char* envp[] = {NULL};
    EXPECT_ERR(execve("./script", argv, envp), ENOENT);
}

static void proc_execve_argv_env(void) {
    need_self();
    char* argv[] = {"conf-helper", "--exec-helper", "argv", "a b", "", NULL};
    char* envp[] = {"CONF_A=1", "CONF_B=two", NULL};
    int status = run_program(conf_self_exe, argv, envp);
    EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0,
           "expected the exec'd helper to see argv and envp exactly (exit 0) / got %s",
           status_str(status));
}

static void proc_exec_cloexec(void) {
    need_self();
    put_str("f", "abcdef");
    int kept = OK(open("f", O_RDONLY));
    int closed = OK(open("f", O_RDONLY | O_CLOEXEC));
    char k[16], c[16];
    snprintf(k, sizeof k, "%d", kept);
    snprintf(c, sizeof c, "%d", closed);
    char* argv[] = {"conf-helper", "--exec-helper", "fds", k, c, NULL};
    char* envp[] = {NULL};
    int status = run_program(conf_self_exe, argv, envp);
    EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0,
           "expected fd %d kept and fd %d (O_CLOEXEC) closed across execve (exit 0) / got %s", kept,
           closed, status_str(status));
    EXPECT_EQ(lseek(kept, 0, SEEK_CUR), 3);
    close(kept);
    close(closed);
}

static void proc_exec_signals(void) {
    need_self();
    pid_t pid = xfork();
    if (pid == 0) {
        signal(SIGUSR1, SIG_IGN);
        signal(SIGUSR2, h_helper);
        sigset_t m;
        sigemptyset(&m);
        sigaddset(&m, SIGTERM);
        sigaddset(&m, SIGHUP);
        sigprocmask(SIG_BLOCK, &m, NULL);
        kill(getpid(), SIGHUP);
        char* argv[] = {"conf-helper", "--exec-helper", "sigs", NULL};
        char* envp[] = {NULL};
        execve(conf_self_exe, argv, envp);
        _exit(127);
    }
    int status = xwait(pid);
    EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0,
           "expected execve to keep SIG_IGN, the mask and pending signals and reset handlers "
           "(exit 0) / got %s",
           status_str(status));
}

/* A running program's file may not be written, and a file open for
 * writing may not be executed: ETXTBSY both ways, as on Linux. */
static void proc_etxtbsy(void) {
    need_self();
    int in = OK(open(conf_self_exe, O_RDONLY));
    int w = OK(open("prog", O_WRONLY | O_CREAT | O_TRUNC, 0755));
    static char buf[65536];
    ssize_t n;
    while ((n = read(in, buf, sizeof buf)) > 0)
        EXPECT_EQ(write(w, buf, (size_t)n), n);
    close(in);
    char* envp[] = {NULL};
    pid_t pid = xfork();
    if (pid == 0) {
        char* argv[] = {"conf-helper", "--exec-helper", "exit3", NULL};
        execve("./prog", argv, envp);
        _exit(errno == ETXTBSY ? 40 : 41);
    }
    expect_exit(pid, 40); /* still open for writing here */
    close(w);
    int ready[2], go[2];
    xpipe(ready, 0);
    xpipe(go, 0);
    pid = xfork();
    if (pid == 0) {
        char a[16], b[16];
        snprintf(a, sizeof a, "%d", ready[1]);
        snprintf(b, sizeof b, "%d", go[0]);
        close(ready[0]);
        close(go[1]);
        char* argv[] = {"conf-helper", "--exec-helper", "hold", a, b, NULL};
        execve("./prog", argv, envp);
        _exit(127);
    }
    close(ready[1]);
    close(go[0]);
    char c;
    EXPECT_EQ(read(ready[0], &c, 1), 1); /* it runs ./prog now */
    EXPECT_ERR(open("prog", O_WRONLY), ETXTBSY);
    EXPECT_ERR(open("prog", O_RDWR | O_TRUNC), ETXTBSY);
    EXPECT_ERR(truncate("prog", 0), ETXTBSY);
    int r = OK(open("prog", O_RDONLY)); /* reading is fine */
    close(r);
    close(go[1]);
    expect_exit(pid, 0);
    close(ready[0]);
    w = OK(open("prog", O_WRONLY)); /* and writing again once it is gone */
    close(w);
}

static int64_t rusage_ms(int who) {
    struct rusage ru;
    if (getrusage(who, &ru) != 0)
        return -1;
    return (int64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
           (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
}

/* A child's CPU time counts for its parent once reaped: wait4's rusage,
 * getrusage(RUSAGE_CHILDREN) and times()'s tms_cutime. */
static void proc_child_cpu_time(void) {
    int64_t before = rusage_ms(RUSAGE_CHILDREN);
    EXPECT(before >= 0, "expected getrusage(RUSAGE_CHILDREN) to work / got %lld",
           (long long)before);
    EXPECT_ERR(getrusage(7, &(struct rusage){0}), EINVAL);
    pid_t pid = xfork();
    if (pid == 0) {
        /* Spin until this process has used 60 ms of CPU (at most 5 s). */
        int64_t start = mono_ns();
        volatile uint64_t x = 0;
        while (rusage_ms(RUSAGE_SELF) < 60 && mono_ns() - start < 5000000000ll)
            for (int i = 0; i < 100000; ++i)
                x += (uint64_t)i;
        _exit(rusage_ms(RUSAGE_SELF) >= 60 ? 0 : 1);
    }
    int status;
    struct rusage ru;
    EXPECT_EQ(wait4(pid, &status, 0, &ru), pid);
    EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0,
           "expected the child to see its own CPU time grow (exit 0) / got %s", status_str(status));
    int64_t child = (int64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
                    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
    EXPECT(child >= 50, "expected wait4's rusage to hold the child's 60 ms / got %lld ms",
           (long long)child);
    int64_t after = rusage_ms(RUSAGE_CHILDREN);
    EXPECT(after - before >= 50,
           "expected RUSAGE_CHILDREN to grow by the child's time / got %lld ms",
           (long long)(after - before));
    struct tms t;
    EXPECT(times(&t) != (clock_t)-1, "expected times() to work / got -1%s", "");
    EXPECT(t.tms_cutime + t.tms_cstime >= 5, "expected tms_cutime >= 5 ticks / got %ld",
           (long)(t.tms_cutime + t.tms_cstime));
}

static int64_t clock_ms(clockid_t id) {
    struct timespec ts;
    if (clock_gettime(id, &ts) != 0)
        return -1;
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void* burn_60ms(void* arg) {
    (void)arg;
    int64_t start = mono_ns();
    volatile uint64_t x = 0;
    while (clock_ms(CLOCK_THREAD_CPUTIME_ID) < 60 && mono_ns() - start < 5000000000ll)
        for (int i = 0; i < 100000; ++i)
            x += (uint64_t)i;
    return NULL;
}

/* CLOCK_PROCESS_CPUTIME_ID counts every thread; CLOCK_THREAD_CPUTIME_ID
 * only the caller. */
static void proc_cpu_clocks(void) {
    int64_t proc0 = clock_ms(CLOCK_PROCESS_CPUTIME_ID);
    int64_t self0 = clock_ms(CLOCK_THREAD_CPUTIME_ID);
    pthread_t t;
    EXPECT_EQ(pthread_create(&t, NULL, burn_60ms, NULL), 0);
    EXPECT_EQ(pthread_join(t, NULL), 0);
    int64_t proc1 = clock_ms(CLOCK_PROCESS_CPUTIME_ID);
    int64_t self1 = clock_ms(CLOCK_THREAD_CPUTIME_ID);
    EXPECT(proc1 - proc0 >= 50, "expected the process clock to count the thread's 60 ms / got %lld",
           (long long)(proc1 - proc0));
    EXPECT(self1 - self0 < 40, "expected the main thread's clock to stay put / got %lld ms",
           (long long)(self1 - self0));
}

static void proc_posix_spawn(void) {
    need_self();
    char* argv[] = {"conf-helper", "--exec-helper", "exit3", NULL};
    char* envp[] = {NULL};
    pid_t pid;
    EXPECT_EQ(posix_spawn(&pid, conf_self_exe, NULL, NULL, argv, envp), 0);
    expect_exit(pid, 3);
    EXPECT_EQ(posix_spawn(&pid, "./missing", NULL, NULL, argv, envp), ENOENT);
}

static void proc_setpgid_getpgid(void) {
    int p[2];
    xpipe(p, 0);
    pid_t pid = xfork();
    if (pid == 0) {
        close(p[1]);
        if (setpgid(0, 0) != 0 || getpgid(0) != getpid() || getpgrp() != getpid())
            _exit(1);
        char c;
        ssize_t r = read(p[0], &c, 1);
        _exit(r == 0 ? 0 : 2);
    }
    close(p[0]);
    OK(setpgid(pid, pid)); /* both sides set it, as shells do */
    EXPECT_EQ(getpgid(pid), pid);
    EXPECT_EQ(getpgid(0), getpgrp());
    EXPECT(getpgrp() != pid, "expected the parent's group unchanged / got %d", (int)getpgrp());
    close(p[1]);
    expect_exit(pid, 0);
    EXPECT_ERR(getpgid(pid), ESRCH);
    EXPECT_ERR(setpgid(pid, pid), ESRCH);
    EXPECT_ERR(setpgid(0, -1), EINVAL);
}

static void proc_setsid(void) {
    int ready[2], done[2];
    xpipe(ready, 0);
    xpipe(done, 0);
    pid_t pid = xfork();
    if (pid == 0) {
        close(ready[0]);
        close(done[1]);
        pid_t me = getpid();
        if (getsid(0) == me)
            _exit(1);
        if (setsid() != me)
            _exit(2);
        if (getsid(0) != me || getpgid(0) != me)
            _exit(3);
        if (setsid() != -1 || errno != EPERM)
            _exit(4); /* now a group leader */
        write_all(ready[1], "r", 1);
        char c;
        ssize_t r = read(done[0], &c, 1);
        _exit(r == 0 ? 0 : 5);
    }
    close(ready[1]);
    close(done[0]);
    char c;
    EXPECT_EQ(read(ready[0], &c, 1), 1);
    EXPECT_EQ(getsid(pid), pid);
    EXPECT(getsid(0) != pid, "expected the parent's session unchanged / got %d", (int)getsid(0));
    close(done[1]);
    expect_exit(pid, 0);
    close(ready[0]);
}

static void proc_setsid_leader_eperm(void) {
    OK(setpgid(0, 0));
    EXPECT_EQ(getpgrp(), getpid());
    EXPECT_ERR(setsid(), EPERM);
}

static volatile int vfork_marker;

static void proc_vfork(void) {
    vfork_marker = 0;
    pid_t pid = vfork();
    if (pid == 0) {
        vfork_marker = 1; /* the child borrows the parent's memory */
        _exit(7);
    }
    EXPECT(pid > 0, "expected vfork to succeed / got %s", result_str(pid, errno));
    EXPECT_EQ(vfork_marker, 1);
    expect_exit(pid, 7);
}

static void proc_exit_status_255(void) {
    const int codes[][2] = {{255, 255}, {256, 0}, {-1, 255}, {0, 0}, {1, 1}, {128, 128}};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        pid_t pid = xfork();
        if (pid == 0)
            _exit(codes[i][0]);
        expect_exit(pid, codes[i][1]);
    }
    pid_t pid = xfork();
    if (pid == 0)
        exit(-1);
    expect_exit(pid, 255);
}

static void proc_rlimit_nofile(void) {
    struct rlimit r, r2, r3;
    OK(getrlimit(RLIMIT_NOFILE, &r));
    EXPECT(r.rlim_cur >= 3 && r.rlim_cur <= r.rlim_max,
           "expected 3 <= soft <= hard RLIMIT_NOFILE / got %llu, %llu",
           (unsigned long long)r.rlim_cur, (unsigned long long)r.rlim_max);
    OK(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &r2));
    OK(syscall(SYS_prlimit64, getpid(), RLIMIT_NOFILE, NULL, &r3));
    EXPECT(r.rlim_cur == r2.rlim_cur && r.rlim_max == r2.rlim_max && r2.rlim_cur == r3.rlim_cur,
           "expected getrlimit and prlimit64 to agree / got %llu/%llu vs %llu/%llu",
           (unsigned long long)r.rlim_cur, (unsigned long long)r.rlim_max,
           (unsigned long long)r2.rlim_cur, (unsigned long long)r2.rlim_max);
    struct rlimit bad = {r.rlim_max, r.rlim_max};
    if (r.rlim_max != RLIM_INFINITY) {
        bad.rlim_cur = r.rlim_max + 1;
        EXPECT_ERR(setrlimit(RLIMIT_NOFILE, &bad), EINVAL);
    }
    EXPECT_ERR(getrlimit(99, &r), EINVAL);
}

static void proc_rlimit_emfile(void) {
    int fd = OK(open(".", O_RDONLY));
    struct rlimit r;
    OK(getrlimit(RLIMIT_NOFILE, &r));
    r.rlim_cur = 16;
    OK(setrlimit(RLIMIT_NOFILE, &r));
    int want = -1; /* the highest descriptor the loop below can get */
    for (int i = 15; i >= 0 && want < 0; i--)
        if (!fd_is_open(i))
            want = i;
    int last = -1;
    for (int i = 0; i < 32; i++) {
        int d = dup(fd);
        if (d < 0) {
            EXPECT(errno == EMFILE, "expected dup to fail with EMFILE at the limit / got -1 %s",
                   errname(errno));
            break;
        }
        last = d;
    }
    EXPECT_EQ(last, want);
    EXPECT_ERR(dup(fd), EMFILE);
    EXPECT_ERR(open(".", O_RDONLY), EMFILE);
    EXPECT_ERR(fcntl(fd, F_DUPFD, 16), EINVAL);
    EXPECT_ERR(dup2(fd, 16), EBADF);
    close(15);
    EXPECT_EQ(dup(fd), 15);
}

static void proc_ids(void) {
    uid_t ru, eu, su;
    gid_t rg, eg, sg;
    OK(getresuid(&ru, &eu, &su));
    OK(getresgid(&rg, &eg, &sg));
    EXPECT_EQ(getuid(), ru);
    EXPECT_EQ(geteuid(), eu);
    EXPECT_EQ(getgid(), rg);
    EXPECT_EQ(getegid(), eg);
    EXPECT_EQ(syscall(SYS_getuid), ru);
    EXPECT_EQ(syscall(SYS_geteuid), eu);
    EXPECT_EQ(syscall(SYS_getgid), rg);
    EXPECT_EQ(syscall(SYS_getegid), eg);
    EXPECT(ru == eu && eu == su && rg == eg && eg == sg,
           "expected real, effective and saved ids equal (not set-id) / got uid %u/%u/%u gid "
           "%u/%u/%u",
           ru, eu, su, rg, eg, sg);
    int n = OK(getgroups(0, NULL));
    EXPECT(n >= 0 && n <= 65536, "expected a sane group count / got %d", n);
}

static void proc_uname(void) {
    struct utsname u;
    OK(uname(&u));
    EXPECT_STR(u.sysname, "Linux");
    EXPECT_STR(u.machine, "x86_64");
    EXPECT(u.release[0] >= '1' && u.release[0] <= '9',
           "expected a release starting with a version digit / got %s",
           quote(u.release, strlen(u.release)));
    EXPECT(u.nodename[0] != 0, "expected a nonempty nodename / got %s", "\"\"");
}

static void proc_self_exe(void) {
    char path[PATH_MAX];
    ssize_t n = OK(readlink("/proc/self/exe", path, sizeof path - 1));
    path[n] = 0;
    EXPECT(path[0] == '/', "expected an absolute /proc/self/exe / got %s", quote(path, (size_t)n));
    struct stat st;
    OK(stat(path, &st));
    EXPECT(S_ISREG(st.st_mode) && (st.st_mode & 0111),
           "expected /proc/self/exe to name an executable file / got mode 0%o", st.st_mode);
}

static void proc_auxv(void) {
    EXPECT_EQ(getauxval(AT_PAGESZ), 4096);
    EXPECT_EQ(sysconf(_SC_PAGESIZE), 4096);
    EXPECT(getauxval(AT_PHDR) != 0, "expected AT_PHDR / got %s", "0");
    EXPECT(getauxval(AT_ENTRY) != 0, "expected AT_ENTRY / got %s", "0");
    EXPECT(getauxval(AT_RANDOM) != 0, "expected AT_RANDOM / got %s", "0");
    EXPECT_EQ(getauxval(AT_PHENT), 56);
    EXPECT_EQ(getauxval(AT_UID), getuid());
    EXPECT_EQ(getauxval(AT_EUID), geteuid());
    EXPECT_EQ(getauxval(AT_GID), getgid());
    EXPECT_EQ(getauxval(AT_EGID), getegid());
    EXPECT_EQ(getauxval(AT_SECURE), 0);
    const char* fn = (const char*)getauxval(AT_EXECFN);
    EXPECT(fn != NULL && fn[0] != 0, "expected AT_EXECFN to name the program / got %s",
           fn ? "\"\"" : "NULL");
}

/* ---- threads --------------------------------------------------------------------- */

static pid_t main_pid;

static void* thread_ids(void* arg) {
    (void)arg;
    long tid = syscall(SYS_gettid);
    if (getpid() != main_pid)
        return (void*)1;
    return (void*)tid;
}

static void thread_create_join(void) {
    main_pid = getpid();
    pthread_t t;
    EXPECT_EQ(pthread_create(&t, NULL, thread_ids, NULL), 0);
    void* ret = NULL;
    EXPECT_EQ(pthread_join(t, &ret), 0);
    long tid = (long)ret;
    EXPECT(tid > 1 && tid != main_pid,
           "expected the thread to share the pid and have its own tid / got %ld (pid %d)", tid,
           (int)main_pid);
}

static __thread int tls_value = 5;

static void* thread_tls_body(void* arg) {
    (void)arg;
    int before = tls_value;
    tls_value = 99;
    return (void*)(long)before;
}

static void thread_tls(void) {
    tls_value = 7;
    pthread_t t;
    EXPECT_EQ(pthread_create(&t, NULL, thread_tls_body, NULL), 0);
    void* ret;
    EXPECT_EQ(pthread_join(t, &ret), 0);
    EXPECT_EQ((long)ret, 5); /* the thread starts from the initial image */
    EXPECT_EQ(tls_value, 7);
}

static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void* thread_count(void* arg) {
    (void)arg;
    for (int i = 0; i < 20000; i++) {
        pthread_mutex_lock(&counter_lock);
        counter++;
        pthread_mutex_unlock(&counter_lock);
    }
    return NULL;
}

static void thread_mutex(void) {
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        EXPECT_EQ(pthread_create(&t[i], NULL, thread_count, NULL), 0);
    for (int i = 0; i < 4; i++)
        EXPECT_EQ(pthread_join(t[i], NULL), 0);
    EXPECT_EQ(counter, 80000);
}

static int futex_word;

static long futex(int* addr, int op, int val, const struct timespec* ts) {
    return syscall(SYS_futex, addr, op, val, ts, NULL, 0);
}

static void* thread_futex_waker(void* arg) {
    (void)arg;
    __atomic_store_n(&futex_word, 1, __ATOMIC_SEQ_CST);
    futex(&futex_word, FUTEX_WAKE_PRIVATE, 1, NULL);
    return NULL;
}

static void thread_futex(void) {
    futex_word = 0;
    EXPECT_ERR(futex(&futex_word, FUTEX_WAIT_PRIVATE, 1, NULL), EAGAIN);
    struct timespec ts = {0, 10000000};
    int64_t t0 = mono_ns();
    EXPECT_ERR(futex(&futex_word, FUTEX_WAIT_PRIVATE, 0, &ts), ETIMEDOUT);
    EXPECT(mono_ns() - t0 >= 10000000, "expected the futex wait to last 10 ms / got %lld us",
           (long long)((mono_ns() - t0) / 1000));
    EXPECT_EQ(futex(&futex_word, FUTEX_WAKE_PRIVATE, 1, NULL), 0);
    pthread_t t;
    EXPECT_EQ(pthread_create(&t, NULL, thread_futex_waker, NULL), 0);
    while (__atomic_load_n(&futex_word, __ATOMIC_SEQ_CST) == 0) {
        long r = futex(&futex_word, FUTEX_WAIT_PRIVATE, 0, NULL);
        EXPECT(r == 0 || errno == EAGAIN || errno == EINTR,
               "expected FUTEX_WAIT to return 0 or EAGAIN / got %s", result_str(r, errno));
    }
    EXPECT_EQ(pthread_join(t, NULL), 0);
    EXPECT_ERR(futex(&futex_word, 99, 0, NULL), ENOSYS);
}

static volatile long handler_tid;
static volatile int thread_tid_ready;
static volatile long target_tid;

static void h_record_tid(int s) {
    (void)s;
    handler_tid = syscall(SYS_gettid);
}

static void* thread_wait_signal(void* arg) {
    (void)arg;
    target_tid = syscall(SYS_gettid);
    __atomic_store_n(&thread_tid_ready, 1, __ATOMIC_SEQ_CST);
    for (int i = 0; i < 5000 && handler_tid == 0; i++) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    return NULL;
}

static void thread_tgkill_thread(void) {
    set_handler(SIGUSR1, h_record_tid, 0);
    pthread_t t;
    EXPECT_EQ(pthread_create(&t, NULL, thread_wait_signal, NULL), 0);
    while (!__atomic_load_n(&thread_tid_ready, __ATOMIC_SEQ_CST))
        sched_yield();
    OK(syscall(SYS_tgkill, getpid(), target_tid, SIGUSR1));
    EXPECT_EQ(pthread_join(t, NULL), 0);
    EXPECT(handler_tid == target_tid, "expected the handler to run in thread %ld / got %ld",
           (long)target_tid, (long)handler_tid);
}

static void* thread_exit_group(void* arg) {
    (void)arg;
    _exit(5); /* exit_group: ends every thread */
}

static void thread_exit_group_ends_process(void) {
    pid_t pid = xfork();
    if (pid == 0) {
        pthread_t t;
        if (pthread_create(&t, NULL, thread_exit_group, NULL) != 0)
            _exit(1);
        for (;;)
            pause();
    }
    expect_exit(pid, 5);
}

/* ---- misc ------------------------------------------------------------------------ */

static void misc_getrandom(void) {
    unsigned char a[64], b[64], zero[64];
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    memset(zero, 0, sizeof zero);
    EXPECT_EQ(getrandom(a, sizeof a, 0), 64);
    EXPECT_EQ(syscall(SYS_getrandom, b, sizeof b, 0), 64);
    EXPECT(memcmp(a, zero, sizeof a) != 0, "expected random bytes / got %s", "64 zero bytes");
    EXPECT(memcmp(a, b, sizeof a) != 0, "expected two draws to differ / got %s", "equal bytes");
    EXPECT_EQ(getrandom(a, 0, 0), 0);
    EXPECT_EQ(getrandom(a, 16, GRND_NONBLOCK), 16);
    EXPECT_ERR(syscall(SYS_getrandom, a, 16, 0x100), EINVAL);
}

static void misc_getrandom_efault(void) {
    EXPECT_ERR(syscall(SYS_getrandom, (void*)1, 16, 0), EFAULT);
}

static void misc_write_efault(void) {
    int p[2];
    xpipe(p, 0);
    EXPECT_ERR(syscall(SYS_write, p[1], (void*)1, 10), EFAULT);
    EXPECT_EQ(write(p[1], "ok", 2), 2);
    EXPECT_ERR(syscall(SYS_read, p[0], (void*)1, 2), EFAULT);
    close(p[0]);
    close(p[1]);
    int fd = OK(open("f", O_WRONLY | O_CREAT, 0644));
    EXPECT_ERR(syscall(SYS_write, fd, (void*)1, 10), EFAULT);
    close(fd);
}

static void misc_path_efault(void) {
    EXPECT_ERR(open((const char*)1, O_RDONLY), EFAULT);
    struct stat st;
    EXPECT_ERR(syscall(SYS_newfstatat, AT_FDCWD, ".", (void*)1, 0), EFAULT);
    EXPECT_ERR(syscall(SYS_stat, (const char*)1, &st), EFAULT);
    EXPECT_ERR(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, (void*)1), EFAULT);
    EXPECT_ERR(syscall(SYS_pipe2, (void*)1, 0), EFAULT);
}

static void misc_enosys(void) {
    EXPECT_ERR(syscall(1000), ENOSYS);
    EXPECT_ERR(syscall(100000), ENOSYS);
}

static void misc_ioctl_enotty(void) {
    put_str("f", "x");
    int fd = OK(open("f", O_RDONLY));
    struct termios t;
    EXPECT_ERR(ioctl(fd, TCGETS, &t), ENOTTY);
    errno = 0;
    int tty = isatty(fd);
    int e = errno;
    EXPECT_EQ(tty, 0);
    EXPECT(e == ENOTTY, "expected isatty to set ENOTTY / got %s", errname(e));
    close(fd);
    int null = OK(open("/dev/null", O_RDONLY));
    EXPECT_ERR(ioctl(null, TCGETS, &t), ENOTTY);
    close(null);
    EXPECT_ERR(ioctl(fd, TCGETS, &t), EBADF);
}

static void misc_umask(void) {
    umask(022);
    EXPECT_EQ(umask(0077), 022);
    EXPECT_EQ(umask(01777), 0077);
    EXPECT_EQ(umask(022), 0777); /* only the permission bits are kept */
}

static void misc_sched_yield(void) {
    OK(sched_yield());
    OK(syscall(SYS_sched_yield));
}

const struct check proc_checks[] = {
    CHECK_ENTRY(proc, fork_exit_status),
    CHECK_ENTRY(proc, child_pid),
    CHECK_ENTRY(proc, wait_echild),
    CHECK_ENTRY(proc, wnohang),
    CHECK_ENTRY(proc, wait_specific),
    CHECK_ENTRY(proc, wait_stop_cont),
    CHECK_ENTRY(proc, getppid),
    CHECK_ENTRY(proc, fork_shares_offset),
    CHECK_ENTRY(proc, execve_enoent),
    CHECK_ENTRY(proc, execve_eacces),
    CHECK_ENTRY(proc, execve_enoexec),
    CHECK_ENTRY(proc, etxtbsy),
    CHECK_ENTRY(proc, child_cpu_time),
    CHECK_ENTRY(proc, cpu_clocks),
    CHECK_ENTRY(proc, execve_script),
    CHECK_ENTRY(proc, execve_script_missing_interp),
    CHECK_ENTRY(proc, execve_argv_env),
    CHECK_ENTRY(proc, exec_cloexec),
    CHECK_ENTRY(proc, exec_signals),
    CHECK_ENTRY(proc, posix_spawn),
    CHECK_ENTRY(proc, setpgid_getpgid),
    CHECK_ENTRY(proc, setsid),
    CHECK_ENTRY(proc, setsid_leader_eperm),
    CHECK_ENTRY(proc, vfork),
    CHECK_ENTRY(proc, exit_status_255),
    CHECK_ENTRY(proc, rlimit_nofile),
    CHECK_ENTRY(proc, rlimit_emfile),
    CHECK_ENTRY(proc, ids),
    CHECK_ENTRY(proc, uname),
    CHECK_ENTRY(proc, self_exe),
    CHECK_ENTRY(proc, auxv),

    CHECK_ENTRY(thread, create_join),
    CHECK_ENTRY(thread, tls),
    CHECK_ENTRY(thread, mutex),
    CHECK_ENTRY(thread, futex),
    CHECK_ENTRY(thread, tgkill_thread),
    CHECK_ENTRY(thread, exit_group_ends_process),

    CHECK_ENTRY(misc, getrandom),
    CHECK_ENTRY(misc, getrandom_efault),
    CHECK_ENTRY(misc, write_efault),
    CHECK_ENTRY(misc, path_efault),
    CHECK_ENTRY(misc, enosys),
    CHECK_ENTRY(misc, ioctl_enotty),
    CHECK_ENTRY(misc, umask),
    CHECK_ENTRY(misc, sched_yield),
};
const size_t proc_checks_count = sizeof proc_checks / sizeof proc_checks[0];
