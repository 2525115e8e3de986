#include "boot_info.h"

#include "mm/memory.h"

#include <rustos/base/cmdline.h>

namespace kernel {

namespace {

BootInfo g_boot_info;

void copy_cstr(char* dst, size_t cap, const char* src, size_t max_src) {
    size_t i = 0;
    for (; i + 1 < cap && i < max_src && src[i]; ++i)
        dst[i] = src[i];
    dst[i] = '\0';
}

template <typename T>
const T* phys(uint64_t p) {
    return static_cast<const T*>(mm::phys_to_virt(p));
}

bool parse_multiboot2(uint64_t info_phys, BootInfo& out, const char** error) {
    auto* base = phys<uint8_t>(info_phys);
    uint32_t total = *reinterpret_cast<const uint32_t*>(base);
    if (total < 16 || total > (1u << 20)) {
        *error = "multiboot2: implausible information size";
        return false;
    }
    out.info_size = total;
    uint32_t off = 8;
    while (off + 8 <= total) {
        uint32_t type = *reinterpret_cast<const uint32_t*>(base + off);
        uint32_t size = *reinterpret_cast<const uint32_t*>(base + off + 4);
        if (type == 0)
            break;
        if (size < 8 || off + size > total) {
            *error = "multiboot2: tag runs past the end of the structure";
            return false;
        }
        const uint8_t* tag = base + off;
        switch (type) {
        case 1: // command line
            copy_cstr(out.cmdline, sizeof out.cmdline, reinterpret_cast<const char*>(tag + 8),
                      size - 8);
            break;
        case 2: // boot loader name
            copy_cstr(out.loader_name, sizeof out.loader_name,
                      reinterpret_cast<const char*>(tag + 8), size - 8);
            break;
        case 3: { // module
            if (out.module_count < sizeof out.modules / sizeof out.modules[0] && size >= 16) {
                BootModule& m = out.modules[out.module_count++];
                m.start = *reinterpret_cast<const uint32_t*>(tag + 8);
                m.end = *reinterpret_cast<const uint32_t*>(tag + 12);
                copy_cstr(m.name, sizeof m.name, reinterpret_cast<const char*>(tag + 16),
                          size - 16);
            }
            break;
        }
        case 6: { // memory map
            uint32_t entry_size = *reinterpret_cast<const uint32_t*>(tag + 8);
            if (entry_size < 24)
                break;
            for (uint32_t e = 16; e + entry_size <= size; e += entry_size) {
                if (out.memory_count >= sizeof out.memory / sizeof out.memory[0])
                    break;
                MemoryRegion& r = out.memory[out.memory_count++];
                r.base = *reinterpret_cast<const uint64_t*>(tag + e);
                r.length = *reinterpret_cast<const uint64_t*>(tag + e + 8);
                r.type = *reinterpret_cast<const uint32_t*>(tag + e + 16);
            }
            break;
        }
        case 8: { // framebuffer
            if (size >= 31) {
                out.framebuffer.present = true;
                out.framebuffer.address = *reinterpret_cast<const uint64_t*>(tag + 8);
                out.framebuffer.pitch = *reinterpret_cast<const uint32_t*>(tag + 16);
                out.framebuffer.width = *reinterpret_cast<const uint32_t*>(tag + 20);
                out.framebuffer.height = *reinterpret_cast<const uint32_t*>(tag + 24);
                out.framebuffer.bpp = tag[28];
            }
            break;
        }
        case 14: // ACPI 1.0 RSDP copy
            if (!out.rsdp_phys)
                out.rsdp_phys = info_phys + off + 8;
            break;
        case 15: // ACPI 2.0+ RSDP copy (preferred)
            out.rsdp_phys = info_phys + off + 8;
            break;
        default:
            break;
        }
        off += (size + 7) & ~7u;
    }
    return true;
}

struct HvmStartInfo {
    uint32_t magic;
    uint32_t version;
    uint32_t flags;
    uint32_t nr_modules;
    uint64_t modlist_paddr;
    uint64_t cmdline_paddr;
    uint64_t rsdp_paddr;
    uint64_t memmap_paddr;
    uint32_t memmap_entries;
    uint32_t reserved;
};
struct HvmModlistEntry {
    uint64_t paddr, size, cmdline_paddr, reserved;
};
struct HvmMemmapEntry {
    uint64_t addr, size;
    uint32_t type, reserved;
};

bool parse_pvh(uint64_t info_phys, BootInfo& out, const char** error) {
    auto* si = phys<HvmStartInfo>(info_phys);
    if (si->magic != 0x336ec578) {
        *error = "pvh: bad start_info magic";
        return false;
    }
    out.info_size = sizeof(HvmStartInfo);
    copy_cstr(out.loader_name, sizeof out.loader_name, "QEMU PVH", 16);
    if (si->cmdline_paddr)
        copy_cstr(out.cmdline, sizeof out.cmdline, phys<char>(si->cmdline_paddr),
                  sizeof out.cmdline);
    out.rsdp_phys = si->rsdp_paddr;
    auto* mods = si->nr_modules ? phys<HvmModlistEntry>(si->modlist_paddr) : nullptr;
    for (uint32_t i = 0; i < si->nr_modules && out.module_count < 8; ++i) {
        BootModule& m = out.modules[out.module_count++];
        m.start = mods[i].paddr;
        m.end = mods[i].paddr + mods[i].size;
        copy_cstr(m.name, sizeof m.name, "bundle", 7);
    }
    if (si->version < 1 || si->memmap_entries == 0) {
        *error = "pvh: no memory map (start_info version < 1)";
        return false;
    }
    auto* mm = phys<HvmMemmapEntry>(si->memmap_paddr);
    for (uint32_t i = 0; i < si->memmap_entries && out.memory_count < 128; ++i)
        out.memory[out.memory_count++] = {mm[i].addr, mm[i].size, mm[i].type};
    return true;
}

} // namespace

BootInfo& boot_info() { return g_boot_info; }

bool parse_boot_info(BootProtocol protocol, uint64_t info_phys, BootInfo& out, const char** error) {
    out.protocol = protocol;
    out.info_phys = info_phys;
    if (protocol == BootProtocol::Multiboot2)
        return parse_multiboot2(info_phys, out, error);
    if (protocol == BootProtocol::Pvh)
        return parse_pvh(info_phys, out, error);
    *error = "unknown boot protocol";
    return false;
}

rustos::StringView cmdline_value(const BootInfo& info, rustos::StringView key) {
    return rustos::cmdline::value(info.cmdline, key);
}

rustos::StringView cmdline_init_args(const BootInfo& info) {
    return rustos::cmdline::init_args(info.cmdline);
}

} // namespace kernel
