#!/usr/bin/env python3
"""Differential test of lib/tty against the Linux line discipline.

Each case picks random c_iflag/c_oflag/c_lflag settings and a random mix of
editing characters, control characters, tabs, UTF-8, 0xff and NUL, then runs
it twice:

  * on Linux: a pseudo-terminal whose slave side has those settings; the
    input is written to the master (typing), the echo read back from the
    master, then FIONREAD and non-blocking reads of the slave;
  * through tty_oracle_driver (LineDiscipline), which prints the same.

and compares the two. With --signals the input also contains ^C, ^Z and ^\\,
typed one byte at a time; then a rare mismatch is expected where the pty
discarded echo it had not passed on yet when the signal flushed output (the
console equivalent is InputResult::flush_output).

usage: compare_with_linux.py --driver build/lib/tty/tty_oracle_driver [--seed N] [--cases N]
"""
import argparse
import fcntl
import os
import pty
import random
import select
import struct
import subprocess
import sys
import termios
import time
from termios import (ECHO, ECHOCTL, ECHOE, ECHOK, ECHOKE, ECHONL, ECHOPRT, FIONREAD, ICANON,
                     ICRNL, IEXTEN, IGNCR, INLCR, ISIG, ISTRIP, IUCLC, IXON, NOFLSH, OCRNL,
                     OLCUC, ONLCR, ONLRET, ONOCR, OPOST, TAB3, TCSANOW, VMIN, VTIME)

IUTF8 = 0x4000  # not exported by Python 3.11's termios
ALPHABET = [b'a', b'b', b'_', b' ', b'1', b'\t', b'\r', b'\n', b'\x7f', b'\x08', b'\x15', b'\x17',
            b'\x16', b'\x12', b'\x04', b'\x01', b'\x1b', b'\xff', b'\xc3', b'\xa9',
            b'\xe2\x82\xac', b'\x00', b'%']
SIGNAL_CHARS = [b'\x03', b'\x1a', b'\x1c']


def drain(fd, wait=0.03):
    out = b''
    while select.select([fd], [], [], wait)[0]:
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        out += data
    return out


def random_case(rng, signals):
    iflag = ICRNL | IXON
    for flag in (INLCR, IGNCR, ISTRIP, IUTF8, IUCLC):
        if rng.random() < 0.15:
            iflag |= flag
    if rng.random() < 0.1:
        iflag &= ~ICRNL
    oflag = OPOST | ONLCR
    for flag in (OCRNL, ONOCR, ONLRET, OLCUC, TAB3):
        if rng.random() < 0.15:
            oflag |= flag
    if rng.random() < 0.1:
        oflag &= ~OPOST
    lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN
    for flag in (ECHOE, ECHOK, ECHOKE, ECHOCTL, IEXTEN, ECHO, ICANON):
        if rng.random() < 0.12:
            lflag &= ~flag
    for flag in (ECHOPRT, ECHONL, NOFLSH):
        if rng.random() < 0.12:
            lflag |= flag
    vmin, vtime = rng.choice([(1, 0), (0, 0), (3, 0)])
    prewrite = b''.join(rng.choice([b'x', b'yz', b'\t', b'\r', b'\n'])
                        for _ in range(rng.randint(0, 3)))
    alphabet = ALPHABET + (SIGNAL_CHARS if signals else [])
    data = b''.join(rng.choice(alphabet) for _ in range(rng.randint(1, 40)))
    read_size = rng.choice([1, 2, 3, 5, 100])
    return iflag, oflag, lflag, vmin, vtime, prewrite, data, read_size


def run_linux(case, bytewise):
    iflag, oflag, lflag, vmin, vtime, prewrite, data, read_size = case
    master, slave = pty.openpty()
    try:
        attrs = termios.tcgetattr(slave)
        attrs[0], attrs[1], attrs[3] = iflag, oflag, lflag
        attrs[6][VMIN], attrs[6][VTIME] = vmin, vtime
        termios.tcsetattr(slave, TCSANOW, attrs)
        if prewrite:
            os.write(slave, prewrite)
        time.sleep(0.01)
        echo = drain(master, 0.02)
        if bytewise:
            for byte in data:
                os.write(master, bytes([byte]))
                time.sleep(0.002)
        else:
            os.write(master, data)
        time.sleep(0.03)
        echo += drain(master)
        fionread = struct.unpack('i', fcntl.ioctl(slave, FIONREAD, b'\0' * 4))[0]
        fcntl.fcntl(slave, fcntl.F_SETFL, fcntl.fcntl(slave, fcntl.F_GETFL) | os.O_NONBLOCK)
        out = [echo.hex(), str(fionread)]
        for _ in range(10000):
            try:
                got = os.read(slave, read_size)
            except BlockingIOError:
                break
            if not got and not lflag & ICANON:
                break
            out.append(got.hex())
        return out
    finally:
        os.close(slave)
        os.close(master)


def run_ours(driver, case):
    iflag, oflag, lflag, vmin, vtime, prewrite, data, read_size = case
    args = [driver, hex(iflag), hex(oflag), hex(lflag), str(vmin), str(vtime), prewrite.hex(),
            data.hex(), str(read_size)]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout.split('\n')[:-1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--driver', required=True)
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--cases', type=int, default=300)
    parser.add_argument('--signals', action='store_true')
    args = parser.parse_args()
    rng = random.Random(args.seed)
    failures = 0
    for n in range(args.cases):
        case = random_case(rng, args.signals)
        linux, ours = run_linux(case, args.signals), run_ours(args.driver, case)
        if linux != ours:
            failures += 1
            print(f'case {n}: iflag={case[0]:#x} oflag={case[1]:#x} lflag={case[2]:#x} '
                  f'vmin={case[3]} prewrite={case[5]!r} input={case[6]!r} read={case[7]}')
            print(f'  linux {linux}\n  ours  {ours}')
    print(f'{args.cases} cases, {failures} differ')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
