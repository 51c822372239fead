# net/wire: TCP (header, options, sequence arithmetic) and DHCP client messages.
list(APPEND BULWARK_NET_SOURCES net/wire/tcp.cpp net/wire/dhcp.cpp)
bulwark_unit_test(wire_tcp_test SOURCES
  net/wire/checksum.cpp net/wire/tcp.cpp net/wire/dhcp.cpp net/wire/tcp_test.cpp net/wire/dhcp_test.cpp)
