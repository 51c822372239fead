list(APPEND BULWARK_KERNEL_SOURCES kernel/net/service.cpp)
