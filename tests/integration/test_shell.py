"""The Linux personality at the console: a person at the serial console
types into busybox's shell (started by sessiond on /dev/console) and runs
Linux programs built by someone else; every syscall they make is answered
by the service that owns its policy."""
import re
import time

from harness import PROMPT, check

SERVICES = ["rootd", "syscalld", "vfsd", "loaderd", "procd", "devmgrd", "driverd", "storaged",
            "initd", "runtimed", "uiserver", "inputd", "netd", "sessiond"]


def wait_for_shell(m):
    m.expect(r"I sessiond: console session 1: /bin/sh \(pid \d+\) on /dev/console", timeout=60)
    m.expect(PROMPT, timeout=60)


def test_shell_commands(boot):
    with boot(mode="kernel") as m:
        wait_for_shell(m)
        out = m.run("ls /")
        for name in ["bin", "dev", "etc", "proc", "services", "system", "tmp", "usr"]:
            check(re.search(r"\b%s\b" % name, out), "ls / does not list %s: %r" % (name, out))
        out = m.run("cat /proc/1/cmdline; echo")
        check(out.strip().startswith("initd"), "/proc/1/cmdline is not initd's: %r" % out)
        out = m.run("ps")
        for name in SERVICES:
            check(re.search(r"^\s*\d+ \S+\s+%s\b" % name, out, re.M),
                  "ps does not list %s:\n%s" % (name, out))
        check(re.search(r"^\s*1 \S+\s+initd", out, re.M), "initd is not pid 1 in ps:\n" + out)
        check(m.run("echo abc | wc -c").strip() == "4", "echo abc | wc -c did not print 4")
        check(m.run("echo x > /tmp/f && cat /tmp/f").strip() == "x", "/tmp/f does not hold x")
        check(m.run("mkdir -p /tmp/a/b && cd /tmp/a/b && pwd").strip() == "/tmp/a/b",
              "pwd is not /tmp/a/b")
        out = m.run("sleep 1 & wait; echo waited", timeout=20)
        check("waited" in out, "sleep 1 & wait did not return: %r" % out)
        # A subshell: exit returns to the login shell with its status.
        m.send("sh\n")
        m.expect(PROMPT)
        m.run("exit 7")
        out = m.run("echo status $?")
        check(out.strip() == "status 7", "exit from a subshell did not return 7: %r" % out)
        out = m.run("cd / && echo $0")
        check(out.strip() == "-sh", "not back in the login shell: %r" % out)


def test_proc_describes_the_machine(boot):
    # /proc/stat and /proc/loadavg come from the kernel's CPU accounting,
    # /proc/cpuinfo from CPUID: what top, uptime and friends read.
    with boot(mode="kernel") as m:
        wait_for_shell(m)
        cpu = m.run("head -1 /proc/stat").split()
        check(cpu[0] == "cpu" and len(cpu) == 11 and int(cpu[1]) + int(cpu[3]) > 0,
              "/proc/stat cpu line: %r" % cpu)
        out = m.run("grep -E '^(processes|btime)' /proc/stat")
        check(re.search(r"processes [1-9]\d*", out) and re.search(r"btime 1[7-9]\d{8}", out),
              "/proc/stat counters: %r" % out)
        out = m.run("cat /proc/loadavg")
        check(re.match(r"\d+\.\d\d \d+\.\d\d \d+\.\d\d \d+/\d+ \d+$", out.strip()),
              "/proc/loadavg: %r" % out)
        out = m.run("grep -E '^(vendor_id|flags)' /proc/cpuinfo")
        check(re.search(r"vendor_id\t: \S+", out) and " fpu " in out and " lm " in out,
              "/proc/cpuinfo: %r" % out)


def test_programs_copied_to_tmp_run_and_are_text_busy(boot):
    # Programs run from the page cache of the file: a copy in /tmp runs,
    # runs again after it is rewritten, and cannot be rewritten while it runs.
    with boot(mode="kernel") as m:
        wait_for_shell(m)
        out = m.run("cp /bin/busybox /tmp/busybox && /tmp/busybox echo first; echo status $?")
        check(out.split() == ["first", "status", "0"], "first run of the copy: %r" % out)
        out = m.run("cp /bin/busybox /tmp/busybox && /tmp/busybox echo again; echo status $?")
        check(out.split() == ["again", "status", "0"], "run after rewriting it: %r" % out)
        m.run("B=/tmp/busybox")  # keeps the next line inside 80 columns
        out = m.run("$B sleep 3 & sleep 0.5; cp /bin/busybox $B; echo status $?; wait")
        check("Text file busy" in out and "status 1" in out,
              "rewriting a running program should fail with ETXTBSY: %r" % out)


def test_ctrl_c_interrupts_the_foreground_job(boot):
    with boot(mode="kernel") as m:
        wait_for_shell(m)
        m.send("sleep 100\n")
        m.expect(r"sleep 100\n")
        time.sleep(1.0)  # let the job start
        m.send("\x03")  # ^C: SIGINT to the foreground process group
        m.expect(r"\^C", timeout=10)
        m.expect(PROMPT, timeout=10)
        out = m.run("echo status $?")
        check(out.strip() == "status 130", "sleep ended by ^C should leave $? = 130: %r" % out)


def test_debian_dynamic_programs(boot):
    with boot(mode="kernel") as m:
        wait_for_shell(m)
        # Debian's coreutils ls, dynamically linked, through its glibc loader.
        out = m.run("/usr/bin/ls -l /")
        for name in ["bin", "proc", "tmp", "usr"]:
            check(re.search(r"^d[rwxstT-]{9} +\d+ root root +\d+ .* %s$" % name, out, re.M),
                  "ls -l / has no directory line for %s:\n%s" % (name, out))
        check(re.search(r"^total \d+$", out, re.M), "ls -l / printed no total:\n" + out)
        m.run("printf 'pear\\napple\\nfig\\n' > /tmp/fruit")
        out = m.run("/usr/bin/sort /tmp/fruit")
        check(out.split() == ["apple", "fig", "pear"], "sort /tmp/fruit: %r" % out)
        out = m.run("/usr/bin/cat /tmp/fruit | /usr/bin/wc -l")
        check(out.strip() == "3", "cat | wc -l: %r" % out)


def test_conformance_matches_linux(boot):
    # The same static binary the unit run checks on the Linux host
    # (conformance.linux): Linux is the oracle.
    with boot(mode="kernel") as m:
        wait_for_shell(m)
        out = m.run("/apps/tests/conformance /tmp > /tmp/conformance.out 2>&1; echo status $?",
                    timeout=240)
        summary = m.run("tail -1 /tmp/conformance.out").strip()
        if "status 0" not in out:
            failures = m.run("grep -v ': ok ' /tmp/conformance.out")
            check(False, "conformance on RustOS: %s\n%s" % (summary, failures))
        check(re.match(r"conformance: \d+ passed, 0 failed$", summary), "summary: %r" % summary)


def test_console_is_a_tty(boot):
    with boot(mode="kernel") as m:
        wait_for_shell(m)
        out = m.run("tty; stty size")
        check(out.split() == ["/dev/console", "24", "80"], "tty; stty size: %r" % out)
        out = m.run("stty -a")
        check("isig icanon iexten echo" in out and "intr = ^C" in out, "stty -a:\n" + out)
        # Canonical mode in cat: erase (^?) and werase (^W) edit the line,
        # ^D on an empty line is end of file.
        m.send("cat > /tmp/typed\n")
        m.expect(r"cat > /tmp/typed\n")
        time.sleep(0.5)  # typed ahead, it would go to the shell's line editor
        m.send("abd\x7fc\nfirst\x17second\n\x04")
        m.expect(PROMPT)
        out = m.run("cat /tmp/typed")
        check(out.split("\n") == ["abc", "second"], "the line discipline edited wrongly: %r" % out)
        # Job control: ^Z stops the foreground job, fg continues it, ^\ quits it.
        m.send("sleep 100\n")
        m.expect(r"sleep 100\n")
        time.sleep(1.0)
        m.send("\x1a")
        m.expect(r"\[1\]\+\s+Stopped\s+sleep 100", timeout=10)
        m.expect(PROMPT)
        out = m.run("jobs")
        check(re.search(r"\[1\]\+\s+Stopped\s+sleep 100", out), "jobs: %r" % out)
        m.send("fg\n")
        m.expect(r"fg\nsleep 100\n")
        time.sleep(1.0)
        m.send("\x1c")
        m.expect(r"Quit", timeout=10)
        m.expect(PROMPT)
        out = m.run("echo status $?")
        check(out.strip() == "status 131", "^\\ should end the job with SIGQUIT (131): %r" % out)


def test_poweroff_and_reboot_from_the_shell(boot):
    # busybox's poweroff and reboot signal init (SIGUSR2, SIGTERM), which
    # holds the POWER capability.
    with boot(mode="kernel") as m:
        wait_for_shell(m)
        m.send("poweroff\n")
        m.expect(r"I initd: User defined signal 2 from pid \d+: powering off")
        m.expect(r"I power: power off requested by pid 1 \(initd\)")
        check(m.wait_exit(timeout=30) == 0, "QEMU exit status %s after poweroff" % m.exit_status)
    with boot(mode="kernel") as m:
        wait_for_shell(m)
        m.send("reboot\n")
        m.expect(r"I initd: Terminated from pid \d+: restarting")
        m.expect(r"I power: restart requested by pid 1 \(initd\)")
        m.wait_exit(timeout=30)  # -no-reboot: the reset ends QEMU
