// The kernel's memory at run time: the frame allocator over the machine's RAM, the kernel page
// table (W^X image, physmap, guarded stacks, MMIO window) and the kernel heap. This is the glue
// between the pure units in this folder and the hardware (CR3, CR4, TLB).
#pragma once

#include "kernel/mm/frame_allocator.h"
#include "kernel/mm/heap.h"
#include "kernel/mm/memory_map.h"
#include "kernel/mm/page_table.h"

namespace kernel::mm {

struct ImageRange {
    u64 phys_start;
    u64 phys_end;
};
// Physical extent of the loaded kernel image, boot sections included (from linker.ld).
ImageRange kernel_image();

// Step 1 (boot page tables active): frame allocator over `map`'s usable RAM below 4 GiB.
void init_frames(const MemoryMap& map);
// Step 2: builds the final kernel page table, switches CR3, turns on SMEP/SMAP/UMIP where the
// CPU has them, then hands RAM above 4 GiB to the frame allocator.
void init_address_space(const MemoryMap& map);
// Step 3: the kernel heap (operator new/delete).
void init_heap();

FrameAllocator& frames();
PageTable& kernel_page_table();
Heap& heap();

struct ProtectionFeatures {
    bool smep;
    bool smap;
    bool umip;
    bool global_pages;
};
ProtectionFeatures protection_features();

// Maps [phys, phys + size) into the MMIO window (with an unmapped guard page after it) and
// returns the virtual address corresponding to `phys`. Device registers use Caching::Uncached;
// firmware tables Access::Read with Caching::WriteBack.
// Fails with: MapError from the page table (OutOfMemory, BadSize for size 0 / window full).
lib::Result<u64, MapError> map_io(u64 phys, u64 size, Access, Caching);

} // namespace kernel::mm
