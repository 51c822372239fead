// Physical frame allocator (see frame_allocator.h for the frame states and invariants).
// Every loop is bounded by the number of bitmap words or frames, for the verifier's unrolling.
#include "kernel/mm/frame_allocator.h"

#include "lib/utility.h"

namespace kernel::mm {

namespace {

constexpr u64 bits_per_word = 64;
constexpr u64 all_ones = ~u64(0);

constexpr u64 words_for(u64 frame_count)
{
    return frame_count / bits_per_word + (frame_count % bits_per_word != 0 ? 1 : 0);
}

// The bits of word `w` that fall inside frame range [from, to).
constexpr u64 range_mask(u64 w, u64 from, u64 to)
{
    u64 word_first = w * bits_per_word;
    u64 lo = lib::max(from, word_first);
    u64 hi = lib::min(to, word_first + bits_per_word);
    if (lo >= hi)
        return 0;
    u64 n = hi - lo;
    u64 low_bits = n == bits_per_word ? all_ones : (u64(1) << n) - 1;
    return low_bits << (lo - word_first);
}

constexpr u64 bit(u64 frame) { return u64(1) << (frame % bits_per_word); }

u64 popcount(u64 x) { return u64(__builtin_popcountll(x)); }

} // namespace

usize FrameAllocator::storage_words_for(u64 frame_count) { return usize(3 * words_for(frame_count)); }

void FrameAllocator::init(lib::Span<u64> storage, u64 base_phys, u64 frame_count)
{
    VERIFY(lib::is_aligned(base_phys, page_size));
    VERIFY(base_phys < physical_address_limit);
    VERIFY(frame_count <= (physical_address_limit - base_phys) >> page_shift);
    usize words = usize(words_for(frame_count));
    VERIFY(storage.size() >= 3 * words);

    m_used = storage.slice(0, words);
    m_head = storage.slice(words, words);
    m_reserved = storage.slice(2 * words, words);
    m_words = words;
    m_base = base_phys;
    m_frame_count = frame_count;
    m_free_count = 0;
    m_hint = 0;
    // Everything, padding included, starts reserved.
    for (usize w = 0; w < words; ++w) {
        m_used[w] = all_ones;
        m_head[w] = 0;
        m_reserved[w] = all_ones;
    }
}

bool FrameAllocator::test(lib::Span<u64> bitmap, u64 frame) const
{
    return (bitmap[usize(frame / bits_per_word)] & bit(frame)) != 0;
}

bool FrameAllocator::is_continuation(u64 frame) const
{
    return test(m_used, frame) && !test(m_head, frame) && !test(m_reserved, frame);
}

bool FrameAllocator::frame_range(u64 phys, u64 size, bool round_outward, u64& first, u64& end) const
{
    if (size == 0 || m_frame_count == 0)
        return false;
    u64 lo = phys;
    u64 hi = 0;
    // A range that wraps past 2^64 is clipped there; the covered span ends below 2^52 anyway.
    if (__builtin_add_overflow(phys, size, &hi))
        hi = all_ones;
    if (round_outward) {
        lo = lib::align_down(lo, page_size);
        if (!lib::align_up(hi, page_size, hi))
            hi = lib::align_down(all_ones, page_size);
    } else {
        if (!lib::align_up(lo, page_size, lo))
            return false;
        hi = lib::align_down(hi, page_size);
    }
    u64 cover_end = m_base + (m_frame_count << page_shift);
    lo = lib::max(lo, m_base);
    hi = lib::min(hi, cover_end);
    if (lo >= hi)
        return false;
    first = (lo - m_base) >> page_shift;
    end = (hi - m_base) >> page_shift;
    return true;
}

void FrameAllocator::add_free_range(u64 phys, u64 size)
{
    u64 first = 0;
    u64 end = 0;
    if (!frame_range(phys, size, false, first, end))
        return;
    for (u64 w = first / bits_per_word; w <= (end - 1) / bits_per_word; ++w) {
        u64 released = range_mask(w, first, end) & m_reserved[usize(w)];
        m_used[usize(w)] &= ~released;
        m_reserved[usize(w)] &= ~released;
        m_free_count += popcount(released);
    }
}

void FrameAllocator::reserve_range(u64 phys, u64 size)
{
    u64 first = 0;
    u64 end = 0;
    if (!frame_range(phys, size, true, first, end))
        return;
    for (u64 w = first / bits_per_word; w <= (end - 1) / bits_per_word; ++w) {
        u64 taken = range_mask(w, first, end) & ~m_used[usize(w)];
        m_used[usize(w)] |= taken;
        m_reserved[usize(w)] |= taken;
        m_free_count -= popcount(taken);
    }
}

u64 FrameAllocator::find_in_used(u64 from, u64 to, bool wanted_used) const
{
    for (u64 w = from / bits_per_word; w * bits_per_word < to; ++w) {
        u64 word = wanted_used ? m_used[usize(w)] : ~m_used[usize(w)];
        word &= range_mask(w, from, to);
        if (word != 0)
            return w * bits_per_word + u64(__builtin_ctzll(word));
    }
    return to;
}

// Looks for a run of `count` free frames starting in [from, to) at an `align`-aligned frame
// number. Each iteration moves `i` strictly forward, so the loop ends within m_frame_count + 1
// iterations; whole words of used frames are skipped by find_in_used().
bool FrameAllocator::find_run(u64 from, u64 to, u64 count, u64 align, u64& out) const
{
    u64 first_pfn = m_base >> page_shift;
    u64 i = from;
    for (u64 step = 0; step <= m_frame_count; ++step) {
        i = find_in_used(i, to, false);
        if (i >= to)
            return false;
        u64 aligned_pfn = 0;
        if (!lib::align_up(first_pfn + i, align, aligned_pfn))
            return false;
        u64 start = aligned_pfn - first_pfn;
        if (start >= to || start > m_frame_count - count)
            return false;
        u64 blocker = find_in_used(start, start + count, true);
        if (blocker == start + count) {
            out = start;
            return true;
        }
        i = blocker + 1;
    }
    return false;
}

lib::Result<u64, FrameError> FrameAllocator::allocate(u64 count, u64 align_frames)
{
    if (count == 0 || !lib::is_power_of_two(align_frames))
        return FrameError::BadCount;
    if (count > m_free_count)
        return FrameError::OutOfMemory;
    u64 start = 0;
    if (!find_run(m_hint, m_frame_count, count, align_frames, start) && !find_run(0, m_hint, count, align_frames, start))
        return FrameError::OutOfMemory;
    return commit(start, count);
}

u64 FrameAllocator::commit(u64 start, u64 count)
{
    u64 end = start + count;
    for (u64 w = start / bits_per_word; w <= (end - 1) / bits_per_word; ++w)
        m_used[usize(w)] |= range_mask(w, start, end);
    m_head[usize(start / bits_per_word)] |= bit(start);
    m_free_count -= count;
    m_hint = end == m_frame_count ? 0 : end;
    return m_base + (start << page_shift);
}

lib::Result<void, FrameError> FrameAllocator::free(u64 phys, u64 count)
{
    if (!lib::is_aligned(phys, page_size))
        return FrameError::Misaligned;
    if (phys < m_base || ((phys - m_base) >> page_shift) >= m_frame_count)
        return FrameError::OutOfRange;
    u64 first = (phys - m_base) >> page_shift;
    if (!test(m_head, first))
        return FrameError::NotAllocated;
    if (count == 0 || count > m_frame_count - first)
        return FrameError::BadCount;
    // The allocation is the head plus the continuation frames after it: exactly `count` frames.
    for (u64 f = first + 1; f < first + count; ++f) {
        if (!is_continuation(f))
            return FrameError::BadCount;
    }
    if (first + count < m_frame_count && is_continuation(first + count))
        return FrameError::BadCount;

    u64 end = first + count;
    for (u64 w = first / bits_per_word; w <= (end - 1) / bits_per_word; ++w)
        m_used[usize(w)] &= ~range_mask(w, first, end);
    m_head[usize(first / bits_per_word)] &= ~bit(first);
    m_free_count += count;
    return {};
}

bool FrameAllocator::is_free(u64 phys) const
{
    if (phys < m_base || ((phys - m_base) >> page_shift) >= m_frame_count)
        return false;
    return !test(m_used, (phys - m_base) >> page_shift);
}

bool FrameAllocator::is_reserved(u64 phys) const
{
    if (phys < m_base || ((phys - m_base) >> page_shift) >= m_frame_count)
        return false;
    return test(m_reserved, (phys - m_base) >> page_shift);
}

bool FrameAllocator::check_invariants() const
{
    if (m_words != words_for(m_frame_count) || m_used.size() != m_words || m_head.size() != m_words
        || m_reserved.size() != m_words)
        return false;
    if (!lib::is_aligned(m_base, page_size) || m_base >= physical_address_limit
        || m_frame_count > (physical_address_limit - m_base) >> page_shift)
        return false;
    if (m_frame_count == 0 ? m_hint != 0 : m_hint >= m_frame_count)
        return false;

    u64 free_count = 0;
    u64 previous_allocated = 0; // bit 0: the frame before this word is a head or continuation
    for (usize w = 0; w < m_words; ++w) {
        u64 used = m_used[w];
        u64 head = m_head[w];
        u64 reserved = m_reserved[w];
        if ((head & ~used) != 0 || (reserved & ~used) != 0 || (head & reserved) != 0)
            return false;
        u64 padding = ~range_mask(w, 0, m_frame_count);
        if ((used & padding) != padding || (reserved & padding) != padding || (head & padding) != 0)
            return false;
        free_count += popcount(~used);
        u64 continuation = used & ~head & ~reserved;
        u64 allocated = head | continuation;
        if ((continuation & ~((allocated << 1) | previous_allocated)) != 0)
            return false;
        previous_allocated = allocated >> 63;
    }
    return free_count == m_free_count;
}

} // namespace kernel::mm
