# lib/: freestanding support, built once for the host and once (in kernel.cmake) for the kernel.
set(BULWARK_LIB_SOURCES
  lib/format.cpp
)

add_library(bulwark_lib_host STATIC ${BULWARK_LIB_SOURCES} lib/host/verify_host.cpp)
target_link_libraries(bulwark_lib_host PUBLIC bulwark_host_flags)

bulwark_unit_test(lib_test SOURCES
  lib/format_test.cpp
  lib/result_test.cpp
  lib/span_test.cpp
)
