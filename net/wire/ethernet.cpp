// Ethernet II frames (RFC 894): checked view, repr and emitter.
#include "net/wire/ethernet.h"

namespace net::wire {

lib::Result<EthernetView, WireError> EthernetView::checked(lib::ReadonlyBytes frame)
{
    if (frame.size() < ethernet::header_len)
        return WireError::Truncated;
    return EthernetView(frame);
}

lib::Result<EthernetRepr, WireError> EthernetRepr::parse(const EthernetView& view)
{
    EthernetRepr repr;
    repr.src = view.src();
    repr.dst = view.dst();
    repr.ethertype = EtherType(view.ethertype());
    // IEEE 802.3 §3.2.3: the I/G bit of a source address is always 0. A group source is forged.
    if (!repr.src.is_unicast())
        return WireError::BadAddress;
    return repr;
}

void EthernetRepr::emit(lib::ByteWriter& out) const
{
    lib::ByteWriter w = out.sub_writer(buffer_len());
    w.write_bytes(lib::ReadonlyBytes(dst.octets));
    w.write_bytes(lib::ReadonlyBytes(src.octets));
    w.write_be16(u16(ethertype));
}

} // namespace net::wire
