// DHCP client messages (RFC 2131, RFC 2132): checked view, option walk, repr parse and emit.
#include "net/wire/dhcp.h"

namespace net::wire {

lib::Result<lib::Optional<DhcpRawOption>, WireError> DhcpOptionReader::next()
{
    if (m_done)
        return lib::Optional<DhcpRawOption>();
    if (m_offset >= m_area.size()) {
        // RFC 2131 §4.1: the options end with End. Without it the message was probably cut.
        m_done = true;
        return WireError::Truncated;
    }
    u8 code = m_area[m_offset];
    if (code == dhcp::option::end) {
        // Whatever follows End is padding; it is not examined.
        m_done = true;
        return lib::Optional<DhcpRawOption>();
    }
    if (code == dhcp::option::pad) {
        m_offset += 1;
        return lib::Optional<DhcpRawOption>(DhcpRawOption { code, m_area.slice(m_offset, 0) });
    }
    // Every other option has a length byte counting only the data that follows it.
    usize remaining = m_area.size() - m_offset;
    if (remaining < 2 || m_area[m_offset + 1] > remaining - 2) {
        m_done = true;
        return WireError::BadOption;
    }
    usize length = m_area[m_offset + 1];
    DhcpRawOption option { code, m_area.slice(m_offset + 2, length) };
    m_offset += 2 + length;
    return lib::Optional<DhcpRawOption>(option);
}

lib::Result<DhcpView, WireError> DhcpView::checked(lib::ReadonlyBytes message)
{
    if (message.size() < dhcp::options_offset)
        return WireError::Truncated;
    if (lib::load_be32(message, dhcp::field::magic) != dhcp::magic_cookie)
        return WireError::BadVersion;
    u8 op = message[dhcp::field::op.offset];
    if (op != dhcp::op_request && op != dhcp::op_reply)
        return WireError::BadVersion;
    if (message[dhcp::field::htype.offset] != dhcp::htype_ethernet || message[dhcp::field::hlen.offset] != dhcp::hlen_ethernet)
        return WireError::BadVersion;
    return DhcpView(message);
}

namespace {

bool is_contiguous_mask(Ipv4Address mask)
{
    u32 host = ~mask.value;
    return (host & (host + 1)) == 0;
}

bool is_known(u8 code)
{
    switch (code) {
    case dhcp::option::subnet_mask:
    case dhcp::option::router:
    case dhcp::option::dns_servers:
    case dhcp::option::requested_ip:
    case dhcp::option::lease_time:
    case dhcp::option::message_type:
    case dhcp::option::server_identifier:
    case dhcp::option::parameter_request_list:
    case dhcp::option::renewal_time:
    case dhcp::option::rebinding_time:
    case dhcp::option::client_identifier:
        return true;
    default:
        return false;
    }
}

// Decodes one known option into `out`. Precondition: is_known(raw.code), and out's fixed-part
// fields (chaddr) are already filled in.
lib::Result<void, WireError> decode_option(DhcpRepr& out, const DhcpRawOption& raw)
{
    lib::ReadonlyBytes data = raw.data;
    usize length = data.size();
    switch (raw.code) {
    case dhcp::option::message_type:
        if (length != 1)
            return WireError::BadOption;
        if (data[0] < u8(DhcpMessageType::Discover) || data[0] > u8(DhcpMessageType::Inform))
            return WireError::Unsupported;
        out.message_type = DhcpMessageType(data[0]);
        return {};
    case dhcp::option::router:
    case dhcp::option::dns_servers:
        if (length < 4 || length % 4 != 0)
            return WireError::BadOption;
        if (raw.code == dhcp::option::router) {
            out.router = Ipv4Address::from_bytes(data, 0);
            return {};
        }
        out.dns_count = u8(lib::min(length / 4, dhcp::dns_servers_max));
        for (usize i = 0; i < out.dns_count; ++i)
            out.dns_servers[i] = Ipv4Address::from_bytes(data, 4 * i);
        return {};
    case dhcp::option::parameter_request_list:
        if (length < 1)
            return WireError::BadOption;
        out.parameter_request_count = u8(lib::min(length, dhcp::parameter_request_max));
        for (usize i = 0; i < out.parameter_request_count; ++i)
            out.parameter_request_list[i] = data[i];
        return {};
    case dhcp::option::client_identifier: {
        if (length < 2)
            return WireError::BadOption;
        bool ours = length == 7 && data[0] == dhcp::htype_ethernet;
        for (usize i = 0; ours && i < 6; ++i)
            ours = data[1 + i] == out.client_hardware_address.octets[i];
        out.client_identifier = ours;
        return {};
    }
    default:
        break;
    }
    // The rest are exactly four bytes: an address or a time in seconds.
    if (length != 4)
        return WireError::BadOption;
    Ipv4Address address = Ipv4Address::from_bytes(data, 0);
    switch (raw.code) {
    case dhcp::option::subnet_mask:
        if (!is_contiguous_mask(address))
            return WireError::BadOption;
        out.subnet_mask = address;
        return {};
    case dhcp::option::requested_ip:
        out.requested_ip = address;
        return {};
    case dhcp::option::server_identifier:
        out.server_identifier = address;
        return {};
    case dhcp::option::lease_time:
        out.lease_time = address.value;
        return {};
    case dhcp::option::renewal_time:
        out.renewal_time = address.value;
        return {};
    case dhcp::option::rebinding_time:
        out.rebinding_time = address.value;
        return {};
    default:
        VERIFY_NOT_REACHED();
    }
}

template<typename T> bool same(const lib::Optional<T>& a, const lib::Optional<T>& b)
{
    if (a.has_value() != b.has_value())
        return false;
    return !a.has_value() || *a == *b;
}

void write_address_option(lib::ByteWriter& writer, u8 code, const lib::Optional<Ipv4Address>& address)
{
    if (!address.has_value())
        return;
    writer.write_u8(code);
    writer.write_u8(4);
    writer.write_be32(address->value);
}

void write_u32_option(lib::ByteWriter& writer, u8 code, const lib::Optional<u32>& value)
{
    if (!value.has_value())
        return;
    writer.write_u8(code);
    writer.write_u8(4);
    writer.write_be32(*value);
}

} // namespace

lib::Result<DhcpRepr, WireError> DhcpRepr::parse(const DhcpView& view)
{
    DhcpRepr repr;
    repr.transaction_id = view.transaction_id();
    repr.secs = view.secs();
    // The other 15 flag bits must be zero on send and are ignored on receipt (RFC 2131 §2).
    repr.broadcast = view.broadcast();
    repr.client_hardware_address = view.client_hardware_address();
    repr.client_ip = view.client_ip();
    repr.your_ip = view.your_ip();
    repr.server_ip = view.server_ip();

    lib::ReadonlyBytes area = view.options();
    DhcpOptionReader reader(area);
    u64 seen = 0;
    // Each step consumes at least one byte (DhcpOptionReader's invariant), so area.size() + 1
    // steps always reach End or an error; the bound is explicit for the verifier.
    for (usize step = 0; step <= area.size(); ++step) {
        lib::Optional<DhcpRawOption> raw = TRY(reader.next());
        if (!raw.has_value()) {
            TRY(dhcp::detail::check_complete(repr, seen, view.op()));
            return repr;
        }
        TRY(dhcp::detail::apply_option(repr, seen, *raw));
    }
    VERIFY_NOT_REACHED();
}

lib::Result<void, WireError> dhcp::detail::apply_option(DhcpRepr& out, u64& seen, const DhcpRawOption& raw)
{
    if (!is_known(raw.code))
        return {};
    // Every known code is below 64.
    u64 bit = u64(1) << raw.code;
    if (seen & bit)
        return WireError::BadOption;
    seen |= bit;
    return decode_option(out, raw);
}

lib::Result<void, WireError> dhcp::detail::check_complete(const DhcpRepr& repr, u64 seen, u8 op)
{
    if ((seen & (u64(1) << dhcp::option::message_type)) == 0)
        return WireError::BadOption;
    if (dhcp_op_for(repr.message_type) != op)
        return WireError::BadOption;
    return {};
}

bool DhcpRepr::is_valid() const
{
    u8 type = u8(message_type);
    if (type < u8(DhcpMessageType::Discover) || type > u8(DhcpMessageType::Inform))
        return false;
    if (dns_count > dhcp::dns_servers_max || parameter_request_count > dhcp::parameter_request_max)
        return false;
    return !subnet_mask.has_value() || is_contiguous_mask(*subnet_mask);
}

usize DhcpRepr::buffer_len() const
{
    VERIFY(is_valid());
    usize length = dhcp::options_offset + 3 + 1; // message type, End
    if (client_identifier)
        length += 9;
    length += 6 * (usize(requested_ip.has_value()) + usize(server_identifier.has_value()) + usize(subnet_mask.has_value())
                      + usize(router.has_value()) + usize(lease_time.has_value()) + usize(renewal_time.has_value())
                      + usize(rebinding_time.has_value()));
    if (dns_count > 0)
        length += 2 + 4 * usize(dns_count);
    if (parameter_request_count > 0)
        length += 2 + usize(parameter_request_count);
    return lib::max(length, dhcp::min_message_len);
}

void DhcpRepr::emit(lib::ByteWriter& writer) const
{
    lib::ByteWriter out = writer.sub_writer(buffer_len());
    out.write_u8(dhcp_op_for(message_type));
    out.write_u8(dhcp::htype_ethernet);
    out.write_u8(dhcp::hlen_ethernet);
    out.write_u8(0); // hops
    out.write_be32(transaction_id);
    out.write_be16(secs);
    out.write_be16(broadcast ? dhcp::flag_broadcast : 0);
    out.write_be32(client_ip.value);
    out.write_be32(your_ip.value);
    out.write_be32(server_ip.value);
    out.write_be32(0); // giaddr: only relays set it
    out.write_bytes(lib::ReadonlyBytes(client_hardware_address.octets));
    out.fill(0, dhcp::field::chaddr.size - 6 + dhcp::field::sname.size + dhcp::field::file.size);
    out.write_be32(dhcp::magic_cookie);
    VERIFY(out.position() == dhcp::options_offset);

    out.write_u8(dhcp::option::message_type);
    out.write_u8(1);
    out.write_u8(u8(message_type));
    if (client_identifier) {
        out.write_u8(dhcp::option::client_identifier);
        out.write_u8(7);
        out.write_u8(dhcp::htype_ethernet);
        out.write_bytes(lib::ReadonlyBytes(client_hardware_address.octets));
    }
    write_address_option(out, dhcp::option::requested_ip, requested_ip);
    write_address_option(out, dhcp::option::server_identifier, server_identifier);
    write_address_option(out, dhcp::option::subnet_mask, subnet_mask);
    write_address_option(out, dhcp::option::router, router);
    if (dns_count > 0) {
        out.write_u8(dhcp::option::dns_servers);
        out.write_u8(u8(4 * dns_count));
        for (usize i = 0; i < dns_count; ++i)
            out.write_be32(dns_servers[i].value);
    }
    write_u32_option(out, dhcp::option::lease_time, lease_time);
    write_u32_option(out, dhcp::option::renewal_time, renewal_time);
    write_u32_option(out, dhcp::option::rebinding_time, rebinding_time);
    if (parameter_request_count > 0) {
        out.write_u8(dhcp::option::parameter_request_list);
        out.write_u8(parameter_request_count);
        out.write_bytes(lib::ReadonlyBytes(parameter_request_list, parameter_request_count));
    }
    out.write_u8(dhcp::option::end);
    out.fill(0, out.remaining());
}

bool DhcpRepr::operator==(const DhcpRepr& other) const
{
    if (message_type != other.message_type || transaction_id != other.transaction_id || secs != other.secs
        || broadcast != other.broadcast || !(client_hardware_address == other.client_hardware_address)
        || !(client_ip == other.client_ip) || !(your_ip == other.your_ip) || !(server_ip == other.server_ip)
        || client_identifier != other.client_identifier)
        return false;
    if (!same(server_identifier, other.server_identifier) || !same(requested_ip, other.requested_ip)
        || !same(subnet_mask, other.subnet_mask) || !same(router, other.router) || !same(lease_time, other.lease_time)
        || !same(renewal_time, other.renewal_time) || !same(rebinding_time, other.rebinding_time))
        return false;
    if (dns_count != other.dns_count || parameter_request_count != other.parameter_request_count)
        return false;
    for (usize i = 0; i < dns_count && i < dhcp::dns_servers_max; ++i) {
        if (!(dns_servers[i] == other.dns_servers[i]))
            return false;
    }
    for (usize i = 0; i < parameter_request_count && i < dhcp::parameter_request_max; ++i) {
        if (parameter_request_list[i] != other.parameter_request_list[i])
            return false;
    }
    return true;
}

} // namespace net::wire
