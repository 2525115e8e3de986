// Thin wrappers over x86_64 instructions used by the kernel.
#pragma once

#include <stdint.h>

namespace kernel::arch {

inline void outb(uint16_t port, uint8_t v) { asm volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
inline void outw(uint16_t port, uint16_t v) { asm volatile("outw %0, %1" ::"a"(v), "Nd"(port)); }
inline void outl(uint16_t port, uint32_t v) { asm volatile("outl %0, %1" ::"a"(v), "Nd"(port)); }
inline uint8_t inb(uint16_t port) {
    uint8_t v;
    asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
inline uint16_t inw(uint16_t port) {
    uint16_t v;
    asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
inline uint32_t inl(uint16_t port) {
    uint32_t v;
    asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

inline uint64_t rdmsr(uint32_t msr) {
    uint32_t lo, hi;
    asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (uint64_t(hi) << 32) | lo;
}
inline void wrmsr(uint32_t msr, uint64_t v) {
    asm volatile("wrmsr" ::"c"(msr), "a"(uint32_t(v)), "d"(uint32_t(v >> 32)));
}

inline constexpr uint32_t MSR_EFER = 0xC0000080;
inline constexpr uint32_t MSR_STAR = 0xC0000081;
inline constexpr uint32_t MSR_LSTAR = 0xC0000082;
inline constexpr uint32_t MSR_SFMASK = 0xC0000084;
inline constexpr uint32_t MSR_FS_BASE = 0xC0000100;
inline constexpr uint32_t MSR_GS_BASE = 0xC0000101;
inline constexpr uint32_t MSR_KERNEL_GS_BASE = 0xC0000102;
inline constexpr uint32_t MSR_APIC_BASE = 0x1B;

inline uint64_t read_cr0() {
    uint64_t v;
    asm volatile("mov %%cr0, %0" : "=r"(v));
    return v;
}
inline uint64_t read_cr2() {
    uint64_t v;
    asm volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}
inline uint64_t read_cr3() {
    uint64_t v;
    asm volatile("mov %%cr3, %0" : "=r"(v));
    return v;
}
inline uint64_t read_cr4() {
    uint64_t v;
    asm volatile("mov %%cr4, %0" : "=r"(v));
    return v;
}
inline void write_cr0(uint64_t v) { asm volatile("mov %0, %%cr0" ::"r"(v) : "memory"); }
inline void write_cr3(uint64_t v) { asm volatile("mov %0, %%cr3" ::"r"(v) : "memory"); }
inline void write_cr4(uint64_t v) { asm volatile("mov %0, %%cr4" ::"r"(v) : "memory"); }
inline void invlpg(uint64_t va) { asm volatile("invlpg (%0)" ::"r"(va) : "memory"); }

inline uint64_t rdtsc() {
    uint32_t lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t(hi) << 32) | lo;
}

struct CpuidResult {
    uint32_t eax, ebx, ecx, edx;
};
inline CpuidResult cpuid(uint32_t leaf, uint32_t sub = 0) {
    CpuidResult r;
    asm volatile("cpuid"
                 : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
                 : "a"(leaf), "c"(sub));
    return r;
}

inline void cli() { asm volatile("cli" ::: "memory"); }
inline void sti() { asm volatile("sti" ::: "memory"); }
inline void hlt() { asm volatile("hlt" ::: "memory"); }
inline void pause() { asm volatile("pause"); }
inline uint64_t read_rflags() {
    uint64_t f;
    asm volatile("pushfq; popq %0" : "=r"(f)::"memory");
    return f;
}
inline bool interrupts_enabled() { return read_rflags() & (1u << 9); }

[[noreturn]] inline void halt_forever() {
    for (;;) {
        cli();
        hlt();
    }
}

// Disables interrupts for its lifetime and restores the previous state.
class InterruptGuard {
public:
    InterruptGuard() : m_was_enabled(interrupts_enabled()) { cli(); }
    ~InterruptGuard() {
        if (m_was_enabled)
            sti();
    }
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;

private:
    bool m_was_enabled;
};

// Segment selectors (see gdt.cpp; the order is fixed by syscall/sysret).
inline constexpr uint16_t KERNEL_CS = 0x08;
inline constexpr uint16_t KERNEL_DS = 0x10;
inline constexpr uint16_t USER_DS = 0x20 | 3;
inline constexpr uint16_t USER_CS = 0x28 | 3;
inline constexpr uint16_t TSS_SEL = 0x30;

} // namespace kernel::arch
