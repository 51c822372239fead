// ARP for IPv4 over Ethernet (RFC 826): checked view, repr and emitter.
#include "net/wire/arp.h"

namespace net::wire {

lib::Result<ArpView, WireError> ArpView::checked(lib::ReadonlyBytes bytes)
{
    if (bytes.size() < arp::packet_len)
        return WireError::Truncated;
    lib::ReadonlyBytes packet = bytes.slice(0, arp::packet_len);
    // The address lengths decide where every later field sits; only 6/4 gives our fixed layout.
    if (packet[arp::field::hardware_len.offset] != 6 || packet[arp::field::protocol_len.offset] != 4)
        return WireError::BadVersion;
    return ArpView(packet);
}

lib::Result<ArpRepr, WireError> ArpRepr::parse(const ArpView& view)
{
    if (view.hardware_type() != arp::hardware_type_ethernet || view.protocol_type() != arp::protocol_type_ipv4)
        return WireError::BadVersion;
    u16 operation = view.operation();
    if (operation != u16(ArpOperation::Request) && operation != u16(ArpOperation::Reply))
        return WireError::Unsupported;
    ArpRepr repr;
    repr.operation = ArpOperation(operation);
    repr.sender_hardware = view.sender_hardware();
    repr.sender_protocol = view.sender_protocol();
    repr.target_hardware = view.target_hardware();
    repr.target_protocol = view.target_protocol();
    if (!repr.sender_hardware.is_unicast() || !repr.sender_protocol.is_valid_source())
        return WireError::BadAddress;
    return repr;
}

void ArpRepr::emit(lib::ByteWriter& out) const
{
    lib::ByteWriter w = out.sub_writer(buffer_len());
    w.write_be16(arp::hardware_type_ethernet);
    w.write_be16(arp::protocol_type_ipv4);
    w.write_u8(6);
    w.write_u8(4);
    w.write_be16(u16(operation));
    w.write_bytes(lib::ReadonlyBytes(sender_hardware.octets));
    w.write_be32(sender_protocol.value);
    w.write_bytes(lib::ReadonlyBytes(target_hardware.octets));
    w.write_be32(target_protocol.value);
}

} // namespace net::wire
