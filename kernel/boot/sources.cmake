# kernel/boot: the boot sequence, PVH start_info, the command line, platform bring-up.
list(APPEND BULWARK_KERNEL_SOURCES
  kernel/boot/main.cpp
  kernel/boot/devices.cpp
  kernel/boot/start_info.cpp
)
include(kernel/boot/cmdline.cmake)
bulwark_unit_test(boot_test SOURCES
  kernel/boot/start_info.cpp
  kernel/mm/memory_map.cpp
  kernel/boot/start_info_test.cpp
)
