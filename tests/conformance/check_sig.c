/* Signals and time. */
#include "conformance.h"

#include <sys/mman.h>
#include <sys/time.h>
#include <time.h>

static volatile sig_atomic_t count1, alrm_count;

static void h_count1(int s) {
    (void)s;
    count1++;
}

static void h_alrm(int s) {
    (void)s;
    alrm_count++;
}

static void h_noop(int s) { (void)s; }

/* A pid that existed and has been reaped, so no process has it now. */
static pid_t reaped_pid(void) {
    pid_t pid = xfork();
    if (pid == 0)
        _exit(0);
    expect_exit(pid, 0);
    return pid;
}

/* ---- register preservation across a handler (x86_64 assembly) ------------------ */

/* Slots of the register dump both helpers write. */
enum {
    R_RAX,
    R_RBX,
    R_RBP,
    R_RCX,
    R_RDX,
    R_RSI,
    R_RDI,
    R_R8,
    R_R9,
    R_R10,
    R_R11,
    R_R12,
    R_R13,
    R_R14,
    R_R15,
    R_XMM0,
    R_XMM1,
    R_XMM15,
    R_COUNT
};

volatile int conf_trash_count;
void conf_regs_tgkill(long tgid, long tid, long sig, uint64_t* out);
void conf_regs_spin(uint64_t* out, uint64_t max_iterations);
void conf_trash_handler(int sig);

__asm__(".text\n"
        /* A handler that overwrites every general register and some vector
           registers before returning: only rt_sigreturn can restore them. */
        ".globl conf_trash_handler\n"
        ".type conf_trash_handler,@function\n"
        "conf_trash_handler:\n"
        "  lock incl conf_trash_count(%rip)\n"
        "  movabs $0xdeadbeefdeadbeef, %rax\n"
        "  mov %rax, %rbx\n  mov %rax, %rcx\n  mov %rax, %rdx\n  mov %rax, %rsi\n"
        "  mov %rax, %rdi\n  mov %rax, %rbp\n  mov %rax, %r8\n  mov %rax, %r9\n"
        "  mov %rax, %r10\n  mov %rax, %r11\n  mov %rax, %r12\n  mov %rax, %r13\n"
        "  mov %rax, %r14\n  mov %rax, %r15\n"
        "  movq %rax, %xmm0\n  movq %rax, %xmm1\n  movq %rax, %xmm15\n"
        "  ret\n"
        ".size conf_trash_handler, .-conf_trash_handler\n"

        /* conf_regs_tgkill(tgid, tid, sig, out): loads known values, sends
           the signal with a raw tgkill and dumps the registers after it. */
        ".globl conf_regs_tgkill\n"
        ".type conf_regs_tgkill,@function\n"
        "conf_regs_tgkill:\n"
        "  push %rbx\n  push %rbp\n  push %r12\n  push %r13\n  push %r14\n  push %r15\n"
        "  push %rcx\n"
        "  movabs $0x0123456789abcdef, %rax\n  movq %rax, %xmm0\n"
        "  movabs $0xfedcba9876543210, %rax\n  movq %rax, %xmm1\n"
        "  movabs $0x5555aaaa5555aaaa, %rax\n  movq %rax, %xmm15\n"
        "  movabs $0x1111111111111111, %rbx\n"
        "  movabs $0x2222222222222222, %rbp\n"
        "  movabs $0x8888888888888888, %r8\n"
        "  movabs $0x9999999999999999, %r9\n"
        "  movabs $0xaaaaaaaaaaaaaaaa, %r10\n"
        "  movabs $0xcccccccccccccccc, %r12\n"
        "  movabs $0xdddddddddddddddd, %r13\n"
        "  movabs $0xeeeeeeeeeeeeeeee, %r14\n"
        "  movabs $0x0f0f0f0f0f0f0f0f, %r15\n"
        "  mov $234, %eax\n" /* SYS_tgkill */
        "  syscall\n"
        "  pop %rcx\n"
        "  mov %rax, 0(%rcx)\n  mov %rbx, 8(%rcx)\n  mov %rbp, 16(%rcx)\n"
        "  mov %rdx, 32(%rcx)\n  mov %rsi, 40(%rcx)\n  mov %rdi, 48(%rcx)\n"
        "  mov %r8, 56(%rcx)\n  mov %r9, 64(%rcx)\n  mov %r10, 72(%rcx)\n"
        "  mov %r12, 88(%rcx)\n  mov %r13, 96(%rcx)\n  mov %r14, 104(%rcx)\n"
        "  mov %r15, 112(%rcx)\n"
        "  movq %xmm0, 120(%rcx)\n  movq %xmm1, 128(%rcx)\n  movq %xmm15, 136(%rcx)\n"
        "  pop %r15\n  pop %r14\n  pop %r13\n  pop %r12\n  pop %rbp\n  pop %rbx\n"
        "  ret\n"
        ".size conf_regs_tgkill, .-conf_regs_tgkill\n"

        /* conf_regs_spin(out, max): loads known values into all registers
           but rax and spins until conf_trash_count changes (a signal came
           in asynchronously) or max iterations pass; then dumps them. */
        ".globl conf_regs_spin\n"
        ".type conf_regs_spin,@function\n"
        "conf_regs_spin:\n"
        "  push %rbx\n  push %rbp\n  push %r12\n  push %r13\n  push %r14\n  push %r15\n"
        "  push %rdi\n"
        "  movabs $0x0123456789abcdef, %rax\n  movq %rax, %xmm0\n"
        "  movabs $0xfedcba9876543210, %rax\n  movq %rax, %xmm1\n"
        "  movabs $0x5555aaaa5555aaaa, %rax\n  movq %rax, %xmm15\n"
        "  mov %rsi, %rax\n"
        "  movabs $0x1111111111111111, %rbx\n"
        "  movabs $0x2222222222222222, %rbp\n"
        "  movabs $0x3333333333333333, %rcx\n"
        "  movabs $0x4444444444444444, %rdx\n"
        "  movabs $0x5555555555555555, %rsi\n"
        "  movabs $0x6666666666666666, %rdi\n"
        "  movabs $0x8888888888888888, %r8\n"
        "  movabs $0x9999999999999999, %r9\n"
        "  movabs $0xaaaaaaaaaaaaaaaa, %r10\n"
        "  movabs $0xbbbbbbbbbbbbbbbb, %r11\n"
        "  movabs $0xcccccccccccccccc, %r12\n"
        "  movabs $0xdddddddddddddddd, %r13\n"
        "  movabs $0xeeeeeeeeeeeeeeee, %r14\n"
        "  movabs $0x0f0f0f0f0f0f0f0f, %r15\n"
        "1:\n"
        "  cmpl $0, conf_trash_count(%rip)\n"
        "  jne 2f\n"
        "  sub $1, %rax\n"
        "  jnz 1b\n"
        "2:\n"
        "  xchg %rax, (%rsp)\n"
        "  mov %rbx, 8(%rax)\n  mov %rbp, 16(%rax)\n  mov %rcx, 24(%rax)\n"
        "  mov %rdx, 32(%rax)\n  mov %rsi, 40(%rax)\n  mov %rdi, 48(%rax)\n"
        "  mov %r8, 56(%rax)\n  mov %r9, 64(%rax)\n  mov %r10, 72(%rax)\n"
        "  mov %r11, 80(%rax)\n  mov %r12, 88(%rax)\n  mov %r13, 96(%rax)\n"
        "  mov %r14, 104(%rax)\n  mov %r15, 112(%rax)\n"
        "  movq %xmm0, 120(%rax)\n  movq %xmm1, 128(%rax)\n  movq %xmm15, 136(%rax)\n"
        "  pop %rcx\n"
        "  mov %rcx, 0(%rax)\n"
        "  pop %r15\n  pop %r14\n  pop %r13\n  pop %r12\n  pop %rbp\n  pop %rbx\n"
        "  ret\n"
        ".size conf_regs_spin, .-conf_regs_spin\n");

static const char* const reg_names[R_COUNT] = {
    "rax", "rbx", "rbp", "rcx", "rdx", "rsi", "rdi",  "r8",   "r9",
    "r10", "r11", "r12", "r13", "r14", "r15", "xmm0", "xmm1", "xmm15",
};

static void expect_reg(const uint64_t* got, int slot, uint64_t want) {
    if (got[slot] != want)
        FAIL("expected %s = 0x%016llx after the handler / got 0x%016llx", reg_names[slot],
             (unsigned long long)want, (unsigned long long)got[slot]);
}

static void sig_sigreturn_regs(void) {
    set_handler(SIGUSR1, conf_trash_handler, 0);
    uint64_t r[R_COUNT];
    memset(r, 0, sizeof r);
    long tid = syscall(SYS_gettid);
    conf_regs_tgkill(getpid(), tid, SIGUSR1, r);
    EXPECT_EQ(conf_trash_count, 1);
    expect_reg(r, R_RAX, 0);
    expect_reg(r, R_RBX, 0x1111111111111111ULL);
    expect_reg(r, R_RBP, 0x2222222222222222ULL);
    expect_reg(r, R_RDI, (uint64_t)getpid());
    expect_reg(r, R_RSI, (uint64_t)tid);
    expect_reg(r, R_RDX, SIGUSR1);
    expect_reg(r, R_R8, 0x8888888888888888ULL);
    expect_reg(r, R_R9, 0x9999999999999999ULL);
    expect_reg(r, R_R10, 0xaaaaaaaaaaaaaaaaULL);
    expect_reg(r, R_R12, 0xccccccccccccccccULL);
    expect_reg(r, R_R13, 0xddddddddddddddddULL);
    expect_reg(r, R_R14, 0xeeeeeeeeeeeeeeeeULL);
    expect_reg(r, R_R15, 0x0f0f0f0f0f0f0f0fULL);
    expect_reg(r, R_XMM0, 0x0123456789abcdefULL);
    expect_reg(r, R_XMM1, 0xfedcba9876543210ULL);
    expect_reg(r, R_XMM15, 0x5555aaaa5555aaaaULL);
}

static void sig_async_regs(void) {
    set_handler(SIGALRM, conf_trash_handler, 0);
    struct itimerval it = {{0, 20000}, {0, 20000}};
    OK(setitimer(ITIMER_REAL, &it, NULL));
    uint64_t r[R_COUNT];
    memset(r, 0, sizeof r);
    conf_regs_spin(r, 20000000000ULL);
    struct itimerval off = {{0, 0}, {0, 0}};
    OK(setitimer(ITIMER_REAL, &off, NULL));
    EXPECT(conf_trash_count > 0, "expected SIGALRM to interrupt the loop / got %d handler runs",
           conf_trash_count);
    expect_reg(r, R_RBX, 0x1111111111111111ULL);
    expect_reg(r, R_RBP, 0x2222222222222222ULL);
    expect_reg(r, R_RCX, 0x3333333333333333ULL);
    expect_reg(r, R_RDX, 0x4444444444444444ULL);
    expect_reg(r, R_RSI, 0x5555555555555555ULL);
    expect_reg(r, R_RDI, 0x6666666666666666ULL);
    expect_reg(r, R_R8, 0x8888888888888888ULL);
    expect_reg(r, R_R9, 0x9999999999999999ULL);
    expect_reg(r, R_R10, 0xaaaaaaaaaaaaaaaaULL);
    expect_reg(r, R_R11, 0xbbbbbbbbbbbbbbbbULL);
    expect_reg(r, R_R12, 0xccccccccccccccccULL);
    expect_reg(r, R_R13, 0xddddddddddddddddULL);
    expect_reg(r, R_R14, 0xeeeeeeeeeeeeeeeeULL);
    expect_reg(r, R_R15, 0x0f0f0f0f0f0f0f0fULL);
    expect_reg(r, R_XMM0, 0x0123456789abcdefULL);
    expect_reg(r, R_XMM1, 0xfedcba9876543210ULL);
    expect_reg(r, R_XMM15, 0x5555aaaa5555aaaaULL);
}

/* ---- signals ------------------------------------------------------------------- */

static void sig_sigaction_query(void) {
    struct sigaction sa, q;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = h_noop;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGUSR2);
    OK(sigaction(SIGUSR1, &sa, NULL));
    memset(&q, 0, sizeof q);
    OK(sigaction(SIGUSR1, NULL, &q));
    EXPECT(q.sa_handler == h_noop, "expected the installed handler back / got %p",
           (void*)q.sa_handler);
    EXPECT(q.sa_flags & SA_RESTART, "expected SA_RESTART in sa_flags / got 0x%x", q.sa_flags);
    EXPECT(!(q.sa_flags & SA_SIGINFO), "expected no SA_SIGINFO in sa_flags / got 0x%x", q.sa_flags);
    EXPECT_EQ(sigismember(&q.sa_mask, SIGUSR2), 1);
    EXPECT_EQ(sigismember(&q.sa_mask, SIGINT), 0);
    sa.sa_handler = SIG_DFL;
    OK(sigaction(SIGUSR1, &sa, &q));
    EXPECT(q.sa_handler == h_noop, "expected the old handler from a replacement / got %p",
           (void*)q.sa_handler);
    OK(sigaction(SIGUSR1, NULL, &q));
    EXPECT(q.sa_handler == SIG_DFL, "expected SIG_DFL / got %p", (void*)q.sa_handler);
    sa.sa_handler = h_noop;
    EXPECT_ERR(sigaction(SIGKILL, &sa, NULL), EINVAL);
    EXPECT_ERR(sigaction(SIGSTOP, &sa, NULL), EINVAL);
    OK(sigaction(SIGKILL, NULL, &q));
    uint64_t k[4];
    EXPECT_ERR(syscall(SYS_rt_sigaction, 65, NULL, k, 8), EINVAL);
    EXPECT_ERR(syscall(SYS_rt_sigaction, 0, NULL, k, 8), EINVAL);
    EXPECT_ERR(syscall(SYS_rt_sigaction, SIGUSR1, NULL, k, 4), EINVAL);
}

static void sig_pending_blocked(void) {
    set_handler(SIGUSR1, h_count1, 0);
    block_signal(SIGUSR1);
    OK(kill(getpid(), SIGUSR1));
    OK(kill(getpid(), SIGUSR1)); /* standard signals do not queue */
    EXPECT_EQ(count1, 0);
    sigset_t pend;
    OK(sigpending(&pend));
    EXPECT_EQ(sigismember(&pend, SIGUSR1), 1);
    EXPECT_EQ(sigismember(&pend, SIGUSR2), 0);
    unblock_signal(SIGUSR1);
    EXPECT_EQ(count1, 1);
    OK(sigpending(&pend));
    EXPECT_EQ(sigismember(&pend, SIGUSR1), 0);
}

static void sig_sigprocmask(void) {
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGKILL); /* silently not blocked */
    OK(sigprocmask(SIG_SETMASK, &set, &old));
    EXPECT_EQ(sigismember(&old, SIGUSR1), 0);
    OK(sigprocmask(SIG_BLOCK, NULL, &old));
    EXPECT_EQ(sigismember(&old, SIGUSR1), 1);
    EXPECT_EQ(sigismember(&old, SIGKILL), 0);
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    OK(sigprocmask(SIG_BLOCK, &set, NULL));
    OK(sigprocmask(SIG_UNBLOCK, NULL, &old)); /* NULL set: just query */
    EXPECT(sigismember(&old, SIGUSR1) && sigismember(&old, SIGUSR2),
           "expected SIGUSR1 and SIGUSR2 blocked / got %d %d", sigismember(&old, SIGUSR1),
           sigismember(&old, SIGUSR2));
    OK(sigprocmask(SIG_UNBLOCK, &set, &old));
    OK(sigprocmask(SIG_SETMASK, NULL, &old));
    EXPECT_EQ(sigismember(&old, SIGUSR2), 0);
    EXPECT_ERR(syscall(SYS_rt_sigprocmask, 99, &set, NULL, 8), EINVAL);
}

static void sig_kill_self_sync(void) {
    set_handler(SIGUSR1, h_count1, 0);
    OK(kill(getpid(), SIGUSR1));
    EXPECT_EQ(count1, 1);
    OK(raise(SIGUSR1));
    EXPECT_EQ(count1, 2);
}

static volatile sig_atomic_t info_count;
static volatile int info_signo, info_code, info_pid, info_uid, info_value;
static void h_info(int s, siginfo_t* si, void* ctx) {
    (void)s;
    (void)ctx;
    info_signo = si->si_signo;
    info_code = si->si_code;
    info_pid = si->si_pid;
    info_uid = (int)si->si_uid;
    info_value = si->si_value.sival_int;
    info_count++;
}

static void sig_siginfo(void) {
    set_action(SIGUSR1, h_info, 0);
    OK(kill(getpid(), SIGUSR1));
    EXPECT_EQ(info_count, 1);
    EXPECT_EQ(info_signo, SIGUSR1);
    EXPECT_EQ(info_code, SI_USER);
    EXPECT_EQ(info_pid, getpid());
    EXPECT_EQ(info_uid, (int)getuid());
    union sigval v = {.sival_int = 77};
    OK(sigqueue(getpid(), SIGUSR1, v));
    EXPECT_EQ(info_count, 2);
    EXPECT_EQ(info_code, SI_QUEUE);
    EXPECT_EQ(info_value, 77);
    EXPECT_EQ(info_pid, getpid());
}

/* The first SIGALRM tells the helper child (if any) to send the data. */
static int notify_fd = -1;
static void h_alrm_notify(int s) {
    (void)s;
    if (alrm_count++ == 0 && notify_fd >= 0) {
        char c = 'n';
        ssize_t w = write(notify_fd, &c, 1);
        (void)w;
    }
}

/* A blocking pipe read interrupted by SIGALRM: fails with EINTR without
   SA_RESTART; with it, is restarted and returns the data that a child writes
   only after the handler ran.  The interval timer keeps firing, so a signal
   that came early cannot leave the read blocked for good. */
static void sig_eintr_or_restart(int restart) {
    int data[2], note[2];
    xpipe(data, 0);
    xpipe(note, 0);
    pid_t pid = -1;
    if (restart) {
        pid = xfork();
        if (pid == 0) {
            close(note[1]);
            char c;
            read_exact(note[0], &c, 1);
            write_all(data[1], "late", 4);
            _exit(0);
        }
        notify_fd = note[1];
    }
    close(note[0]);
    set_handler(SIGALRM, h_alrm_notify, restart ? SA_RESTART : 0);
    struct itimerval it = {{0, 100000}, {0, 50000}};
    OK(setitimer(ITIMER_REAL, &it, NULL));
    char buf[8];
    errno = 0;
    ssize_t r = read(data[0], buf, sizeof buf);
    int e = errno;
    struct itimerval off = {{0, 0}, {0, 0}};
    OK(setitimer(ITIMER_REAL, &off, NULL));
    EXPECT(alrm_count >= 1, "expected SIGALRM handled / got %d handler runs", alrm_count);
    if (restart) {
        EXPECT(r == 4 && memcmp(buf, "late", 4) == 0,
               "expected the restarted read to return the 4 late bytes / got %s", result_str(r, e));
        expect_exit(pid, 0);
    } else {
        EXPECT(r == -1 && e == EINTR, "expected the read to fail with EINTR / got %s",
               result_str(r, e));
    }
    close(data[0]);
    close(data[1]);
    close(note[1]);
}

static void sig_eintr_without_restart(void) { sig_eintr_or_restart(0); }

static void sig_sa_restart(void) { sig_eintr_or_restart(1); }

static char* alt_base;
static size_t alt_size;
static volatile int alt_on, alt_flag;
static void h_alt(int s) {
    (void)s;
    char local;
    alt_on = &local >= alt_base && &local < alt_base + alt_size;
    stack_t cur;
    alt_flag = sigaltstack(NULL, &cur) == 0 && (cur.ss_flags & SS_ONSTACK);
}

static void sig_sigaltstack(void) {
    alt_size = 65536;
    alt_base = mmap(NULL, alt_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    EXPECT(alt_base != MAP_FAILED, "expected mmap to succeed / got -1 %s", errname(errno));
    stack_t ss = {.ss_sp = alt_base, .ss_size = alt_size, .ss_flags = 0};
    OK(sigaltstack(&ss, NULL));
    stack_t q;
    OK(sigaltstack(NULL, &q));
    EXPECT(q.ss_sp == alt_base && q.ss_size == alt_size && q.ss_flags == 0,
           "expected the alternate stack back, not in use / got %p %zu flags %d", q.ss_sp,
           q.ss_size, q.ss_flags);
    set_handler(SIGUSR1, h_alt, SA_ONSTACK);
    OK(kill(getpid(), SIGUSR1));
    EXPECT(alt_on, "expected the SA_ONSTACK handler on the alternate stack / got %s",
           "another stack");
    EXPECT(alt_flag, "expected SS_ONSTACK inside the handler / got %s", "not set");
    set_handler(SIGUSR2, h_alt, 0);
    OK(kill(getpid(), SIGUSR2));
    EXPECT(!alt_on, "expected a handler without SA_ONSTACK on the normal stack / got %s",
           "the alternate stack");
    stack_t small = {.ss_sp = alt_base, .ss_size = 1024, .ss_flags = 0};
    EXPECT_ERR(sigaltstack(&small, NULL), ENOMEM);
}

static void sig_kill_invalid(void) {
    EXPECT_ERR(kill(getpid(), 65), EINVAL);
    EXPECT_ERR(kill(getpid(), -1), EINVAL);
}

static void sig_kill_esrch(void) {
    pid_t gone = reaped_pid();
    EXPECT_ERR(kill(gone, SIGTERM), ESRCH);
    EXPECT_ERR(kill(gone, 0), ESRCH);
}

static void sig_kill_zero_probe(void) {
    OK(kill(getpid(), 0));
    int p[2];
    xpipe(p, 0);
    pid_t pid = xfork();
    if (pid == 0) {
        close(p[1]);
        char c;
        ssize_t r = read(p[0], &c, 1);
        _exit(r == 0 ? 0 : 1);
    }
    close(p[0]);
    OK(kill(pid, 0));
    close(p[1]);
    siginfo_t si;
    OK(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT));
    OK(kill(pid, 0)); /* a zombie still exists */
    expect_exit(pid, 0);
    EXPECT_ERR(kill(pid, 0), ESRCH);
}

static void sig_tgkill_self(void) {
    set_handler(SIGUSR1, h_count1, 0);
    long tid = syscall(SYS_gettid);
    EXPECT_EQ(tid, getpid());
    OK(syscall(SYS_tgkill, getpid(), tid, SIGUSR1));
    EXPECT_EQ(count1, 1);
    OK(syscall(SYS_tkill, tid, SIGUSR1));
    EXPECT_EQ(count1, 2);
    EXPECT_ERR(syscall(SYS_tgkill, getpid(), reaped_pid(), SIGUSR1), ESRCH);
    EXPECT_ERR(syscall(SYS_tgkill, getpid(), tid, 65), EINVAL);
    EXPECT_ERR(syscall(SYS_tgkill, 0, tid, SIGUSR1), EINVAL);
}

static void sig_child_sigkill(void) {
    pid_t pid = xfork();
    if (pid == 0) {
        for (;;)
            pause();
    }
    OK(kill(pid, SIGKILL));
    int status = xwait(pid);
    EXPECT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL && !WIFEXITED(status),
           "expected killed by SIGKILL / got %s", status_str(status));
}

static void sig_default_actions(void) {
    pid_t pid = xfork();
    if (pid == 0) {
        raise(SIGTERM);
        _exit(0);
    }
    expect_signaled(pid, SIGTERM);
    pid = xfork();
    if (pid == 0) {
        raise(SIGURG);  /* default: ignored */
        raise(SIGCHLD); /* default: ignored */
        signal(SIGUSR1, SIG_IGN);
        raise(SIGUSR1);
        _exit(3);
    }
    expect_exit(pid, 3);
}

/* A signal already pending when sigsuspend lets it through: the handler
 * runs at once and the call returns EINTR with the old mask back. */
static void sig_sigsuspend_pending(void) {
    set_handler(SIGUSR1, h_count1, 0);
    block_signal(SIGUSR1);
    count1 = 0;
    raise(SIGUSR1);
    EXPECT_EQ(count1, 0);
    sigset_t none, now;
    sigemptyset(&none);
    EXPECT_ERR(sigsuspend(&none), EINTR);
    EXPECT_EQ(count1, 1);
    OK(sigprocmask(SIG_BLOCK, NULL, &now));
    EXPECT_EQ(sigismember(&now, SIGUSR1), 1);
    unblock_signal(SIGUSR1);
    EXPECT_EQ(count1, 1);
}

static void sig_sigsuspend(void) {
    set_handler(SIGUSR1, h_count1, 0);
    block_signal(SIGUSR1);
    pid_t pid = xfork();
    if (pid == 0) {
        kill(getppid(), SIGUSR1);
        _exit(0);
    }
    sigset_t none, now;
    sigemptyset(&none);
    EXPECT_ERR(sigsuspend(&none), EINTR);
    EXPECT_EQ(count1, 1);
    OK(sigprocmask(SIG_BLOCK, NULL, &now));
    EXPECT_EQ(sigismember(&now, SIGUSR1), 1); /* the mask is back */
    expect_exit(pid, 0);
}

static volatile sig_atomic_t chld_seen;
static volatile pid_t chld_pid;
static volatile int chld_code, chld_status;
static void h_chld(int s, siginfo_t* si, void* ctx) {
    (void)s;
    (void)ctx;
    chld_seen++;
    chld_pid = si->si_pid;
    chld_code = si->si_code;
    chld_status = si->si_status;
}

static void sig_sigchld(void) {
    set_action(SIGCHLD, h_chld, 0);
    block_signal(SIGCHLD);
    pid_t pid = xfork();
    if (pid == 0)
        _exit(7);
    sigset_t none;
    sigemptyset(&none);
    while (!chld_seen)
        sigsuspend(&none);
    EXPECT_EQ(chld_pid, pid);
    EXPECT_EQ(chld_code, CLD_EXITED);
    EXPECT_EQ(chld_status, 7);
    expect_exit(pid, 7);
}

static void sig_fork_inherits(void) {
    signal(SIGUSR1, SIG_IGN);
    set_handler(SIGHUP, h_noop, 0);
    block_signal(SIGUSR2);
    OK(kill(getpid(), SIGUSR2)); /* pending in the parent only */
    pid_t pid = xfork();
    if (pid == 0) {
        sigset_t m, pend;
        sigprocmask(SIG_BLOCK, NULL, &m);
        sigpending(&pend);
        struct sigaction a, b;
        sigaction(SIGUSR1, NULL, &a);
        sigaction(SIGHUP, NULL, &b);
        if (!sigismember(&m, SIGUSR2))
            _exit(2);
        if (sigismember(&pend, SIGUSR2))
            _exit(3);
        if (a.sa_handler != SIG_IGN)
            _exit(4);
        if (b.sa_handler != h_noop)
            _exit(5);
        _exit(0);
    }
    expect_exit(pid, 0);
    sigset_t pend;
    OK(sigpending(&pend));
    EXPECT_EQ(sigismember(&pend, SIGUSR2), 1);
}

static void sig_sigtimedwait(void) {
    block_signal(SIGUSR1);
    OK(kill(getpid(), SIGUSR1));
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    siginfo_t si;
    struct timespec ts = {1, 0};
    EXPECT_EQ(sigtimedwait(&set, &si, &ts), SIGUSR1);
    EXPECT_EQ(si.si_signo, SIGUSR1);
    EXPECT_EQ(si.si_pid, getpid());
    struct timespec short_ts = {0, 10000000};
    int64_t t0 = mono_ns();
    EXPECT_ERR(sigtimedwait(&set, &si, &short_ts), EAGAIN);
    EXPECT(mono_ns() - t0 >= 10000000, "expected sigtimedwait to wait 10 ms / got %lld us",
           (long long)((mono_ns() - t0) / 1000));
}

/* Real-time signals queue: each sigqueue is one instance with its value,
 * taken in order; a standard signal sent twice while blocked is one. */
static void sig_realtime_queue(void) {
    int rt = SIGRTMIN + 1;
    block_signal(rt);
    block_signal(SIGUSR2);
    for (int v = 1; v <= 3; ++v) {
        union sigval val = {.sival_int = v * 10};
        OK(sigqueue(getpid(), rt, val));
        OK(kill(getpid(), SIGUSR2));
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, rt);
    siginfo_t si;
    struct timespec zero = {0, 0};
    for (int v = 1; v <= 3; ++v) {
        EXPECT_EQ(sigtimedwait(&set, &si, &zero), rt);
        EXPECT_EQ(si.si_value.sival_int, v * 10);
        EXPECT_EQ(si.si_code, SI_QUEUE);
    }
    EXPECT_ERR(sigtimedwait(&set, &si, &zero), EAGAIN);
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    EXPECT_EQ(sigtimedwait(&set, &si, &zero), SIGUSR2);
    EXPECT_ERR(sigtimedwait(&set, &si, &zero), EAGAIN);
}

static volatile sig_atomic_t prof_count, vt_count;
static void h_prof(int s) {
    (void)s;
    prof_count++;
}
static void h_vt(int s) {
    (void)s;
    vt_count++;
}

/* Burns CPU until *flag reaches want, or 5 s of wall time pass. */
static void burn_until(volatile sig_atomic_t* flag, int want) {
    int64_t start = mono_ns();
    volatile uint64_t x = 0;
    while (*flag < want && mono_ns() - start < 5000000000ll)
        for (int i = 0; i < 10000; ++i)
            x += (uint64_t)i;
}

static void burn_cpu_ms(int64_t ms) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    int64_t end = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + ms, start = mono_ns();
    volatile uint64_t x = 0;
    do {
        for (int i = 0; i < 10000; ++i)
            x += (uint64_t)i;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    } while ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 < end &&
             mono_ns() - start < 5000000000ll);
}

/* ITIMER_PROF and ITIMER_VIRTUAL count CPU time, not wall time: sleeping
 * does not make them fire, working does. */
static void sig_cpu_itimers(void) {
    prof_count = vt_count = 0;
    set_handler(SIGPROF, h_prof, SA_RESTART);
    set_handler(SIGVTALRM, h_vt, SA_RESTART);
    struct itimerval vt = {{0, 0}, {0, 50000}}; /* 50 ms of CPU, once */
    OK(setitimer(ITIMER_VIRTUAL, &vt, NULL));
    struct timespec nap = {0, 150000000};
    nanosleep(&nap, NULL);
    EXPECT_EQ(vt_count, 0); /* 150 ms asleep used no CPU */
    struct itimerval left;
    OK(getitimer(ITIMER_VIRTUAL, &left));
    /* Linux rounds the value up to its clock tick. */
    EXPECT(left.it_value.tv_sec == 0 && left.it_value.tv_usec > 0 && left.it_value.tv_usec <= 60000,
           "expected about 50 ms left on ITIMER_VIRTUAL / got %ld us", (long)left.it_value.tv_usec);
    burn_until(&vt_count, 1);
    EXPECT_EQ(vt_count, 1);
    OK(getitimer(ITIMER_VIRTUAL, &left));
    EXPECT(left.it_value.tv_sec == 0 && left.it_value.tv_usec == 0,
           "expected ITIMER_VIRTUAL disarmed after it fired / got %ld us",
           (long)left.it_value.tv_usec);
    struct itimerval prof = {{0, 20000}, {0, 20000}}; /* every 20 ms of CPU */
    OK(setitimer(ITIMER_PROF, &prof, NULL));
    burn_until(&prof_count, 3);
    struct itimerval off = {{0, 0}, {0, 0}};
    OK(setitimer(ITIMER_PROF, &off, NULL));
    EXPECT(prof_count >= 3, "expected SIGPROF at least 3 times / got %d", (int)prof_count);
    int seen = prof_count;
    burn_cpu_ms(100); /* disarmed: no more */
    EXPECT_EQ(prof_count, seen);
    EXPECT_ERR(setitimer(3, &off, NULL), EINVAL);
}

/* A POSIX timer on CLOCK_PROCESS_CPUTIME_ID fires after that much CPU. */
static void sig_cpu_timer_create(void) {
    prof_count = 0;
    set_handler(SIGPROF, h_prof, SA_RESTART);
    struct sigevent ev = {0};
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGPROF;
    timer_t t;
    OK(timer_create(CLOCK_PROCESS_CPUTIME_ID, &ev, &t));
    struct itimerspec its = {{0, 0}, {0, 30000000}}; /* 30 ms of CPU */
    OK(timer_settime(t, 0, &its, NULL));
    burn_until(&prof_count, 1);
    EXPECT_EQ(prof_count, 1);
    OK(timer_delete(t));
}

static void sig_sa_resethand(void) {
    set_handler(SIGUSR1, h_count1, SA_RESETHAND);
    OK(kill(getpid(), SIGUSR1));
    EXPECT_EQ(count1, 1);
    struct sigaction q;
    OK(sigaction(SIGUSR1, NULL, &q));
    EXPECT(q.sa_handler == SIG_DFL, "expected SIG_DFL after an SA_RESETHAND delivery / got %p",
           (void*)q.sa_handler);
}

static volatile int mask_self, mask_extra;
static void h_mask(int s) {
    sigset_t m;
    sigprocmask(SIG_BLOCK, NULL, &m);
    mask_self = sigismember(&m, s);
    mask_extra = sigismember(&m, SIGUSR2);
}

static void sig_handler_mask(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = h_mask;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGUSR2);
    OK(sigaction(SIGUSR1, &sa, NULL));
    OK(kill(getpid(), SIGUSR1));
    EXPECT(mask_self == 1 && mask_extra == 1,
           "expected the signal and sa_mask blocked in the handler / got %d %d", mask_self,
           mask_extra);
    sigset_t m;
    OK(sigprocmask(SIG_BLOCK, NULL, &m));
    EXPECT(!sigismember(&m, SIGUSR1) && !sigismember(&m, SIGUSR2),
           "expected the mask restored after the handler / got %d %d", sigismember(&m, SIGUSR1),
           sigismember(&m, SIGUSR2));
    sa.sa_flags = SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    OK(sigaction(SIGUSR1, &sa, NULL));
    OK(kill(getpid(), SIGUSR1));
    EXPECT_EQ(mask_self, 0);
}

/* ---- time ---------------------------------------------------------------------- */

static void time_clock_invalid(void) {
    struct timespec ts;
    EXPECT_ERR(clock_gettime(12345, &ts), EINVAL);
    EXPECT_ERR(syscall(SYS_clock_gettime, 12345, &ts), EINVAL);
    EXPECT_ERR(clock_getres(12345, &ts), EINVAL);
}

static void time_clocks(void) {
    const clockid_t ids[] = {CLOCK_REALTIME,         CLOCK_MONOTONIC,
                             CLOCK_BOOTTIME,         CLOCK_MONOTONIC_COARSE,
                             CLOCK_REALTIME_COARSE,  CLOCK_PROCESS_CPUTIME_ID,
                             CLOCK_THREAD_CPUTIME_ID};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        struct timespec ts = {-1, -1};
        OK(clock_gettime(ids[i], &ts));
        EXPECT(ts.tv_sec >= 0 && ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000,
               "expected a normalized time from clock %d / got %lld.%09ld", (int)ids[i],
               (long long)ts.tv_sec, ts.tv_nsec);
        OK(syscall(SYS_clock_gettime, ids[i], &ts));
        struct timespec res = {-1, -1};
        OK(clock_getres(ids[i], &res));
        EXPECT(res.tv_sec == 0 && res.tv_nsec > 0,
               "expected a positive sub-second resolution of clock %d / got %lld.%09ld",
               (int)ids[i], (long long)res.tv_sec, res.tv_nsec);
    }
    struct timespec rt;
    OK(clock_gettime(CLOCK_REALTIME, &rt));
    EXPECT(rt.tv_sec > 1500000000, "expected CLOCK_REALTIME after 2017 / got %lld",
           (long long)rt.tv_sec);
}

static void time_monotonic(void) {
    struct timespec prev, cur;
    OK(clock_gettime(CLOCK_MONOTONIC, &prev));
    for (int i = 0; i < 20000; i++) {
        if (i % 2)
            OK(clock_gettime(CLOCK_MONOTONIC, &cur));
        else
            OK(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &cur));
        EXPECT(cur.tv_sec > prev.tv_sec ||
                   (cur.tv_sec == prev.tv_sec && cur.tv_nsec >= prev.tv_nsec),
               "expected CLOCK_MONOTONIC not to go back / got %lld.%09ld after %lld.%09ld",
               (long long)cur.tv_sec, cur.tv_nsec, (long long)prev.tv_sec, prev.tv_nsec);
        prev = cur;
    }
}

static void time_nanosleep_einval(void) {
    struct timespec ts = {0, 1000000000};
    EXPECT_ERR(nanosleep(&ts, NULL), EINVAL);
    ts.tv_nsec = -1;
    EXPECT_ERR(nanosleep(&ts, NULL), EINVAL);
    ts.tv_sec = -1;
    ts.tv_nsec = 0;
    EXPECT_ERR(nanosleep(&ts, NULL), EINVAL);
}

static void time_nanosleep_10ms(void) {
    struct timespec ts = {0, 10000000};
    int64_t t0 = mono_ns();
    OK(nanosleep(&ts, NULL));
    int64_t dt = mono_ns() - t0;
    EXPECT(dt >= 10000000 && dt < 2000000000LL,
           "expected nanosleep(10 ms) to take 10 ms..2 s / got %lld us", (long long)(dt / 1000));
    ts.tv_nsec = 0;
    OK(nanosleep(&ts, NULL));
}

static void time_clock_nanosleep_abs(void) {
    struct timespec t;
    OK(clock_gettime(CLOCK_MONOTONIC, &t));
    t.tv_nsec += 10000000;
    if (t.tv_nsec >= 1000000000) {
        t.tv_nsec -= 1000000000;
        t.tv_sec++;
    }
    EXPECT_EQ(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL), 0);
    int64_t target = (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
    int64_t now = mono_ns();
    EXPECT(now >= target, "expected to wake at or after the deadline / got %lld ns early",
           (long long)(target - now));
    /* a deadline in the past returns at once */
    EXPECT_EQ(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL), 0);
    EXPECT_EQ(clock_nanosleep(12345, 0, &t, NULL), EINVAL);
}

static void time_alarm(void) {
    set_handler(SIGALRM, h_alrm, 0);
    EXPECT_EQ(alarm(5), 0);
    EXPECT_EQ(alarm(0), 5);
    block_signal(SIGALRM);
    int64_t t0 = mono_ns();
    EXPECT_EQ(alarm(1), 0);
    sigset_t none;
    sigemptyset(&none);
    while (!alrm_count)
        sigsuspend(&none);
    int64_t dt = mono_ns() - t0;
    EXPECT_EQ(alrm_count, 1);
    EXPECT(dt >= 999000000 && dt < 5000000000LL,
           "expected SIGALRM 1 s after alarm(1) / got it after %lld ms", (long long)(dt / 1000000));
    EXPECT_EQ(alarm(0), 0);
}

static void time_setitimer_real(void) {
    set_handler(SIGALRM, h_alrm, 0);
    block_signal(SIGALRM);
    struct itimerval it = {{0, 0}, {0, 30000}}, cur;
    int64_t t0 = mono_ns();
    OK(setitimer(ITIMER_REAL, &it, NULL));
    OK(getitimer(ITIMER_REAL, &cur));
    EXPECT(cur.it_value.tv_sec == 0 && cur.it_value.tv_usec > 0 && cur.it_value.tv_usec <= 30000 &&
               cur.it_interval.tv_usec == 0,
           "expected 0 < remaining <= 30 ms, no interval / got %ld us, interval %ld us",
           (long)cur.it_value.tv_usec, (long)cur.it_interval.tv_usec);
    sigset_t none;
    sigemptyset(&none);
    while (!alrm_count)
        sigsuspend(&none);
    int64_t dt = mono_ns() - t0;
    EXPECT(dt >= 30000000, "expected SIGALRM after 30 ms / got it after %lld us",
           (long long)(dt / 1000));
    OK(getitimer(ITIMER_REAL, &cur));
    EXPECT(cur.it_value.tv_sec == 0 && cur.it_value.tv_usec == 0,
           "expected the one-shot timer disarmed / got %ld us left", (long)cur.it_value.tv_usec);
    EXPECT_ERR(setitimer(99, &it, NULL), EINVAL);
    it.it_value.tv_usec = 1000000;
    EXPECT_ERR(setitimer(ITIMER_REAL, &it, NULL), EINVAL);
}

static void time_timer_create(void) {
    block_signal(SIGUSR2);
    struct sigevent sev;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_SIGNAL;
    sev.sigev_signo = SIGUSR2;
    sev.sigev_value.sival_int = 1234;
    timer_t t;
    OK(timer_create(CLOCK_MONOTONIC, &sev, &t));
    struct itimerspec its = {{0, 0}, {0, 20000000}}, cur;
    int64_t t0 = mono_ns();
    OK(timer_settime(t, 0, &its, NULL));
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    siginfo_t si;
    struct timespec limit = {5, 0};
    EXPECT_EQ(sigtimedwait(&set, &si, &limit), SIGUSR2);
    int64_t dt = mono_ns() - t0;
    EXPECT(dt >= 20000000, "expected the timer after 20 ms / got it after %lld us",
           (long long)(dt / 1000));
    EXPECT_EQ(si.si_code, SI_TIMER);
    EXPECT_EQ(si.si_value.sival_int, 1234);
    OK(timer_gettime(t, &cur));
    EXPECT(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0,
           "expected the fired one-shot timer disarmed / got %ld ns left", cur.it_value.tv_nsec);
    OK(timer_delete(t));
    EXPECT_ERR(timer_create(12345, &sev, &t), EINVAL);
}

static void time_gettimeofday(void) {
    struct timeval tv;
    struct timespec ts;
    OK(gettimeofday(&tv, NULL));
    OK(clock_gettime(CLOCK_REALTIME, &ts));
    time_t now = time(NULL);
    EXPECT(tv.tv_usec >= 0 && tv.tv_usec < 1000000, "expected tv_usec < 1e6 / got %ld",
           (long)tv.tv_usec);
    EXPECT(ts.tv_sec - tv.tv_sec <= 1 && ts.tv_sec >= tv.tv_sec,
           "expected gettimeofday and CLOCK_REALTIME to agree / got %lld vs %lld",
           (long long)tv.tv_sec, (long long)ts.tv_sec);
    EXPECT(now - ts.tv_sec <= 1 && now >= ts.tv_sec,
           "expected time() and CLOCK_REALTIME to agree / got %lld vs %lld", (long long)now,
           (long long)ts.tv_sec);
}

const struct check sig_checks[] = {
    CHECK_ENTRY(sig, sigaction_query),  CHECK_ENTRY(sig, sigprocmask),
    CHECK_ENTRY(sig, pending_blocked),  CHECK_ENTRY(sig, kill_self_sync),
    CHECK_ENTRY(sig, siginfo),          CHECK_ENTRY(sig, eintr_without_restart),
    CHECK_ENTRY(sig, sa_restart),       CHECK_ENTRY(sig, sigaltstack),
    CHECK_ENTRY(sig, kill_invalid),     CHECK_ENTRY(sig, kill_esrch),
    CHECK_ENTRY(sig, kill_zero_probe),  CHECK_ENTRY(sig, tgkill_self),
    CHECK_ENTRY(sig, sigreturn_regs),   CHECK_ENTRY(sig, async_regs),
    CHECK_ENTRY(sig, child_sigkill),    CHECK_ENTRY(sig, default_actions),
    CHECK_ENTRY(sig, sigsuspend),       CHECK_ENTRY(sig, sigsuspend_pending),
    CHECK_ENTRY(sig, realtime_queue),   CHECK_ENTRY(sig, cpu_itimers),
    CHECK_ENTRY(sig, cpu_timer_create), CHECK_ENTRY(sig, sigchld),
    CHECK_ENTRY(sig, fork_inherits),    CHECK_ENTRY(sig, sigtimedwait),
    CHECK_ENTRY(sig, sa_resethand),     CHECK_ENTRY(sig, handler_mask),

    CHECK_ENTRY(time, clock_invalid),   CHECK_ENTRY(time, clocks),
    CHECK_ENTRY(time, monotonic),       CHECK_ENTRY(time, nanosleep_einval),
    CHECK_ENTRY(time, nanosleep_10ms),  CHECK_ENTRY(time, clock_nanosleep_abs),
    CHECK_ENTRY(time, alarm),           CHECK_ENTRY(time, setitimer_real),
    CHECK_ENTRY(time, timer_create),    CHECK_ENTRY(time, gettimeofday),
};
const size_t sig_checks_count = sizeof sig_checks / sizeof sig_checks[0];
