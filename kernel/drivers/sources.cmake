# kernel/drivers: serial console, ACPI (just enough), PCI, virtio-mmio identification, RTC, power.
list(APPEND BULWARK_KERNEL_SOURCES
  kernel/drivers/serial/uart16550.cpp
  kernel/drivers/pci/pci.cpp
  kernel/drivers/virtio/mmio_probe.cpp
  kernel/drivers/virtio/virtqueue.cpp
  kernel/drivers/virtio/transport.cpp
  kernel/drivers/virtio/mmio.cpp
  kernel/drivers/virtio/pci.cpp
  kernel/drivers/virtio/net.cpp
  kernel/drivers/virtio/rng.cpp
  kernel/drivers/rtc/cmos.cpp
  kernel/drivers/power.cpp
)
include(kernel/drivers/acpi/sources.cmake)
bulwark_unit_test(rtc_test SOURCES kernel/drivers/rtc/calendar_test.cpp)
bulwark_unit_test(virtqueue_test SOURCES kernel/drivers/virtio/virtqueue.cpp kernel/drivers/virtio/virtqueue_test.cpp)
