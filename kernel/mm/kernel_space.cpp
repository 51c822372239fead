// Kernel address space construction and the hardware side of memory management.
#include "kernel/mm/kernel_space.h"

#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/arch/x86_64/stacks.h"
#include "kernel/lib/log.h"
#include "kernel/lib/panic.h"

extern "C" u8 __kernel_phys_start[];
extern "C" u8 __kernel_phys_end[];
extern "C" u8 __text_start[], __text_end[];
extern "C" u8 __rodata_start[], __rodata_end[];
extern "C" u8 __data_start[], __data_end[];
extern "C" u8 __ksymtab_start[], __ksymtab_end[];

namespace kernel::mm {

namespace {

using arch::physmap_base;

FrameAllocator g_frames;
bool g_frames_ready = false;

// Table frames come from the frame allocator and are reached through the physmap. During boot
// the allocator only holds frames below 4 GiB, which the boot tables' physmap covers too.
class KernelPhysAccess final : public PhysAccess {
public:
    u8* to_virtual(u64 phys) override { return reinterpret_cast<u8*>(physmap_base + phys); }
    lib::Result<u64, MapError> allocate_table_frame() override
    {
        auto frame = g_frames.allocate(1);
        if (frame.is_error())
            return MapError::OutOfMemory;
        u64 phys = frame.value();
        u64* words = reinterpret_cast<u64*>(physmap_base + phys);
        for (usize i = 0; i < page_size / 8; ++i)
            words[i] = 0;
        return phys;
    }
    void free_table_frame(u64 phys) override { MUST(g_frames.free(phys, 1)); }
};

KernelPhysAccess g_phys_access;
// Storage for the kernel PageTable object, constructed in init_address_space().
alignas(PageTable) u8 g_page_table_storage[sizeof(PageTable)];
PageTable* g_page_table = nullptr;
u64 g_mmio_cursor = 0;
ProtectionFeatures g_protection {};

class FramePageSource final : public PageSource {
public:
    void* allocate_pages(usize count) override
    {
        auto frames = g_frames.allocate(count);
        if (frames.is_error())
            return nullptr;
        return reinterpret_cast<void*>(physmap_base + frames.value());
    }
    void free_pages(void* base, usize count) override
    {
        MUST(g_frames.free(reinterpret_cast<u64>(base) - physmap_base, count));
    }
};

FramePageSource g_page_source;
alignas(Heap) u8 g_heap_storage[sizeof(Heap)];
Heap* g_heap = nullptr;

u64 addr(const u8* p) { return reinterpret_cast<u64>(p); }

void map_or_panic(u64 virt, u64 phys, u64 size, Access access, lib::StringView what)
{
    auto r = g_page_table->map(virt, phys, size, access, Privilege::Kernel, Caching::WriteBack);
    if (r.is_error())
        panic("mm: cannot map {} at {:#x} ({} bytes): error {}", what, virt, size, r.error());
}

void map_image_range(const u8* start, const u8* end, Access access, lib::StringView what)
{
    if (end > start)
        map_or_panic(addr(start), addr(start) - arch::kernel_virt_base, addr(end) - addr(start), access, what);
}

} // namespace

ImageRange kernel_image() { return ImageRange { addr(__kernel_phys_start), addr(__kernel_phys_end) }; }

void init_frames(const MemoryMap& map)
{
    u64 frame_count = map.highest_usable_end() / page_size;
    u64 storage_bytes = FrameAllocator::storage_words_for(frame_count) * 8;
    u64 storage_size = 0;
    if (!lib::align_up(storage_bytes, page_size, storage_size))
        panic("mm: frame bitmap size overflows");
    // The bitmap goes in the first usable region below 4 GiB with room for it.
    u64 storage_phys = 0;
    bool placed = false;
    for (const Region& r : map.regions()) {
        if (r.type == RegionType::Usable && r.length >= storage_size && r.base + storage_size <= arch::boot_physmap_size) {
            storage_phys = r.base;
            placed = true;
            break;
        }
    }
    if (!placed)
        panic("mm: no usable region below 4 GiB can hold the {}-byte frame bitmap", storage_size);
    g_frames.init(lib::Span<u64>(reinterpret_cast<u64*>(physmap_base + storage_phys), storage_bytes / 8), 0, frame_count);
    for (const Region& r : map.regions()) {
        if (r.type != RegionType::Usable || r.base >= arch::boot_physmap_size)
            continue;
        u64 end = lib::min(r.end(), arch::boot_physmap_size);
        g_frames.add_free_range(r.base, end - r.base);
    }
    g_frames.reserve_range(storage_phys, storage_size);
    g_frames_ready = true;
    log::info("mm: frame allocator: {} frames ({} MiB) free of {} covered; bitmap {} KiB at {:#x}",
        g_frames.free_frames(), g_frames.free_frames() * page_size >> 20, frame_count, storage_size >> 10, storage_phys);
}

void init_address_space(const MemoryMap& map)
{
    VERIFY(g_frames_ready);
    auto table = PageTable::create(g_phys_access);
    if (table.is_error())
        panic("mm: cannot create the kernel page table: error {}", table.error());
    g_page_table = new (g_page_table_storage) PageTable(table.release_value());

    // The kernel image, section by section: W^X.
    map_image_range(__text_start, __text_end, Access::ReadExecute, "kernel text");
    map_image_range(__rodata_start, __rodata_end, Access::Read, "kernel rodata");
    map_image_range(__data_start, arch::__kstacks_start, Access::ReadWrite, "kernel data/bss");
    for (usize i = 0; i < arch::kernel_stack_slots; ++i) {
        auto slot = static_cast<arch::KernelStack>(i);
        // The guard page below each stack stays unmapped.
        map_image_range(reinterpret_cast<u8*>(arch::stack_bottom(slot)), reinterpret_cast<u8*>(arch::stack_top(slot)),
            Access::ReadWrite, "kernel stack");
    }
    map_image_range(arch::__kstacks_end, __data_end, Access::ReadWrite, "kernel data tail");
    map_image_range(__ksymtab_start, __ksymtab_end, Access::Read, "kernel symbol table");

    // The physmap: usable RAM only (the kernel image and low memory are reserved in `map`, so
    // no second, writable alias of kernel text exists).
    for (const Region& r : map.regions()) {
        if (r.type == RegionType::Usable)
            map_or_panic(physmap_base + r.base, r.base, r.length, Access::ReadWrite, "physmap");
    }
    if (!g_page_table->check_invariants())
        panic("mm: the kernel page table violates its invariants (W^X or user/kernel split)");

    // Protection features before the switch, so they are on from the first instruction after it.
    arch::CpuidResult leaf7 = arch::cpuid(0).eax >= 7 ? arch::cpuid(7) : arch::CpuidResult {};
    g_protection.smep = leaf7.ebx & (1u << 7);
    g_protection.smap = leaf7.ebx & (1u << 20);
    g_protection.umip = leaf7.ecx & (1u << 2);
    g_protection.global_pages = arch::cpuid(1).edx & (1u << 13);
    u64 cr4 = arch::read_cr4();
    if (g_protection.smep)
        cr4 |= arch::cr4::smep;
    if (g_protection.smap)
        cr4 |= arch::cr4::smap;
    if (g_protection.umip)
        cr4 |= arch::cr4::umip;
    if (g_protection.global_pages)
        cr4 |= arch::cr4::pge;
    arch::write_cr0(arch::read_cr0() | arch::cr0::wp);
    arch::write_cr3(g_page_table->root_phys());
    arch::write_cr4(cr4);

    // Now the physmap covers all RAM: hand the frames above 4 GiB to the allocator.
    u64 high_bytes = 0;
    for (const Region& r : map.regions()) {
        if (r.type != RegionType::Usable || r.end() <= arch::boot_physmap_size)
            continue;
        u64 base = lib::max(r.base, arch::boot_physmap_size);
        g_frames.add_free_range(base, r.end() - base);
        high_bytes += r.end() - base;
    }
    log::info("mm: kernel page table at {:#x}: text RX, rodata R, data RW+NX, stack guards, physmap RW+NX; "
              "null page unmapped",
        g_page_table->root_phys());
    if (high_bytes)
        log::info("mm: added {} MiB above 4 GiB", high_bytes >> 20);
}

void init_heap()
{
    g_heap = new (g_heap_storage) Heap(g_page_source);
}

FrameAllocator& frames() { return g_frames; }
PageTable& kernel_page_table()
{
    VERIFY(g_page_table);
    return *g_page_table;
}
Heap& heap()
{
    VERIFY(g_heap);
    return *g_heap;
}
ProtectionFeatures protection_features() { return g_protection; }

lib::Result<u64, MapError> map_io(u64 phys, u64 size, Access access, Caching caching)
{
    VERIFY(g_page_table);
    if (size == 0)
        return MapError::BadSize;
    u64 first = lib::align_down(phys, page_size);
    u64 last = 0;
    if (__builtin_add_overflow(phys, size, &last) || !lib::align_up(last, page_size, last))
        return MapError::BadSize;
    u64 length = last - first;
    // Large, 2 MiB-aligned ranges (ECAM) get a 2 MiB-aligned address so they can use large pages.
    constexpr u64 large = 2ull << 20;
    if (length >= large && lib::is_aligned(first, large)) {
        u64 aligned = 0;
        if (!lib::align_up(g_mmio_cursor, large, aligned))
            return MapError::BadSize;
        g_mmio_cursor = aligned;
    }
    if (g_mmio_cursor > arch::mmio_window_size)
        return MapError::BadSize;
    // Keep an unmapped page after each mapping so an overrun faults.
    if (length + page_size > arch::mmio_window_size - g_mmio_cursor)
        return MapError::BadSize;
    u64 virt = arch::mmio_window_base + g_mmio_cursor;
    TRY(g_page_table->map(virt, first, length, access, Privilege::Kernel, caching));
    g_mmio_cursor += length + page_size;
    return virt + (phys - first);
}

} // namespace kernel::mm

// C++ allocation in the kernel goes to the kernel heap. Allocation failure is a panic: the
// kernel never allocates on a path where running out is a normal outcome.
void* operator new(size_t size)
{
    void* p = kernel::mm::heap().allocate(size);
    if (!p)
        kernel::panic("heap: out of memory allocating {} bytes", size);
    return p;
}
void* operator new[](size_t size) { return operator new(size); }
void operator delete(void* p) noexcept { kernel::mm::heap().free(p); }
void operator delete[](void* p) noexcept { kernel::mm::heap().free(p); }
void operator delete(void* p, size_t) noexcept { kernel::mm::heap().free(p); }
void operator delete[](void* p, size_t) noexcept { kernel::mm::heap().free(p); }
