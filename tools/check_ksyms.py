#!/usr/bin/env python3
"""Fails the build if a text symbol moved between the two kernel link passes."""
import subprocess
import sys


def text_symbols(nm, elf):
    out = subprocess.run([nm, "--defined-only", elf], check=True, capture_output=True,
                         text=True).stdout
    syms = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tTwW":
            syms[parts[2]] = parts[0]
    return syms


def main() -> int:
    nm, stage1, final = sys.argv[1:]
    a, b = text_symbols(nm, stage1), text_symbols(nm, final)
    moved = [name for name in a if name in b and a[name] != b[name]]
    if moved:
        print("kernel: %d text symbols moved between link passes (e.g. %s); backtraces would be wrong"
              % (len(moved), moved[0]), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
