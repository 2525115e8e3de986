#include "gdt.h"

#include "cpu.h"

namespace kernel::arch {

namespace {

struct [[gnu::packed]] Tss {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
};

struct [[gnu::packed]] GdtPointer {
    uint16_t limit;
    uint64_t base;
};

alignas(16) Tss g_tss;
// Double faults run on their own stack so a kernel stack overflow still
// reaches the panic handler.
alignas(16) uint8_t g_double_fault_stack[16384];

// null, kernel code, kernel data, user code32 (unused), user data,
// user code64, TSS (two slots). syscall/sysret need exactly this order.
alignas(16) uint64_t g_gdt[8] = {
    0,
    0x00af9a000000ffff, // 0x08 kernel code 64
    0x00cf92000000ffff, // 0x10 kernel data
    0x00cffa000000ffff, // 0x18 user code 32
    0x00cff2000000ffff, // 0x20 user data
    0x00affa000000ffff, // 0x28 user code 64
    0,
    0,
};

} // namespace

void init_gdt() {
    g_tss.iomap_base = sizeof(Tss);
    g_tss.ist[0] = reinterpret_cast<uint64_t>(g_double_fault_stack + sizeof g_double_fault_stack);
    uint64_t base = reinterpret_cast<uint64_t>(&g_tss);
    uint64_t limit = sizeof(Tss) - 1;
    g_gdt[6] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
               (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    g_gdt[7] = base >> 32;

    GdtPointer ptr{sizeof(g_gdt) - 1, reinterpret_cast<uint64_t>(g_gdt)};
    asm volatile("lgdt %0\n"
                 "pushq %1\n"
                 "leaq 1f(%%rip), %%rax\n"
                 "pushq %%rax\n"
                 "lretq\n"
                 "1:\n"
                 "movw %2, %%ax\n"
                 "movw %%ax, %%ds\n"
                 "movw %%ax, %%es\n"
                 "movw %%ax, %%ss\n"
                 "xorw %%ax, %%ax\n"
                 "movw %%ax, %%fs\n"
                 "movw %%ax, %%gs\n"
                 "ltr %w3\n"
                 :
                 : "m"(ptr), "i"(uint64_t(KERNEL_CS)), "i"(KERNEL_DS), "r"(TSS_SEL)
                 : "rax", "memory");
}

void set_kernel_stack(uint64_t rsp0) { g_tss.rsp[0] = rsp0; }

} // namespace kernel::arch
