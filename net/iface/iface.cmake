# net/iface: the interface (Ethernet, ARP, IPv4 routing, ICMP, UDP sockets, TCP hand-off, DHCP).
list(APPEND BULWARK_NET_SOURCES
  net/iface/counters.cpp net/iface/routes.cpp net/iface/arp_cache.cpp net/iface/udp_sockets.cpp
  net/iface/dhcp_client.cpp net/iface/interface.cpp net/iface/interface_transport.cpp)
bulwark_unit_test(iface_test SOURCES
  net/iface/counters.cpp net/iface/routes.cpp net/iface/arp_cache.cpp net/iface/udp_sockets.cpp
  net/iface/dhcp_client.cpp net/iface/interface.cpp net/iface/interface_transport.cpp
  net/wire/checksum.cpp net/wire/ethernet.cpp net/wire/arp.cpp net/wire/ipv4.cpp net/wire/icmp.cpp
  net/wire/udp.cpp net/wire/tcp.cpp net/wire/dhcp.cpp
  net/iface/arp_cache_test.cpp net/iface/interface_test.cpp net/iface/robustness_test.cpp
  net/iface/dhcp_client_test.cpp net/iface/udp_sockets_test.cpp)
