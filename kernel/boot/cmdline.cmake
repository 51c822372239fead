# Kernel command line parser: a pure unit, built into the kernel and unit-tested on the host.
list(APPEND BULWARK_KERNEL_SOURCES kernel/boot/cmdline.cpp)
bulwark_unit_test(cmdline_test SOURCES kernel/boot/cmdline.cpp kernel/boot/cmdline_test.cpp)
