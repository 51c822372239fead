// TCP segment header and options (RFC 9293 §3.1, RFC 7323, RFC 2018, RFC 6691): checked view,
// option walk, repr parse and canonical emit.
#include "net/wire/tcp.h"

#include "net/wire/checksum.h"

namespace net::wire {

using OptionResult = lib::Result<lib::Optional<TcpRawOption>, WireError>;

OptionResult TcpOptionReader::next()
{
    if (m_offset >= m_area.size())
        return lib::Optional<TcpRawOption>();
    u8 kind = m_area[m_offset];
    if (kind == tcp::option::end_of_list) {
        // The rest of the area is padding (RFC 9293 §3.2); it is not examined.
        m_offset = m_area.size();
        return lib::Optional<TcpRawOption>();
    }
    if (kind == tcp::option::nop) {
        m_offset += 1;
        return lib::Optional<TcpRawOption>(TcpRawOption { kind, m_area.slice(m_offset, 0) });
    }
    // Every other kind carries a length byte that counts the kind and length bytes themselves.
    usize remaining = m_area.size() - m_offset;
    usize length = remaining >= 2 ? m_area[m_offset + 1] : 0;
    if (remaining < 2 || length < 2 || length > remaining) {
        m_offset = m_area.size();
        return WireError::BadOption;
    }
    TcpRawOption option { kind, m_area.slice(m_offset + 2, length - 2) };
    m_offset += length;
    return lib::Optional<TcpRawOption>(option);
}

namespace {

// Marks `kind` as seen; a second sighting of a known option is BadOption.
lib::Result<void, WireError> first_sighting(u32& seen, u8 kind)
{
    u32 bit = u32(1) << kind;
    if (seen & bit)
        return WireError::BadOption;
    seen |= bit;
    return {};
}

} // namespace

lib::Result<void, WireError> tcp::detail::decode_option(TcpOptions& out, const TcpRawOption& raw, bool syn)
{
    lib::ReadonlyBytes data = raw.data;
    switch (raw.kind) {
    case tcp::option::mss:
        if (data.size() != 2)
            return WireError::BadOption;
        if (syn)
            out.mss = lib::load_be16(data, 0);
        return {};
    case tcp::option::window_scale:
        if (data.size() != 1)
            return WireError::BadOption;
        if (syn)
            out.window_scale = lib::min(data[0], tcp::window_scale_max);
        return {};
    case tcp::option::sack_permitted:
        if (data.size() != 0)
            return WireError::BadOption;
        if (syn)
            out.sack_permitted = true;
        return {};
    case tcp::option::sack: {
        usize count = data.size() / 8;
        if (data.size() % 8 != 0 || count < 1 || count > tcp::sack_blocks_max)
            return WireError::BadOption;
        for (usize i = 0; i < count; ++i) {
            TcpSackBlock block { { lib::load_be32(data, 8 * i) }, { lib::load_be32(data, 8 * i + 4) } };
            // An empty or inverted block describes no data; a scoreboard must never see one.
            if (!seq_lt(block.left, block.right))
                return WireError::BadOption;
            if (!syn)
                out.sack_blocks[i] = block;
        }
        if (!syn)
            out.sack_count = u8(count);
        return {};
    }
    case tcp::option::timestamps:
        if (data.size() != 8)
            return WireError::BadOption;
        out.timestamps = TcpTimestamps { lib::load_be32(data, 0), lib::load_be32(data, 4) };
        return {};
    default:
        // Unknown options were already skipped by their (checked) length.
        return {};
    }
}

namespace {

bool is_known(u8 kind)
{
    return kind == tcp::option::mss || kind == tcp::option::window_scale || kind == tcp::option::sack_permitted
        || kind == tcp::option::sack || kind == tcp::option::timestamps;
}

template<typename T> bool same(const lib::Optional<T>& a, const lib::Optional<T>& b)
{
    if (a.has_value() != b.has_value())
        return false;
    return !a.has_value() || *a == *b;
}

} // namespace

lib::Result<TcpOptions, WireError> TcpOptions::parse(lib::ReadonlyBytes area, TcpFlags flags)
{
    if (area.size() > tcp::options_len_max)
        return WireError::BadOption;
    TcpOptions out;
    bool syn = flags.has(TcpFlags::syn);
    u32 seen = 0;
    TcpOptionReader reader(area);
    // Each step consumes at least one byte (TcpOptionReader's invariant), so area.size() + 1 steps
    // always reach the end; the bound is explicit for the verifier.
    for (usize step = 0; step <= area.size(); ++step) {
        lib::Optional<TcpRawOption> raw = TRY(reader.next());
        if (!raw.has_value())
            return out;
        if (!is_known(raw->kind))
            continue;
        TRY(first_sighting(seen, raw->kind));
        TRY(tcp::detail::decode_option(out, *raw, syn));
    }
    VERIFY_NOT_REACHED();
}

usize TcpOptions::buffer_len() const
{
    usize length = 0;
    if (mss.has_value())
        length += 4;
    if (timestamps.has_value())
        length += 12;
    else if (sack_permitted)
        length += 4;
    if (window_scale.has_value())
        length += 4;
    if (sack_count > 0)
        length += 4 + 8 * usize(sack_count);
    return length;
}

void TcpOptions::emit(lib::ByteWriter& writer) const
{
    VERIFY(sack_count <= tcp::sack_blocks_max);
    if (mss.has_value()) {
        writer.write_u8(tcp::option::mss);
        writer.write_u8(4);
        writer.write_be16(*mss);
    }
    if (sack_permitted && timestamps.has_value()) {
        writer.write_u8(tcp::option::sack_permitted);
        writer.write_u8(2);
    } else if (sack_permitted || timestamps.has_value()) {
        writer.write_u8(tcp::option::nop);
        writer.write_u8(tcp::option::nop);
        if (sack_permitted) {
            writer.write_u8(tcp::option::sack_permitted);
            writer.write_u8(2);
        }
    }
    if (timestamps.has_value()) {
        writer.write_u8(tcp::option::timestamps);
        writer.write_u8(10);
        writer.write_be32(timestamps->tsval);
        writer.write_be32(timestamps->tsecr);
    }
    if (window_scale.has_value()) {
        writer.write_u8(tcp::option::nop);
        writer.write_u8(tcp::option::window_scale);
        writer.write_u8(3);
        writer.write_u8(*window_scale);
    }
    if (sack_count > 0) {
        writer.write_u8(tcp::option::nop);
        writer.write_u8(tcp::option::nop);
        writer.write_u8(tcp::option::sack);
        writer.write_u8(u8(2 + 8 * sack_count));
        for (usize i = 0; i < sack_count; ++i) {
            writer.write_be32(sack_blocks[i].left.value);
            writer.write_be32(sack_blocks[i].right.value);
        }
    }
}

bool TcpOptions::operator==(const TcpOptions& other) const
{
    if (!same(mss, other.mss) || !same(window_scale, other.window_scale) || sack_permitted != other.sack_permitted
        || !same(timestamps, other.timestamps) || sack_count != other.sack_count)
        return false;
    for (usize i = 0; i < sack_count && i < tcp::sack_blocks_max; ++i) {
        if (!(sack_blocks[i] == other.sack_blocks[i]))
            return false;
    }
    return true;
}

lib::Result<TcpView, WireError> TcpView::checked(lib::ReadonlyBytes segment)
{
    if (segment.size() < tcp::header_len_min)
        return WireError::Truncated;
    if (segment.size() > 0xffff)
        return WireError::BadLength;
    usize header_len = usize(lib::load_be16(segment, tcp::field::offset_and_flags) >> 12) * 4;
    if (header_len < tcp::header_len_min)
        return WireError::BadLength;
    if (header_len > segment.size())
        return WireError::Truncated;
    return TcpView(segment);
}

lib::Result<TcpRepr, WireError> TcpRepr::parse(const TcpView& view, Ipv4Address src, Ipv4Address dst)
{
    if constexpr (checksum::enforce) {
        // TcpView's invariant keeps the length within 16 bits.
        u32 pseudo = checksum::pseudo_header(src, dst, tcp::ip_protocol, u16(view.bytes().size()));
        if (!checksum::verifies(view.bytes(), pseudo))
            return WireError::BadChecksum;
    }
    TcpRepr repr;
    repr.src_port = view.src_port();
    repr.dst_port = view.dst_port();
    if (repr.src_port == 0 || repr.dst_port == 0)
        return WireError::BadAddress;
    // The 4 reserved bits are ignored on receipt (RFC 9293 §3.1); flags() never includes them.
    repr.flags = view.flags();
    if (!repr.flags.is_legal())
        return WireError::BadFlags;
    repr.seq = view.seq_number();
    if (repr.flags.has(TcpFlags::ack))
        repr.ack = view.ack_number();
    repr.window = view.window();
    if (repr.flags.has(TcpFlags::urg))
        repr.urgent = view.urgent_pointer();
    repr.options = TRY(TcpOptions::parse(view.options(), repr.flags));
    repr.payload_len = view.payload().size();
    // The canonical option layout can be up to 4 bytes longer than the received one; a segment
    // at the 65535-byte limit whose re-encoding would not fit is refused, so that every repr
    // parse() returns satisfies is_valid() (found by fuzz/net/wire/tcp_fuzz.cpp).
    if (!repr.is_valid())
        return WireError::BadLength;
    return repr;
}

bool TcpRepr::is_valid() const
{
    if (src_port == 0 || dst_port == 0 || !flags.is_legal())
        return false;
    if ((!flags.has(TcpFlags::ack) && ack.value != 0) || (!flags.has(TcpFlags::urg) && urgent != 0))
        return false;
    bool syn = flags.has(TcpFlags::syn);
    if (!syn && (options.mss.has_value() || options.window_scale.has_value() || options.sack_permitted))
        return false;
    if (options.sack_count > tcp::sack_blocks_max || (syn && options.sack_count != 0))
        return false;
    for (usize i = 0; i < options.sack_count; ++i) {
        if (!seq_lt(options.sack_blocks[i].left, options.sack_blocks[i].right))
            return false;
    }
    if (options.window_scale.value_or(0) > tcp::window_scale_max)
        return false;
    usize options_len = options.buffer_len();
    if (options_len > tcp::options_len_max)
        return false;
    return payload_len <= 0xffff - tcp::header_len_min - options_len;
}

usize TcpRepr::header_len() const
{
    VERIFY(is_valid());
    return tcp::header_len_min + options.buffer_len();
}

usize TcpRepr::buffer_len() const { return header_len() + payload_len; }

void TcpRepr::emit(lib::ByteWriter& writer, lib::ReadonlyBytes payload, Ipv4Address src, Ipv4Address dst) const
{
    VERIFY(payload.size() == payload_len);
    usize header_length = header_len();
    lib::ByteWriter out = writer.sub_writer(header_length + payload_len);
    out.write_be16(src_port);
    out.write_be16(dst_port);
    out.write_be32(seq.value);
    out.write_be32(ack.value);
    out.write_be16(u16((header_length / 4) << 12 | flags.bits));
    out.write_be16(window);
    out.write_be16(0); // checksum, filled in below
    out.write_be16(urgent);
    options.emit(out);
    VERIFY(out.position() == header_length);
    out.write_bytes(payload);
    VERIFY(out.remaining() == 0);

    u32 pseudo = checksum::pseudo_header(src, dst, tcp::ip_protocol, u16(out.buffer().size()));
    lib::store_be16(out.buffer(), tcp::field::checksum.offset, checksum::finish(checksum::accumulate(out.buffer(), pseudo)));
}

} // namespace net::wire
