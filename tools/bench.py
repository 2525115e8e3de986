#!/usr/bin/env python3
"""Runs the benchmark programs of system/boot/bench-programs and prints
every "bench: NAME VALUE ns/op (N ops)" line as a table. docs/benchmarks.md
records the figures and how to read them.

  bench.py [--rustos] [--host] [--linux] [--all] [--profile] [--only=NAME,...] [--ops=N]

  --rustos   (the default) boot RustOS under QEMU with -icount shift=0
             (guest time = guest instructions, 1 ns each: deterministic);
             initd runs the list and powers off.
  --host     run the same binaries (all but those using RustOS's native
             ABI) on the build machine: wall-clock ns, noisy, host-dependent.
  --linux    boot Debian's Linux kernel (linux-image-amd64, /boot/vmlinuz-*)
             under the same QEMU with -icount shift=0 and a busybox
             initramfs that runs the same binaries: guest instructions, the
             same unit as --rustos.
  --all      all three, side by side.
  --profile  with --rustos: add the kernel's sampling profile
             (rustos.profile=1).
  --only     run only the benchmarks named (e.g. to profile one); with
             --rustos the list goes into a copy of the boot bundle.
  --ops      replace every benchmark's operation count.
  --repeat   with --host: run each program this many times and keep each
             benchmark's best figure (default 3; wall time is noisy).
"""
import argparse
import os
import pathlib
import re
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests/integration"))
sys.path.insert(0, str(HERE))
import harness  # noqa: E402
import mkimage  # noqa: E402
import qemu  # noqa: E402

# Not anchored at the line's start: on RustOS the console's login shell may
# print its prompt into the middle of the benchmarks' output.
LINE = re.compile(r"bench: (\S+) (\d+) ns/op \((\d+) ops\)$", re.M)
FAILED = re.compile(r"bench: \S+ failed.*$", re.M)
PROGRAM_LIST = "system/boot/bench-programs"
# Programs of the list that speak RustOS's native ABI: they run on RustOS only.
RUSTOS_ONLY = {"/apps/bench/ipc-bench"}
BUSYBOX = pathlib.Path("/bin/busybox")

UNITS = {
    "rustos": "RustOS (guest instr.)",
    "linux": "Linux (guest instr.)",
    "host": "host (wall ns)",
}


# Arguments given to every benchmark program (--only, --ops), set by main().
EXTRA_ARGS = []


def program_list():
    """[(path in the image, [arguments])] of the benchmark list."""
    programs = []
    for line in (ROOT / PROGRAM_LIST).read_text().splitlines():
        words = line.split()
        if words and not words[0].startswith("#"):
            extra = EXTRA_ARGS if words[0].startswith("/apps/") else []
            programs.append((words[0], words[1:] + extra))
    return programs


def portable_programs():
    return [(p, a) for p, a in program_list() if p not in RUSTOS_ONLY]


def list_text(programs):
    return "".join(" ".join([p] + a) + "\n" for p, a in programs)


def build_path(image_path):
    """Where the build keeps a program of the image (the build tree mirrors
    the bundle layout: apps/bench/x is build/apps/bench/x). /bin/busybox is
    the build machine's own (the image's copy comes from there)."""
    if image_path == str(BUSYBOX):
        return BUSYBOX
    return qemu.build_dir() / image_path.lstrip("/")


def parse(log):
    results = {name: (int(ns), int(ops)) for name, ns, ops in LINE.findall(log)}
    failures = FAILED.findall(log)
    return results, failures


def run_rustos(profile):
    programs = "/" + PROGRAM_LIST
    with tempfile.TemporaryDirectory(prefix="rustos-bench-") as tmp:
        bundle = None
        if EXTRA_ARGS:
            # The list with the extra arguments, in a copy of the bundle.
            programs = "/system/boot/bench-selected"
            bundle = pathlib.Path(tmp) / "bundle.cpio"
            original = (qemu.build_dir() / "image/boot/bundle.cpio").read_bytes()
            bundle.write_bytes(mkimage.newc_with_files(
                original, {programs.lstrip("/"): list_text(program_list()).encode()}))
        args = ("rustos.profile=1 " if profile else "") + "-- --programs=%s --poweroff" % programs
        return boot_and_collect("RustOS", r"I initd: ran \d+ program", kernel_args=args, initrd=bundle)


def boot_and_collect(system, done, **machine):
    """Boots QEMU with -icount shift=0 until `done` appears and it powers
    off; returns (results, failures, log)."""
    with harness.Machine(mode="kernel", icount=True, **machine) as m:
        try:
            m.expect(done, timeout=1200)
            m.wait_exit(timeout=60)
        except harness.TestFailure as e:
            return {}, ["bench: %s run failed: %s\n%s" % (system, e, m.tail())], m.log
    results, failures = parse(m.log)
    return results, failures, m.log


def run_host(repeat):
    best, failures, log = {}, [], ""
    for _ in range(repeat):
        out = ""
        for path, args in portable_programs():
            r = subprocess.run([str(build_path(path))] + args, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, timeout=600)
            out += r.stdout
            if r.returncode:
                out += "bench: %s failed: exit status %d on the host\n" % (path, r.returncode)
        results, failed = parse(out)
        for name, v in results.items():
            if name not in best or v[0] < best[name][0]:
                best[name] = v
        failures += [f for f in failed if f not in failures]
        log += out
    return best, failures, log


def linux_kernel():
    """Debian's newest installed kernel image (linux-image-amd64)."""
    kernels = sorted(pathlib.Path("/boot").glob("vmlinuz-*"),
                     key=lambda p: [int(x) if x.isdigit() else x for x in re.split(r"(\d+)", p.name)])
    return kernels[-1] if kernels else None


def linux_initramfs(directory):
    """A cpio newc initramfs: busybox-static, the portable benchmark programs
    at their image paths (with what they execute beside them), and an /init
    that runs them in the list's order and powers off."""
    programs = portable_programs()
    files = [("bin/busybox", BUSYBOX)]
    bench_dirs = {str(pathlib.PurePosixPath(p).parent).lstrip("/") for p, _ in programs
                  if p != str(BUSYBOX)}
    for d in sorted(bench_dirs):
        for f in sorted(build_path(d).iterdir()):
            if f.is_file() and os.access(f, os.X_OK) and "/" + d + "/" + f.name not in RUSTOS_ONLY:
                files.append(("%s/%s" % (d, f.name), f))
    lines = ["#!/bin/busybox sh",
             "/bin/busybox mount -t proc proc /proc",
             "/bin/busybox mount -t tmpfs tmpfs /tmp",
             "echo \"bench-linux: $(/bin/busybox uname -r)\""]
    for path, args in programs:
        lines.append(" ".join([path] + args) + " || echo \"bench: %s failed: exit status $?\"" % path)
    lines += ["echo \"bench-linux: ran %d program(s)\"" % len(programs), "/bin/busybox poweroff -f"]
    init = pathlib.Path(directory) / "init"
    init.write_text("\n".join(lines) + "\n")
    init.chmod(0o755)
    files.append(("init", init))
    out = pathlib.Path(directory) / "initramfs.cpio"
    # The kernel opens /dev/console for init before anything is mounted.
    mkimage.write_newc(files, {"bin/sh": "busybox"}, out,
                       nodes={"dev/console": (0o020600, 5, 1)},
                       dirs=("dev", "proc", "tmp"))
    return out


def run_linux():
    kernel = linux_kernel()
    if not kernel:
        return {}, ["bench: no /boot/vmlinuz-* (./x bench --linux installs linux-image-amd64)"], ""
    with tempfile.TemporaryDirectory(prefix="rustos-bench-linux-") as tmp:
        results, failures, log = boot_and_collect(
            "Linux", r"^bench-linux: ran \d+ program", kernel_image=kernel,
            initrd=linux_initramfs(tmp), kernel_args="console=ttyS0 quiet panic=-1 rdinit=/init")
    release = re.search(r"^bench-linux: (\S+)$", log, re.M)
    print("Linux: %s (%s)" % (kernel, release.group(1) if release else "?"), file=sys.stderr)
    return results, failures, log


def print_table(targets, runs):
    names = []
    for t in targets:
        for n in runs[t][0]:
            if n not in names:
                names.append(n)
    ratio = "rustos" in targets and "linux" in targets
    columns = []  # (title, figure of a benchmark name or None)
    for t in targets:
        columns.append((UNITS[t], lambda n, t=t: "{:,}".format(runs[t][0][n][0]) if n in runs[t][0] else None))
        if t == "linux" and ratio:
            def rustos_over_linux(n):
                r, l = runs["rustos"][0].get(n), runs["linux"][0].get(n)
                return "%.2f" % (r[0] / l[0]) if r and l and l[0] else None
            columns.append(("RustOS / Linux", rustos_over_linux))
    print("%-28s" % "benchmark (ns/op)" + "".join("%24s" % title for title, _ in columns))
    for n in names:
        print("%-28s" % n + "".join("%24s" % (figure(n) or "-") for _, figure in columns))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rustos", action="store_true")
    ap.add_argument("--host", action="store_true")
    ap.add_argument("--linux", action="store_true")
    ap.add_argument("--all", action="store_true")
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--only", metavar="NAME,...")
    ap.add_argument("--ops", type=int)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    if a.only:
        EXTRA_ARGS.append("--only=" + a.only)
    if a.ops:
        EXTRA_ARGS.append("--ops=%d" % a.ops)
    targets = [t for t in ("rustos", "linux", "host") if getattr(a, t) or a.all]
    if not targets:
        targets = ["rustos"]
    runs = {}
    for t in targets:
        runs[t] = run_rustos(a.profile) if t == "rustos" else run_host(max(1, a.repeat)) if t == "host" else run_linux()
    print_table(targets, runs)
    failed = False
    for t in targets:
        results, failures, log = runs[t]
        for f in failures:
            print(f)
        failed |= bool(failures) or not results
        if t == "rustos" and a.profile:
            print("\n".join(l for l in log.splitlines() if " I profile: " in l))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
