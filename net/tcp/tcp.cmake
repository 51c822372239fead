# net/tcp: the TCP layer (RFC 9293 state machine, RFC 6298 RTO, RFC 5681/6582 congestion control,
# RFC 7323 options, RFC 5961 hardening, RFC 6528 ISNs, SYN cookies).
set(BULWARK_TCP_SOURCES
  net/tcp/siphash.cpp net/tcp/isn.cpp net/tcp/ring_buffer.cpp net/tcp/rtt.cpp net/tcp/congestion.cpp
  net/tcp/acceptance.cpp net/tcp/connection.cpp net/tcp/connection_calls.cpp net/tcp/connection_states.cpp net/tcp/listener.cpp net/tcp/stack.cpp
  net/tcp/stack_calls.cpp)
list(APPEND BULWARK_NET_SOURCES ${BULWARK_TCP_SOURCES})
bulwark_unit_test(tcp_test SOURCES
  ${BULWARK_TCP_SOURCES} net/wire/checksum.cpp net/wire/tcp.cpp
  net/tcp/testing/sim_link.cpp
  net/tcp/pieces_test.cpp net/tcp/scenario_test.cpp net/tcp/listen_test.cpp net/tcp/transfer_test.cpp
  net/tcp/model_test.cpp)
