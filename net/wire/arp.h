// ARP (RFC 826) for IPv4 over Ethernet only: hardware type 1, protocol type 0x0800, address
// lengths 6 and 4. Requests and replies; RARP and InARP operations are Unsupported.
#pragma once

#include "lib/byte_writer.h"
#include "lib/result.h"
#include "net/wire/address.h"
#include "net/wire/wire_error.h"

namespace net::wire {

enum class ArpOperation : u16 {
    Request = 1,
    Reply = 2,
};

namespace arp {
// The only packet size an Ethernet/IPv4 ARP packet has (RFC 826 with hlen 6, plen 4).
inline constexpr usize packet_len = 28;
inline constexpr u16 hardware_type_ethernet = 1;
inline constexpr u16 protocol_type_ipv4 = 0x0800;
namespace field {
inline constexpr lib::Field hardware_type { 0, 2 };
inline constexpr lib::Field protocol_type { 2, 2 };
inline constexpr lib::Field hardware_len { 4, 1 };
inline constexpr lib::Field protocol_len { 5, 1 };
inline constexpr lib::Field operation { 6, 2 };
inline constexpr lib::Field sender_hardware { 8, 6 };
inline constexpr lib::Field sender_protocol { 14, 4 };
inline constexpr lib::Field target_hardware { 18, 6 };
inline constexpr lib::Field target_protocol { 24, 4 };
} // namespace field
static_assert(field::target_protocol.end() == packet_len);
} // namespace arp

// A received ARP packet whose address lengths are those of Ethernet/IPv4, so the address fields
// sit at fixed offsets. The view covers exactly 28 bytes; longer buffers (Ethernet padding) are
// accepted and the rest ignored.
class ArpView {
public:
    // Fails with: Truncated (fewer than 28 bytes), BadVersion (hardware length not 6 or protocol
    // length not 4: the layout would not be Ethernet/IPv4).
    static lib::Result<ArpView, WireError> checked(lib::ReadonlyBytes bytes);

    u16 hardware_type() const { return lib::load_be16(m_bytes, arp::field::hardware_type); }
    u16 protocol_type() const { return lib::load_be16(m_bytes, arp::field::protocol_type); }
    u8 hardware_len() const { return m_bytes[arp::field::hardware_len.offset]; }
    u8 protocol_len() const { return m_bytes[arp::field::protocol_len.offset]; }
    u16 operation() const { return lib::load_be16(m_bytes, arp::field::operation); }
    EthernetAddress sender_hardware() const { return EthernetAddress::from_bytes(m_bytes, arp::field::sender_hardware.offset); }
    Ipv4Address sender_protocol() const { return Ipv4Address::from_bytes(m_bytes, arp::field::sender_protocol.offset); }
    EthernetAddress target_hardware() const { return EthernetAddress::from_bytes(m_bytes, arp::field::target_hardware.offset); }
    Ipv4Address target_protocol() const { return Ipv4Address::from_bytes(m_bytes, arp::field::target_protocol.offset); }
    // The 28 bytes of the packet, without padding.
    lib::ReadonlyBytes bytes() const { return m_bytes; }

private:
    explicit ArpView(lib::ReadonlyBytes bytes) : m_bytes(bytes) { }
    // Invariant: m_bytes.size() == arp::packet_len; checked() is the only constructor.
    lib::ReadonlyBytes m_bytes;
};

struct ArpRepr {
    ArpOperation operation { ArpOperation::Request };
    EthernetAddress sender_hardware;
    Ipv4Address sender_protocol;
    EthernetAddress target_hardware;
    Ipv4Address target_protocol;

    // Fails with: BadVersion (hardware type not Ethernet or protocol type not IPv4),
    // Unsupported (an operation other than request or reply),
    // BadAddress (sender hardware address is a group address, or sender protocol address is
    // broadcast or multicast: believing either would poison the neighbour cache).
    // A sender protocol address of 0.0.0.0 is accepted: it is an RFC 5227 probe.
    static lib::Result<ArpRepr, WireError> parse(const ArpView& view);
    usize buffer_len() const { return arp::packet_len; }
    // Writes buffer_len() bytes at the writer's position.
    // Precondition: out.remaining() >= buffer_len().
    void emit(lib::ByteWriter& out) const;
    bool operator==(const ArpRepr&) const = default;
};

} // namespace net::wire
