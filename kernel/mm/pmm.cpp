// Physical frame allocator over the boot memory map. The bitmap logic is
// lib/mm's FrameBitmap (host-tested); this file feeds it the memory map and
// the ranges that must never be handed out.
#include "boot/boot_info.h"
#include "log.h"
#include "memory.h"
#include "panic.h"

#include "arch/x86_64/cpu.h"

#include <rustos/mm/frame_bitmap.h>

extern "C" char __kernel_phys_start[], __kernel_phys_end[];

namespace kernel::mm {

namespace {

// Frames above this are ignored (FIXME: size the bitmap from the memory map).
constexpr uint64_t kMaxPhysical = 64ull << 30;
constexpr size_t kMaxFrames = kMaxPhysical / kPageSize;
uint64_t g_bitmap_words[rustos::mm::FrameBitmap::words_needed(kMaxFrames)];
rustos::mm::FrameBitmap g_frames;
uint64_t g_total_bytes, g_usable_bytes;

} // namespace

void init_physical(const BootInfo& info) {
    uint64_t top = 0;
    rustos::mm::PhysRange usable[128];
    size_t usable_count = 0;
    for (size_t i = 0; i < info.memory_count; ++i) {
        const MemoryRegion& r = info.memory[i];
        if (r.type != 2) // everything but "reserved" (MMIO holes, firmware) is RAM
            g_total_bytes += r.length;
        if (r.type != 1)
            continue;
        g_usable_bytes += r.length;
        usable[usable_count++] = {r.base, r.length};
        if (r.base + r.length > top)
            top = r.base + r.length;
    }
    if (top > kMaxPhysical) {
        LOG_WARN("mm", "ignoring memory above %lu GiB", kMaxPhysical >> 30);
        top = kMaxPhysical;
    }
    g_frames.init(g_bitmap_words, top / kPageSize);

    // Never hand out: the first MiB (firmware, AP trampoline later), the
    // kernel image, the boot information and every boot module.
    rustos::mm::PhysRange reserved[16];
    size_t n = 0;
    reserved[n++] = {0, 0x100000};
    reserved[n++] = {uint64_t(__kernel_phys_start),
                     uint64_t(__kernel_phys_end) - uint64_t(__kernel_phys_start)};
    reserved[n++] = {info.info_phys, info.info_size};
    for (size_t i = 0; i < info.module_count && n < 16; ++i)
        reserved[n++] = {info.modules[i].start, info.modules[i].end - info.modules[i].start};
    rustos::mm::mark_usable(g_frames, {usable, usable_count}, {reserved, n});
}

ErrorOr<uint64_t> alloc_frame() {
    arch::InterruptGuard guard;
    uint64_t frame = TRY(g_frames.allocate());
    return frame * kPageSize;
}

ErrorOr<uint64_t> alloc_zeroed_frame() {
    uint64_t phys = TRY(alloc_frame());
    __builtin_memset(phys_to_virt(phys), 0, kPageSize);
    return phys;
}

ErrorOr<uint64_t> alloc_frames(size_t count) {
    arch::InterruptGuard guard;
    uint64_t frame = TRY(g_frames.allocate_contiguous(count, 1));
    return frame * kPageSize;
}

void free_frames(uint64_t phys, size_t count) {
    arch::InterruptGuard guard;
    auto result = g_frames.free(phys / kPageSize, count);
    if (result.is_error())
        panic("free_frames(0x%lx, %zu): %s", phys, count, result.error().reason());
}

PhysStats physical_stats() {
    arch::InterruptGuard guard;
    return {g_total_bytes, g_usable_bytes, g_frames.free_count() * kPageSize};
}

} // namespace kernel::mm
