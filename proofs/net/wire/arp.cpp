// Harnesses for net/wire/arp.{h,cpp} against spec/net/wire/arp.smt2 (RFC 826).
#include "proofs/harness.h"

#include "net/wire/arp.h"
#include "proofs/net/wire/words.h"

using namespace net::wire;
using proofs::be_word;
using proofs::mac48;

BW_SPEC(bool, arp_view_valid, u64 size, u32 w1);
BW_SPEC(bool, arp_view_span_ok, u64 offset, u64 len);
BW_SPEC(bool, arp_parse_valid, u32 w0, u32 w1, u32 w2, u32 w3, u32 w4);
BW_SPEC(bool, arp_repr_ok, u32 w1, u32 w2, u32 w3, u32 w4, u32 w5, u32 w6, u16 op, u64 sha, u32 spa, u64 tha,
        u32 tpa);

namespace {
// The largest buffer the parser is handed: the payload of a 1514-byte Ethernet frame (the
// interface drops longer frames first). Every size 0..1500 is covered. Only the 28 packet octets
// are read (memory-safety would flag any other read), so they alone are nondeterministic.
constexpr usize packet_max = 1500;
u8 g_packet[packet_max];
} // namespace

// ArpView::checked accepts exactly the buffers holding an Ethernet/IPv4 ARP packet, and the view
// is that packet's 28 octets (the rest is padding).
extern "C" void harness_arp_view_checked()
{
    bw_nondet_bytes(g_packet, arp::packet_len);
    u64 size = bw_nondet_u64();
    bw_assume(size <= packet_max);
    auto view = ArpView::checked(lib::ReadonlyBytes(g_packet, size));
    bw_assert(view.is_ok() == spec_arp_view_valid(size, be_word(g_packet + 4)), "arp_view_valid");
    if (view.is_ok()) {
        lib::ReadonlyBytes bytes = view.value().bytes();
        bw_assert(spec_arp_view_span_ok(u64(bytes.data() - g_packet), bytes.size()), "arp_view_span_ok");
    }
}

// ArpRepr::parse accepts exactly the requests and replies for Ethernet/IPv4 with a usable sender,
// and returns the packet's fields.
extern "C" void harness_arp_repr_parse()
{
    bw_nondet_bytes(g_packet, arp::packet_len);
    u64 size = bw_nondet_u64();
    bw_assume(size <= packet_max);
    auto view = ArpView::checked(lib::ReadonlyBytes(g_packet, size));
    if (!view.is_ok())
        return;
    u32 w[7];
    for (usize i = 0; i < 7; ++i)
        w[i] = be_word(g_packet + 4 * i);
    auto repr = ArpRepr::parse(view.value());
    bw_assert(repr.is_ok() == spec_arp_parse_valid(w[0], w[1], w[2], w[3], w[4]), "arp_parse_valid");
    if (!repr.is_ok())
        return;
    const ArpRepr& r = repr.value();
    bw_assert(spec_arp_repr_ok(w[1], w[2], w[3], w[4], w[5], w[6], u16(r.operation), mac48(r.sender_hardware),
                               r.sender_protocol.value, mac48(r.target_hardware), r.target_protocol.value),
              "arp_repr_ok");
}
