#include "acpi.h"

#include "boot/boot_info.h"
#include "cpu.h"
#include "log.h"
#include "mm/memory.h"

namespace kernel::acpi {

namespace {

Platform g_platform;

struct [[gnu::packed]] Rsdp {
    char signature[8];
    uint8_t checksum;
    char oem[6];
    uint8_t revision;
    uint32_t rsdt;
    uint32_t length;
    uint64_t xsdt;
    uint8_t ext_checksum;
    uint8_t reserved[3];
};

struct [[gnu::packed]] SdtHeader {
    char signature[4];
    uint32_t length;
    uint8_t revision;
    uint8_t checksum;
    char oem[6];
    char oem_table[8];
    uint32_t oem_revision;
    uint32_t creator_id;
    uint32_t creator_revision;
};

template <typename T>
const T* at(uint64_t phys) {
    return static_cast<const T*>(mm::phys_to_virt(phys));
}

bool checksum_ok(const void* p, uint64_t len) {
    uint8_t sum = 0;
    for (uint64_t i = 0; i < len; ++i)
        sum += static_cast<const uint8_t*>(p)[i];
    return sum == 0;
}

bool sig_eq(const char* a, const char* b, int n) {
    for (int i = 0; i < n; ++i)
        if (a[i] != b[i])
            return false;
    return true;
}

uint64_t find_rsdp_in_bios() {
    for (uint64_t p = 0xE0000; p < 0x100000; p += 16)
        if (sig_eq(at<char>(p), "RSD PTR ", 8) && checksum_ok(at<void>(p), 20))
            return p;
    return 0;
}

void parse_madt(const SdtHeader* h) {
    auto* base = reinterpret_cast<const uint8_t*>(h);
    g_platform.lapic_address = *reinterpret_cast<const uint32_t*>(base + 36);
    for (uint32_t off = 44; off + 2 <= h->length;) {
        uint8_t type = base[off], len = base[off + 1];
        if (len < 2 || off + len > h->length)
            break;
        const uint8_t* e = base + off;
        switch (type) {
        case 0: // processor local APIC
            if (*reinterpret_cast<const uint32_t*>(e + 4) & 1)
                g_platform.cpu_count++;
            break;
        case 1: // I/O APIC (we drive the first one)
            if (!g_platform.ioapic_address) {
                g_platform.ioapic_address = *reinterpret_cast<const uint32_t*>(e + 4);
                g_platform.ioapic_gsi_base = *reinterpret_cast<const uint32_t*>(e + 8);
            }
            break;
        case 2: // interrupt source override
            if (g_platform.override_count < 16)
                g_platform.overrides[g_platform.override_count++] = {
                    e[3], *reinterpret_cast<const uint32_t*>(e + 4),
                    *reinterpret_cast<const uint16_t*>(e + 8)};
            break;
        case 5: // 64-bit LAPIC address override
            g_platform.lapic_address = *reinterpret_cast<const uint64_t*>(e + 4);
            break;
        default:
            break;
        }
        off += len;
    }
}

// Finds "\_S5" in the DSDT AML and reads SLP_TYPa from its package. This is
// the usual short-cut instead of a full AML interpreter.
void parse_dsdt_s5(const SdtHeader* dsdt) {
    auto* aml = reinterpret_cast<const uint8_t*>(dsdt);
    for (uint32_t i = sizeof(SdtHeader); i + 8 < dsdt->length; ++i) {
        if (!sig_eq(reinterpret_cast<const char*>(aml + i), "_S5_", 4))
            continue;
        // NameOp (0x08) precedes, optionally with a root prefix '\'.
        if (!(aml[i - 1] == 0x08 || (aml[i - 2] == 0x08 && aml[i - 1] == '\\')))
            continue;
        uint32_t p = i + 4;
        if (aml[p] != 0x12) // PackageOp
            continue;
        p++;
        p += ((aml[p] >> 6) & 3) + 1; // PkgLength
        p++;                          // NumElements
        uint8_t value;
        if (aml[p] == 0x0A) // BytePrefix
            value = aml[p + 1];
        else if (aml[p] == 0x00 || aml[p] == 0x01) // ZeroOp / OneOp
            value = aml[p];
        else
            value = aml[p];
        g_platform.slp_typ_s5 = value;
        g_platform.s5_found = true;
        return;
    }
}

void parse_fadt(const SdtHeader* h) {
    auto* base = reinterpret_cast<const uint8_t*>(h);
    if (h->length < 76)
        return;
    uint32_t dsdt = *reinterpret_cast<const uint32_t*>(base + 40);
    g_platform.pm1a_control = uint16_t(*reinterpret_cast<const uint32_t*>(base + 64));
    if (h->length >= 148) {
        uint64_t xdsdt = *reinterpret_cast<const uint64_t*>(base + 140);
        if (xdsdt)
            dsdt = uint32_t(xdsdt);
    }
    if (dsdt) {
        auto* d = at<SdtHeader>(dsdt);
        if (sig_eq(d->signature, "DSDT", 4))
            parse_dsdt_s5(d);
    }
}

} // namespace

void init(const BootInfo& info) {
    uint64_t rsdp_phys = info.rsdp_phys ? info.rsdp_phys : find_rsdp_in_bios();
    if (!rsdp_phys) {
        LOG_WARN("acpi",
                 "no RSDP found; assuming a legacy PC (LAPIC 0xfee00000, IOAPIC 0xfec00000)");
        g_platform.lapic_address = 0xfee00000;
        g_platform.ioapic_address = 0xfec00000;
        g_platform.cpu_count = 1;
        return;
    }
    auto* rsdp = at<Rsdp>(rsdp_phys);
    if (!sig_eq(rsdp->signature, "RSD PTR ", 8) || !checksum_ok(rsdp, 20)) {
        LOG_WARN("acpi", "RSDP at 0x%lx is invalid; ignoring ACPI", rsdp_phys);
        g_platform.lapic_address = 0xfee00000;
        g_platform.ioapic_address = 0xfec00000;
        return;
    }
    g_platform.present = true;
    for (int i = 0; i < 6; ++i)
        g_platform.oem[i] = rsdp->oem[i];
    bool use_xsdt = rsdp->revision >= 2 && rsdp->xsdt;
    auto* root = at<SdtHeader>(use_xsdt ? rsdp->xsdt : rsdp->rsdt);
    uint32_t entry_size = use_xsdt ? 8 : 4;
    uint32_t count = (root->length - sizeof(SdtHeader)) / entry_size;
    auto* entries = reinterpret_cast<const uint8_t*>(root) + sizeof(SdtHeader);
    for (uint32_t i = 0; i < count; ++i) {
        uint64_t phys = use_xsdt ? *reinterpret_cast<const uint64_t*>(entries + i * 8)
                                 : *reinterpret_cast<const uint32_t*>(entries + i * 4);
        auto* h = at<SdtHeader>(phys);
        if (!checksum_ok(h, h->length)) {
            char sig[5] = {h->signature[0], h->signature[1], h->signature[2], h->signature[3], 0};
            LOG_WARN("acpi", "table %s has a bad checksum; skipped", sig);
            continue;
        }
        if (sig_eq(h->signature, "APIC", 4))
            parse_madt(h);
        else if (sig_eq(h->signature, "FACP", 4))
            parse_fadt(h);
    }
    if (!g_platform.lapic_address)
        g_platform.lapic_address = 0xfee00000;
    LOG_INFO("acpi",
             "RSDP rev %u oem '%s', %u CPU(s), IOAPIC at 0x%lx (GSI base %u), %u overrides, S5 %s",
             rsdp->revision, g_platform.oem, g_platform.cpu_count, g_platform.ioapic_address,
             g_platform.ioapic_gsi_base, g_platform.override_count,
             g_platform.s5_found ? "available" : "not found");
}

const Platform& platform() { return g_platform; }

uint32_t isa_irq_to_gsi(uint8_t irq, uint16_t* flags) {
    for (uint32_t i = 0; i < g_platform.override_count; ++i) {
        if (g_platform.overrides[i].isa_irq == irq) {
            *flags = g_platform.overrides[i].flags;
            return g_platform.overrides[i].gsi;
        }
    }
    *flags = 0;
    return irq;
}

void power_off() {
    if (!g_platform.pm1a_control || !g_platform.s5_found)
        return;
    arch::outw(g_platform.pm1a_control, uint16_t((g_platform.slp_typ_s5 << 10) | (1 << 13)));
    for (int i = 0; i < 1000000; ++i)
        arch::pause();
}

} // namespace kernel::acpi
