// ICMPv4 (RFC 792, RFC 1191): checked view, repr and emitter.
#include "net/wire/icmp.h"

#include "net/wire/checksum.h"

namespace net::wire {

lib::Result<IcmpView, WireError> IcmpView::checked(lib::ReadonlyBytes bytes)
{
    if (bytes.size() < icmp::header_len)
        return WireError::Truncated;
    return IcmpView(bytes);
}

IcmpRepr IcmpRepr::echo_request(u16 identifier, u16 sequence, lib::ReadonlyBytes data)
{
    IcmpRepr repr;
    repr.type = IcmpType::EchoRequest;
    repr.identifier = identifier;
    repr.sequence = sequence;
    repr.payload = data;
    return repr;
}

IcmpRepr IcmpRepr::echo_reply(u16 identifier, u16 sequence, lib::ReadonlyBytes data)
{
    IcmpRepr repr = echo_request(identifier, sequence, data);
    repr.type = IcmpType::EchoReply;
    return repr;
}

IcmpRepr IcmpRepr::destination_unreachable(u8 code, u16 next_hop_mtu, lib::ReadonlyBytes original)
{
    IcmpRepr repr;
    repr.type = IcmpType::DestinationUnreachable;
    repr.code = code;
    repr.next_hop_mtu = code == icmp::code_fragmentation_needed ? next_hop_mtu : 0;
    repr.payload = original;
    return repr;
}

lib::Result<IcmpRepr, WireError> IcmpRepr::parse(const IcmpView& view)
{
    if (checksum::enforce && !checksum::verifies(view.bytes()))
        return WireError::BadChecksum;
    IcmpRepr repr;
    repr.code = view.code();
    repr.payload = view.payload();
    switch (view.type()) {
    case u8(IcmpType::EchoRequest):
    case u8(IcmpType::EchoReply):
        repr.type = IcmpType(view.type());
        repr.identifier = view.identifier();
        repr.sequence = view.sequence();
        return repr;
    case u8(IcmpType::DestinationUnreachable):
        repr.type = IcmpType::DestinationUnreachable;
        if (repr.code == icmp::code_fragmentation_needed)
            repr.next_hop_mtu = view.next_hop_mtu();
        return repr;
    default:
        return WireError::Unsupported;
    }
}

void IcmpRepr::emit(lib::ByteWriter& out) const
{
    lib::ByteWriter w = out.sub_writer(buffer_len());
    w.write_u8(u8(type));
    w.write_u8(code);
    w.write_be16(0); // Checksum, filled in below.
    if (type == IcmpType::DestinationUnreachable) {
        w.write_be16(0);
        w.write_be16(code == icmp::code_fragmentation_needed ? next_hop_mtu : 0);
    } else {
        w.write_be16(identifier);
        w.write_be16(sequence);
    }
    w.write_bytes(payload);
    lib::store_be16(w.buffer(), icmp::field::checksum.offset, checksum::of(w.written()));
}

bool IcmpRepr::operator==(const IcmpRepr& other) const
{
    if (type != other.type || code != other.code || identifier != other.identifier || sequence != other.sequence
        || next_hop_mtu != other.next_hop_mtu || payload.size() != other.payload.size())
        return false;
    for (usize i = 0; i < payload.size(); ++i) {
        if (payload.data()[i] != other.payload.data()[i])
            return false;
    }
    return true;
}

} // namespace net::wire
