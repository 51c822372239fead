// I/O APIC (82093AA datasheet; Intel ICH/PCH docs): every redirection entry starts masked; drivers
// route the GSIs they use to vectors ioapic_base + gsi.
#pragma once

#include "lib/types.h"

namespace kernel::arch::ioapic {

// Precondition: `mmio` maps the I/O APIC's register window uncached.
void init(u64 mmio, u32 gsi_base);
u32 id();
u32 version();
u32 redirection_entries();

enum class Trigger : u8 { Edge, Level };
enum class Polarity : u8 { High, Low };
// Routes `gsi` to LAPIC 0 at `vector`, unmasked. Returns false if the GSI is not on this IOAPIC.
bool route(u32 gsi, u8 vector, Trigger, Polarity);

} // namespace kernel::arch::ioapic
