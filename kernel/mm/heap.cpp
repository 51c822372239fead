// Kernel heap (see heap.h). Every allocation's header is found at align_down(p - 1, page): the
// slab header for slots (never page-aligned, slot 0 holds the header), the large header for
// page allocations (the user pointer sits 64..4096 bytes past it).
#include "kernel/mm/heap.h"

#include "lib/utility.h"
#include "lib/verify.h"

namespace kernel::mm {

namespace {

constexpr u32 slab_magic = 0x51ab51ab;
constexpr u32 large_magic = 0x1a46e0a1;
constexpr u8 poison = 0xde;
constexpr u16 no_slot = 0xffff;
// The smallest offset of a large allocation's data from its header (keeps 64-byte alignment).
constexpr usize large_min_offset = 64;

usize class_size(usize class_index) { return Heap::min_class_size << class_index; }

bool test_bit(const u64* bitmap, usize i) { return (bitmap[i / 64] >> (i % 64)) & 1; }
void set_bit(u64* bitmap, usize i) { bitmap[i / 64] |= u64(1) << (i % 64); }
void clear_bit(u64* bitmap, usize i) { bitmap[i / 64] &= ~(u64(1) << (i % 64)); }

// A free slot's first two bytes hold the next free slot's index; the rest is poison.
u16 load_link(const u8* slot) { return u16(slot[0] | (u16(slot[1]) << 8)); }
void store_link(u8* slot, u16 next)
{
    slot[0] = u8(next);
    slot[1] = u8(next >> 8);
}

void fill(u8* p, usize n, u8 value)
{
    for (usize i = 0; i < n; ++i)
        p[i] = value;
}

// True when bytes [from, n) are all poison: a write after free would have changed one.
bool poison_intact(const u8* p, usize from, usize n)
{
    u8 diff = 0;
    for (usize i = from; i < n; ++i)
        diff |= u8(p[i] ^ poison);
    return diff == 0;
}

} // namespace

// At the start of every slab page.
struct Heap::SlabHeader {
    u32 magic;
    u8 class_index;
    // Slot indices run over the whole page; [0, first_slot) are taken by this header.
    u16 first_slot;
    u16 slot_count;
    // Invariant: the number of set bits in free_bitmap and the length of the free list.
    u16 free_count;
    u16 free_head;
    const Heap* owner;
    SlabHeader* next;
    SlabHeader* prev;
    // Invariant: bit i set exactly when slot i is on the free list (so a double free is seen
    // without walking the list); no bit outside [first_slot, slot_count).
    u64 free_bitmap[4];

    usize usable_slots() const { return usize(slot_count - first_slot); }
};

// At the start of every large allocation's first page.
struct Heap::LargeHeader {
    u32 magic;
    // From the header to the user pointer: max(64, align).
    u32 offset;
    usize pages;
    const Heap* owner;
    LargeHeader* next;
    LargeHeader* prev;
};

void* Heap::allocate(usize size, usize align)
{
    if (size == 0 || size > max_allocation || !lib::is_power_of_two(align) || align > max_alignment)
        return nullptr;
    for (usize c = 0; c < class_count; ++c) {
        if (class_size(c) >= size && class_size(c) >= align)
            return allocate_small(c);
    }
    return allocate_large(size, align);
}

Heap::SlabHeader* Heap::new_slab(usize class_index)
{
    static_assert(sizeof(SlabHeader) <= 128, "the header would take more than 1 slot of 128 bytes");
    static_assert(page_size / min_class_size <= 4 * 64, "free bitmap too small for the smallest class");
    static_assert(sizeof(LargeHeader) <= large_min_offset);
    void* page = m_source->allocate_pages(1);
    if (page == nullptr)
        return nullptr;
    VERIFY(lib::is_aligned(reinterpret_cast<uptr>(page), page_size));
    ++m_pages_held;
    usize size = class_size(class_index);
    auto* slab = new (page) SlabHeader {};
    slab->magic = slab_magic;
    slab->class_index = u8(class_index);
    slab->first_slot = u16((sizeof(SlabHeader) + size - 1) / size);
    slab->slot_count = u16(page_size / size);
    slab->owner = this;
    u8* bytes = static_cast<u8*>(page);
    fill(bytes + slab->first_slot * size, page_size - slab->first_slot * size, poison);
    for (usize i = slab->first_slot; i < slab->slot_count; ++i) {
        store_link(bytes + i * size, i + 1 < slab->slot_count ? u16(i + 1) : no_slot);
        set_bit(slab->free_bitmap, i);
    }
    slab->free_head = slab->first_slot;
    slab->free_count = u16(slab->usable_slots());
    return slab;
}

void* Heap::allocate_small(usize class_index)
{
    SlabHeader* slab = m_slabs[class_index];
    if (slab == nullptr || slab->free_count == 0) {
        slab = new_slab(class_index);
        if (slab == nullptr)
            return nullptr;
        push_front(slab);
    }
    usize size = class_size(class_index);
    u16 index = slab->free_head;
    VERIFY(index >= slab->first_slot && index < slab->slot_count && test_bit(slab->free_bitmap, index));
    u8* slot = reinterpret_cast<u8*>(slab) + index * size;
    u16 next = load_link(slot);
    // A corrupted link or poison means something wrote to freed memory.
    VERIFY(next == no_slot || (next >= slab->first_slot && next < slab->slot_count && test_bit(slab->free_bitmap, next)));
    VERIFY(poison_intact(slot, 2, size));
    fill(slot, 2, poison);
    clear_bit(slab->free_bitmap, index);
    slab->free_head = next;
    --slab->free_count;
    if (slab->free_count == 0) {
        // Full slabs go to the back, so the head is the one place to look for a free slot.
        unlink(slab);
        push_back(slab);
    }
    m_bytes_in_use += size;
    return slot;
}

void* Heap::allocate_large(usize size, usize align)
{
    usize offset = lib::max(large_min_offset, align);
    usize pages = (offset + size + page_size - 1) / page_size;
    void* base = m_source->allocate_pages(pages);
    if (base == nullptr)
        return nullptr;
    VERIFY(lib::is_aligned(reinterpret_cast<uptr>(base), page_size));
    auto* header = new (base) LargeHeader {};
    header->magic = large_magic;
    header->offset = u32(offset);
    header->pages = pages;
    header->owner = this;
    header->next = m_large;
    if (m_large != nullptr)
        m_large->prev = header;
    m_large = header;
    m_bytes_in_use += pages * page_size;
    m_pages_held += pages;
    u8* p = static_cast<u8*>(base) + offset;
    fill(p, size, poison);
    return p;
}

void Heap::free(void* p)
{
    if (p == nullptr)
        return;
    auto addr = reinterpret_cast<uptr>(p);
    VERIFY(lib::is_aligned(addr, min_class_size));
    u8* page = reinterpret_cast<u8*>(lib::align_down(addr - 1, page_size));
    u32 magic = *reinterpret_cast<const u32*>(page);
    if (magic == slab_magic) {
        free_small(reinterpret_cast<SlabHeader*>(page), static_cast<u8*>(p));
        return;
    }
    // Anything else is a pointer this heap never handed out, or a large one already freed.
    VERIFY(magic == large_magic);
    free_large(reinterpret_cast<LargeHeader*>(page), static_cast<u8*>(p));
}

void Heap::free_small(SlabHeader* slab, u8* p)
{
    VERIFY(slab->owner == this && slab->class_index < class_count);
    usize size = class_size(slab->class_index);
    usize offset = usize(p - reinterpret_cast<u8*>(slab));
    VERIFY(offset % size == 0);
    usize index = offset / size;
    VERIFY(index >= slab->first_slot && index < slab->slot_count);
    VERIFY(!test_bit(slab->free_bitmap, index)); // double free

    fill(p, size, poison);
    store_link(p, slab->free_head);
    slab->free_head = u16(index);
    set_bit(slab->free_bitmap, index);
    bool was_full = slab->free_count == 0;
    ++slab->free_count;
    m_bytes_in_use -= size;

    bool only_slab = m_slabs[slab->class_index] == slab && slab->next == nullptr;
    if (slab->free_count == slab->usable_slots() && !only_slab) {
        // Empty: back to the page source. The class keeps at most one empty slab (its only
        // one), so an alloc/free loop does not hit the page source each time.
        unlink(slab);
        slab->magic = 0;
        m_source->free_pages(slab, 1);
        --m_pages_held;
        return;
    }
    if (was_full) {
        unlink(slab);
        push_front(slab);
    }
}

void Heap::free_large(LargeHeader* header, u8* p)
{
    VERIFY(header->owner == this);
    VERIFY(reinterpret_cast<u8*>(header) + header->offset == p);
    VERIFY((header->prev == nullptr ? m_large : header->prev->next) == header);
    VERIFY(header->next == nullptr || header->next->prev == header);
    if (header->prev != nullptr)
        header->prev->next = header->next;
    else
        m_large = header->next;
    if (header->next != nullptr)
        header->next->prev = header->prev;
    usize pages = header->pages;
    m_bytes_in_use -= pages * page_size;
    m_pages_held -= pages;
    header->magic = 0;
    m_source->free_pages(header, pages);
}

void Heap::unlink(SlabHeader* slab)
{
    if (slab->prev != nullptr)
        slab->prev->next = slab->next;
    else
        m_slabs[slab->class_index] = slab->next;
    if (slab->next != nullptr)
        slab->next->prev = slab->prev;
    slab->next = nullptr;
    slab->prev = nullptr;
}

void Heap::push_front(SlabHeader* slab)
{
    SlabHeader*& head = m_slabs[slab->class_index];
    slab->prev = nullptr;
    slab->next = head;
    if (head != nullptr)
        head->prev = slab;
    head = slab;
}

void Heap::push_back(SlabHeader* slab)
{
    SlabHeader*& head = m_slabs[slab->class_index];
    if (head == nullptr) {
        push_front(slab);
        return;
    }
    // Bounded by the number of slabs in the class (at most m_pages_held).
    SlabHeader* tail = head;
    while (tail->next != nullptr)
        tail = tail->next;
    tail->next = slab;
    slab->prev = tail;
    slab->next = nullptr;
}

bool Heap::check_slab(const SlabHeader* slab, usize class_index, usize& used_slots) const
{
    usize size = class_size(class_index);
    if (slab->magic != slab_magic || slab->owner != this || slab->class_index != class_index)
        return false;
    if (slab->first_slot != (sizeof(SlabHeader) + size - 1) / size || slab->slot_count != page_size / size)
        return false;
    usize set_bits = 0;
    for (usize i = 0; i < 4 * 64; ++i) {
        if (!test_bit(slab->free_bitmap, i))
            continue;
        if (i < slab->first_slot || i >= slab->slot_count)
            return false;
        ++set_bits;
    }
    if (set_bits != slab->free_count)
        return false;
    // The free list: exactly the slots of the bitmap, each once, each still poisoned.
    u64 seen[4] = {};
    usize length = 0;
    const u8* bytes = reinterpret_cast<const u8*>(slab);
    for (u16 i = slab->free_head; i != no_slot;) {
        if (length == slab->free_count || i < slab->first_slot || i >= slab->slot_count)
            return false;
        if (!test_bit(slab->free_bitmap, i) || test_bit(seen, i))
            return false;
        set_bit(seen, i);
        if (!poison_intact(bytes + i * size, 2, size))
            return false;
        ++length;
        i = load_link(bytes + i * size);
    }
    if (length != slab->free_count)
        return false;
    used_slots = slab->usable_slots() - slab->free_count;
    return true;
}

bool Heap::check_invariants() const
{
    usize bytes = 0;
    usize pages = 0;
    for (usize c = 0; c < class_count; ++c) {
        const SlabHeader* previous = nullptr;
        bool seen_full = false;
        for (const SlabHeader* slab = m_slabs[c]; slab != nullptr; slab = slab->next) {
            if (pages >= m_pages_held || slab->prev != previous)
                return false; // more slabs than pages held: a cycle or a lost count
            usize used = 0;
            if (!check_slab(slab, c, used))
                return false;
            if (slab->free_count == 0)
                seen_full = true;
            else if (seen_full)
                return false; // a slab with room behind a full one would never be used
            if (used == 0 && (slab != m_slabs[c] || slab->next != nullptr))
                return false; // an empty slab is kept only as its class's sole slab
            bytes += used * class_size(c);
            ++pages;
            previous = slab;
        }
    }
    const LargeHeader* previous = nullptr;
    for (const LargeHeader* large = m_large; large != nullptr; large = large->next) {
        if (pages >= m_pages_held || large->prev != previous)
            return false;
        if (large->magic != large_magic || large->owner != this || large->pages == 0)
            return false;
        if (large->offset < large_min_offset || large->offset > max_alignment
            || !lib::is_power_of_two(large->offset))
            return false;
        bytes += large->pages * page_size;
        pages += large->pages;
        previous = large;
    }
    return bytes == m_bytes_in_use && pages == m_pages_held;
}

} // namespace kernel::mm
