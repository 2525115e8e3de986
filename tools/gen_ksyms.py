#!/usr/bin/env python3
"""Turns `nm` output of the first-pass kernel link into the .ksyms section
(sorted address table + names) linked into the final kernel for backtraces."""
import subprocess
import sys


def main() -> int:
    if len(sys.argv) != 4:
        print("usage: gen_ksyms.py NM KERNEL_STAGE1 OUT.S", file=sys.stderr)
        return 2
    nm, elf, out = sys.argv[1:]
    if elf == "-":
        lines = []
    else:
        lines = subprocess.run([nm, "-n", "-C", "--defined-only", elf], check=True,
                               capture_output=True, text=True).stdout.splitlines()
    syms = []
    for line in lines:
        parts = line.split(" ", 2)
        if len(parts) != 3 or parts[1] not in "tTwW":
            continue
        addr = int(parts[0], 16)
        if addr < 0xffffffff80000000:
            continue
        syms.append((addr, parts[2]))
    names = bytearray()
    table = []
    for addr, name in syms:
        table.append((addr, len(names)))
        names += name.encode() + b"\0"
    with open(out, "w") as f:
        f.write("    .section .ksyms, \"a\"\n    .balign 8\n")
        f.write("    .global __ksyms_count\n__ksyms_count:\n    .quad %d\n" % len(table))
        f.write("    .global __ksyms_table\n__ksyms_table:\n")
        for addr, off in table:
            f.write("    .quad 0x%x, %d\n" % (addr, off))
        f.write("    .global __ksyms_names\n__ksyms_names:\n")
        for i in range(0, len(names), 64):
            f.write("    .byte " + ",".join(str(b) for b in names[i:i + 64]) + "\n")
        f.write("    .byte 0\n")
        f.write("    .section .note.GNU-stack, \"\", @progbits\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
