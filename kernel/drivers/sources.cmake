# kernel/drivers: serial console, ACPI (just enough), PCI, virtio-mmio identification, RTC, power.
list(APPEND BULWARK_KERNEL_SOURCES
  kernel/drivers/serial/uart16550.cpp
  kernel/drivers/pci/pci.cpp
  kernel/drivers/virtio/mmio_probe.cpp
  kernel/drivers/rtc/cmos.cpp
  kernel/drivers/power.cpp
)
include(kernel/drivers/acpi/sources.cmake)
bulwark_unit_test(rtc_test SOURCES kernel/drivers/rtc/calendar_test.cpp)
