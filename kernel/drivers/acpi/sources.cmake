# ACPI table discovery and parsing: a pure unit (physical memory comes through an interface),
# built into the kernel and unit-tested on the host.
list(APPEND BULWARK_KERNEL_SOURCES
  kernel/drivers/acpi/tables.cpp kernel/drivers/acpi/madt.cpp kernel/drivers/acpi/fadt.cpp
  kernel/drivers/acpi/aml.cpp kernel/drivers/acpi/mcfg.cpp)
bulwark_unit_test(acpi_test SOURCES
  kernel/drivers/acpi/tables.cpp kernel/drivers/acpi/madt.cpp kernel/drivers/acpi/fadt.cpp
  kernel/drivers/acpi/aml.cpp kernel/drivers/acpi/mcfg.cpp
  kernel/drivers/acpi/tables_test.cpp)
