list(APPEND BULWARK_KERNEL_SOURCES kernel/net/service.cpp kernel/net/http.cpp)
bulwark_unit_test(kernel_http_test SOURCES kernel/net/http.cpp kernel/net/http_test.cpp)
