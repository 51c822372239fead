// UDP over IPv4 (RFC 768): checked view, repr and emitter.
#include "net/wire/udp.h"

#include "net/wire/checksum.h"
#include "net/wire/ipv4.h"

namespace net::wire {

namespace {
constexpr u8 protocol_udp = u8(IpProtocol::Udp);
}

lib::Result<UdpView, WireError> UdpView::checked(lib::ReadonlyBytes bytes)
{
    if (bytes.size() < udp::header_len)
        return WireError::Truncated;
    usize length = lib::load_be16(bytes, udp::field::length);
    if (length < udp::header_len || length > bytes.size())
        return WireError::BadLength;
    return UdpView(bytes.slice(0, length));
}

lib::Result<UdpRepr, WireError> UdpRepr::parse(const UdpView& view, Ipv4Address src, Ipv4Address dst)
{
    if (checksum::enforce && view.checksum() != 0) {
        u32 pseudo = checksum::pseudo_header(src, dst, protocol_udp, view.length());
        if (!checksum::verifies(view.bytes(), pseudo))
            return WireError::BadChecksum;
    }
    if (view.dst_port() == 0)
        return WireError::BadAddress;
    UdpRepr repr;
    repr.src_port = view.src_port();
    repr.dst_port = view.dst_port();
    repr.payload = view.payload();
    return repr;
}

void UdpRepr::emit(lib::ByteWriter& out, Ipv4Address src, Ipv4Address dst) const
{
    VERIFY(payload.size() <= max_payload_len);
    u16 length = u16(buffer_len());
    lib::ByteWriter w = out.sub_writer(buffer_len());
    w.write_be16(src_port);
    w.write_be16(dst_port);
    w.write_be16(length);
    w.write_be16(0); // Checksum, filled in below.
    w.write_bytes(payload);
    u16 sum = checksum::finish(checksum::accumulate(w.written(), checksum::pseudo_header(src, dst, protocol_udp, length)));
    lib::store_be16(w.buffer(), udp::field::checksum.offset, sum == 0 ? 0xffff : sum);
}

bool UdpRepr::operator==(const UdpRepr& other) const
{
    if (src_port != other.src_port || dst_port != other.dst_port || payload.size() != other.payload.size())
        return false;
    for (usize i = 0; i < payload.size(); ++i) {
        if (payload.data()[i] != other.payload.data()[i])
            return false;
    }
    return true;
}

} // namespace net::wire
