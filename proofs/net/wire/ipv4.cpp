// Harnesses for net/wire/ipv4.{h,cpp} against spec/net/wire/ipv4.smt2 (RFC 791 §3.1, RFC 1122 §3.2.1).
#include "proofs/harness.h"

#include "net/wire/checksum.h"
#include "net/wire/ipv4.h"
#include "proofs/net/wire/words.h"

using namespace net::wire;
using proofs::be_word;

BW_SPEC(bool, ipv4_view_valid, u64 size, u32 w0);
BW_SPEC(bool, ipv4_view_span_ok, u32 w0, u64 bytes_offset, u64 bytes_len, u64 options_offset, u64 options_len,
        u64 payload_offset, u64 payload_len);
BW_SPEC(bool, ipv4_options_ok, u64 o, u64 n);
BW_SPEC(bool, ipv4_parse_valid, u32 w0, u32 w1, u32 w3, u64 o, u8 verifies);
BW_SPEC(bool, ipv4_repr_ok, u32 w0, u32 w1, u32 w2, u32 w3, u32 w4, u32 src, u32 dst, u8 protocol, u8 ttl, u8 tos,
        u16 identification, u8 dont_fragment, u16 payload_len);

namespace {
// The largest datagram: total length is a 16-bit field, so every buffer size up to 65535 is
// covered (Bulwark's interface hands at most 1500). Octets the parser does not read are zero.
constexpr usize packet_max = 0xffff;
u8 g_packet[packet_max];
// Bound: check_options over areas of at most 6 octets. The walk is explored path by path, one path
// per well-formed prefix, so the cost grows exponentially with the area: 4 octets take 4 s,
// 6 octets 13 s, 8 octets 41 s (each mutant run again).
constexpr usize options_max = 6;
// Bound: parse_fields() over headers of at most 24 octets (IHL 5 or 6).
constexpr usize parse_fields_max = ipv4::min_header_len + 4;

// The options area's first 8 octets as one value, octet 0 most significant (ipv4_options_ok).
u64 be_u64(const u8* p)
{
    return (u64(be_word(p)) << 32) | be_word(p + 4);
}

// The checked view of a nondeterministic header of `header_len` octets (IHL = header_len / 4, at
// most parse_fields_max octets) in a buffer of any size up to packet_max, or nothing.
lib::Result<Ipv4View, WireError> any_view(usize header_len)
{
    bw_nondet_bytes(g_packet, parse_fields_max);
    bw_assume((g_packet[0] & 0x0f) == header_len / 4);
    u64 size = bw_nondet_u64();
    bw_assume(size <= packet_max);
    return Ipv4View::checked(lib::ReadonlyBytes(g_packet, size));
}

// The spec's properties of parse (`verifies` 0) or of parse_fields (`verifies` 1: parse's result
// when the checksum verifies) on a checked view whose header is `header_len` octets.
template<typename Parse> void check_parse(const Ipv4View& view, usize header_len, u8 verifies, Parse parse)
{
    u32 w[5];
    for (usize i = 0; i < 5; ++i)
        w[i] = be_word(g_packet + 4 * i);
    // The options area's octets (none at IHL 5; the spec reads only header_len - 20 of them).
    u64 options = header_len > ipv4::min_header_len ? u64(be_word(g_packet + ipv4::min_header_len)) << 32 : 0;
    auto repr = parse(view);
    bw_assert(repr.is_ok() == spec_ipv4_parse_valid(w[0], w[1], w[3], options, verifies), "ipv4_parse_valid");
    if (!repr.is_ok())
        return;
    const Ipv4Repr& r = repr.value();
    bw_assert(spec_ipv4_repr_ok(w[0], w[1], w[2], w[3], w[4], r.src.value, r.dst.value, u8(r.protocol), r.ttl,
                                r.type_of_service, r.identification, u8(r.dont_fragment), r.payload_len),
              "ipv4_repr_ok");
}
} // namespace

// Ipv4View::checked accepts exactly the datagrams RFC 791 calls well formed that fit the buffer,
// and the view is the datagram (never the padding after it), split into header, options, payload.
extern "C" void harness_ipv4_view_checked()
{
    bw_nondet_bytes(g_packet, ipv4::min_header_len);
    u64 size = bw_nondet_u64();
    bw_assume(size <= packet_max);
    auto view = Ipv4View::checked(lib::ReadonlyBytes(g_packet, size));
    u32 w0 = be_word(g_packet);
    bw_assert(view.is_ok() == spec_ipv4_view_valid(size, w0), "ipv4_view_valid");
    if (!view.is_ok())
        return;
    const Ipv4View& v = view.value();
    lib::ReadonlyBytes bytes = v.bytes(), options = v.options(), payload = v.payload();
    bw_assert(spec_ipv4_view_span_ok(w0, u64(bytes.data() - g_packet), bytes.size(), u64(options.data() - g_packet),
                                     options.size(), u64(payload.data() - g_packet), payload.size()),
              "ipv4_view_span_ok");
}

// ipv4::check_options on every options area of 0..options_max octets: accepted exactly when the
// walk of RFC 791 §3.1 is well formed and meets no source route.
extern "C" void harness_ipv4_check_options()
{
    u8* options = g_packet + ipv4::min_header_len;
    bw_nondet_bytes(options, 8);
    u64 n = bw_nondet_u64();
    bw_assume(n <= options_max);
    auto result = ipv4::check_options(lib::ReadonlyBytes(options, n));
    bw_assert(result.is_ok() == spec_ipv4_options_ok(be_u64(options), n), "ipv4_options_ok");
}

// Ipv4Repr::parse is the header checksum test, then ipv4::detail::parse_fields (net/wire/ipv4.cpp:
// two statements). This harness: a header whose checksum does not verify is refused, for every
// checked datagram with a 20-octet header (any total length and buffer size up to 65535).
extern "C" void harness_ipv4_repr_parse_bad_checksum()
{
    auto view = any_view(ipv4::min_header_len);
    if (!view.is_ok())
        return;
    bool verifies = checksum::verifies(lib::ReadonlyBytes(g_packet, ipv4::min_header_len));
    bw_assume(!verifies);
    check_parse(view.value(), ipv4::min_header_len, 0, [](const Ipv4View& v) { return Ipv4Repr::parse(v); });
}

// ... and this one what parse returns when the checksum verifies: parse_fields accepts exactly the
// headers the spec calls valid and returns their fields, for every checked datagram with a 20- or
// 24-octet header (IHL 5 or 6: an empty options area, or one of 4 octets, which exercises parse's
// call of check_options; longer areas are check_options' own harness).
extern "C" void harness_ipv4_parse_fields()
{
    u8 ihl = bw_nondet_u8();
    bw_assume(ihl == 5 || ihl == 6);
    usize header_len = usize(ihl) * 4;
    auto view = any_view(header_len);
    if (!view.is_ok())
        return;
    check_parse(view.value(), header_len, 1, [](const Ipv4View& v) { return ipv4::detail::parse_fields(v); });
}
