// Kernel heap: power-of-two size classes carved from single frames for
// small objects, physically contiguous frames for large ones. Every block
// carries a 16-byte header so kfree needs no size and blocks stay 16-byte
// aligned (fxsave areas need that).
#include "arch/x86_64/cpu.h"
#include "memory.h"
#include "panic.h"

namespace kernel::mm {

namespace {

constexpr size_t kHeader = 16;
constexpr unsigned kMinShift = 5;  // 32 bytes
constexpr unsigned kMaxShift = 11; // 2048 bytes
constexpr uint32_t kMagic = 0x4b4d454d;

struct Header {
    uint32_t magic;
    uint32_t size_class; // shift for small blocks, 0 for large
    uint64_t pages;      // large blocks only
};
static_assert(sizeof(Header) == kHeader);

struct FreeBlock {
    FreeBlock* next;
};

FreeBlock* g_free[kMaxShift + 1];
HeapStats g_stats;

bool refill(unsigned shift) {
    auto frame = alloc_frame();
    if (frame.is_error())
        return false;
    auto* page = static_cast<uint8_t*>(phys_to_virt(frame.value()));
    size_t block = size_t(1) << shift;
    for (size_t off = 0; off + block <= kPageSize; off += block) {
        auto* b = reinterpret_cast<FreeBlock*>(page + off);
        b->next = g_free[shift];
        g_free[shift] = b;
    }
    return true;
}

} // namespace

void* kmalloc(size_t size) {
    size_t total = size + kHeader;
    arch::InterruptGuard guard;
    Header* h;
    if (total <= (size_t(1) << kMaxShift)) {
        unsigned shift = kMinShift;
        while ((size_t(1) << shift) < total)
            ++shift;
        if (!g_free[shift] && !refill(shift))
            return nullptr;
        FreeBlock* b = g_free[shift];
        g_free[shift] = b->next;
        h = reinterpret_cast<Header*>(b);
        h->size_class = shift;
        h->pages = 0;
    } else {
        size_t pages = (total + kPageSize - 1) / kPageSize;
        auto frames = alloc_frames(pages);
        if (frames.is_error())
            return nullptr;
        h = static_cast<Header*>(phys_to_virt(frames.value()));
        h->size_class = 0;
        h->pages = pages;
    }
    h->magic = kMagic;
    g_stats.allocations++;
    g_stats.bytes_in_use += h->pages ? h->pages * kPageSize : (size_t(1) << h->size_class);
    return reinterpret_cast<uint8_t*>(h) + kHeader;
}

void* kzalloc(size_t size) {
    void* p = kmalloc(size);
    if (p)
        __builtin_memset(p, 0, size);
    return p;
}

void kfree(void* p) {
    if (!p)
        return;
    auto* h = reinterpret_cast<Header*>(static_cast<uint8_t*>(p) - kHeader);
    if (h->magic != kMagic)
        panic("kfree(%p): not a heap block (corrupted header or double free)", p);
    h->magic = 0;
    arch::InterruptGuard guard;
    g_stats.allocations--;
    if (h->pages) {
        g_stats.bytes_in_use -= h->pages * kPageSize;
        free_frames(virt_to_phys(h), h->pages);
        return;
    }
    unsigned shift = h->size_class;
    g_stats.bytes_in_use -= size_t(1) << shift;
    auto* b = reinterpret_cast<FreeBlock*>(h);
    b->next = g_free[shift];
    g_free[shift] = b;
}

HeapStats heap_stats() { return g_stats; }

} // namespace kernel::mm

// C++ allocation operators for kernel objects. Allocation failure returns
// nullptr (callers check; the kernel is built without exceptions).
void* operator new(size_t size) { return kernel::mm::kmalloc(size); }
void* operator new[](size_t size) { return kernel::mm::kmalloc(size); }
void* operator new(size_t size, const std::nothrow_t&) noexcept {
    return kernel::mm::kmalloc(size);
}
void* operator new[](size_t size, const std::nothrow_t&) noexcept {
    return kernel::mm::kmalloc(size);
}
void operator delete(void* p) noexcept { kernel::mm::kfree(p); }
void operator delete[](void* p) noexcept { kernel::mm::kfree(p); }
void operator delete(void* p, size_t) noexcept { kernel::mm::kfree(p); }
void operator delete[](void* p, size_t) noexcept { kernel::mm::kfree(p); }
