#include "panic.h"

#include "arch/x86_64/cpu.h"
#include "lib/format.h"
#include "log.h"

#include <stdarg.h>

// Emitted by tools/gen_ksyms.py in the second link pass (empty in the first).
extern "C" const uint64_t __ksyms_count;
extern "C" const uint64_t __ksyms_table[]; // pairs: address, name offset
extern "C" const char __ksyms_names[];
extern "C" char __text_start[], __text_end[];

namespace kernel {

namespace {
bool g_in_panic = false;
}

const char* symbolize(uint64_t addr, uint64_t* offset) {
    uint64_t lo = 0, hi = __ksyms_count;
    if (hi == 0 || addr < __ksyms_table[0])
        return nullptr;
    while (hi - lo > 1) {
        uint64_t mid = (lo + hi) / 2;
        if (__ksyms_table[mid * 2] <= addr)
            lo = mid;
        else
            hi = mid;
    }
    *offset = addr - __ksyms_table[lo * 2];
    return __ksyms_names + __ksyms_table[lo * 2 + 1];
}

void print_backtrace(uint64_t rip, uint64_t rbp) {
    LOG_ERROR("panic", "backtrace:");
    auto in_text = [](uint64_t a) {
        return a >= uint64_t(__text_start) && a < uint64_t(__text_end);
    };
    auto frame_ok = [](uint64_t fp) { return fp >= 0xffff800000000000ull && (fp & 7) == 0; };
    for (int depth = 0; depth < 32; ++depth) {
        uint64_t off = 0;
        const char* name = in_text(rip) ? symbolize(rip, &off) : nullptr;
        if (name)
            LOG_ERROR("panic", "  #%d 0x%016lx %s+0x%lx", depth, rip, name, off);
        else
            LOG_ERROR("panic", "  #%d 0x%016lx ?", depth, rip);
        if (!frame_ok(rbp))
            break;
        auto* frame = reinterpret_cast<const uint64_t*>(rbp);
        rip = frame[1];
        rbp = frame[0];
        if (rip == 0 || !in_text(rip - 1))
            break;
        rip -= 1; // point into the call instruction
    }
}

void machine_exit(uint8_t code) {
    arch::outl(0xf4, code);
    arch::halt_forever();
}

void panic(const char* fmt, ...) {
    arch::cli();
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vformat(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (g_in_panic) {
        LOG_ERROR("panic", "nested panic: %s", msg);
        machine_exit(1);
    }
    g_in_panic = true;
    LOG_ERROR("panic", "KERNEL PANIC: %s", msg);
    uint64_t rbp;
    asm volatile("mov %%rbp, %0" : "=r"(rbp));
    print_backtrace(reinterpret_cast<uint64_t>(__builtin_return_address(0)) - 1,
                    *reinterpret_cast<uint64_t*>(rbp));
    LOG_ERROR("panic", "system halted");
    machine_exit(1);
}

} // namespace kernel
