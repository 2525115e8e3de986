// What the boot loader told us, copied out of the Multiboot2 information
// structure or the PVH start_info before low memory is reused.
#pragma once

#include <rustos/base/string_view.h>
#include <stddef.h>
#include <stdint.h>

namespace kernel {

enum class BootProtocol : uint64_t { Multiboot2 = 1, Pvh = 2 };

struct MemoryRegion {
    uint64_t base;
    uint64_t length;
    uint32_t type; // 1 usable, 2 reserved, 3 ACPI reclaimable, 4 ACPI NVS, 5 bad
};

struct BootModule {
    uint64_t start; // physical
    uint64_t end;
    char name[64];
};

struct BootFramebuffer {
    bool present;
    uint64_t address;
    uint32_t pitch, width, height;
    uint8_t bpp;
};

struct BootInfo {
    BootProtocol protocol;
    char loader_name[64];
    char cmdline[512];
    MemoryRegion memory[128];
    size_t memory_count;
    BootModule modules[8];
    size_t module_count;
    BootFramebuffer framebuffer;
    uint64_t rsdp_phys;            // 0 when the loader gave none
    uint64_t info_phys, info_size; // the structure itself, reserved until parsed
};

// Parses the loader's structure (reachable through the boot direct map).
// Returns false with `error` set when the structure is unusable.
bool parse_boot_info(BootProtocol protocol, uint64_t info_phys, BootInfo& out, const char** error);

// Value of "key=value" on the kernel command line (empty if absent).
rustos::StringView cmdline_value(const BootInfo& info, rustos::StringView key);
// The part of the command line after " -- " (arguments for rootd).
rustos::StringView cmdline_init_args(const BootInfo& info);

BootInfo& boot_info();

} // namespace kernel
