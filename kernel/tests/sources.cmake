# kernel/tests: self-tests run inside the booted kernel (test= on the command line).
list(APPEND BULWARK_KERNEL_SOURCES kernel/tests/selftest.cpp)
