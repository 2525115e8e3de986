"""runtimed's RuntimeClient socket /run/runtimed.sock and rustosctl, typed
at the console shell: the catalog with states, a restart on demand (netd
registers again with a new pid), stop without a restart, start, errors
with a non-zero exit status, and clients that misbehave."""
import re

from harness import check

PROMPT = r"/ # "


def run(m, command, pattern, timeout=20):
    """Types `command` at the shell and waits for `pattern` in its output."""
    m.send(command + "\n")
    return m.expect(pattern, timeout)


def test_rustosctl_lists_restarts_stops_and_starts(boot):
    with boot(mode="kernel") as m:
        m.expect(r"I runtimed: serving the RuntimeClient protocol \(version 1\) on /run/runtimed.sock")
        m.expect(PROMPT, timeout=30)

        # The catalog, as a table.
        run(m, "rustosctl list", r"ID +STATE +PID +RESTARTS +STARTUP +LAST EXIT")
        rows = {}
        for name in ["inputd", "netd", "rustosctl", "sessiond", "uiserver"]:
            row = m.expect(r"^%s +(\w+) +(\S+) +(\d+) +(\w+)" % name)
            rows[name] = row.groups()
        for name in ["inputd", "netd", "sessiond", "uiserver"]:
            check(rows[name][0] == "running" and rows[name][1].isdigit(),
                  "%s is not running with a pid: %r" % (name, rows[name]))
        check(rows["rustosctl"][:2] == ("inactive", "-"), "rustosctl (an app) was started: %r"
              % (rows["rustosctl"],))
        netd = rows["netd"][1]
        m.expect(PROMPT)

        # restart = stop + start; netd registers again under a new pid.
        done = run(m, "rustosctl restart netd", r"^restarted netd \(pid %s -> (\d+)\)$" % netd)
        new = done.group(1)
        check(new != netd, "netd kept pid %s" % netd)
        for line in [r"I runtimed: stop: netd \(pid %s\): sending SIGTERM" % netd,
                     r"I runtimed: netd \(pid %s\) killed by signal 15; stopped on request, "
                     r"not restarting" % netd,
                     r"I runtimed: start: started netd \(pid %s\)" % new,
                     r"I runtimed: restart: netd restarted \(pid %s -> %s\)" % (netd, new),
                     r"I ipc: service netd \(id 9\) registered by pid %s \(netd\)" % new]:
            m.expect_anywhere(line, timeout=10)
        run(m, "rustosctl status netd", r"^netd: running \(pid %s\)$" % new)
        m.expect(r"^  last exit: killed by signal 15$")

        # stop ends supervision: inputd stays stopped; start brings it back.
        inputd = rows["inputd"][1]
        run(m, "rustosctl stop inputd", r"^stopped inputd \(pid %s, killed by signal 15\)$" % inputd)
        run(m, "sleep 1; rustosctl status inputd", r"^inputd: stopped$")
        check("restarted inputd" not in m.log and "inputd (pid %s) killed by signal 15 unexpectedly"
              % inputd not in m.log, "runtimed restarted inputd after a stop on purpose")
        run(m, "rustosctl start inputd", r"^started inputd \(pid (\d+)\)$")
        m.expect_anywhere(r"I ipc: service inputd \(id 8\) registered by pid \d+", timeout=10)

        # Errors: a message and a non-zero exit status.
        run(m, 'rustosctl status nosuch; echo "status=$?"', r"^rustosctl: no catalog entry 'nosuch'$")
        m.expect(r"^status=1$")
        run(m, 'rustosctl frobnicate; echo "status=$?"', r"^rustosctl: unknown command 'frobnicate'$")
        m.expect(r"^status=2$")
        run(m, "rustosctl --help", r"^Usage: rustosctl \[--socket PATH\] COMMAND \[ID\]$")
        run(m, 'rustosctl --socket /run/nobody.sock list; echo "status=$?"',
            r"^rustosctl: cannot connect to /run/nobody.sock: No such file or directory$")
        m.expect(r"^status=1$")


def test_misbehaving_clients_do_not_harm_runtimed(boot):
    with boot(mode="kernel") as m:
        m.expect(PROMPT, timeout=30)
        run(m, '/apps/tests/runtime-client-abuse; echo "abuse=$?"',
            r"runtime-client-abuse: text instead of frames -> EMSGSIZE")
        m.expect(r"^abuse=(\d+)$", timeout=30)
        check(m.log.count("runtime-client-abuse: FAIL") == 0, "a misbehaving client did harm")
        check("runtime-client-abuse: runtimed answered every well-formed client" in m.log,
              "the abuse program did not finish")
        check(re.search(r"I runtimed: RuntimeClient connection dropped: the stream ended", m.log),
              "runtimed did not log the client that vanished mid-frame")
        # And it still serves the shell's client afterwards.
        run(m, "rustosctl status netd", r"^netd: running \(pid \d+\)$")
