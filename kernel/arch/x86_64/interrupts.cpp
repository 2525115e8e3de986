#include "interrupts.h"

#include "apic.h"
#include "cpu.h"
#include "lib/format.h"
#include "log.h"
#include "mm/memory.h"
#include "panic.h"
#include "proc/process.h"
#include "proc/signal.h"
#include "sched/scheduler.h"
#include "syscalls/syscall.h"

extern "C" const uint64_t isr_table[256];
// (faulting instruction, fixup) pairs of arch_user_copy (usercopy.S).
extern "C" const uint64_t __user_copy_fixups[], __user_copy_fixups_end[];

namespace kernel::arch {

namespace {

struct [[gnu::packed]] IdtEntry {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;
    uint16_t offset_mid;
    uint32_t offset_high;
    uint32_t zero;
};

struct [[gnu::packed]] IdtPointer {
    uint16_t limit;
    uint64_t base;
};

alignas(16) IdtEntry g_idt[256];
IrqHandler g_handlers[256];

constexpr const char* kExceptionNames[32] = {"divide error",
                                             "debug",
                                             "NMI",
                                             "breakpoint",
                                             "overflow",
                                             "bound range",
                                             "invalid opcode",
                                             "device not available",
                                             "double fault",
                                             "coprocessor overrun",
                                             "invalid TSS",
                                             "segment not present",
                                             "stack fault",
                                             "general protection",
                                             "page fault",
                                             "reserved",
                                             "x87 floating point",
                                             "alignment check",
                                             "machine check",
                                             "SIMD floating point",
                                             "virtualization",
                                             "control protection",
                                             "reserved",
                                             "reserved",
                                             "reserved",
                                             "reserved",
                                             "reserved",
                                             "reserved",
                                             "hypervisor injection",
                                             "VMM communication",
                                             "security",
                                             "reserved"};

// Linux signal a user-mode exception turns into.
int signal_for_exception(uint64_t vector) {
    switch (vector) {
    case 0:
    case 16:
    case 19:
        return 8; // SIGFPE
    case 1:
    case 3:
        return 5; // SIGTRAP
    case 6:
        return 4; // SIGILL
    case 17:
        return 7; // SIGBUS
    default:
        return 11; // SIGSEGV
    }
}

// A page fault inside arch_user_copy: resolve it as a user fault (demand
// paging) or send the copy to its fixup. True when handled.
bool user_copy_fault(TrapFrame& f) {
    if (f.vector != 14)
        return false;
    for (const uint64_t* e = __user_copy_fixups; e < __user_copy_fixups_end; e += 2) {
        if (f.rip != e[0])
            continue;
        uint64_t addr = read_cr2();
        if (addr < mm::kUserTop &&
            proc::handle_user_page_fault(addr, f.error_code) == proc::FaultResult::Resolved)
            return true; // retry the instruction
        f.rip = e[1];
        return true;
    }
    return false;
}

[[noreturn]] void kernel_exception(TrapFrame& f) {
    LOG_ERROR("trap", "exception in kernel mode: %s (vector %lu, error 0x%lx)",
              exception_name(f.vector), f.vector, f.error_code);
    if (f.vector == 14)
        LOG_ERROR("trap", "faulting address cr2=0x%016lx", read_cr2());
    dump_registers(f);
    print_backtrace(f.rip, f.rbp);
    panic("unhandled %s in kernel at rip=0x%lx", exception_name(f.vector), f.rip);
}

// si_code of a user-mode exception (Linux values).
int code_for_exception(const TrapFrame& f) {
    switch (f.vector) {
    case 14:
        return (f.error_code & 1) ? 2 : 1; // SEGV_ACCERR : SEGV_MAPERR
    case 6:
        return 2; // ILL_ILLOPN
    case 0:
        return 1; // FPE_INTDIV
    case 3:
        return 1; // TRAP_BRKPT
    default:
        return 128; // SI_KERNEL
    }
}

void user_exception(TrapFrame& f) {
    uint64_t addr = f.vector == 14 ? read_cr2() : f.rip;
    auto fault =
        f.vector == 14 ? proc::handle_user_page_fault(addr, f.error_code) : proc::FaultResult::Segv;
    if (fault == proc::FaultResult::Resolved)
        return;
    // Past the end of a mapped file (memory object): SIGBUS, BUS_ADRERR.
    bool bus = fault == proc::FaultResult::Bus;
    int signo = bus ? 7 : signal_for_exception(f.vector);
    int code = bus ? 2 : code_for_exception(f);
    // syscalld decides (the process may handle the signal); the frame is
    // built on the way back to user mode.
    if (signal::route_fault(f, signo, code, f.vector == 14 ? addr : f.rip))
        return;
    char reason[160];
    if (bus)
        kernel::format(reason, sizeof reason,
                       "bus error at 0x%lx (past the end of the mapped file) rip=0x%lx", addr,
                       f.rip);
    else if (f.vector == 14)
        kernel::format(reason, sizeof reason, "page fault at 0x%lx (%s, %s) rip=0x%lx", addr,
                       (f.error_code & 2) ? "write" : ((f.error_code & 16) ? "exec" : "read"),
                       (f.error_code & 1) ? "protection" : "not present", f.rip);
    else
        kernel::format(reason, sizeof reason, "%s (vector %lu, error 0x%lx) rip=0x%lx",
                       exception_name(f.vector), f.vector, f.error_code, f.rip);
    proc::kill_current_process(signo, reason);
}

void set_gate(unsigned vector, uint64_t handler, uint8_t ist, uint8_t dpl) {
    IdtEntry& e = g_idt[vector];
    e.offset_low = handler & 0xffff;
    e.selector = KERNEL_CS;
    e.ist = ist;
    e.type_attr = 0x8e | (dpl << 5); // present, interrupt gate
    e.offset_mid = (handler >> 16) & 0xffff;
    e.offset_high = handler >> 32;
    e.zero = 0;
}

} // namespace

const char* exception_name(uint64_t vector) {
    return vector < 32 ? kExceptionNames[vector] : "interrupt";
}

void dump_registers(const TrapFrame& f) {
    LOG_ERROR("trap", "rip=%016lx cs=%04lx rflags=%08lx rsp=%016lx ss=%04lx", f.rip, f.cs, f.rflags,
              f.rsp, f.ss);
    LOG_ERROR("trap", "rax=%016lx rbx=%016lx rcx=%016lx rdx=%016lx", f.rax, f.rbx, f.rcx, f.rdx);
    LOG_ERROR("trap", "rsi=%016lx rdi=%016lx rbp=%016lx r8 =%016lx", f.rsi, f.rdi, f.rbp, f.r8);
    LOG_ERROR("trap", "r9 =%016lx r10=%016lx r11=%016lx r12=%016lx", f.r9, f.r10, f.r11, f.r12);
    LOG_ERROR("trap", "r13=%016lx r14=%016lx r15=%016lx cr2=%016lx cr3=%016lx", f.r13, f.r14, f.r15,
              read_cr2(), read_cr3());
}

void init_idt() {
    for (unsigned v = 0; v < 256; ++v)
        // int3 and into are allowed from user mode (SIGTRAP/SIGSEGV like Linux);
        // every other vector raised by "int n" from ring 3 is a #GP.
        set_gate(v, isr_table[v], v == 8 ? 1 : 0, (v == 3 || v == 4) ? 3 : 0);
    IdtPointer ptr{sizeof(g_idt) - 1, reinterpret_cast<uint64_t>(g_idt)};
    asm volatile("lidt %0" ::"m"(ptr));
}

void set_irq_handler(uint8_t vector, IrqHandler handler) { g_handlers[vector] = handler; }

} // namespace kernel::arch

using namespace kernel;

extern "C" void trap_dispatch(arch::TrapFrame* frame) {
    arch::TrapFrame& f = *frame;
    if (f.vector < 32) {
        if (!f.from_user()) {
            if (arch::user_copy_fault(f))
                return;
            arch::kernel_exception(f);
        }
        arch::user_exception(f);
    } else {
        if (auto handler = arch::g_handlers[f.vector])
            handler(f);
        if (f.vector != arch::kSpuriousVector)
            arch::lapic_eoi();
    }
    if (f.from_user())
        sched::on_return_to_user(f);
}
