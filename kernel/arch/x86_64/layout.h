// The kernel's virtual address layout (upper half only; the lower half belongs to the program).
//   0xffff800000000000  physmap: all usable RAM, RW+NX (the kernel image's own frames excluded)
//   0xffffc00000000000  MMIO/firmware window: device registers and ACPI tables, mapped on demand
//   0xffffffff80000000  kernel image (linked here, loaded at kernel_phys_base)
#pragma once

#include "lib/types.h"

namespace kernel::arch {

inline constexpr u64 kernel_virt_base = 0xffffffff80000000ull;
inline constexpr u64 kernel_phys_base = 0x200000ull;
inline constexpr u64 physmap_base = 0xffff800000000000ull;
// The boot page tables map this much RAM into the physmap (2 MiB pages); the final tables map all.
inline constexpr u64 boot_physmap_size = 4ull << 30;
inline constexpr u64 mmio_window_base = 0xffffc00000000000ull;
inline constexpr u64 mmio_window_size = 64ull << 30;
inline constexpr u64 user_limit = 0x0000800000000000ull;

inline void* phys_to_virt(u64 phys) { return reinterpret_cast<void*>(physmap_base + phys); }
template<typename T> T* phys_to_ptr(u64 phys) { return reinterpret_cast<T*>(physmap_base + phys); }

} // namespace kernel::arch
