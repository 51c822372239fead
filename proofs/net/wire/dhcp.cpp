// Harnesses for net/wire/dhcp.{h,cpp} against spec/net/wire/dhcp.smt2 (RFC 951 §3, RFC 2131 §2-§4,
// RFC 2132 §2-§9).
#include "proofs/harness.h"

// How these harnesses cover DhcpRepr::parse. parse copies the fixed part from the view
// (dhcp_fixed_fields_ok), then runs at most area.size() + 1 steps, each: reader.next(); an error is
// returned as is; at End (no option) check_complete decides; any other option goes to
// apply_option. By induction over the steps:
// - the reader stays inside the area, advances on every option it returns and is finished
//   otherwise (harness_dhcp_option_reader_next), so the loop reaches End or an error within
//   area.size() + 1 steps and its VERIFY_NOT_REACHED cannot fire; each option it hands over is the
//   one RFC 2132 §2 places there, with at most 255 data octets inside the area;
// - repr and `seen` start consistent (the empty repr, seen = 0) and apply_option keeps them so,
//   accepts or refuses each option as dhcp_apply_verdict says and changes only that option's field
//   (harness_dhcp_apply_option);
// - at End, check_complete accepts exactly when dhcp_complete_ok holds (harness_dhcp_check_complete).
// So parse accepts exactly the walks whose every step is accepted and whose End check passes, and
// what it returns is valid, each option field decoded from its option. The induction is argued
// here, not machine-checked; harness_dhcp_repr_parse_minimal and harness_dhcp_repr_parse run parse
// whole where the solver affords it (options areas up to 4 octets, the minimal message, one reply).

// The option-walk harness starts the reader in an arbitrary state (an inductive step), and the
// apply harness starts from an arbitrary consistent repr; both set private members. The layout is
// unchanged.
#define private public
#include "lib/optional.h"
#include "lib/result.h"
#include "net/wire/dhcp.h"
#undef private

#include "proofs/net/wire/words.h"

using namespace net::wire;
using proofs::be_word;
using proofs::mac48;

BW_SPEC(bool, dhcp_view_valid, u64 size, u8 op, u8 htype, u8 hlen, u32 cookie);
BW_SPEC(bool, dhcp_view_span_ok, u64 size, u64 bytes_offset, u64 bytes_len, u64 options_offset, u64 options_len);
BW_SPEC(bool, dhcp_fixed_fields_ok, u32 w1, u32 w2, u32 w3, u32 w4, u32 w5, u64 chaddr, u32 xid, u16 secs,
        bool broadcast, u32 client_ip, u32 your_ip, u32 server_ip, u64 hw);
BW_SPEC(u8, dhcp_option_verdict, u64 before, u64 size, bool done, u8 code, u8 len);
BW_SPEC(bool, dhcp_option_walk_advances, u64 before, u64 after, u64 size, bool got, bool done_after);
BW_SPEC(bool, dhcp_option_in_bounds, u64 data_off, u64 data_len, u64 before, u64 after);
BW_SPEC(bool, dhcp_option_fields, u64 before, u8 code, u8 len, u8 got_code, u64 data_off, u64 data_len, u64 after);
BW_SPEC(u8, dhcp_apply_verdict, u8 code, u64 len, u64 seen, u8 d0, u8 d1, u8 d2, u8 d3);
BW_SPEC(bool, dhcp_seen_after, u8 code, u64 seen, u64 seen_after);
BW_SPEC(bool, dhcp_option_frame, u8 code, u8 field, bool unchanged);
BW_SPEC(u8, dhcp_dns_count, u64 len);
BW_SPEC(u8, dhcp_prl_count, u64 len);
BW_SPEC(bool, dhcp_client_id_ours, u64 len, u8 type, u64 id, u64 chaddr);
BW_SPEC(bool, dhcp_repr_valid, u8 type, u8 dns_count, u8 prl_count, bool has_mask, u32 mask);
BW_SPEC(bool, dhcp_seen_consistent, u64 seen, u8 type, bool has_mask, bool has_router, u8 dns_count,
        bool has_requested, bool has_lease, bool has_server_id, u8 prl_count, bool has_t1, bool has_t2,
        bool client_id);
BW_SPEC(u8, dhcp_op_for, u8 type);
BW_SPEC(bool, dhcp_complete_ok, u64 seen, u8 type, u8 op);
BW_SPEC(u32, dhcp_be32, u8 b0, u8 b1, u8 b2, u8 b3);

namespace {
// The largest message the view is handed: a UDP payload in an IPv4 datagram, 65535 - 20 - 8 octets
// (Bulwark's interface hands at most 1472). checked() is specified on the size and the first 240
// octets only, so they alone are nondeterministic; the rest of the buffer is zero.
constexpr usize message_max = 0xffff - 20 - 8;
u8 g_message[message_max];
// The largest options area the walk is run on: a message in one 1500-octet Ethernet payload (IPv4
// fragments are not reassembled: Ipv4Repr::parse drops them as Unsupported) is at most 1500 - 20 - 8
// = 1472 octets, of which 240 are the fixed part and cookie. Two more octets let the harness read
// the code and length octets at any offset up to the end without a branch.
constexpr usize area_max = 1472 - dhcp::options_offset;
u8 g_area[area_max + 2];
// An option's data is at most 255 octets (one length octet).
u8 g_option_data[255];
// Bound: the whole DhcpRepr::parse is run on options areas of at most parse_area_max octets (see
// harness_dhcp_repr_parse). Longer areas are covered by composing the steps proved below.
constexpr usize parse_area_max = 4;

// A 48-bit address from six octets, first most significant (as mac48).
u64 mac48_at(const u8* p)
{
    u64 v = 0;
    for (usize i = 0; i < 6; ++i)
        v = (v << 8) | p[i];
    return v;
}

template<typename T> void any_optional(lib::Optional<T>& o, T value)
{
    o.m_has = bw_nondet_u8() & 1;
    o.m_value = value;
}

template<typename T> bool same(const lib::Optional<T>& a, const lib::Optional<T>& b)
{
    return (a.m_has == b.m_has) & (a.m_value == b.m_value);
}

bool same_dns(const DhcpRepr& a, const DhcpRepr& b)
{
    bool same = a.dns_count == b.dns_count;
    for (usize i = 0; i < dhcp::dns_servers_max; ++i)
        same = same & (a.dns_servers[i] == b.dns_servers[i]);
    return same;
}

bool same_prl(const DhcpRepr& a, const DhcpRepr& b)
{
    bool same = a.parameter_request_count == b.parameter_request_count;
    for (usize i = 0; i < dhcp::parameter_request_max; ++i)
        same = same & (a.parameter_request_list[i] == b.parameter_request_list[i]);
    return same;
}

bool same_fixed(const DhcpRepr& a, const DhcpRepr& b)
{
    bool same = (a.transaction_id == b.transaction_id) & (a.secs == b.secs) & (a.broadcast == b.broadcast);
    same = same & (a.client_hardware_address == b.client_hardware_address);
    same = same & (a.client_ip == b.client_ip);
    same = same & (a.your_ip == b.your_ip);
    return same & (a.server_ip == b.server_ip);
}

bool seen_consistent(u64 seen, const DhcpRepr& r)
{
    return spec_dhcp_seen_consistent(seen, u8(r.message_type), r.subnet_mask.has_value(), r.router.has_value(),
                                     r.dns_count, r.requested_ip.has_value(), r.lease_time.has_value(),
                                     r.server_identifier.has_value(), r.parameter_request_count,
                                     r.renewal_time.has_value(), r.rebinding_time.has_value(), r.client_identifier);
}

bool repr_valid(const DhcpRepr& r)
{
    return spec_dhcp_repr_valid(u8(r.message_type), r.dns_count, r.parameter_request_count, r.subnet_mask.has_value(),
                                r.subnet_mask.m_value.value);
}

// The repr's fixed-part fields are message `m`'s (dhcp_fixed_fields_ok).
void assert_fixed_fields(const u8* m, const DhcpRepr& r)
{
    bw_assert(spec_dhcp_fixed_fields_ok(be_word(m + 4), be_word(m + 8), be_word(m + 12), be_word(m + 16), be_word(m + 20),
                                        mac48_at(m + 28), r.transaction_id, r.secs, r.broadcast, r.client_ip.value,
                                        r.your_ip.value, r.server_ip.value, mac48(r.client_hardware_address)),
              "dhcp_fixed_fields_ok");
}
} // namespace

// DhcpView::checked accepts exactly the messages RFC 2131 §2 / RFC 951 §3 call well formed for an
// Ethernet client, every buffer size up to 65507, and the view is the whole message with its options
// area after the cookie.
extern "C" void harness_dhcp_view_checked()
{
    bw_nondet_bytes(g_message, dhcp::options_offset);
    u64 size = bw_nondet_u64();
    bw_assume(size <= message_max);
    auto view = DhcpView::checked(lib::ReadonlyBytes(g_message, size));
    bw_assert(view.is_ok() == spec_dhcp_view_valid(size, g_message[0], g_message[1], g_message[2], be_word(g_message + 236)),
              "dhcp_view_valid");
    if (!view.is_ok())
        return;
    lib::ReadonlyBytes bytes = view.value().bytes(), options = view.value().options();
    bw_assert(spec_dhcp_view_span_ok(size, u64(bytes.data() - g_message), bytes.size(), u64(options.data() - g_message),
                                     options.size()),
              "dhcp_view_span_ok");
}

// DhcpOptionReader::next(), one step from any state (0 <= offset <= size <= 1232, finished or not,
// any octets): it returns what RFC 2132 §2 says is at the offset; an option advances the offset by
// at least one octet inside the area and its data lies in the octets consumed; anything else
// finishes the walk, which then returns no option forever. By induction over steps, a walk of an
// area of n octets returns at most n options, so DhcpRepr::parse's n + 1 calls always reach End or
// an error (its VERIFY_NOT_REACHED is unreachable).
extern "C" void harness_dhcp_option_reader_next()
{
    bw_nondet_bytes(g_area, sizeof g_area);
    u64 size = bw_nondet_u64();
    bw_assume(size <= area_max);
    u64 before = bw_nondet_u64();
    bw_assume(before <= size);
    bool done = bw_nondet_u8() & 1;
    DhcpOptionReader reader(lib::ReadonlyBytes(g_area, size));
    reader.m_offset = before;
    reader.m_done = done;
    // The code and length octets where they exist (the spec reads each only then). They are
    // written over the nondeterministic area with fresh nondeterministic values: the area is still
    // any content, but the octets next() reads are then plain terms for the solver, not a choice
    // among all area_max positions (which made each query take seconds).
    u8 len = bw_nondet_u8(), code = bw_nondet_u8();
    g_area[before + 1] = len;
    g_area[before] = code;

    auto result = reader.next();
    u64 after = reader.offset();
    u8 verdict = result.is_ok() ? (result.value().has_value() ? 0 : 1)
                                : (result.error() == WireError::Truncated ? 2 : result.error() == WireError::BadOption ? 3 : 4);
    bw_assert(verdict == spec_dhcp_option_verdict(before, size, done, code, len), "dhcp_option_verdict");
    bool got = verdict == 0;
    bw_assert(spec_dhcp_option_walk_advances(before, after, size, got, reader.m_done), "dhcp_option_walk_advances");
    if (!got)
        return;
    const DhcpRawOption& option = *result.value();
    u64 data_off = u64(option.data.data() - g_area);
    bw_assert(spec_dhcp_option_in_bounds(data_off, option.data.size(), before, after), "dhcp_option_in_bounds");
    bw_assert(spec_dhcp_option_fields(before, code, len, option.code, data_off, option.data.size(), after),
              "dhcp_option_fields");
}

// dhcp::detail::check_complete, the test DhcpRepr::parse applies at End, from any state (any
// message type octet, any seen set, any op): accepted exactly when the message type was seen and
// agrees with op (RFC 2131 Tables 3 and 5); otherwise BadOption.
extern "C" void harness_dhcp_check_complete()
{
    DhcpRepr repr;
    repr.message_type = DhcpMessageType(bw_nondet_u8());
    u64 seen = bw_nondet_u64();
    u8 op = bw_nondet_u8();
    auto result = dhcp::detail::check_complete(repr, seen, op);
    bw_assert(result.is_ok() == spec_dhcp_complete_ok(seen, u8(repr.message_type), op), "dhcp_complete_ok");
    bw_assert(result.is_ok() || result.error() == WireError::BadOption, "dhcp_complete_ok");
}

// DhcpRepr::parse of the smallest complete message, any fixed part and a Message Type option of
// any value followed by End (options area 53 1 t 255): accepted exactly when t is a defined type
// whose op is the message's (RFC 2131 Tables 3 and 5, RFC 2132 §9.6); the repr then carries the
// fixed part's fields, type t and no other option field.
extern "C" void harness_dhcp_repr_parse_minimal()
{
    constexpr usize area_len = 4;
    bw_nondet_bytes(g_message, dhcp::options_offset + area_len);
    u8* area = g_message + dhcp::options_offset;
    bw_assume(area[0] == dhcp::option::message_type);
    bw_assume(area[1] == 1);
    bw_assume(area[3] == dhcp::option::end);
    auto view = DhcpView::checked(lib::ReadonlyBytes(g_message, dhcp::options_offset + area_len));
    if (!view.is_ok())
        return;
    const u8* m = g_message;
    auto repr = DhcpRepr::parse(view.value());
    bool type_ok = spec_dhcp_apply_verdict(dhcp::option::message_type, 1, 0, area[2], 0, 0, 0) == 0;
    bw_assert(repr.is_ok() == (type_ok && spec_dhcp_complete_ok(u64(1) << dhcp::option::message_type, area[2], m[0])),
              "dhcp_complete_ok");
    if (!repr.is_ok())
        return;
    const DhcpRepr& r = repr.value();
    assert_fixed_fields(m, r);
    bw_assert(u8(r.message_type) == area[2], "dhcp_apply_fields");
    bw_assert(seen_consistent(u64(1) << dhcp::option::message_type, r), "dhcp_seen_consistent");
}

// DhcpRepr::parse of a typical server reply, any fixed part and any values in the options a
// DHCPOFFER or DHCPACK carries (RFC 2131 Table 3): Message Type, Server Identifier, Lease Time,
// Subnet Mask, Router, two Domain Name Servers, End (codes and lengths fixed, 38 octets). Accepted
// exactly when the type is defined and agrees with op and the mask is contiguous; every field is
// then the option's value and the options absent from the message are absent from the repr. A
// whole walk over several options, end to end, in one path per verdict.
extern "C" void harness_dhcp_repr_parse_reply()
{
    constexpr u8 layout[] = { 53, 1, 0, 54, 4, 0, 0, 0, 0, 51, 4, 0, 0, 0, 0, 1, 4, 0, 0, 0, 0,
                              3, 4, 0, 0, 0, 0, 6, 8, 0, 0, 0, 0, 0, 0, 0, 0, 255 };
    constexpr usize area_len = sizeof layout;
    bw_nondet_bytes(g_message, dhcp::options_offset + area_len);
    u8* area = g_message + dhcp::options_offset;
    for (usize i = 0; i < area_len; ++i) {
        if (layout[i] != 0)
            area[i] = layout[i];
    }
    auto view = DhcpView::checked(lib::ReadonlyBytes(g_message, dhcp::options_offset + area_len));
    if (!view.is_ok())
        return;
    const u8* m = g_message;
    const u8 type = area[2];
    const u8* server = area + 5;
    const u8* lease = area + 11;
    const u8* mask = area + 17;
    const u8* router = area + 23;
    const u8* dns = area + 29;
    auto be = [](const u8* p) { return spec_dhcp_be32(p[0], p[1], p[2], p[3]); };
    auto repr = DhcpRepr::parse(view.value());
    bool accepted = spec_dhcp_apply_verdict(dhcp::option::message_type, 1, 0, type, 0, 0, 0) == 0
        && spec_dhcp_apply_verdict(dhcp::option::subnet_mask, 4, 0, mask[0], mask[1], mask[2], mask[3]) == 0
        && spec_dhcp_complete_ok(u64(1) << dhcp::option::message_type, type, m[0]);
    bw_assert(repr.is_ok() == accepted, "dhcp_complete_ok");
    if (!repr.is_ok())
        return;
    const DhcpRepr& r = repr.value();
    assert_fixed_fields(m, r);
    bool fields = u8(r.message_type) == type;
    fields = fields && r.server_identifier.has_value() && r.server_identifier->value == be(server);
    fields = fields && r.lease_time.has_value() && *r.lease_time == be(lease);
    fields = fields && r.subnet_mask.has_value() && r.subnet_mask->value == be(mask);
    fields = fields && r.router.has_value() && r.router->value == be(router);
    fields = fields && r.dns_count == 2 && r.dns_servers[0].value == be(dns) && r.dns_servers[1].value == be(dns + 4);
    bw_assert(fields, "dhcp_apply_fields");
    bool absent = !r.requested_ip.has_value() && !r.renewal_time.has_value() && !r.rebinding_time.has_value()
        && r.parameter_request_count == 0 && !r.client_identifier;
    bw_assert(absent, "dhcp_seen_consistent");
}

// dhcp::detail::apply_option, the step DhcpRepr::parse repeats on each option the reader returns
// (code any octet, data of 0..255 octets: one length octet), from any state consistent with the
// walk so far: a valid repr (dhcp_repr_valid) whose option fields all came from options recorded in
// `seen` (dhcp_seen_consistent), any fixed part. It accepts exactly what RFC 2132 allows for the
// option (dhcp_apply_verdict), records it in `seen`, keeps both invariants, stores the option's own
// field as decoded, and changes no other field. parse starts from the empty repr and seen = 0
// (consistent) and changes both only through this step, so by induction every repr it returns is
// valid and carries only fields read from the options; with dhcp_complete_ok at End, it has the
// message type the options gave, agreeing with op.
extern "C" void harness_dhcp_apply_option()
{
    bw_nondet_bytes(g_option_data, sizeof g_option_data);
    u64 length = bw_nondet_u64();
    bw_assume(length <= sizeof g_option_data);
    DhcpRawOption raw { bw_nondet_u8(), lib::ReadonlyBytes(g_option_data, length) };
    u64 seen = bw_nondet_u64();

    // Any state, set without branches (bitwise operators keep this harness to the step's own paths).
    DhcpRepr out;
    out.message_type = DhcpMessageType(bw_nondet_u8());
    out.transaction_id = bw_nondet_u32();
    out.secs = bw_nondet_u16();
    out.broadcast = bw_nondet_u8() & 1;
    for (auto& octet : out.client_hardware_address.octets)
        octet = bw_nondet_u8();
    out.client_ip = { bw_nondet_u32() };
    out.your_ip = { bw_nondet_u32() };
    out.server_ip = { bw_nondet_u32() };
    any_optional(out.server_identifier, Ipv4Address { bw_nondet_u32() });
    any_optional(out.requested_ip, Ipv4Address { bw_nondet_u32() });
    any_optional(out.subnet_mask, Ipv4Address { bw_nondet_u32() });
    any_optional(out.router, Ipv4Address { bw_nondet_u32() });
    out.dns_count = bw_nondet_u8();
    for (auto& server : out.dns_servers)
        server = { bw_nondet_u32() };
    any_optional(out.lease_time, bw_nondet_u32());
    any_optional(out.renewal_time, bw_nondet_u32());
    any_optional(out.rebinding_time, bw_nondet_u32());
    out.parameter_request_count = bw_nondet_u8();
    for (auto& code : out.parameter_request_list)
        code = bw_nondet_u8();
    out.client_identifier = bw_nondet_u8() & 1;
    bw_assume(repr_valid(out));
    bw_assume(seen_consistent(seen, out));

    const DhcpRepr before = out;
    const u64 seen_before = seen;
    const u8* d = g_option_data;
    auto result = dhcp::detail::apply_option(out, seen, raw);
    // The step's 60 paths differ only in the repr's fields and the verdict: merged, the assertions
    // below are checked once (17 s instead of 36 s path by path).
    bw_merge_paths();
    u8 verdict = result.is_ok() ? 0 : result.error() == WireError::BadOption ? 1 : result.error() == WireError::Unsupported ? 2 : 3;
    bw_assert(verdict == spec_dhcp_apply_verdict(raw.code, length, seen_before, d[0], d[1], d[2], d[3]), "dhcp_apply_verdict");
    if (!result.is_ok())
        return;
    bw_assert(spec_dhcp_seen_after(raw.code, seen_before, seen), "dhcp_seen_after");
    bw_assert(repr_valid(out), "dhcp_repr_valid");
    bw_assert(seen_consistent(seen, out), "dhcp_seen_consistent");

    // The option's own field (dhcp_apply_fields): each fixed-size option's four octets, in network
    // byte order; lists keep their first entries.
    u8 c = raw.code;
    u32 word = spec_dhcp_be32(d[0], d[1], d[2], d[3]);
    auto field = [c](u8 code, bool ok) { bw_assert((c != code) | ok, "dhcp_apply_fields"); };
    field(dhcp::option::message_type, u8(out.message_type) == d[0]);
    field(dhcp::option::subnet_mask, out.subnet_mask.m_has & (out.subnet_mask.m_value.value == word));
    field(dhcp::option::router, out.router.m_has & (out.router.m_value.value == word));
    field(dhcp::option::requested_ip, out.requested_ip.m_has & (out.requested_ip.m_value.value == word));
    field(dhcp::option::server_identifier, out.server_identifier.m_has & (out.server_identifier.m_value.value == word));
    field(dhcp::option::lease_time, out.lease_time.m_has & (out.lease_time.m_value == word));
    field(dhcp::option::renewal_time, out.renewal_time.m_has & (out.renewal_time.m_value == word));
    field(dhcp::option::rebinding_time, out.rebinding_time.m_has & (out.rebinding_time.m_value == word));
    bool dns = out.dns_count == spec_dhcp_dns_count(length);
    for (usize i = 0; i < dhcp::dns_servers_max; ++i)
        dns = dns & ((i >= out.dns_count) | (out.dns_servers[i].value == spec_dhcp_be32(d[4 * i], d[4 * i + 1], d[4 * i + 2], d[4 * i + 3])));
    field(dhcp::option::dns_servers, dns);
    bool prl = out.parameter_request_count == spec_dhcp_prl_count(length);
    for (usize i = 0; i < dhcp::parameter_request_max; ++i)
        prl = prl & ((i >= out.parameter_request_count) | (out.parameter_request_list[i] == d[i]));
    field(dhcp::option::parameter_request_list, prl);
    field(dhcp::option::client_identifier,
          out.client_identifier == spec_dhcp_client_id_ours(length, d[0], mac48_at(d + 1), mac48(before.client_hardware_address)));

    // Nothing else changes; field 0 (Pad's code, never a known option) names the fixed part.
    auto frame = [c](u8 code, bool unchanged) { bw_assert(spec_dhcp_option_frame(c, code, unchanged), "dhcp_option_frame"); };
    frame(0, same_fixed(before, out));
    frame(dhcp::option::message_type, before.message_type == out.message_type);
    frame(dhcp::option::subnet_mask, same(before.subnet_mask, out.subnet_mask));
    frame(dhcp::option::router, same(before.router, out.router));
    frame(dhcp::option::dns_servers, same_dns(before, out));
    frame(dhcp::option::requested_ip, same(before.requested_ip, out.requested_ip));
    frame(dhcp::option::lease_time, same(before.lease_time, out.lease_time));
    frame(dhcp::option::server_identifier, same(before.server_identifier, out.server_identifier));
    frame(dhcp::option::parameter_request_list, same_prl(before, out));
    frame(dhcp::option::renewal_time, same(before.renewal_time, out.renewal_time));
    frame(dhcp::option::rebinding_time, same(before.rebinding_time, out.rebinding_time));
    frame(dhcp::option::client_identifier, before.client_identifier == out.client_identifier);
}

// DhcpRepr::parse as a whole on every checked message of 240 + 0..parse_area_max octets (any fixed
// part, any options area that short): what it returns carries the fixed part's fields
// (dhcp_fixed_fields_ok), is valid, and its message type agrees with op. Bound: the walk is run path
// by path, one path per well-formed prefix; longer areas (up to 1232 octets) are covered by the
// composition of the steps above (the reader step, apply_option and check_complete, each proved
// from any state), which this harness checks is how parse is assembled for short areas.
extern "C" void harness_dhcp_repr_parse()
{
    bw_nondet_bytes(g_message, dhcp::options_offset + parse_area_max);
    u64 n = bw_nondet_u64();
    bw_assume(n <= parse_area_max);
    auto view = DhcpView::checked(lib::ReadonlyBytes(g_message, dhcp::options_offset + n));
    if (!view.is_ok())
        return;
    auto repr = DhcpRepr::parse(view.value());
    if (!repr.is_ok())
        return;
    const DhcpRepr& r = repr.value();
    const u8* m = g_message;
    assert_fixed_fields(m, r);
    bw_assert(repr_valid(r), "dhcp_repr_valid");
    bw_assert(spec_dhcp_op_for(u8(r.message_type)) == m[0], "dhcp_op_for");
}
