#!/usr/bin/env python3
"""Runs the benchmarks: boots RustOS under QEMU with -icount shift=0 (guest
time = guest instructions, 1 ns each: deterministic), lets initd run
system/boot/bench-programs, and prints every "bench: NAME VALUE ns/op"
line as a table. docs/benchmarks.md records the figures and how to read
them. --profile adds the kernel's sampling profile (rustos.profile=1).
"""
import pathlib
import re
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "tests/integration"))
import harness  # noqa: E402

LINE = re.compile(r"^bench: (\S+) (\d+) ns/op \((\d+) ops\)$", re.M)


def main():
    profile = "--profile" in sys.argv
    args = ("rustos.profile=1 " if profile else "") + "-- --programs=/system/boot/bench-programs --poweroff"
    with harness.Machine(mode="kernel", icount=True, kernel_args=args) as m:
        try:
            m.expect(r"I initd: ran \d+ program", timeout=600)
            m.wait_exit(timeout=60)
        except harness.TestFailure as e:
            print("bench: %s\n%s" % (e, m.tail()), file=sys.stderr)
            return 1
    results = LINE.findall(m.log)
    failures = [l for l in m.log.splitlines() if l.startswith("bench:") and "failed" in l]
    print("%-40s %14s %10s" % ("benchmark (QEMU TCG, -icount shift=0)", "ns/op", "ops"))
    for name, ns, ops in results:
        print("%-40s %14s %10s" % (name, ns, ops))
    for f in failures:
        print(f)
    if profile:
        print("\n".join(l for l in m.log.splitlines() if " I profile: " in l))
    return 1 if failures or not results else 0


if __name__ == "__main__":
    sys.exit(main())
