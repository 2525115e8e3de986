/* Creating processes; one op is one child created, run to its end and
   waited for:

     fork-exit-wait        fork; the child _exits at once; waitpid
     fork-exec-wait        fork; the child execs bench-nop; waitpid
     vfork-exec-wait       the same with vfork
     posix-spawn-wait      posix_spawn of bench-nop; waitpid

   bench-nop is a static program that only returns 0, in this program's
   own directory. */
#include "bench.h"

#include <spawn.h>
#include <sys/wait.h>

extern char** environ;

static const char* nop_path;

enum how { FORK_EXIT, FORK_EXEC, VFORK_EXEC, POSIX_SPAWN };

/* One child: created, run, reaped; 0, or -1 after reporting why. */
static int one_child(const char* name, enum how how) {
    char* argv[] = {(char*)"bench-nop", NULL};
    pid_t pid;
    switch (how) {
    case FORK_EXIT:
        pid = fork();
        if (pid == 0)
            _exit(0);
        break;
    case FORK_EXEC:
        pid = fork();
        if (pid == 0) {
            execve(nop_path, argv, environ);
            _exit(127);
        }
        break;
    case VFORK_EXEC:
        pid = vfork();
        if (pid == 0) {
            execve(nop_path, argv, environ);
            _exit(127);
        }
        break;
    case POSIX_SPAWN: {
        int err = posix_spawn(&pid, nop_path, NULL, NULL, argv, environ);
        if (err) {
            bench_fail(name, "posix_spawn", err);
            return -1;
        }
        break;
    }
    }
    if (pid < 0) {
        bench_fail(name, how == VFORK_EXEC ? "vfork" : "fork", errno);
        return -1;
    }
    int status = 0;
    if (waitpid(pid, &status, 0) != pid) {
        bench_fail(name, "waitpid", errno);
        return -1;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status)) {
        bench_fail(name, "the child did not exit with status 0", 0);
        return -1;
    }
    return 0;
}

static void bench_spawn(const char* name, enum how how, uint64_t ops) {
    if (!bench_selected(name))
        return;
    for (uint64_t i = 0; i < bench_warmup(ops); ++i)
        if (one_child(name, how))
            return;
    uint64_t t0 = bench_now_ns();
    for (uint64_t i = 0; i < ops; ++i)
        if (one_child(name, how))
            return;
    bench_report(name, bench_now_ns() - t0, ops);
}

int main(int argc, char** argv) {
    if (bench_init(argc, argv))
        return 2;
    nop_path = bench_sibling("bench-nop");
    bench_spawn("fork-exit-wait", FORK_EXIT, bench_ops(200));
    if (!nop_path || access(nop_path, X_OK)) {
        bench_fail("fork-exec-wait", "bench-nop is not beside this program", errno);
        return bench_exit_status();
    }
    bench_spawn("fork-exec-wait", FORK_EXEC, bench_ops(100));
    bench_spawn("vfork-exec-wait", VFORK_EXEC, bench_ops(100));
    bench_spawn("posix-spawn-wait", POSIX_SPAWN, bench_ops(100));
    return bench_exit_status();
}
