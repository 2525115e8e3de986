#include "percpu.h"

#include "cpu.h"

namespace kernel::arch {

namespace {
PerCpu g_bsp;
}

void init_percpu() {
    g_bsp.self = &g_bsp;
    wrmsr(MSR_GS_BASE, reinterpret_cast<uint64_t>(&g_bsp));
    wrmsr(MSR_KERNEL_GS_BASE, 0);
}

PerCpu& percpu() { return g_bsp; }

} // namespace kernel::arch
