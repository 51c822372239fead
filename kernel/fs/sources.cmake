# kernel/fs: the image filesystem. cpio newc (the initrd format) is a pure unit, verified
# (cmake/kernel.cmake BULWARK_VERIFIED_SOURCES), built into the kernel and unit-tested on the host.
list(APPEND BULWARK_KERNEL_SOURCES kernel/fs/cpio.cpp)
bulwark_unit_test(cpio_test SOURCES kernel/fs/cpio.cpp kernel/fs/cpio_test.cpp)
