// UDP datagrams (RFC 768) over IPv4, with the pseudo-header checksum (RFC 768, RFC 1122 §4.1.3.4).
#pragma once

#include "lib/byte_writer.h"
#include "lib/result.h"
#include "net/wire/address.h"
#include "net/wire/wire_error.h"

namespace net::wire {

namespace udp {
inline constexpr usize header_len = 8;
namespace field {
inline constexpr lib::Field src_port { 0, 2 };
inline constexpr lib::Field dst_port { 2, 2 };
inline constexpr lib::Field length { 4, 2 };
inline constexpr lib::Field checksum { 6, 2 };
} // namespace field
static_assert(field::checksum.end() == header_len);
} // namespace udp

// A received UDP datagram (the IPv4 payload) whose length field has been checked.
class UdpView {
public:
    // Fails with: Truncated (fewer than 8 bytes), BadLength (length field below 8 or above the
    // buffer). Bytes past the length field are ignored (RFC 768: the length field is authoritative).
    static lib::Result<UdpView, WireError> checked(lib::ReadonlyBytes bytes);

    u16 src_port() const { return lib::load_be16(m_bytes, udp::field::src_port); }
    u16 dst_port() const { return lib::load_be16(m_bytes, udp::field::dst_port); }
    u16 length() const { return lib::load_be16(m_bytes, udp::field::length); }
    u16 checksum() const { return lib::load_be16(m_bytes, udp::field::checksum); }
    // The bytes the length field covers, after the header.
    lib::ReadonlyBytes payload() const { return m_bytes.slice(udp::header_len); }
    // Header and payload: length() bytes.
    lib::ReadonlyBytes bytes() const { return m_bytes; }

private:
    explicit UdpView(lib::ReadonlyBytes bytes) : m_bytes(bytes) { }
    // Invariant: m_bytes.size() == length() >= udp::header_len; checked() is the only constructor.
    lib::ReadonlyBytes m_bytes;
};

// A UDP datagram. `payload` borrows bytes: from the received buffer after parse(), from the
// caller before emit(); the repr must not outlive them.
struct UdpRepr {
    static constexpr usize max_payload_len = 0xffff - udp::header_len;

    u16 src_port { 0 };
    u16 dst_port { 0 };
    lib::ReadonlyBytes payload;

    // `src` and `dst` are the IPv4 addresses, for the pseudo-header. A zero checksum field means
    // the sender computed none and is accepted. Not canonical for those: emit always computes one.
    // Fails with: BadChecksum (skipped when !checksum::enforce), BadAddress (destination port 0:
    // reserved, no socket can be bound to it, so it is dropped here rather than answered with
    // port unreachable). Source port 0 is legal ("no reply expected", RFC 768).
    static lib::Result<UdpRepr, WireError> parse(const UdpView& view, Ipv4Address src, Ipv4Address dst);
    // Header and payload: 8 + payload.size() bytes (the UDP length field).
    usize buffer_len() const { return udp::header_len + payload.size(); }
    // Writes buffer_len() bytes at the writer's position. The checksum is always computed; one
    // that comes out as 0 is sent as 0xffff, since 0 means "no checksum" (RFC 768).
    // Precondition: out.remaining() >= buffer_len(), payload.size() <= max_payload_len.
    void emit(lib::ByteWriter& out, Ipv4Address src, Ipv4Address dst) const;
    // Compares the payload by content, not by address.
    bool operator==(const UdpRepr& other) const;
};

} // namespace net::wire
