/* Pipe ping-pong between two processes: the parent writes one byte into one
   pipe, the forked child reads it and writes one byte back through a second
   pipe. One op is one round trip: two writes, two reads and two wake-ups of
   a blocked reader. */
#include "bench.h"

#include <sys/wait.h>

static void bench_pingpong(const char* name, uint64_t ops) {
    if (!bench_selected(name))
        return;
    int to_child[2], to_parent[2];
    if (pipe(to_child) || pipe(to_parent)) {
        bench_fail(name, "pipe", errno);
        return;
    }
    uint64_t rounds = bench_warmup(ops) + ops;
    pid_t child = fork();
    if (child < 0) {
        bench_fail(name, "fork", errno);
        return;
    }
    if (child == 0) {
        close(to_child[1]);
        close(to_parent[0]);
        char c;
        for (uint64_t i = 0; i < rounds; ++i)
            if (read(to_child[0], &c, 1) != 1 || write(to_parent[1], &c, 1) != 1)
                _exit(1);
        _exit(0);
    }
    close(to_child[0]);
    close(to_parent[1]);
    char c = 'p';
    uint64_t t0 = 0;
    for (uint64_t i = 0; i < rounds; ++i) {
        if (i == rounds - ops)
            t0 = bench_now_ns();
        if (write(to_child[1], &c, 1) != 1 || read(to_parent[0], &c, 1) != 1) {
            bench_fail(name, "the child stopped answering", errno);
            break;
        }
    }
    uint64_t t1 = bench_now_ns();
    close(to_child[1]);
    close(to_parent[0]);
    int status = 0;
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status))
        bench_fail(name, "the child did not exit with status 0", 0);
    else
        bench_report(name, t1 - t0, ops);
}

int main(int argc, char** argv) {
    if (bench_init(argc, argv))
        return 2;
    bench_pingpong("pipe-pingpong-1B", bench_ops(5000));
    return bench_exit_status();
}
