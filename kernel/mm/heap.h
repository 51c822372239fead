// Kernel heap: power-of-two slabs of one page for 16..2048 bytes, whole pages above that.
// Hardened: freed slots are poisoned and checked on reuse; double and wild frees stop the kernel.
#pragma once

#include "kernel/mm/frame_allocator.h"
#include "lib/types.h"

namespace kernel::mm {

// Where the heap gets its memory: page-aligned runs of 4 KiB pages, mapped read-write.
class PageSource {
public:
    // nullptr when out of memory.
    virtual void* allocate_pages(usize count) = 0;
    virtual void free_pages(void* base, usize count) = 0;

protected:
    ~PageSource() = default;
};

class Heap {
public:
    static constexpr usize min_class_size = 16;
    static constexpr usize max_class_size = 2048;
    static constexpr usize class_count = 8; // 16, 32, ..., 2048
    static constexpr usize max_alignment = page_size;
    // Larger requests are refused as bugs in the caller, not served.
    static constexpr usize max_allocation = usize(1) << 30;

    explicit Heap(PageSource& source) : m_source(&source) { }
    Heap(const Heap&) = delete;
    Heap& operator=(const Heap&) = delete;

    // Returns `size` bytes aligned to `align`, filled with poison (0xDE), or nullptr when the
    // page source is out of memory, size is 0 or above max_allocation, or align is not a power
    // of two or above max_alignment.
    void* allocate(usize size, usize align = 16);
    // nullptr is a no-op. Precondition (VERIFYed): `p` came from this heap's allocate() and has
    // not been freed since; a wild pointer or a double free is a bug and stops the kernel.
    void free(void* p);

    // Bytes of live allocations, each counted at its slot size (slabs) or its pages (large).
    usize bytes_in_use() const { return m_bytes_in_use; }
    // Pages held from the page source: slabs (one page each) and large allocations.
    usize pages_held() const { return m_pages_held; }

    // Walks every slab and large allocation and recounts everything from scratch.
    bool check_invariants() const;

private:
    struct SlabHeader;
    struct LargeHeader;

    void* allocate_small(usize class_index);
    void* allocate_large(usize size, usize align);
    void free_small(SlabHeader*, u8* p);
    void free_large(LargeHeader*, u8* p);
    SlabHeader* new_slab(usize class_index);
    void unlink(SlabHeader*);
    void push_front(SlabHeader*);
    void push_back(SlabHeader*);
    bool check_slab(const SlabHeader*, usize class_index, usize& used_slots) const;

    // Invariant: non-null.
    PageSource* m_source;
    // Invariant: m_slabs[c] lists every slab of class c (size 16 << c), doubly linked, all
    // slabs with a free slot before all full ones, so allocation only looks at the head.
    SlabHeader* m_slabs[class_count] {};
    // Invariant: every live large allocation, doubly linked.
    LargeHeader* m_large { nullptr };
    // Invariant: sum of the slot sizes of used slots plus pages * page_size of large ones.
    usize m_bytes_in_use { 0 };
    // Invariant: number of slabs plus the pages of every large allocation.
    usize m_pages_held { 0 };
};

} // namespace kernel::mm
