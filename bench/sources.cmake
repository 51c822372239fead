# bench/: programs for the benchmarks (./bulwark bench). Include after net/sources.cmake.
# Built at -O2 WITHOUT the host flags' ASan+UBSan, so a benchmark measures the code, not the
# sanitizers; VERIFY stays on (lib/host/verify_host.cpp), as in the kernel.
set(BULWARK_BENCH_CXX_FLAGS -O2 -g -fno-omit-frame-pointer -Wall -Wextra -Werror -Wno-unused-parameter)

# The Linux-stack side of bench/net.py: netd's HTTP responder on Linux sockets (epoll, one thread).
add_executable(bench-linux-http bench/linux_http_server.cpp net/host/http.cpp)
target_compile_options(bench-linux-http PRIVATE ${BULWARK_BENCH_CXX_FLAGS})
target_include_directories(bench-linux-http PRIVATE ${PROJECT_SOURCE_DIR})
set_target_properties(bench-linux-http PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)

# bulwark-netd from the same sources as net/host/host.cmake's target (BULWARK_NETD_SOURCES, the
# net stack, lib), without sanitizers: the Bulwark side of bench/net.py.
if(BULWARK_HAVE_IFACE AND BULWARK_HAVE_TCP)
  add_executable(bulwark-netd-release ${BULWARK_NETD_SOURCES} ${BULWARK_NET_SOURCES}
    lib/format.cpp lib/host/verify_host.cpp)
  target_compile_options(bulwark-netd-release PRIVATE ${BULWARK_BENCH_CXX_FLAGS})
  target_include_directories(bulwark-netd-release PRIVATE ${PROJECT_SOURCE_DIR})
  set_target_properties(bulwark-netd-release PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/net)
endif()
