// IPv4 headers (RFC 791, RFC 1122 §3.2.1): checked view, option walk, repr and emitter.
#include "net/wire/ipv4.h"

#include "net/wire/checksum.h"

namespace net::wire {

lib::Result<void, WireError> ipv4::check_options(lib::ReadonlyBytes options)
{
    usize i = 0;
    // Each iteration advances i by at least one and keeps i <= options.size().
    while (i < options.size()) {
        u8 type = options[i];
        if (type == option::end_of_list)
            break;
        if (type == option::no_operation) {
            i += 1;
            continue;
        }
        if (options.size() - i < 2)
            return WireError::BadOption;
        u8 length = options[i + 1];
        if (length < 2 || length > options.size() - i)
            return WireError::BadOption;
        if (type == option::loose_source_route || type == option::strict_source_route)
            return WireError::Unsupported;
        i += length;
    }
    return {};
}

lib::Result<Ipv4View, WireError> Ipv4View::checked(lib::ReadonlyBytes bytes)
{
    if (bytes.size() < ipv4::min_header_len)
        return WireError::Truncated;
    u8 version_ihl = bytes[ipv4::field::version_ihl.offset];
    if ((version_ihl >> 4) != 4)
        return WireError::BadVersion;
    usize header_len = usize(version_ihl & 0x0f) * 4;
    if (header_len < ipv4::min_header_len || header_len > bytes.size())
        return WireError::BadLength;
    usize total_length = lib::load_be16(bytes, ipv4::field::total_length);
    if (total_length < header_len || total_length > bytes.size())
        return WireError::BadLength;
    return Ipv4View(bytes.slice(0, total_length));
}

lib::Result<Ipv4Repr, WireError> Ipv4Repr::parse(const Ipv4View& view)
{
    if (checksum::enforce && !checksum::verifies(view.header()))
        return WireError::BadChecksum;
    return ipv4::detail::parse_fields(view);
}

lib::Result<Ipv4Repr, WireError> ipv4::detail::parse_fields(const Ipv4View& view)
{
    TRY(ipv4::check_options(view.options()));
    if (view.reserved_flag())
        return WireError::BadFlags;
    if (view.more_fragments() || view.fragment_offset() != 0)
        return WireError::Unsupported;
    if (!view.src().is_valid_source())
        return WireError::BadAddress;

    Ipv4Repr repr;
    repr.src = view.src();
    repr.dst = view.dst();
    repr.protocol = IpProtocol(view.protocol());
    repr.ttl = view.ttl();
    repr.type_of_service = view.type_of_service();
    repr.identification = view.identification();
    repr.dont_fragment = view.dont_fragment();
    repr.payload_len = u16(view.payload().size());
    return repr;
}

void Ipv4Repr::emit(lib::ByteWriter& out) const
{
    VERIFY(payload_len <= max_payload_len);
    lib::ByteWriter w = out.sub_writer(buffer_len());
    w.write_u8(0x45); // Version 4, IHL 5.
    w.write_u8(type_of_service);
    w.write_be16(u16(ipv4::min_header_len + payload_len));
    w.write_be16(identification);
    w.write_be16(dont_fragment ? ipv4::flag_dont_fragment : 0);
    w.write_u8(ttl);
    w.write_u8(u8(protocol));
    w.write_be16(0); // Checksum, filled in below.
    w.write_be32(src.value);
    w.write_be32(dst.value);
    lib::store_be16(w.buffer(), ipv4::field::checksum.offset, checksum::of(w.written()));
}

} // namespace net::wire
