"""Fuzzing the Linux personality: malformed IPC requests to vfsd, syscalld,
loaderd and procd, and bad arguments to the system calls, are all answered
(apps/tests/service_fuzz.cpp, apps/tests/syscall_fuzz.cpp); no service
dies, and the console shell still works afterwards."""
import re

from harness import check

SERVICES = ["vfsd", "syscalld", "loaderd", "procd"]


def shell(m, command):
    """Types `command` at the prompt (which must be showing) and returns its
    output, up to the next prompt."""
    m.send(command + "\n")
    out = m.expect(r"(?s)%s\n(.*?)\n?/ # " % re.escape(command)).group(1)
    # Kernel log lines may land in between.
    return "\n".join(l for l in out.split("\n") if not re.match(r"^\[\s*\d+\.\d+\] ", l))


def test_fuzzers_leave_the_services_and_the_shell_working(boot):
    with boot(mode="kernel", kernel_args="-- --programs=/system/boot/fuzz-programs") as m:
        m.expect(r"service-fuzz: seed 1, 2000 messages per service")
        m.expect(r"service-fuzz: forged SYSCALLD_RAISE\(SIGUSR2\) to ourselves ignored; kill\(\) delivered",
                 timeout=120)
        m.expect(r"service-fuzz: forged SYSCALLD_RAISE\(SIGKILL\) to child \d+ ignored")
        m.expect(r"service-fuzz: forged vfsd requests refused \(EPERM\); our descriptors untouched")
        m.expect(r"service-fuzz: \d+ messages to 4 services, all answered, all healthy")
        m.expect(r"I initd: /apps/tests/service-fuzz \(pid \d+\) exited with status 0")
        m.expect(r"syscall-fuzz: \d+ edge cases, 0 answered unlike Linux", timeout=60)
        m.expect(r"syscall-fuzz: 6000 random calls in 12 children and \d+ edge cases, every call "
                 r"answered, no process died, the services still work", timeout=120)
        m.expect(r"I initd: /apps/tests/syscall-fuzz \(pid \d+\) exited with status 0")
        m.expect(r"I initd: ran 2 program\(s\)")
        # No service (nor init) died or was killed on the way.
        names = "|".join(SERVICES + ["initd"])
        dead = re.findall(r"^.*(?:killed pid \d+ \((?:%s)\)|pid \d+ \((?:%s)\) (?:exited|terminated)).*$"
                          % (names, names), m.log, re.M)
        check(not dead, "a service died: %s" % dead[:3])
        check("UNEXPECTED" not in m.log, "a fuzzer saw an unexpected answer")
        check("KERNEL PANIC" not in m.log, "the kernel panicked")

        # The console shell still works.
        m.send("\n")
        m.expect(r"/ # ")
        check(shell(m, "echo alive") == "alive", "echo does not work")
        listing = shell(m, "ls /")
        for name in ["apps", "dev", "proc", "services", "system", "tmp"]:
            check(re.search(r"\b%s\b" % name, listing), "ls / does not list %s: %r" % (name, listing))
        cmdline = shell(m, "cat /proc/1/cmdline; echo")
        check(cmdline.split("\x00")[:2] == ["initd", "--programs=/system/boot/fuzz-programs"],
              "/proc/1/cmdline is %r" % cmdline)
        check(shell(m, "echo done-$((6*7))") == "done-42", "arithmetic in the shell does not work")
