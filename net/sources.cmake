# net/: the TCP/IP stack. Depends only on lib/. Built into the kernel and into host unit tests.
set(BULWARK_NET_SOURCES "")
include(net/wire/checksum_ip.cmake)
include(net/wire/tcp_dhcp.cmake)
include(net/iface/iface.cmake OPTIONAL)
include(net/tcp/tcp.cmake OPTIONAL)
