# kernel/: each folder appends its sources to BULWARK_KERNEL_SOURCES and declares its host unit
# tests (for the pure units that also build for the host).
set(BULWARK_KERNEL_SOURCES "")
include(kernel/arch/x86_64/sources.cmake)
include(kernel/lib/sources.cmake)
include(kernel/boot/sources.cmake)
include(kernel/mm/sources.cmake)
include(kernel/loader/sources.cmake)
include(kernel/fs/sources.cmake)
list(APPEND BULWARK_KERNEL_SOURCES kernel/mm/kernel_space.cpp)
include(kernel/drivers/sources.cmake)
include(kernel/net/sources.cmake)
include(kernel/tests/sources.cmake)
bulwark_kernel_image()
