// Kernel entry after the long-mode trampoline: bring up memory, interrupts,
// timers and the scheduler, then *finalize* by spawning rootd, the first
// user process. Every step logs one line; docs/boot.md lists them.
#include "arch/x86_64/acpi.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/interrupts.h"
#include "arch/x86_64/serial.h"
#include "boot/boot_info.h"
#include "console_input.h"
#include "log.h"
#include "mm/memory.h"
#include "panic.h"
#include "proc/bootfs.h"
#include "proc/process.h"
#include "profile.h"
#include "sched/scheduler.h"
#include "sched/time.h"
#include "syscalls/syscall.h"
#include "version.h"

#include <rustos/base/cmdline.h>

extern "C" void (*__init_array_start[])();
extern "C" void (*__init_array_end[])();
extern "C" char __kernel_phys_start[], __kernel_phys_end[];

namespace kernel {

namespace {

constexpr const char* kRootdPath = "/services/rootd/rootd";

void run_global_constructors() {
    for (auto* fn = __init_array_start; fn != __init_array_end; ++fn)
        (*fn)();
}

void enable_sse() {
    uint64_t cr0 = arch::read_cr0();
    cr0 &= ~(1ull << 2);              // EM
    cr0 |= (1ull << 1) | (1ull << 5); // MP, NE
    arch::write_cr0(cr0);
    arch::write_cr4(arch::read_cr4() | (1ull << 9) | (1ull << 10)); // OSFXSR, OSXMMEXCPT
}

void configure_log_level() {
    rustos::StringView level = cmdline_value(boot_info(), "loglevel");
    if (level == "debug")
        log_set_level(LogLevel::Debug);
    else if (level == "warn")
        log_set_level(LogLevel::Warn);
    else if (level == "error")
        log_set_level(LogLevel::Error);
}

// Test-only boot option rustos.test=panic: proves that a kernel panic prints
// its reason and a symbolized backtrace and ends the machine with a failure.
[[gnu::noinline]] void deliberate_panic_for_test() {
    panic("deliberate panic requested by rustos.test=panic");
}

void finalize() {
    if (cmdline_value(boot_info(), "rustos.test") == "panic")
        deliberate_panic_for_test();
    rustos::StringView argv[32];
    argv[0] = "rootd";
    size_t argc = 1 + rustos::cmdline::split_words(cmdline_init_args(boot_info()), argv + 1, 31);
    rustos::StringView envp[] = {"PATH=/bin", "HOME=/", "TERM=linux"};
    LOG_INFO("kernel", "finalize: spawning %s", kRootdPath);
    auto rootd = proc::spawn_root(kRootdPath, {argv, argc}, {envp, 3});
    if (rootd.is_error())
        panic("cannot start rootd from %s: %s", kRootdPath, rootd.error().reason());
}

} // namespace

extern "C" [[noreturn]] void kernel_main(uint64_t protocol, uint64_t info_phys) {
    run_global_constructors();
    serial::init();
    arch::init_gdt();
    arch::init_idt();

    BootInfo& info = boot_info();
    const char* error = nullptr;
    if (!parse_boot_info(BootProtocol(protocol), info_phys, info, &error))
        panic("boot information unusable: %s", error);
    configure_log_level();

    LOG_INFO("kernel", "RustOS " RUSTOS_VERSION " x86_64 kernel (C++20) booting via %s from %s",
             info.protocol == BootProtocol::Multiboot2 ? "Multiboot2" : "PVH",
             info.loader_name[0] ? info.loader_name : "unknown loader");
    LOG_INFO("kernel", "command line: '%s'", info.cmdline);

    mm::init_physical(info);
    mm::init_paging(info);
    auto phys = mm::physical_stats();
    LOG_INFO("mm", "memory: total %lu MiB, usable %lu MiB, free %lu MiB; kernel image %lu KiB",
             phys.total_bytes >> 20, phys.usable_bytes >> 20, phys.free_bytes >> 20,
             (uint64_t(__kernel_phys_end) - uint64_t(__kernel_phys_start)) >> 10);
    if (info.framebuffer.present)
        LOG_INFO("kernel", "framebuffer: %ux%ux%u at 0x%lx (pitch %u)", info.framebuffer.width,
                 info.framebuffer.height, info.framebuffer.bpp, info.framebuffer.address,
                 info.framebuffer.pitch);

    enable_sse();
    acpi::init(info);
    arch::init_apic();
    auto cal = arch::calibrate_timer();
    time::init(cal.tsc_hz);
    LOG_INFO("timer", "calibrated against the PIT: LAPIC timer %lu kHz, TSC %lu MHz; tick 1000 Hz",
             cal.lapic_hz / 1000, cal.tsc_hz / 1000000);

    profile::init(cmdline_value(boot_info(), "rustos.profile") == "1");
    syscalls::set_strace(cmdline_value(boot_info(), "rustos.strace"));
    sched::init();
    console_input::init();
    syscalls::init();
    proc::init();
    if (!bootfs::init(info))
        panic("no boot bundle: GRUB must load /boot/bundle.cpio as a module");

    finalize();
    sched::run_idle_loop();
}

} // namespace kernel
