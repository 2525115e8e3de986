"""The service boot chain: rootd → foundational services → initd →
runtimed → uiserver bootstrap → catalog; capabilities; supervision."""
import re

from harness import check, program_list

FOUNDATIONAL = ["syscalld", "vfsd", "loaderd", "procd", "devmgrd", "driverd", "storaged"]
SERVICE_IDS = {"syscalld": 1, "vfsd": 2, "loaderd": 3, "devmgrd": 4, "driverd": 5, "storaged": 6,
               "procd": 7, "inputd": 8, "netd": 9, "sessiond": 10, "uiserver": 11, "runtimed": 12}


def test_boot_chain_order(boot):
    with boot(mode="kernel") as m:
        # 1. The kernel spawns rootd directly.
        m.expect(r"I kernel: finalize: spawning /services/rootd/rootd")
        m.expect(r"I proc: spawned pid \d+ \(rootd\) from /services/rootd/rootd")
        # 2. rootd starts the foundational services in order, each with
        #    its brokers granted before it runs...
        for name in FOUNDATIONAL:
            m.expect(r"I rootd: started %s \(pid \d+\)" % name)
        m.expect(r"I rootd: delegated brokers")
        for cap, owner in [("PID_BROKER", "procd"), ("MM_BROKER", "syscalld"), ("SIGNAL_BROKER", "syscalld"),
                           ("CONSOLE_BROKER", "vfsd"), ("DRIVER_BROKER", "driverd"),
                           ("PROCESS_BROKER", "loaderd")]:
            check(re.search(r"I cap: pid \d+ \(rootd\) gave %s to pid \d+ \(%s\)" % (cap, owner), m.log),
                  "%s did not go to %s" % (cap, owner))
        # ... each of which registers its endpoint ...
        m.expect(r"I rootd: foundational services registered: " + " ".join(FOUNDATIONAL))
        for name in FOUNDATIONAL:
            check(("I ipc: service %s (id %d) registered by pid" % (name, SERVICE_IDS[name])) in m.log,
                  "%s did not register its endpoint" % name)
        # ... then procd adopts them and loaderd spawns initd.
        m.expect(r"I procd: adopted pid \d+ \(rootd\)")
        m.expect(r"I loaderd: spawned pid 1 \(initd\) from /services/initd/initd")
        m.expect(r"I rootd: handed off to initd \(pid 1\)")
        # 3. initd is PID 1, sets the session environment, starts runtimed.
        m.expect(r"I initd: starting as PID 1 \(parent 0\)")
        m.expect(r"I initd: session environment from /system/registry/runtime-env.tsv: .*"
                 r"XDG_RUNTIME_DIR=/run/user/1000")
        m.expect(r"I initd: started runtimed \(pid \d+\)")
        # 4. runtimed bootstraps uiserver before the catalog, then loads it
        #    (one parse shared by both reads), then autostarts.
        m.expect(r"I runtimed: bootstrap_ui_server: started uiserver \(pid \d+\) from its desktop entry: "
                 r"env RUSTOS_UI_PROFILE=1")
        m.expect(r"I runtimed: catalog loaded on a worker thread: \d+ launch specs, \d+ desktop entries "
                 r"\(desktop entries parsed 1 time\)")
        for name in ["inputd", "netd", "sessiond"]:
            m.expect(r"I runtimed: autostart: started %s \(pid \d+\)" % name)
        # 5. Every service answers and states what it does not do yet (they
        #    come up concurrently: look anywhere in the log).
        #    Those whose real work comes later say what they lack.
        for name in ["uiserver", "inputd", "netd", "sessiond"] + FOUNDATIONAL:
            m.expect_anywhere(r"I %s: ready \(IPC_SERVICE endpoint registered\)" % name)
        for name in ["uiserver", "inputd", "netd", "sessiond", "devmgrd", "driverd", "storaged"]:
            m.expect_anywhere(r"I %s: ready \(IPC_SERVICE endpoint registered\); not yet: " % name)
        # uiserver saw the manifest env on its very first run.
        first = [l for l in m.log.splitlines() if "I uiserver: RUSTOS_UI_PROFILE=" in l]
        check(first and "RUSTOS_UI_PROFILE=1 " in first[0],
              "the first uiserver did not see RUSTOS_UI_PROFILE=1: %r" % first[:1])
        # Every call the services make at start-up is answered: a normal
        # boot logs no ENOSYS.
        m.expect_anywhere(r"I sessiond: console session 1: ")
        enosys = [l for l in m.log.splitlines() if "not implemented -> ENOSYS" in l]
        check(not enosys, "calls without an answer during boot:\n" + "\n".join(enosys))


def test_capabilities_are_enforced(boot):
    with boot(mode="kernel", kernel_args=program_list("capability-programs")) as m:
        m.expect(r"W cap: pid (\d+) \(cap-check\): SYS_RUSTOS_MM_BROKER refused: needs the MM_BROKER "
                 r"capability \(held by syscalld\) -> EPERM")
        m.expect(r"cap-check: SYS_RUSTOS_MM_BROKER -> EPERM")
        m.expect(r"cap-check: SYS_RUSTOS_DRIVER_LOAD_MODULE_BROKER -> EPERM")
        m.expect(r"cap-check: SYS_RUSTOS_PROCESS_CREATE -> EPERM")
        m.expect(r"cap-check: SYS_RUSTOS_SERVICE_REGISTER\(netd\) -> EPERM")
        m.expect(r"cap-check: reboot\(RB_POWER_OFF\) -> EPERM")
        m.expect(r"cap-check: every gated call refused")
        check("refused: needs the DRIVER_BROKER capability (held by driverd)" in m.log,
              "the driver broker refusal was not logged")
        # Bad input to the IPC calls: refused with the right errno, no harm done.
        m.expect(r"ipc-abuse: every bad call refused cleanly")
        m.expect(r"^hello from hello \(argc=2\)$")
        check(m.wait_exit() == 0, "QEMU exit status %s" % m.exit_status)


def test_runtimed_restarts_a_crashed_service(boot):
    with boot(mode="kernel", kernel_args="rustos.test.crash=netd") as m:
        m.expect(r"I runtimed: autostart: started netd \(pid (\d+)\)")
        m.expect(r"I netd: crashing on purpose \(RUSTOS_TEST_CRASH=1, a test-only trigger\)")
        m.expect(r"W proc: killed pid \d+ \(netd\) with SIGSEGV")
        m.expect(r"I runtimed: netd \(pid \d+\) killed by signal 11 unexpectedly; restart 1 of 3 within "
                 r"10000 ms, in 200 ms")
        m.expect(r"I runtimed: restarted netd \(pid \d+, restart 1\)")
        m.expect(r"I ipc: service netd \(id 9\) registered by pid \d+ \(netd\)")
        m.expect(r"I netd: ready")
        check(m.log.count("netd: crashing on purpose") == 1, "netd crashed more than once")
