// Harnesses for net/wire/udp.{h,cpp} against spec/net/wire/udp.smt2 (RFC 768).
#include "proofs/harness.h"

#include "net/wire/checksum.h"
#include "net/wire/udp.h"
#include "proofs/net/wire/words.h"

using namespace net::wire;
using proofs::be_word;

BW_SPEC(bool, udp_view_valid, u64 size, u32 w1);
BW_SPEC(bool, udp_view_span_ok, u32 w1, u64 bytes_offset, u64 bytes_len, u64 payload_offset, u64 payload_len);
BW_SPEC(bool, udp_parse_valid, u32 w0, u32 w1, u8 verifies);
BW_SPEC(bool, udp_repr_ok, u32 w0, u32 w1, u16 src_port, u16 dst_port, u64 payload_offset, u64 payload_len);

namespace {
// The largest buffer the parser is handed: an IPv4 payload, at most 65535 - 20 octets. Every size
// up to it is covered by the view harness and the no-checksum parse harness; only the 8 header
// octets are read there (memory-safety would flag any other read), so they alone are
// nondeterministic.
constexpr usize datagram_max = 0xffff - 20;
u8 g_datagram[datagram_max];
// Bound: with a nonzero checksum field parse() sums the whole datagram, and the solver must find
// datagrams whose checksum verifies for every symbolic address pair: 8 octets (a datagram without
// payload) take 16 s, 10 octets 64 s, 12 octets time out. So the checksum harness covers datagrams
// of 8 octets.
constexpr usize checksummed_max = 8;
} // namespace

// UdpView::checked accepts exactly the buffers whose length field is >= 8 and fits, and the view
// is the first `length` octets.
extern "C" void harness_udp_view_checked()
{
    bw_nondet_bytes(g_datagram, udp::header_len);
    u64 size = bw_nondet_u64();
    bw_assume(size <= datagram_max);
    auto view = UdpView::checked(lib::ReadonlyBytes(g_datagram, size));
    u32 w1 = be_word(g_datagram + 4);
    bw_assert(view.is_ok() == spec_udp_view_valid(size, w1), "udp_view_valid");
    if (!view.is_ok())
        return;
    lib::ReadonlyBytes bytes = view.value().bytes(), payload = view.value().payload();
    bw_assert(spec_udp_view_span_ok(w1, u64(bytes.data() - g_datagram), bytes.size(), u64(payload.data() - g_datagram),
                                    payload.size()),
              "udp_view_span_ok");
}

// UdpRepr::parse of a checked datagram from `src` to `dst`: accepted exactly when the spec says so,
// with the header's ports and the payload after the header. `verifies` is the checksum test the
// spec names (udp_checksum_ok).
static void check_parse(u64 size, u32 src, u32 dst, u8 verifies)
{
    auto view = UdpView::checked(lib::ReadonlyBytes(g_datagram, size));
    if (!view.is_ok())
        return;
    u32 w0 = be_word(g_datagram), w1 = be_word(g_datagram + 4);
    auto repr = UdpRepr::parse(view.value(), Ipv4Address { src }, Ipv4Address { dst });
    bw_assert(repr.is_ok() == spec_udp_parse_valid(w0, w1, verifies), "udp_parse_valid");
    if (!repr.is_ok())
        return;
    const UdpRepr& r = repr.value();
    bw_assert(spec_udp_repr_ok(w0, w1, r.src_port, r.dst_port, u64(r.payload.data() - g_datagram), r.payload.size()),
              "udp_repr_ok");
}

// Datagrams without a checksum (field 0), every size and address pair: the spec does not consult
// `verifies`, so any value is passed for it.
extern "C" void harness_udp_repr_parse()
{
    bw_nondet_bytes(g_datagram, udp::header_len);
    bw_assume(g_datagram[6] == 0 && g_datagram[7] == 0);
    u64 size = bw_nondet_u64();
    bw_assume(size <= datagram_max);
    u32 src = bw_nondet_u32(), dst = bw_nondet_u32();
    check_parse(size, src, dst, bw_nondet_u8());
}

// Datagrams with a checksum, of checksummed_max octets in buffers up to the same size, every
// address pair: `verifies` over the octets RFC 768 names, the datagram's `length` octets (read
// from the buffer here, not from the view) and the pseudo header.
extern "C" void harness_udp_repr_parse_checksum()
{
    bw_nondet_bytes(g_datagram, checksummed_max);
    bw_assume(g_datagram[6] != 0 || g_datagram[7] != 0);
    u64 size = bw_nondet_u64();
    bw_assume(size <= checksummed_max);
    u32 src = bw_nondet_u32(), dst = bw_nondet_u32();
    u16 length = u16((g_datagram[4] << 8) | g_datagram[5]);
    if (length > size)
        return; // Not a checked datagram (the view harness covers it); nothing to sum.
    u32 pseudo = checksum::pseudo_header({ src }, { dst }, 17, length); // Protocol 17: RFC 768.
    bool verifies = checksum::verifies(lib::ReadonlyBytes(g_datagram, length), pseudo);
    check_parse(size, src, dst, verifies ? 1 : 0);
}
