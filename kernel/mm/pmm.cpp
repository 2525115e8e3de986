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
uint16_t* g_refs; // per frame below g_ref_frames
uint64_t g_ref_frames;

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

    // Reference counts: two bytes per frame, in low memory (the allocator
    // hands out the lowest frames first, inside the boot mapping).
    g_ref_frames = top / kPageSize;
    size_t pages = (g_ref_frames * sizeof(uint16_t) + kPageSize - 1) / kPageSize;
    auto frames = g_frames.allocate_contiguous(pages, 1);
    if (frames.is_error())
        panic("no memory for frame reference counts");
    g_refs = static_cast<uint16_t*>(phys_to_virt(frames.value() * kPageSize));
    __builtin_memset(g_refs, 0, pages * kPageSize);
}

ErrorOr<uint64_t> alloc_frame() {
    arch::InterruptGuard guard;
    uint64_t frame = TRY(g_frames.allocate());
    if (frame < g_ref_frames)
        g_refs[frame] = 1;
    return frame * kPageSize;
}

void frame_ref(uint64_t phys) {
    arch::InterruptGuard guard;
    uint64_t f = phys / kPageSize;
    if (f >= g_ref_frames || g_refs[f] == 0 || g_refs[f] == 0xffff)
        panic("frame_ref(0x%lx): frame not allocated or reference count overflow", phys);
    ++g_refs[f];
}

void frame_unref(uint64_t phys) {
    arch::InterruptGuard guard;
    uint64_t f = phys / kPageSize;
    if (f >= g_ref_frames || g_refs[f] == 0)
        panic("frame_unref(0x%lx): frame has no references", phys);
    if (--g_refs[f] == 0) {
        auto result = g_frames.free(f, 1);
        if (result.is_error())
            panic("frame_unref(0x%lx): %s", phys, result.error().reason());
    }
}

uint32_t frame_refs(uint64_t phys) {
    uint64_t f = phys / kPageSize;
    return f < g_ref_frames ? g_refs[f] : 0;
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
    for (size_t i = 0; i < count; ++i)
        if (phys / kPageSize + i < g_ref_frames)
            g_refs[phys / kPageSize + i] = 0;
    auto result = g_frames.free(phys / kPageSize, count);
    if (result.is_error())
        panic("free_frames(0x%lx, %zu): %s", phys, count, result.error().reason());
}

PhysStats physical_stats() {
    arch::InterruptGuard guard;
    return {g_total_bytes, g_usable_bytes, g_frames.free_count() * kPageSize};
}

} // namespace kernel::mm
