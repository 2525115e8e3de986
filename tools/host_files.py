#!/usr/bin/env python3
"""Lists the programs the image takes from the build machine's Debian
packages, for tools/mkimage.py: Debian's busybox-static with a link per
applet, and a few of Debian's dynamically linked programs with their glibc
loader and the closure of their shared libraries.

  host_files.py --manifest OUT.tsv --links OUT-links.tsv

OUT.tsv: "host path<TAB>path in the image"; OUT-links.tsv: "path in the
image<TAB>link target". Nothing here is committed: the files are copied
from the installed packages every time the image is built.
"""
import argparse
import os
import pathlib
import re
import subprocess
import sys

BUSYBOX = "/bin/busybox"
# Debian's coreutils, dynamically linked, at their Debian paths.
DYNAMIC_PROGRAMS = ["/usr/bin/ls", "/usr/bin/cat", "/usr/bin/sort", "/usr/bin/wc", "/usr/bin/head"]
LIBRARY_DIRS = ["/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu"]
IMAGE_LIBRARY_DIR = "lib/x86_64-linux-gnu"


def fail(msg):
    print("host_files: " + msg, file=sys.stderr)
    sys.exit(1)


def readelf(args, path):
    r = subprocess.run(["readelf", *args, path], capture_output=True, text=True)
    if r.returncode != 0:
        fail("readelf %s %s: %s" % (" ".join(args), path, r.stderr.strip()))
    return r.stdout


def needed(path):
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", readelf(["-d"], path))


def interpreter(path):
    m = re.search(r"Requesting program interpreter: ([^\]]+)\]", readelf(["-l"], path))
    return m.group(1) if m else None


def find_library(soname, needed_by):
    for d in LIBRARY_DIRS:
        p = os.path.join(d, soname)
        if os.path.exists(p):
            return os.path.realpath(p)
    fail("%s (needed by %s) is not installed in %s" % (soname, needed_by, " or ".join(LIBRARY_DIRS)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--links", required=True)
    args = ap.parse_args()

    files = {}  # image path -> host path
    links = {}  # image path -> target

    if not os.path.exists(BUSYBOX):
        fail("%s is missing (Debian package busybox-static; run ./x deps)" % BUSYBOX)
    files["bin/busybox"] = BUSYBOX
    applets = subprocess.run([BUSYBOX, "--list"], capture_output=True, text=True, check=True).stdout.split()
    for applet in applets:
        if applet != "busybox" and "/" not in applet:
            links["bin/" + applet] = "busybox"

    interpreters = set()
    pending = []
    for prog in DYNAMIC_PROGRAMS:
        if not os.path.exists(prog):
            fail("%s is missing (Debian package coreutils)" % prog)
        files[prog.lstrip("/")] = os.path.realpath(prog)
        interp = interpreter(prog)
        if not interp:
            fail("%s is not dynamically linked" % prog)
        interpreters.add(interp)
        pending += [(lib, prog) for lib in needed(prog)]
    seen = set()
    while pending:
        soname, by = pending.pop()
        if soname in seen:
            continue
        seen.add(soname)
        host = find_library(soname, by)
        files["%s/%s" % (IMAGE_LIBRARY_DIR, soname)] = host
        pending += [(lib, soname) for lib in needed(host)]
    for interp in sorted(interpreters):
        # /lib64/ld-linux-x86-64.so.2 is a link to the loader in the
        # multiarch directory, as on Debian.
        name = os.path.basename(interp)
        files["%s/%s" % (IMAGE_LIBRARY_DIR, name)] = os.path.realpath(interp)
        if os.path.dirname(interp) != "/" + IMAGE_LIBRARY_DIR:
            links[interp.lstrip("/")] = "/%s/%s" % (IMAGE_LIBRARY_DIR, name)

    for path in links:
        if path in files:
            fail("%s is both a file and a link" % path)
    pathlib.Path(args.manifest).write_text("".join("%s\t%s\n" % (src, dst) for dst, src in sorted(files.items())))
    pathlib.Path(args.links).write_text("".join("%s\t%s\n" % (dst, t) for dst, t in sorted(links.items())))


if __name__ == "__main__":
    main()
