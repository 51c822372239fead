// ICMPv4 messages (RFC 792; RFC 1191 for the next-hop MTU): echo request and reply, and
// destination unreachable. Other types are well-formed but Unsupported.
#pragma once

#include "lib/byte_writer.h"
#include "lib/result.h"
#include "net/wire/wire_error.h"

namespace net::wire {

enum class IcmpType : u8 {
    EchoReply = 0,
    DestinationUnreachable = 3,
    EchoRequest = 8,
};

namespace icmp {
inline constexpr usize header_len = 8;
// Destination unreachable code for "fragmentation needed and DF set" (RFC 792, RFC 1191).
inline constexpr u8 code_fragmentation_needed = 4;
namespace field {
inline constexpr lib::Field type { 0, 1 };
inline constexpr lib::Field code { 1, 1 };
inline constexpr lib::Field checksum { 2, 2 };
// Echo request/reply.
inline constexpr lib::Field identifier { 4, 2 };
inline constexpr lib::Field sequence { 6, 2 };
// Destination unreachable, code 4 (RFC 1191); bytes 4-5 are unused.
inline constexpr lib::Field next_hop_mtu { 6, 2 };
} // namespace field
static_assert(field::sequence.end() == header_len);
} // namespace icmp

// A received ICMP message (the whole IPv4 payload) with its 8-byte header bounds-checked.
class IcmpView {
public:
    // Fails with: Truncated (fewer than 8 bytes).
    static lib::Result<IcmpView, WireError> checked(lib::ReadonlyBytes bytes);

    u8 type() const { return m_bytes[icmp::field::type.offset]; }
    u8 code() const { return m_bytes[icmp::field::code.offset]; }
    u16 checksum() const { return lib::load_be16(m_bytes, icmp::field::checksum); }
    u16 identifier() const { return lib::load_be16(m_bytes, icmp::field::identifier); }
    u16 sequence() const { return lib::load_be16(m_bytes, icmp::field::sequence); }
    u16 next_hop_mtu() const { return lib::load_be16(m_bytes, icmp::field::next_hop_mtu); }
    // After the 8-byte header: echo data, or the original datagram's header and first 8 bytes.
    lib::ReadonlyBytes payload() const { return m_bytes.slice(icmp::header_len); }
    lib::ReadonlyBytes bytes() const { return m_bytes; }

private:
    explicit IcmpView(lib::ReadonlyBytes bytes) : m_bytes(bytes) { }
    // Invariant: m_bytes.size() >= icmp::header_len; checked() is the only constructor.
    lib::ReadonlyBytes m_bytes;
};

// An ICMP message. `payload` borrows bytes: from the received buffer after parse(), from the
// caller before emit(); the repr must not outlive them.
struct IcmpRepr {
    IcmpType type { IcmpType::EchoRequest };
    u8 code { 0 };
    // Echo request/reply only; zero otherwise.
    u16 identifier { 0 };
    u16 sequence { 0 };
    // Destination unreachable with code 4 only; zero otherwise.
    u16 next_hop_mtu { 0 };
    // Echo data, or for destination unreachable the original IP header and 8 bytes of its payload
    // (exposed as bytes, not parsed here).
    lib::ReadonlyBytes payload;

    static IcmpRepr echo_request(u16 identifier, u16 sequence, lib::ReadonlyBytes data);
    static IcmpRepr echo_reply(u16 identifier, u16 sequence, lib::ReadonlyBytes data);
    static IcmpRepr destination_unreachable(u8 code, u16 next_hop_mtu, lib::ReadonlyBytes original);

    // Verifies the checksum over the whole message. Not canonical for destination unreachable:
    // the unused header bytes (4-5, and 6-7 unless code is 4) are ignored, and re-emitted as zero.
    // Fails with: BadChecksum (skipped when !checksum::enforce), Unsupported (a type other than
    // echo request, echo reply or destination unreachable).
    static lib::Result<IcmpRepr, WireError> parse(const IcmpView& view);
    // Header and payload: 8 + payload.size() bytes.
    usize buffer_len() const { return icmp::header_len + payload.size(); }
    // Writes buffer_len() bytes at the writer's position, with a correct checksum.
    // Precondition: out.remaining() >= buffer_len().
    void emit(lib::ByteWriter& out) const;
    // Compares the payload by content, not by address.
    bool operator==(const IcmpRepr& other) const;
};

} // namespace net::wire
