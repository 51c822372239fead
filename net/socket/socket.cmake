# net/socket: the non-blocking socket layer (streams over net/tcp, datagrams over net/iface's UDP
# table) with epoll readiness bits and a change queue; what sys/ maps the socket calls and epoll on.
set(BULWARK_SOCKET_SOURCES net/socket/socket_error.cpp net/socket/sockets.cpp net/socket/stream.cpp net/socket/datagram.cpp)
list(APPEND BULWARK_NET_SOURCES ${BULWARK_SOCKET_SOURCES})
bulwark_unit_test(socket_test SOURCES
  ${BULWARK_SOCKET_SOURCES}
  net/wire/checksum.cpp net/wire/ethernet.cpp net/wire/arp.cpp net/wire/ipv4.cpp net/wire/icmp.cpp
  net/wire/udp.cpp net/wire/tcp.cpp net/wire/dhcp.cpp
  net/iface/counters.cpp net/iface/routes.cpp net/iface/arp_cache.cpp net/iface/udp_sockets.cpp
  net/iface/dhcp_client.cpp net/iface/interface.cpp net/iface/interface_transport.cpp
  ${BULWARK_TCP_SOURCES}
  net/socket/socket_error_test.cpp net/socket/stream_test.cpp net/socket/datagram_test.cpp
  net/socket/property_test.cpp)
