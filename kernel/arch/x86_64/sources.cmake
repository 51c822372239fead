# kernel/arch/x86_64: PVH entry, long mode, GDT/TSS/IDT, traps, APICs, clock, CPU entropy.
list(APPEND BULWARK_KERNEL_SOURCES
  kernel/arch/x86_64/boot.S
  kernel/arch/x86_64/traps.S
  kernel/arch/x86_64/gdt.cpp
  kernel/arch/x86_64/traps.cpp
  kernel/arch/x86_64/lapic.cpp
  kernel/arch/x86_64/ioapic.cpp
  kernel/arch/x86_64/pic.cpp
  kernel/arch/x86_64/clock.cpp
  kernel/arch/x86_64/entropy.cpp
)
