// The hook between the interface and a TCP implementation (RFC 9293). The interface parses and
// validates the IPv4 and TCP headers, then hands each segment addressed to one of our unicast
// addresses to the handler; the handler sends through Interface::send_tcp().
//
// Adapting net/tcp: a small class deriving from TcpHandler that forwards on_segment/poll/
// next_deadline to the TCP stack, and gives the stack a "send segment" callback that calls
// Interface::send_tcp(). Set it with Interface::set_tcp_handler(). Without a handler the interface
// answers every segment with a RST (RFC 9293 §3.10.7.1, "CLOSED" state).
#pragma once

#include "lib/span.h"
#include "net/time.h"
#include "net/wire/address.h"
#include "net/wire/tcp.h"

namespace net::iface {

class TcpHandler {
public:
    // One segment that passed TcpRepr::parse (checksum, ports, flags, options) for `dst`, which
    // is the interface's own unicast address. `payload` has exactly segment.payload_len bytes and
    // is only valid during the call.
    virtual void on_segment(wire::Ipv4Address src, wire::Ipv4Address dst, const wire::TcpRepr& segment,
        lib::ReadonlyBytes payload, Instant now)
        = 0;
    // Runs the handler's timers; called from Interface::poll().
    virtual void poll(Instant now) = 0;
    // The earliest instant poll() has work to do, or Instant::never().
    virtual Instant next_deadline() const = 0;

protected:
    ~TcpHandler() = default;
};

} // namespace net::iface
