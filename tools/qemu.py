#!/usr/bin/env python3
"""The QEMU command lines RustOS boots with; used by ./x and the tests.

Two boot paths share one kernel:
  disk    q35 + OVMF (a fresh copy of OVMF_VARS per run) + GRUB EFI from the
          GPT disk build/rustos.img; the default of ./x run.
  kernel  QEMU -kernel build/kernel/kernel.elf (PVH entry) with the boot
          bundle as initrd; fast, takes kernel arguments, best for gdb.
"""
import argparse
import os
import pathlib
import shlex
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
OVMF_CODE = pathlib.Path("/usr/share/OVMF/OVMF_CODE_4M.fd")
OVMF_VARS = pathlib.Path("/usr/share/OVMF/OVMF_VARS_4M.fd")

# isa-debug-exit: the kernel writes a code c to port 0xf4 and QEMU exits with
# status (c << 1) | 1; a kernel panic writes 1 (status 3).
PANIC_EXIT_STATUS = 3


def build_dir():
    return pathlib.Path(os.environ.get("RUSTOS_BUILD_DIR", ROOT / "build"))


def command(mode="disk", kernel_args="", gui=False, gdb=False, icount=False, memory="512M",
            interactive=False, vars_copy=None, extra=(), kernel_image=None, initrd=None):
    """Returns the argument list. For mode 'disk', vars_copy names the
    writable OVMF_VARS copy (made by the caller, fresh per run). For mode
    'kernel', kernel_image and initrd replace RustOS's kernel and boot
    bundle (./x bench --linux boots Debian's Linux the same way)."""
    b = build_dir()
    cmd = ["qemu-system-x86_64", "-nodefaults", "-machine", "q35", "-m", memory,
           "-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    if gui:
        cmd += ["-vga", "std", "-display", "gtk"]
    else:
        cmd += ["-vga", "std", "-display", "none"]
    # The serial console is the system console; with mon: Ctrl-A X quits.
    cmd += ["-serial", "mon:stdio" if interactive else "stdio"]
    if icount:
        cmd += ["-icount", "shift=0"]
    if gdb:
        cmd += ["-s", "-S"]
    if mode == "disk":
        if vars_copy is None:
            raise ValueError("disk boot needs a fresh OVMF_VARS copy")
        cmd += ["-drive", "if=pflash,format=raw,unit=0,readonly=on,file=%s" % OVMF_CODE,
                "-drive", "if=pflash,format=raw,unit=1,file=%s" % vars_copy,
                "-drive", "file=%s,format=raw,if=virtio" % (b / "rustos.img")]
    elif mode == "kernel":
        cmd += ["-kernel", str(kernel_image or b / "kernel/kernel.elf"),
                "-initrd", str(initrd or b / "image/boot/bundle.cpio")]
        if kernel_args:
            cmd += ["-append", kernel_args]
    else:
        raise ValueError("unknown boot mode %r" % mode)
    return cmd + list(extra)


def fresh_vars(directory):
    """Copies OVMF_VARS into `directory` and returns the copy's path."""
    dst = pathlib.Path(directory) / "OVMF_VARS.fd"
    shutil.copyfile(OVMF_VARS, dst)
    return dst


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kernel", action="store_true", help="boot the kernel directly (QEMU -kernel)")
    ap.add_argument("--gui", action="store_true", help="open a QEMU window (serial stays on the terminal)")
    ap.add_argument("--dry-run", action="store_true", help="print the QEMU command line, do not run it")
    ap.add_argument("--gdb", action="store_true", help="wait for gdb on localhost:1234")
    ap.add_argument("--icount", action="store_true", help="-icount shift=0 (deterministic guest time)")
    ap.add_argument("args", nargs=argparse.REMAINDER,
                    help="kernel arguments (with --kernel), e.g. -- loglevel=debug -- --poweroff")
    a = ap.parse_args()
    kargs = a.args[1:] if a.args[:1] == ["--"] else a.args
    if kargs and not a.kernel:
        print("qemu.py: kernel arguments need --kernel (the disk boot takes them from "
              "/boot/grub/grub.cfg on the boot volume)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="rustos-qemu-") as tmp:
        vars_copy = None if a.kernel else (fresh_vars(tmp) if not a.dry_run else pathlib.Path(tmp) / "OVMF_VARS.fd")
        cmd = command("kernel" if a.kernel else "disk", " ".join(kargs), gui=a.gui, gdb=a.gdb,
                      icount=a.icount, interactive=True, vars_copy=vars_copy)
        if a.dry_run:
            if vars_copy:
                print("# %s is a fresh copy of %s, made per run" % (vars_copy, OVMF_VARS))
            print(shlex.join(cmd))
            return 0
        print("RustOS: booting (%s); serial console below, Ctrl-A X quits QEMU" %
              ("QEMU -kernel" if a.kernel else "OVMF + GRUB from build/rustos.img"), file=sys.stderr)
        return subprocess.call(cmd)


if __name__ == "__main__":
    sys.exit(main())
