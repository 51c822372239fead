// Ethernet II frames (RFC 894; IEEE 802.3 §3.2.6 type interpretation): destination, source and
// EtherType. No 802.1Q: a VLAN tag (EtherType 0x8100) is reported as an unknown EtherType, which
// the caller drops as Unsupported.
#pragma once

#include "lib/byte_writer.h"
#include "lib/result.h"
#include "net/wire/address.h"
#include "net/wire/wire_error.h"

namespace net::wire {

// The EtherTypes Bulwark handles. Any other 16-bit value is carried as-is (`EtherType(0x86dd)`);
// the fixed underlying type makes every value representable.
enum class EtherType : u16 {
    Ipv4 = 0x0800,
    Arp = 0x0806,
};

namespace ethernet {
inline constexpr usize header_len = 14;
namespace field {
inline constexpr lib::Field dst { 0, 6 };
inline constexpr lib::Field src { 6, 6 };
inline constexpr lib::Field ethertype { 12, 2 };
} // namespace field
static_assert(field::ethertype.end() == header_len);
} // namespace ethernet

// A received frame whose header has been bounds-checked. The FCS is not included (virtio-net and
// most NICs strip it).
class EthernetView {
public:
    // Fails with: Truncated (fewer than 14 bytes).
    static lib::Result<EthernetView, WireError> checked(lib::ReadonlyBytes frame);

    EthernetAddress dst() const { return EthernetAddress::from_bytes(m_bytes, ethernet::field::dst.offset); }
    EthernetAddress src() const { return EthernetAddress::from_bytes(m_bytes, ethernet::field::src.offset); }
    u16 ethertype() const { return lib::load_be16(m_bytes, ethernet::field::ethertype); }
    lib::ReadonlyBytes header() const { return m_bytes.slice(0, ethernet::header_len); }
    // Everything after the header. Ethernet has no length field, so this includes any padding up
    // to the 60-byte minimum frame; the payload's own length field (IPv4 total length) trims it.
    lib::ReadonlyBytes payload() const { return m_bytes.slice(ethernet::header_len); }
    lib::ReadonlyBytes bytes() const { return m_bytes; }

private:
    explicit EthernetView(lib::ReadonlyBytes bytes) : m_bytes(bytes) { }
    // Invariant: m_bytes.size() >= ethernet::header_len; checked() is the only constructor.
    lib::ReadonlyBytes m_bytes;
};

struct EthernetRepr {
    EthernetAddress src;
    EthernetAddress dst;
    EtherType ethertype { EtherType::Ipv4 };

    // Fails with: BadAddress (the source is a group address: multicast or broadcast).
    // An unknown EtherType is not an error here; the caller dispatches on it and drops the rest.
    static lib::Result<EthernetRepr, WireError> parse(const EthernetView& view);
    // The header only (14 bytes); the caller writes the payload after it. Padding short frames
    // to 60 bytes, where a NIC needs it, is the driver's job.
    usize buffer_len() const { return ethernet::header_len; }
    // Writes buffer_len() bytes at the writer's position.
    // Precondition: out.remaining() >= buffer_len().
    void emit(lib::ByteWriter& out) const;
    bool operator==(const EthernetRepr&) const = default;
};

} // namespace net::wire
