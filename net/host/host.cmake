# net/host: the stack on a Linux TAP device (bulwark-netd), for tests against the real Linux stack.
# The netd sources, also built without sanitizers by bench/sources.cmake.
set(BULWARK_NETD_SOURCES net/host/netd.cpp net/host/tap.cpp net/host/impair.cpp net/host/http.cpp)
add_executable(bulwark-netd ${BULWARK_NETD_SOURCES})
target_link_libraries(bulwark-netd PRIVATE bulwark_net_host bulwark_host_flags)
set_target_properties(bulwark-netd PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/net)
# bulwark-linkd: a user-space (optionally lossy) wire between two TAP devices, e.g. the Linux side
# and QEMU's TAP in tests/net/qemu_netns_test.py, where the kernel lacks `tc netem`.
add_executable(bulwark-linkd net/host/linkd.cpp net/host/tap.cpp net/host/impair.cpp)
target_link_libraries(bulwark-linkd PRIVATE bulwark_net_host bulwark_host_flags)
set_target_properties(bulwark-linkd PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/net)
