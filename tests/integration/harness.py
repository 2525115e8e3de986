"""Boots RustOS in QEMU for integration tests: captures the serial console,
waits for patterns, types into the console, and reports the exit status.
A failing check raises TestFailure; the runner prints the log tail."""
import os
import pathlib
import re
import select
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent.parent / "tools"))
import qemu  # noqa: E402

ANSI = re.compile(rb"\x1b\[[0-9;=?]*[A-Za-z]")
ANSI_END = re.compile(rb"[A-Za-z]")
# busybox ash's prompt as root: the working directory, then " # ".
PROMPT = r"(?:^|\n)(?:/\S*|~) # "
KLOG = re.compile(r"^\[\s*\d+\.\d+\] [DIWE] ")


class TestFailure(Exception):
    pass


class Machine:
    """One QEMU run. Use as a context manager; the log is kept in self.log."""

    def __init__(self, mode="kernel", kernel_args="", memory="512M", icount=False, extra=(),
                 kernel_image=None, initrd=None):
        self.mode = mode
        self.kernel_image = kernel_image
        self.initrd = initrd
        self.kernel_args = kernel_args
        self.memory = memory
        self.icount = icount
        self.extra = extra
        self.log = ""
        self._pos = 0  # expect() searches from here
        self.proc = None
        self._held = b""  # the start of an escape sequence the next read completes
        self.exit_status = None
        self._tmp = None

    def __enter__(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="rustos-test-")
        vars_copy = qemu.fresh_vars(self._tmp.name) if self.mode == "disk" else None
        cmd = qemu.command(self.mode, self.kernel_args, memory=self.memory, icount=self.icount,
                           vars_copy=vars_copy, extra=self.extra, kernel_image=self.kernel_image,
                           initrd=self.initrd)
        self.command = cmd
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, bufsize=0)
        return self

    def __exit__(self, *exc):
        self.kill()
        self._tmp.cleanup()
        return False

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
            self._drain()

    def _read_some(self, timeout):
        """Reads what is available within `timeout`; False at EOF."""
        r, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not r:
            return True
        data = os.read(self.proc.stdout.fileno(), 65536)
        if not data:
            if self._held:
                self.log += self._held.replace(b"\r", b"").decode("utf-8", "replace")
                self._held = b""
            return False
        data = self._held + data
        # An escape sequence split across reads is held back until it ends.
        cut = data.rfind(b"\x1b")
        if cut >= 0 and not ANSI_END.search(data, cut + 1) and len(data) - cut < 16:
            data, self._held = data[:cut], data[cut:]
        else:
            self._held = b""
        self.log += ANSI.sub(b"", data).replace(b"\r", b"").decode("utf-8", "replace")
        return True

    def _drain(self):
        """Reads whatever is left after QEMU ended."""
        try:
            while self._read_some(0.05):
                r, _, _ = select.select([self.proc.stdout], [], [], 0)
                if not r:
                    break
        except (OSError, ValueError):
            pass

    def expect(self, pattern, timeout=30):
        """Waits until `pattern` (regex) appears after the previous match;
        returns the match. Raises TestFailure on timeout or exit."""
        rx = re.compile(pattern, re.M)
        deadline = time.monotonic() + timeout
        while True:
            m = rx.search(self.log, self._pos)
            if m:
                self._pos = m.end()
                return m
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TestFailure("timed out after %ds waiting for /%s/" % (timeout, pattern))
            if not self._read_some(min(remaining, 0.2)):
                self.proc.wait()
                m = rx.search(self.log, self._pos)
                if m:
                    self._pos = m.end()
                    return m
                raise TestFailure("QEMU exited (status %s) before /%s/ appeared"
                                  % (self.proc.returncode, pattern))

    def expect_anywhere(self, pattern, timeout=30):
        """Waits until `pattern` appears anywhere in the log (for lines of
        things that happen concurrently); does not move the search point."""
        saved = self._pos
        self._pos = 0
        try:
            return self.expect(pattern, timeout)
        finally:
            self._pos = saved

    def send(self, text):
        """Types `text` on the serial console."""
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def run(self, command, timeout=30):
        """Types `command` at the shell prompt, waits for the next prompt
        and returns what the command printed (kernel log lines left out)."""
        self.send(command + "\n")
        # The tty echoes the line as typed; then comes the output, then the
        # prompt ("<cwd> # ").
        self.expect(re.escape(command.splitlines()[-1]) + r"\n", timeout)
        start = self._pos
        prompt = self.expect(PROMPT, timeout)
        out = self.log[start:prompt.start()]
        return "\n".join(l for l in out.split("\n") if not KLOG.match(l))

    def wait_exit(self, timeout=60):
        """Waits for QEMU to end (reading the console meanwhile); returns its
        exit status."""
        deadline = time.monotonic() + timeout
        while self._read_some(0.2):
            if time.monotonic() > deadline:
                raise TestFailure("QEMU still running after %ds" % timeout)
        self.proc.wait(timeout=10)
        self.exit_status = self.proc.returncode
        return self.exit_status

    def expect_in_order(self, patterns, timeout=30):
        for p in patterns:
            self.expect(p, timeout)

    def tail(self, lines=40):
        return "\n".join(self.log.splitlines()[-lines:])


def program_list(name):
    """Kernel arguments that make initd run system/boot/<name> and power
    off; no console shell, so its prompt does not mix with their output."""
    return "rustos.console_shell=off -- --programs=/system/boot/%s --poweroff" % name


def check(cond, message):
    if not cond:
        raise TestFailure(message)
