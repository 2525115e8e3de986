"""The benchmark programs still work: each runs on RustOS with a tiny
operation count (./x bench runs them for real, under -icount; they are not
timed here)."""
import re

from harness import check

PROGRAMS = {
    "ipc-bench": ["ipc-roundtrip-threads-16B", "ipc-roundtrip-threads-4K", "ipc-roundtrip-procd-health"],
    "syscall-bench": ["getpid", "getppid"],
    "file-bench": ["pread-tmp-64B", "pread-tmp-4K", "pread-exe-64B", "pread-exe-4K"],
    "pipe-bench": ["pipe-pingpong-1B"],
    "spawn-bench": ["fork-exit-wait", "fork-exec-wait", "vfork-exec-wait", "posix-spawn-wait"],
}


def test_every_benchmark_program_runs(boot):
    with boot(mode="kernel", kernel_args="-- --programs=/system/boot/bench-smoke-programs --poweroff") as m:
        for prog, names in PROGRAMS.items():
            for name in names:
                # Not anchored at the start: the console's shell may print
                # its prompt into the line.
                m.expect(r"bench: %s \d+ ns/op \(3 ops\)$" % re.escape(name), timeout=60)
            m.expect(r"I initd: /apps/bench/%s \(pid \d+\) exited with status 0" % prog)
        m.expect(r"I initd: ran %d program\(s\)" % len(PROGRAMS))
        failed = re.findall(r"bench: \S+ failed.*", m.log)
        check(not failed, "benchmarks failed: %s" % failed)
        check(m.wait_exit() == 0, "QEMU exit status %s" % m.exit_status)
