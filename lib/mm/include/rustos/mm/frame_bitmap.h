// Physical frame allocator state: one bit per 4 KiB frame (1 = in use).
// Pure logic over caller-provided storage, shared by the kernel and host
// tests. Allocation prefers the lowest free frame (early boot relies on
// that: the first page tables must lie in the bootstrap-mapped GiB).
#pragma once

#include <rustos/base/error.h>
#include <rustos/base/span.h>

namespace rustos::mm {

struct PhysRange {
    uint64_t base, length; // bytes
};

class FrameBitmap {
public:
    static constexpr size_t words_needed(size_t frames) { return (frames + 63) / 64; }

    // Every frame starts out in use; mark_usable() opens the RAM.
    void init(uint64_t* words, size_t frames);

    ErrorOr<uint64_t> allocate();
    // `count` physically contiguous frames whose first index is a multiple of `align`.
    ErrorOr<uint64_t> allocate_contiguous(size_t count, size_t align);
    // EINVAL for frames out of range or already free (a double free).
    ErrorOr<void> free(uint64_t frame, size_t count = 1);

    void set_free(uint64_t frame);
    void set_used(uint64_t frame);
    bool is_used(uint64_t frame) const;
    size_t frame_count() const { return m_frames; }
    size_t free_count() const { return m_free; }

private:
    uint64_t* m_words = nullptr;
    size_t m_frames = 0;
    size_t m_free = 0;
    size_t m_hint = 0; // no free frame below word m_hint
};

// Frees every whole frame inside `usable`, then marks every frame touching
// `reserved` as used again.
void mark_usable(FrameBitmap& bitmap, Span<const PhysRange> usable, Span<const PhysRange> reserved);

} // namespace rustos::mm
