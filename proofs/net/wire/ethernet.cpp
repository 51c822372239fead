// Harnesses for net/wire/ethernet.{h,cpp} against spec/net/wire/ethernet.smt2 (RFC 894, IEEE 802.3).
#include "proofs/harness.h"

#include "net/wire/ethernet.h"
#include "proofs/net/wire/words.h"

using namespace net::wire;
using proofs::be_word;
using proofs::mac48;

BW_SPEC(bool, ethernet_frame_valid, u64 size);
BW_SPEC(bool, ethernet_view_span_ok, u64 size, u64 bytes_offset, u64 bytes_len, u64 payload_offset, u64 payload_len);
BW_SPEC(bool, ethernet_parse_valid, u32 w1, u32 w2);
BW_SPEC(bool, ethernet_repr_ok, u32 w0, u32 w1, u32 w2, u32 w3, u64 dst, u64 src, u16 type);

namespace {
// The largest frame the parser is handed: Interface::receive drops anything over
// iface::max_frame_len (1514 = 1500-byte MTU + 14-byte header, no FCS) first. Every size 0..1514 is
// covered. Only the 14 header octets are read (the memory-safety row would flag any other read),
// so they alone are nondeterministic; octets 14 and 15 complete the word w3 and are zero.
constexpr usize frame_max = 1514;
u8 g_frame[frame_max];
} // namespace

// EthernetView::checked accepts exactly the frames holding a whole header; the view is the whole
// frame and its payload everything after the header.
extern "C" void harness_ethernet_view_checked()
{
    bw_nondet_bytes(g_frame, ethernet::header_len);
    u64 size = bw_nondet_u64();
    bw_assume(size <= frame_max);
    auto view = EthernetView::checked(lib::ReadonlyBytes(g_frame, size));
    bw_assert(view.is_ok() == spec_ethernet_frame_valid(size), "ethernet_frame_valid");
    if (!view.is_ok())
        return;
    lib::ReadonlyBytes bytes = view.value().bytes(), payload = view.value().payload();
    bw_assert(spec_ethernet_view_span_ok(size, u64(bytes.data() - g_frame), bytes.size(), u64(payload.data() - g_frame),
                                         payload.size()),
              "ethernet_view_span_ok");
}

// EthernetRepr::parse refuses exactly the group source addresses, and returns the header's fields.
extern "C" void harness_ethernet_repr_parse()
{
    bw_nondet_bytes(g_frame, ethernet::header_len);
    u64 size = bw_nondet_u64();
    bw_assume(size <= frame_max);
    auto view = EthernetView::checked(lib::ReadonlyBytes(g_frame, size));
    if (!view.is_ok())
        return;
    u32 w0 = be_word(g_frame), w1 = be_word(g_frame + 4), w2 = be_word(g_frame + 8), w3 = be_word(g_frame + 12);
    auto repr = EthernetRepr::parse(view.value());
    bw_assert(repr.is_ok() == spec_ethernet_parse_valid(w1, w2), "ethernet_parse_valid");
    if (!repr.is_ok())
        return;
    const EthernetRepr& r = repr.value();
    bw_assert(spec_ethernet_repr_ok(w0, w1, w2, w3, mac48(r.dst), mac48(r.src), u16(r.ethertype)), "ethernet_repr_ok");
}
