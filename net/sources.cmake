# net/: the TCP/IP stack. Depends only on lib/. Built into the kernel and into host unit tests.
set(BULWARK_NET_SOURCES "")
include(net/wire/checksum_ip.cmake)
include(net/wire/tcp_dhcp.cmake)
include(net/iface/iface.cmake OPTIONAL RESULT_VARIABLE BULWARK_HAVE_IFACE)
include(net/tcp/tcp.cmake OPTIONAL RESULT_VARIABLE BULWARK_HAVE_TCP)
include(net/socket/socket.cmake OPTIONAL)

# The same sources as a host library, for host programs (net/host) and tests.
add_library(bulwark_net_host STATIC ${BULWARK_NET_SOURCES})
target_link_libraries(bulwark_net_host PUBLIC bulwark_lib_host)
if(BULWARK_HAVE_IFACE AND BULWARK_HAVE_TCP)
  include(net/host/host.cmake)
endif()
