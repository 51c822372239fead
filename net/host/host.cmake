# net/host: the stack on a Linux TAP device (bulwark-netd), for tests against the real Linux stack.
add_executable(bulwark-netd net/host/netd.cpp net/host/tap.cpp net/host/impair.cpp net/host/http.cpp)
target_link_libraries(bulwark-netd PRIVATE bulwark_net_host bulwark_host_flags)
set_target_properties(bulwark-netd PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/net)
