#include <rustos/mm/frame_bitmap.h>

namespace rustos::mm {

namespace {
constexpr uint64_t kPage = 4096;
}

void FrameBitmap::init(uint64_t* words, size_t frames) {
    m_words = words;
    m_frames = frames;
    m_free = 0;
    m_hint = 0;
    for (size_t i = 0; i < words_needed(frames); ++i)
        m_words[i] = ~uint64_t(0);
}

bool FrameBitmap::is_used(uint64_t frame) const {
    return frame >= m_frames || (m_words[frame / 64] >> (frame % 64)) & 1;
}

void FrameBitmap::set_free(uint64_t frame) {
    if (frame >= m_frames || !is_used(frame))
        return;
    m_words[frame / 64] &= ~(uint64_t(1) << (frame % 64));
    ++m_free;
    if (frame / 64 < m_hint)
        m_hint = frame / 64;
}

void FrameBitmap::set_used(uint64_t frame) {
    if (frame >= m_frames || is_used(frame))
        return;
    m_words[frame / 64] |= uint64_t(1) << (frame % 64);
    --m_free;
}

ErrorOr<uint64_t> FrameBitmap::allocate() {
    size_t words = words_needed(m_frames);
    for (size_t w = m_hint; w < words; ++w) {
        if (m_words[w] == ~uint64_t(0))
            continue;
        uint64_t frame = w * 64 + __builtin_ctzll(~m_words[w]);
        if (frame >= m_frames)
            break;
        set_used(frame);
        m_hint = w;
        return frame;
    }
    m_hint = words;
    return Error(ENOMEM, "out of physical memory");
}

ErrorOr<uint64_t> FrameBitmap::allocate_contiguous(size_t count, size_t align) {
    if (count == 0 || align == 0)
        return Error(EINVAL, "zero-sized or unaligned contiguous allocation");
    uint64_t start = align_up(m_hint * 64, align);
    while (start + count <= m_frames) {
        size_t run = 0;
        while (run < count && !is_used(start + run))
            ++run;
        if (run == count) {
            for (size_t i = 0; i < count; ++i)
                set_used(start + i);
            return start;
        }
        start = align_up(start + run + 1, align);
    }
    return Error(ENOMEM, "no physically contiguous range of that size");
}

ErrorOr<void> FrameBitmap::free(uint64_t frame, size_t count) {
    uint64_t end;
    if (!checked_add(frame, count, &end) || end > m_frames)
        return Error(EINVAL, "freeing frames outside physical memory");
    for (uint64_t f = frame; f < end; ++f)
        if (!is_used(f))
            return Error(EINVAL, "freeing a frame that is already free (double free)");
    for (uint64_t f = frame; f < end; ++f)
        set_free(f);
    return {};
}

void mark_usable(FrameBitmap& bitmap, Span<const PhysRange> usable,
                 Span<const PhysRange> reserved) {
    for (const PhysRange& r : usable) {
        uint64_t end;
        if (!checked_add(r.base, r.length, &end))
            end = UINT64_MAX;
        for (uint64_t f = align_up(r.base, kPage) / kPage;
             f < end / kPage && f < bitmap.frame_count(); ++f)
            bitmap.set_free(f);
    }
    for (const PhysRange& r : reserved) {
        if (r.length == 0)
            continue;
        uint64_t last; // inclusive
        if (!checked_add(r.base, r.length - 1, &last))
            last = UINT64_MAX;
        for (uint64_t f = r.base / kPage; f <= last / kPage && f < bitmap.frame_count(); ++f)
            bitmap.set_used(f);
    }
}

} // namespace rustos::mm
