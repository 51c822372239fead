// GDT and TSS (Intel SDM vol. 3A §3.4.5, §7.7): flat 64-bit segments for ring 0 and ring 3, and a
// TSS whose IST slots give #DF, NMI and #MC their own guarded stacks.
#pragma once

#include "lib/types.h"

namespace kernel::arch {

namespace selector {
inline constexpr u16 kernel_code = 0x08;
inline constexpr u16 kernel_data = 0x10;
inline constexpr u16 user_data = 0x18 | 3;
inline constexpr u16 user_code = 0x20 | 3;
inline constexpr u16 tss = 0x28;
} // namespace selector

// IST indices as used in IDT gates (1-based; 0 means "no IST").
enum class Ist : u8 { None = 0, DoubleFault = 1, Nmi = 2, MachineCheck = 3 };

void init_gdt();

} // namespace kernel::arch
