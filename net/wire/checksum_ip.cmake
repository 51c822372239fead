# net/wire: checksum, Ethernet, ARP, IPv4, ICMPv4, UDP (checked views, reprs, emitters).
list(APPEND BULWARK_NET_SOURCES
  net/wire/checksum.cpp net/wire/ethernet.cpp net/wire/arp.cpp net/wire/ipv4.cpp net/wire/icmp.cpp net/wire/udp.cpp)
bulwark_unit_test(wire_ip_test SOURCES
  net/wire/checksum.cpp net/wire/ethernet.cpp net/wire/arp.cpp net/wire/ipv4.cpp net/wire/icmp.cpp net/wire/udp.cpp
  net/wire/checksum_test.cpp net/wire/ethernet_test.cpp net/wire/arp_test.cpp net/wire/ipv4_test.cpp
  net/wire/icmp_test.cpp net/wire/udp_test.cpp)
