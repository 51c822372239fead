// Harnesses for net/wire/icmp.{h,cpp} against spec/net/wire/icmp.smt2 (RFC 792, RFC 1191).
#include "proofs/harness.h"

#include "net/wire/checksum.h"
#include "net/wire/icmp.h"
#include "proofs/net/wire/words.h"

using namespace net::wire;
using proofs::be_word;

BW_SPEC(bool, icmp_view_valid, u64 size);
BW_SPEC(bool, icmp_view_span_ok, u64 size, u64 bytes_offset, u64 bytes_len, u64 payload_offset, u64 payload_len);
BW_SPEC(bool, icmp_parse_valid, u32 w0, u8 verifies);
BW_SPEC(bool, icmp_repr_ok, u32 w0, u32 w1, u64 size, u8 type, u8 code, u16 identifier, u16 sequence,
        u16 next_hop_mtu, u64 payload_offset, u64 payload_len);

namespace {
// The largest buffer the parser is handed: an IPv4 payload, at most 65535 - 20 octets. The view
// harness covers every size up to it; checked() reads no octet.
constexpr usize message_max = 0xffff - 20;
u8 g_message[message_max];
// Bound: parse() always sums the whole message for its checksum, and the solver must find messages
// whose checksum verifies: 8 octets take 2 s, 12 octets 16 s, 16 octets 50 s (each mutant run
// again). The parse harness covers messages of at most 12 octets (4 of payload), in buffers of
// the same size.
constexpr usize parse_max = 12;
} // namespace

// IcmpView::checked accepts exactly the messages holding the 8-octet header; the view is the
// whole message and the payload what follows the header.
extern "C" void harness_icmp_view_checked()
{
    bw_nondet_bytes(g_message, icmp::header_len);
    u64 size = bw_nondet_u64();
    bw_assume(size <= message_max);
    auto view = IcmpView::checked(lib::ReadonlyBytes(g_message, size));
    bw_assert(view.is_ok() == spec_icmp_view_valid(size), "icmp_view_valid");
    if (!view.is_ok())
        return;
    lib::ReadonlyBytes bytes = view.value().bytes(), payload = view.value().payload();
    bw_assert(spec_icmp_view_span_ok(size, u64(bytes.data() - g_message), bytes.size(), u64(payload.data() - g_message),
                                     payload.size()),
              "icmp_view_span_ok");
}

// IcmpRepr::parse of every checked message up to parse_max octets: accepted exactly when the
// checksum over the whole message (computed here from the buffer, not the view) verifies and the
// type is handled, with the message's fields.
extern "C" void harness_icmp_repr_parse()
{
    bw_nondet_bytes(g_message, parse_max);
    u64 size = bw_nondet_u64();
    bw_assume(size <= parse_max);
    auto view = IcmpView::checked(lib::ReadonlyBytes(g_message, size));
    if (!view.is_ok())
        return;
    u32 w0 = be_word(g_message), w1 = be_word(g_message + 4);
    u8 verifies = checksum::verifies(lib::ReadonlyBytes(g_message, size)) ? 1 : 0;
    auto repr = IcmpRepr::parse(view.value());
    bw_assert(repr.is_ok() == spec_icmp_parse_valid(w0, verifies), "icmp_parse_valid");
    if (!repr.is_ok())
        return;
    const IcmpRepr& r = repr.value();
    bw_assert(spec_icmp_repr_ok(w0, w1, size, u8(r.type), r.code, r.identifier, r.sequence, r.next_hop_mtu,
                                u64(r.payload.data() - g_message), r.payload.size()),
              "icmp_repr_ok");
}
