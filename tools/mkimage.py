#!/usr/bin/env python3
"""Builds the RustOS boot volume without root or loop devices.

  mkimage.py stage --manifest M [--manifest M2 ...] [--links L] --kernel K --grub-cfg G
                   --out build/image
      Stages the tree that mirrors the FAT32 boot volume and writes the boot
      bundle (cpio newc) build/image/boot/bundle.cpio from it. L lists
      symbolic links ("path<TAB>target"): FAT32 has none, so the tree keeps
      them in system/symlinks.tsv and the bundle holds them as links.
  mkimage.py disk --tree build/image --out build/rustos.img
      Makes EFI/BOOT/BOOTX64.EFI (standalone GRUB) and a GPT disk whose
      FAT32 EFI system partition holds the tree.

A manifest is tab-separated: source path, path inside the volume. Several
manifests may be given (the build's own list, and the registries that
rustos-mkregistry generated); two manifests may not stage the same path.
"""
import argparse
import os
import pathlib
import shutil
import stat
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent

# Everything except these top-level directories also goes into the boot
# bundle, until vfsd mounts the FAT volume from disk.
NOT_IN_BUNDLE = {"boot", "EFI"}

GRUB_MODULES = ("part_gpt fat normal search search_fs_file configfile echo test "
                "multiboot2 serial terminal efi_gop efi_uga all_video video gfxterm ls")


def fail(msg):
    print("mkimage: " + msg, file=sys.stderr)
    sys.exit(1)


def copy_if_changed(src, dst, strip=False):
    """Copies src to dst unless dst is already newer. With strip, ELF files
    lose their debug information on the way (gdb reads the unstripped
    build outputs; the boot volume and bundle stay small)."""
    if dst.exists() and dst.stat().st_mtime >= src.stat().st_mtime:
        return
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(dst.name + ".tmp")
    with open(src, "rb") as f:
        is_elf = f.read(4) == b"\x7fELF"
    if strip and is_elf:
        run(["objcopy", "--strip-debug", str(src), str(tmp)])
    else:
        shutil.copyfile(src, tmp)
    mode = src.stat().st_mode
    os.chmod(tmp, 0o755 if mode & stat.S_IXUSR else 0o644)
    tmp.replace(dst)


def newc_record(ino, name, mode, body, mtime, rdev=(0, 0)):
    """One cpio newc record (header, name, body, each padded to 4 bytes)."""
    name_b = name.encode() + b"\0"
    hdr = "070701" + "".join("%08X" % v for v in (
        ino, mode, 0, 0, 1, mtime, len(body), 0, 0, rdev[0], rdev[1], len(name_b), 0))
    head = hdr.encode() + name_b
    return (head + b"\0" * ((4 - len(head) % 4) % 4) + body + b"\0" * ((4 - len(body) % 4) % 4))


NEWC_TRAILER = newc_record(0, "TRAILER!!!", 0, b"", 0)


def write_newc(files, links, out, nodes=None, dirs=()):
    """files: list of (archive path, host path); links: {archive path: target};
    nodes: {archive path: (mode, major, minor)} device nodes (an archive
    needs no root to hold them); dirs: more (empty) directories."""
    data = bytearray()
    ino = 1

    def record(name, mode, body, mtime, rdev=(0, 0)):
        nonlocal ino
        data.extend(newc_record(ino, name, mode, body, mtime, rdev))
        ino += 1

    nodes = nodes or {}
    all_dirs = set(dirs)
    for arc in [a for a, _ in files] + list(links) + list(nodes):
        parts = arc.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            all_dirs.add("/".join(parts[:i]))
    # Directories, links and device nodes carry the time of the newest file
    # (the same for the same inputs), files their own.
    newest = max([int(host.stat().st_mtime) for _, host in files] or [0])
    for d in sorted(all_dirs):
        record(d, 0o040755, b"", newest)
    for arc, host in sorted(files):
        st = host.stat()
        mode = 0o100755 if st.st_mode & stat.S_IXUSR else 0o100644
        record(arc, mode, host.read_bytes(), int(st.st_mtime))
    for arc, target in sorted(links.items()):
        record(arc, 0o120777, target.encode(), newest)
    for arc, (mode, major, minor) in sorted(nodes.items()):
        record(arc, mode, b"", newest, (major, minor))
    data.extend(NEWC_TRAILER)
    tmp = out.with_suffix(".tmp")
    tmp.write_bytes(bytes(data))
    tmp.replace(out)


def newc_with_files(archive, extra):
    """The newc archive `archive` (bytes) with the regular files `extra`
    ({archive path: bytes}, in existing directories) added before its
    trailer."""
    trailer = archive.rfind(b"TRAILER!!!\0") - 110  # a newc header is 110 bytes
    if trailer < 0 or archive[trailer:trailer + 6] != b"070701":
        fail("not a cpio newc archive (no trailer)")
    data = bytearray(archive[:trailer])
    for i, (arc, body) in enumerate(sorted(extra.items())):
        data.extend(newc_record(0x7fff0000 + i, arc, 0o100644, body, 0))
    return bytes(data + NEWC_TRAILER)


def stage(args):
    out = pathlib.Path(args.out)
    wanted = {}
    origin = {}
    for manifest in args.manifest:
        for line_no, line in enumerate(pathlib.Path(manifest).read_text().splitlines(), 1):
            if not line.strip():
                continue
            parts = line.split("\t")
            if len(parts) != 2:
                fail("%s:%d: expected 'source<TAB>destination'" % (manifest, line_no))
            src, dst = pathlib.Path(parts[0]), parts[1].strip("/")
            if not src.is_file():
                fail("%s:%d: %s does not exist (is its Debian package installed? run ./x deps)"
                     % (manifest, line_no, src))
            # Two manifests must not stage the same file (a hand-written
            # system/registry/... would shadow a generated one).
            if dst in origin and origin[dst][0] != manifest:
                fail("%s:%d: %s is already staged by %s:%d" % (manifest, line_no, dst, *origin[dst]))
            wanted[dst] = src
            origin[dst] = (manifest, line_no)
    wanted["boot/kernel.elf"] = pathlib.Path(args.kernel)
    wanted["boot/grub/grub.cfg"] = pathlib.Path(args.grub_cfg)
    links = {}
    if args.links:
        for line_no, line in enumerate(pathlib.Path(args.links).read_text().splitlines(), 1):
            parts = line.split("\t")
            if len(parts) != 2 or not parts[0] or not parts[1]:
                fail("%s:%d: expected 'path<TAB>target'" % (args.links, line_no))
            dst = parts[0].strip("/")
            if dst in wanted:
                fail("%s:%d: %s is also a staged file" % (args.links, line_no, dst))
            links[dst] = parts[1]
    links_file = out / "system/symlinks.tsv"
    links_file.parent.mkdir(parents=True, exist_ok=True)
    text = "".join("/%s\t%s\n" % (d, t) for d, t in sorted(links.items()))
    if not links_file.exists() or links_file.read_text() != text:
        links_file.write_text(text)

    for dst, src in wanted.items():
        # Only our own build outputs lose their debug information; Debian's
        # files are copied as installed.
        ours = not str(src).startswith(("/bin/", "/usr/", "/lib"))
        copy_if_changed(src, out / dst, strip=ours and dst != "boot/kernel.elf")
    # Drop files that are no longer in the manifest (but keep generated ones).
    for p in sorted(out.rglob("*"), reverse=True):
        rel = p.relative_to(out).as_posix()
        if p.is_file() and rel not in wanted and rel not in ("boot/bundle.cpio", "EFI/BOOT/BOOTX64.EFI",
                                                             "system/symlinks.tsv"):
            p.unlink()
        elif p.is_dir() and not any(p.iterdir()):
            p.rmdir()

    bundle = [(rel, out / rel) for rel in sorted(wanted) if rel.split("/")[0] not in NOT_IN_BUNDLE]
    write_newc(bundle, links, out / "boot/bundle.cpio")


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        fail("command failed: %s\n%s%s" % (" ".join(map(str, cmd)), r.stdout, r.stderr))
    return r.stdout


def make_grub_efi(tree):
    efi = tree / "EFI/BOOT/BOOTX64.EFI"
    efi.parent.mkdir(parents=True, exist_ok=True)
    embedded = ROOT / "boot/grub-embedded.cfg"
    run(["grub-mkstandalone", "-O", "x86_64-efi", "-o", str(efi),
         "--install-modules=" + GRUB_MODULES, "--modules=" + GRUB_MODULES,
         "--locales=", "--fonts=", "--themes=",
         "boot/grub/grub.cfg=" + str(embedded)])


def disk(args):
    tree = pathlib.Path(args.tree)
    out = pathlib.Path(args.out)
    make_grub_efi(tree)
    content = sum(p.stat().st_size for p in tree.rglob("*") if p.is_file())
    # FAT32 wants at least 65525 clusters; leave room for user files.
    size_mib = max(128, (content * 2) // (1 << 20) + 64)
    sectors = size_mib * 2048
    first, last = 2048, sectors - 34  # GPT backup header and table at the end
    tmp = out.with_suffix(".tmp")
    if tmp.exists():
        tmp.unlink()
    with open(tmp, "wb") as f:
        f.truncate(sectors * 512)
    run(["sgdisk", "-o", "-n", "1:%d:%d" % (first, last), "-t", "1:ef00", "-c", "1:RUSTOS", str(tmp)])
    part_kib = (last - first + 1) // 2
    run(["mkfs.fat", "-F", "32", "-n", "RUSTOS", "-i", "52555354", "-h", str(first),
         "--offset", str(first), str(tmp), str(part_kib)])
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    img = "%s@@%d" % (tmp, first * 512)
    top = sorted(p for p in tree.iterdir())
    run(["mcopy", "-s", "-Q", "-i", img] + [str(p) for p in top] + ["::/"], env=env)
    tmp.replace(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("stage")
    s.add_argument("--manifest", required=True, action="append")
    s.add_argument("--links")
    s.add_argument("--kernel", required=True)
    s.add_argument("--grub-cfg", required=True)
    s.add_argument("--out", required=True)
    d = sub.add_parser("disk")
    d.add_argument("--tree", required=True)
    d.add_argument("--out", required=True)
    args = ap.parse_args()
    stage(args) if args.cmd == "stage" else disk(args)


if __name__ == "__main__":
    main()
