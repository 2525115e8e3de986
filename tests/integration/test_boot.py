"""Boot foundation: the kernel comes up in order, runs unmodified static
Linux programs in ring 3, survives misbehaving ones, and a panic ends the
machine with a failure status."""
from harness import check, program_list

KERNEL_ORDER = [
    r"I kernel: RustOS \S+ x86_64 kernel \(C\+\+20\) booting via",
    r"I mm: memory: total \d+ MiB, usable \d+ MiB, free \d+ MiB",
    r"I timer: calibrated against the PIT: LAPIC timer \d+ kHz, TSC \d+ MHz",
    r"I kernel: finalize: spawning /services/rootd/rootd",
    r"I rootd: starting \(RustOS privilege root, pid \d+\)",
]


def test_fast_boot_runs_busybox_and_threads(boot):
    with boot(mode="kernel", kernel_args=program_list("smoke-programs")) as m:
        m.expect_in_order(KERNEL_ORDER)
        # Debian's busybox-static, unmodified.
        m.expect(r"^hello-from-busybox$")
        m.expect(r"I initd: /bin/busybox \(pid \d+\) exited with status 0")
        # std::thread x4, mutex, condition_variable, iostream, vector.
        m.expect(r"threads: 4 workers summed 1\.\.1000000 = 500000500000 \(ok\)$")
        m.expect(r"I initd: /apps/tests/threads \(pid \d+\) exited with status 0")
        # static-pie (ET_DYN, no interpreter): loaded at the PIE base.
        m.expect(r"I loaderd: spawned pid \d+ \(hello-pie\) from /apps/tests/hello-pie, entry 0x5555")
        m.expect(r"hello from hello-pie \(argc=1\)$")
        m.expect(r"I power: power off requested by pid 1 \(initd\)")
        check(m.wait_exit() == 0, "QEMU exit status %s after ACPI power off" % m.exit_status)


def test_disk_boot_through_ovmf_and_grub(boot):
    # Exactly what ./x run boots: OVMF, GRUB EFI from the GPT disk's FAT32
    # volume, Multiboot2, the boot bundle as a module.
    with boot(mode="disk") as m:
        m.expect(r"booting via Multiboot2 from GRUB", timeout=90)
        m.expect_in_order(KERNEL_ORDER[1:])
        m.expect(r"I rootd: handed off to initd \(pid 1\)")
        m.expect(r"I runtimed: bootstrap_ui_server: started uiserver")
        m.expect(r"I sessiond: ready")


def test_faulting_programs_are_killed_and_the_system_goes_on(boot):
    with boot(mode="kernel", kernel_args=program_list("fault-programs")) as m:
        m.expect(r"W proc: killed pid (\d+) \(fault-null\) with SIGSEGV: page fault at 0x0 \(read")
        m.expect(r"I initd: /apps/tests/fault-null \(pid \d+\) killed by signal 11")
        m.expect(r"W proc: killed pid \d+ \(fault-ud\) with SIGILL: invalid opcode")
        m.expect(r"I initd: /apps/tests/fault-ud \(pid \d+\) killed by signal 4")
        m.expect(r"W syscall: pid \d+ \(fault-syscall\): bad user pointer 0x10 .* -> EFAULT")
        m.expect(r"fault-syscall: all wild pointers refused")
        m.expect(r"I initd: /apps/tests/fault-syscall \(pid \d+\) exited with status 0")
        # A later program still runs: the kernel and the services survived.
        m.expect(r"^hello from hello \(argc=2\)$")
        m.expect(r"I initd: ran 4 program\(s\)")
        check(m.wait_exit() == 0, "QEMU exit status %s" % m.exit_status)


def test_kernel_panic_prints_backtrace_and_fails_the_machine(boot):
    with boot(mode="kernel", kernel_args="rustos.test=panic") as m:
        m.expect(r"E panic: KERNEL PANIC: deliberate panic requested by rustos.test=panic")
        m.expect(r"E panic: backtrace:")
        m.expect(r"E panic:   #0 0x[0-9a-f]+ .*deliberate_panic_for_test")
        m.expect(r"E panic:   #\d+ 0x[0-9a-f]+ kernel_main\+0x")
        status = m.wait_exit()
        check(status == 3, "a panic must end QEMU with status 3 (isa-debug-exit 1), got %s" % status)
        check("rootd: starting" not in m.log, "rootd ran although the kernel panicked")
