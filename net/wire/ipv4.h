// IPv4 headers (RFC 791, with the host requirements of RFC 1122 §3.2.1). Options are checked for
// well-formedness and skipped; fragments are not reassembled (dropped as Unsupported).
#pragma once

#include "lib/byte_writer.h"
#include "lib/result.h"
#include "net/wire/address.h"
#include "net/wire/wire_error.h"

namespace net::wire {

// The protocols Bulwark handles; any other 8-bit value is carried as-is (`IpProtocol(2)`).
enum class IpProtocol : u8 {
    Icmp = 1,
    Tcp = 6,
    Udp = 17,
};

namespace ipv4 {
inline constexpr usize min_header_len = 20;
inline constexpr usize max_header_len = 60;
namespace field {
inline constexpr lib::Field version_ihl { 0, 1 };
inline constexpr lib::Field type_of_service { 1, 1 };
inline constexpr lib::Field total_length { 2, 2 };
inline constexpr lib::Field identification { 4, 2 };
inline constexpr lib::Field flags_fragment { 6, 2 };
inline constexpr lib::Field ttl { 8, 1 };
inline constexpr lib::Field protocol { 9, 1 };
inline constexpr lib::Field checksum { 10, 2 };
inline constexpr lib::Field src { 12, 4 };
inline constexpr lib::Field dst { 16, 4 };
} // namespace field
static_assert(field::dst.end() == min_header_len);
// Bits of the flags_fragment field.
inline constexpr u16 flag_reserved = 0x8000;
inline constexpr u16 flag_dont_fragment = 0x4000;
inline constexpr u16 flag_more_fragments = 0x2000;
inline constexpr u16 fragment_offset_mask = 0x1fff;
// Option types (RFC 791 §3.1; Router Alert is RFC 2113).
namespace option {
inline constexpr u8 end_of_list = 0;
inline constexpr u8 no_operation = 1;
inline constexpr u8 record_route = 7;
inline constexpr u8 loose_source_route = 131;
inline constexpr u8 strict_source_route = 137;
inline constexpr u8 router_alert = 148;
} // namespace option

// Walks the options area of a header: end-of-list stops the walk, no-operation is one byte, every
// other option has a length octet >= 2 that stays inside `options`. Each step advances at least
// one byte and never reads outside `options`, so the loop ends within options.size() steps.
// Fails with: BadOption (a missing length octet, a length < 2, or an option that overruns the
// header), Unsupported (loose or strict source route: dropped, as Linux does by default with
// accept_source_route=0, since a host must not let a sender choose its reply path).
lib::Result<void, WireError> check_options(lib::ReadonlyBytes options);
} // namespace ipv4

// A received IPv4 datagram whose header and total length have been bounds-checked.
class Ipv4View {
public:
    // Fails with: Truncated (fewer than 20 bytes), BadVersion (version is not 4), BadLength (IHL
    // below 5, header longer than the buffer, total length below the header length or above the
    // buffer). Bytes past total_length are link-layer padding and are not part of the view.
    static lib::Result<Ipv4View, WireError> checked(lib::ReadonlyBytes bytes);

    u8 version() const { return u8(m_bytes[ipv4::field::version_ihl.offset] >> 4); }
    // IHL * 4, in bytes: 20..60, and at most total_length().
    usize header_len() const { return usize(m_bytes[ipv4::field::version_ihl.offset] & 0x0f) * 4; }
    u8 type_of_service() const { return m_bytes[ipv4::field::type_of_service.offset]; }
    u16 total_length() const { return lib::load_be16(m_bytes, ipv4::field::total_length); }
    u16 identification() const { return lib::load_be16(m_bytes, ipv4::field::identification); }
    bool reserved_flag() const { return (flags_fragment() & ipv4::flag_reserved) != 0; }
    bool dont_fragment() const { return (flags_fragment() & ipv4::flag_dont_fragment) != 0; }
    bool more_fragments() const { return (flags_fragment() & ipv4::flag_more_fragments) != 0; }
    // In units of 8 bytes, as on the wire.
    u16 fragment_offset() const { return flags_fragment() & ipv4::fragment_offset_mask; }
    u8 ttl() const { return m_bytes[ipv4::field::ttl.offset]; }
    u8 protocol() const { return m_bytes[ipv4::field::protocol.offset]; }
    u16 header_checksum() const { return lib::load_be16(m_bytes, ipv4::field::checksum); }
    Ipv4Address src() const { return Ipv4Address::from_bytes(m_bytes, ipv4::field::src.offset); }
    Ipv4Address dst() const { return Ipv4Address::from_bytes(m_bytes, ipv4::field::dst.offset); }

    lib::ReadonlyBytes header() const { return m_bytes.slice(0, header_len()); }
    lib::ReadonlyBytes options() const { return m_bytes.slice(ipv4::min_header_len, header_len() - ipv4::min_header_len); }
    // The bytes total_length says, after the header: never the link layer's padding.
    lib::ReadonlyBytes payload() const { return m_bytes.slice(header_len()); }
    // The whole datagram: total_length() bytes.
    lib::ReadonlyBytes bytes() const { return m_bytes; }

private:
    explicit Ipv4View(lib::ReadonlyBytes bytes) : m_bytes(bytes) { }
    u16 flags_fragment() const { return lib::load_be16(m_bytes, ipv4::field::flags_fragment); }
    // Invariant: m_bytes.size() == total_length() >= header_len() >= 20; checked() is the only
    // constructor.
    lib::ReadonlyBytes m_bytes;
};

struct Ipv4Repr {
    static constexpr usize max_payload_len = 0xffff - ipv4::min_header_len;

    Ipv4Address src;
    Ipv4Address dst;
    IpProtocol protocol { IpProtocol::Udp };
    u8 ttl { 64 };
    // DSCP (upper six bits) and ECN (lower two).
    u8 type_of_service { 0 };
    u16 identification { 0 };
    bool dont_fragment { false };
    // Bytes after the header: total_length - header length.
    u16 payload_len { 0 };

    // Checks, in order: header checksum, options, flags, fragmentation, source address.
    // Fragments (more-fragments set or a nonzero offset) are not reassembled: they are dropped as
    // Unsupported and counted by the interface under that reason.
    // Fails with: BadChecksum (header checksum; skipped when !checksum::enforce), BadOption and
    // Unsupported (see ipv4::check_options), BadFlags (the reserved flag is set),
    // Unsupported (a fragment), BadAddress (source is broadcast or multicast, RFC 1122 §3.2.1.3).
    static lib::Result<Ipv4Repr, WireError> parse(const Ipv4View& view);
    // The header only: always 20 bytes, since emit writes no options. The caller writes the
    // payload_len payload bytes after it. Not canonical on received headers with options: those
    // are re-emitted without them (and with IHL 5).
    usize buffer_len() const { return ipv4::min_header_len; }
    // Writes buffer_len() bytes at the writer's position, with a correct header checksum.
    // Precondition: out.remaining() >= buffer_len(), payload_len <= max_payload_len.
    void emit(lib::ByteWriter& out) const;
    bool operator==(const Ipv4Repr&) const = default;
};

namespace ipv4::detail {
// parse() after its header checksum check: every other check, in parse's order, and the fields.
// Separate so that proofs/net/wire/ipv4.cpp can prove it for every header without the solver
// cost of a header whose checksum verifies (parse itself is the checksum test, then this call).
lib::Result<Ipv4Repr, WireError> parse_fields(const Ipv4View& view);
} // namespace ipv4::detail

} // namespace net::wire
