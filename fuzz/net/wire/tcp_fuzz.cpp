// Fuzz target for TCP segments (net/wire/tcp.h): TcpView::checked, TcpOptionReader,
// TcpOptions::parse, TcpRepr::parse, is_valid and emit. Checksums are not verified in this build
// (BULWARK_FUZZING).
//
// Input format: src u32, dst u32 (the IPv4 addresses for the pseudo-header, big endian as on the
// wire; zeros if the input is shorter), then the raw TCP segment (the IPv4 payload).
//
// Oracle:
//  - checked(): Truncated under 20 bytes, BadLength over 65535 bytes or for data offset < 5,
//    Truncated for a data offset past the segment; on success 20 <= header_len <= segment length,
//    options() is [20, header_len) (at most 40 bytes), payload() is [header_len, size).
//  - TcpOptionReader, over the view's options and over the whole input as an area: every step
//    advances (NOP by 1, others by their length), every option's data lies inside the area just
//    after its kind and length bytes, the walk ends within size + 1 steps, fails exactly when an
//    independent walk finds a missing/short/overrunning length before End-of-List, and keeps
//    returning nullopt once finished.
//  - TcpOptions::parse and TcpRepr::parse agree with an independent model of the rules in tcp.h
//    (ports, then flags, then options: area <= 40 bytes, known options' exact lengths, no repeats,
//    SYN-only options kept only on a SYN, SACK blocks 1..4 with left < right kept only off it,
//    window scale clamped to 14; ack/urgent zero unless ACK/URG). A parsed repr has legal flags
//    (nonzero; no SYN+FIN, SYN+RST, FIN+RST) and satisfies is_valid().
//  - emit() into an exactly buffer_len()-sized buffer fills it; the checksum verifies over the
//    pseudo-header (independent RFC 1071 sum); the options area is the canonical layout of tcp.h
//    (MSS | SACK-perm+TS, NOP NOP TS or NOP NOP SACK-perm | NOP WS | NOP NOP SACK), built here
//    independently; checked -> parse of it gives the same repr; re-emitting is a fixed point.
//    When the input is already canonical (reserved bits zero, ack/urgent zero without their flag,
//    options in that layout) emit(parse(b)) == b apart from the checksum, and byte for byte when
//    b's checksum was correct. Other inputs are not canonical (options are reordered and padded,
//    ignored options dropped, the reserved bits and unused ack/urgent zeroed).
#include "fuzz/fuzz.h"
#include "net/wire/tcp.h"

#include <cstring>
#include <vector>

using namespace net::wire;

namespace {

u16 be16(const u8* p) { return u16(p[0] << 8 | p[1]); }
u32 be32(const u8* p) { return u32(p[0]) << 24 | u32(p[1]) << 16 | u32(p[2]) << 8 | u32(p[3]); }
// memcmp that allows empty ranges (whose pointers may be null).
bool same_bytes(const u8* a, const u8* b, usize n) { return n == 0 || std::memcmp(a, b, n) == 0; }
void put16(std::vector<u8>& v, u16 x) { v.push_back(u8(x >> 8)); v.push_back(u8(x)); }
void put32(std::vector<u8>& v, u32 x) { put16(v, u16(x >> 16)); put16(v, u16(x)); }

u16 tcp_sum(u32 src, u32 dst, const u8* p, usize n)
{
    u64 sum = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + 6 + n;
    for (usize i = 0; i + 1 < n; i += 2)
        sum += u32(p[i]) << 8 | p[i + 1];
    if (n % 2)
        sum += u32(p[n - 1]) << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return u16(sum);
}

// The checksum fields of two encodings agree: equal, or both one's-complement zero (0x0000 and
// 0xffff verify alike, so an input may carry either).
bool same_checksum(u16 a, u16 b) { return a == b || (a == 0 && b == 0xffff) || (a == 0xffff && b == 0); }

// ---- The model of the options rules (tcp.h), written without the code under test. ----

struct Model {
    bool ok { true };
    bool has_mss { false };
    u16 mss { 0 };
    bool has_ws { false };
    u8 ws { 0 };
    bool sack_permitted { false };
    usize sack_count { 0 };
    u32 sack[4][2] {};
    bool has_ts { false };
    u32 tsval { 0 }, tsecr { 0 };
};

// True when the bare walk (End stops, NOP is one byte, others need a length octet >= 2 inside
// the area) meets a malformed length.
bool walk_is_malformed(const u8* p, usize n)
{
    for (usize i = 0; i < n;) {
        if (p[i] == 0)
            return false;
        if (p[i] == 1) {
            ++i;
            continue;
        }
        if (n - i < 2 || p[i + 1] < 2 || p[i + 1] > n - i)
            return true;
        i += p[i + 1];
    }
    return false;
}

Model model_options(const u8* p, usize n, bool syn)
{
    Model m;
    auto bad = [&m] { m.ok = false; return m; };
    if (n > 40)
        return bad();
    u32 seen = 0;
    for (usize i = 0; i < n;) {
        u8 kind = p[i];
        if (kind == 0)
            break;
        if (kind == 1) {
            ++i;
            continue;
        }
        if (n - i < 2 || p[i + 1] < 2 || p[i + 1] > n - i)
            return bad();
        usize length = p[i + 1];
        const u8* d = p + i + 2;
        usize dl = length - 2;
        i += length;
        if (kind != 2 && kind != 3 && kind != 4 && kind != 5 && kind != 8)
            continue; // Unknown: skipped by its length, may repeat.
        if (seen & (1u << kind))
            return bad();
        seen |= 1u << kind;
        switch (kind) {
        case 2:
            if (dl != 2)
                return bad();
            if (syn)
                m.has_mss = true, m.mss = be16(d);
            break;
        case 3:
            if (dl != 1)
                return bad();
            if (syn)
                m.has_ws = true, m.ws = d[0] > 14 ? 14 : d[0];
            break;
        case 4:
            if (dl != 0)
                return bad();
            if (syn)
                m.sack_permitted = true;
            break;
        case 5:
            if (dl == 0 || dl % 8 != 0 || dl > 32)
                return bad();
            for (usize b = 0; b < dl / 8; ++b) {
                u32 left = be32(d + 8 * b), right = be32(d + 8 * b + 4);
                if (i32(left - right) >= 0) // left < right modulo 2^32 (RFC 1982).
                    return bad();
                if (!syn)
                    m.sack[b][0] = left, m.sack[b][1] = right;
            }
            if (!syn)
                m.sack_count = dl / 8;
            break;
        case 8:
            if (dl != 8)
                return bad();
            m.has_ts = true, m.tsval = be32(d), m.tsecr = be32(d + 4);
            break;
        }
    }
    return m;
}

// The canonical layout of tcp.h for the model's options.
std::vector<u8> canonical_options(const Model& m)
{
    std::vector<u8> v;
    if (m.has_mss) {
        v.insert(v.end(), { 2, 4 });
        put16(v, m.mss);
    }
    if (m.sack_permitted && m.has_ts)
        v.insert(v.end(), { 4, 2 });
    else if (m.has_ts)
        v.insert(v.end(), { 1, 1 });
    else if (m.sack_permitted)
        v.insert(v.end(), { 1, 1, 4, 2 });
    if (m.has_ts) {
        v.insert(v.end(), { 8, 10 });
        put32(v, m.tsval);
        put32(v, m.tsecr);
    }
    if (m.has_ws)
        v.insert(v.end(), { 1, 3, 3, m.ws });
    if (m.sack_count) {
        v.insert(v.end(), { 1, 1, 5, u8(2 + 8 * m.sack_count) });
        for (usize b = 0; b < m.sack_count; ++b) {
            put32(v, m.sack[b][0]);
            put32(v, m.sack[b][1]);
        }
    }
    return v;
}

bool agrees(const TcpOptions& o, const Model& m)
{
    if (o.mss.has_value() != m.has_mss || (m.has_mss && *o.mss != m.mss))
        return false;
    if (o.window_scale.has_value() != m.has_ws || (m.has_ws && *o.window_scale != m.ws))
        return false;
    if (o.sack_permitted != m.sack_permitted || o.sack_count != m.sack_count)
        return false;
    for (usize b = 0; b < m.sack_count; ++b) {
        if (o.sack_blocks[b].left.value != m.sack[b][0] || o.sack_blocks[b].right.value != m.sack[b][1])
            return false;
    }
    return o.timestamps.has_value() == m.has_ts && (!m.has_ts || (o.timestamps->tsval == m.tsval && o.timestamps->tsecr == m.tsecr));
}

// Walks `area` with TcpOptionReader and checks the walk's invariants.
void check_walk(lib::ReadonlyBytes area)
{
    TcpOptionReader reader(area);
    usize previous = 0;
    bool failed = false;
    usize steps = 0;
    for (;; ++steps) {
        FUZZ_CHECK(steps <= area.size() + 1, "the option walk ends within size + 1 steps");
        auto next = reader.next();
        if (next.is_error()) {
            FUZZ_CHECK(next.error() == WireError::BadOption, "a malformed option walk is BadOption");
            failed = true;
            break;
        }
        if (!next.value().has_value())
            break;
        const TcpRawOption& option = *next.value();
        usize offset = reader.offset();
        FUZZ_CHECK(offset > previous && offset <= area.size(), "every option advances the walk and stays in the area");
        FUZZ_CHECK(area[previous] == option.kind, "the option's kind is the byte the walk stood on");
        if (option.kind == tcp::option::nop)
            FUZZ_CHECK(offset == previous + 1 && option.data.size() == 0, "NOP is one byte, without data");
        else
            FUZZ_CHECK(option.data.data() == area.data() + previous + 2 && offset == previous + 2 + option.data.size()
                    && area[previous + 1] == option.data.size() + 2,
                "an option's data follows its kind and length bytes, and the walk skips exactly its length");
        previous = offset;
    }
    FUZZ_CHECK(failed == walk_is_malformed(area.data(), area.size()), "the walk fails exactly on a malformed length");
    auto after = reader.next();
    FUZZ_CHECK(after.is_ok() && !after.value().has_value(), "a finished walk keeps returning nullopt");
}

std::vector<u8> emit_segment(const TcpRepr& repr, lib::ReadonlyBytes payload, Ipv4Address src, Ipv4Address dst)
{
    std::vector<u8> out(repr.buffer_len());
    lib::ByteWriter writer(lib::Bytes(out.data(), out.size()));
    repr.emit(writer, payload, src, dst);
    FUZZ_CHECK(writer.remaining() == 0, "emit writes exactly buffer_len() bytes");
    FUZZ_CHECK(usize(out[12] >> 4) * 4 == repr.header_len() && (out[12] & 0xf) == 0, "data offset is header_len / 4, reserved bits zero");
    FUZZ_CHECK(tcp_sum(src.value, dst.value, out.data(), out.size()) == 0xffff, "the emitted checksum verifies over the pseudo-header");
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    u8 addresses[8] {};
    std::memcpy(addresses, data, size < 8 ? size : 8);
    Ipv4Address src { be32(addresses) };
    Ipv4Address dst { be32(addresses + 4) };
    std::vector<u8> input; // Exact-size heap copy of the segment: ASan sees any overrun.
    if (size > 8)
        input.assign(data + 8, data + size);
    size = input.size();
    const u8* p = input.data();
    lib::ReadonlyBytes segment(p, size);

    check_walk(segment);
    {
        // TcpOptions::parse on the input taken as an options area, under both SYN and not.
        for (u8 flags : { u8(TcpFlags::syn), u8(TcpFlags::ack) }) {
            auto options = TcpOptions::parse(segment, TcpFlags { flags });
            Model m = model_options(p, size, flags == TcpFlags::syn);
            FUZZ_CHECK(options.is_ok() == m.ok, "TcpOptions::parse accepts exactly what the rules accept");
            FUZZ_CHECK(options.is_ok() ? agrees(options.value(), m) : options.error() == WireError::BadOption,
                "TcpOptions::parse gives the model's options, or BadOption");
        }
    }

    auto checked = TcpView::checked(segment);
    usize hl = size >= 20 ? usize(p[12] >> 4) * 4 : 0;
    if (size < 20 || (size <= 0xffff && hl >= 20 && hl > size)) {
        FUZZ_CHECK(checked.is_error() && checked.error() == WireError::Truncated, "short segments are Truncated");
        return 0;
    }
    if (size > 0xffff || hl < 20) {
        FUZZ_CHECK(checked.is_error() && checked.error() == WireError::BadLength, "over 65535 bytes or data offset < 5 is BadLength");
        return 0;
    }
    FUZZ_CHECK(checked.is_ok(), "a consistent segment passes checked()");
    const TcpView& view = checked.value();
    FUZZ_CHECK(20 <= view.header_len() && view.header_len() == hl && view.header_len() <= size, "20 <= header_len <= segment length");
    FUZZ_CHECK(view.bytes().data() == p && view.bytes().size() == size, "bytes() is the segment");
    FUZZ_CHECK(view.options().data() == p + 20 && view.options().size() == hl - 20 && view.options().size() <= 40,
        "options() is [20, header_len), at most 40 bytes");
    FUZZ_CHECK(view.payload().data() == p + hl && view.payload().size() == size - hl, "payload() is [header_len, size)");
    FUZZ_CHECK(view.src_port() == be16(p) && view.dst_port() == be16(p + 2) && view.seq_number().value == be32(p + 4)
            && view.ack_number().value == be32(p + 8) && view.flags().bits == p[13] && view.window() == be16(p + 14)
            && view.checksum() == be16(p + 16) && view.urgent_pointer() == be16(p + 18),
        "the header fields are where RFC 9293 puts them");
    check_walk(view.options());

    auto parsed = TcpRepr::parse(view, src, dst);
    u8 flags = p[13];
    bool syn = flags & TcpFlags::syn;
    auto has = [flags](u8 mask) { return (flags & mask) == mask; };
    bool legal = flags != 0 && !has(TcpFlags::syn | TcpFlags::fin) && !has(TcpFlags::syn | TcpFlags::rst) && !has(TcpFlags::fin | TcpFlags::rst);
    FUZZ_CHECK(view.flags().is_legal() == legal, "is_legal: nonzero, no SYN+FIN, SYN+RST or FIN+RST");
    if (be16(p) == 0 || be16(p + 2) == 0) {
        FUZZ_CHECK(parsed.is_error() && parsed.error() == WireError::BadAddress, "port 0 is BadAddress");
        return 0;
    }
    if (!legal) {
        FUZZ_CHECK(parsed.is_error() && parsed.error() == WireError::BadFlags, "illegal flags are BadFlags");
        return 0;
    }
    Model m = model_options(p + 20, hl - 20, syn);
    if (!m.ok) {
        FUZZ_CHECK(parsed.is_error() && parsed.error() == WireError::BadOption, "options the rules refuse are BadOption");
        return 0;
    }
    // The canonical option layout may be up to 4 bytes longer than the received one; a segment
    // whose re-encoding would pass 65535 bytes is BadLength (regressions/tcp/crash-parse-...).
    if (20 + canonical_options(m).size() + (size - hl) > 0xffff) {
        FUZZ_CHECK(parsed.is_error() && parsed.error() == WireError::BadLength,
            "a segment whose canonical re-encoding exceeds 65535 bytes is BadLength");
        return 0;
    }
    FUZZ_CHECK(parsed.is_ok(), "everything else parses");
    const TcpRepr& repr = parsed.value();
    FUZZ_CHECK(repr.flags.is_legal() && repr.flags.bits == flags, "a parsed repr has the segment's (legal) flags");
    FUZZ_CHECK(repr.src_port == be16(p) && repr.dst_port == be16(p + 2) && repr.seq.value == be32(p + 4)
            && repr.ack.value == (has(TcpFlags::ack) ? be32(p + 8) : 0) && repr.window == be16(p + 14)
            && repr.urgent == (has(TcpFlags::urg) ? be16(p + 18) : 0) && repr.payload_len == size - hl,
        "the repr holds the header's fields; ack and urgent only with their flag");
    FUZZ_CHECK(agrees(repr.options, m), "the parsed options are the model's");
    FUZZ_CHECK(repr.is_valid(), "what parse() returns is_valid()");

    std::vector<u8> out = emit_segment(repr, view.payload(), src, dst);
    std::vector<u8> canonical = canonical_options(m);
    usize out_hl = 20 + canonical.size();
    FUZZ_CHECK(out.size() == out_hl + size - hl, "emit writes the canonical options and the payload");
    FUZZ_CHECK(same_bytes(out.data() + 20, canonical.data(), canonical.size()), "emitted options are in the canonical layout");
    FUZZ_CHECK(std::memcmp(out.data() + out_hl, p + hl, size - hl) == 0, "the payload is copied");
    FUZZ_CHECK(std::memcmp(out.data(), p, 8) == 0 && be32(&out[8]) == repr.ack.value && out[13] == flags
            && std::memcmp(out.data() + 14, p + 14, 2) == 0 && be16(&out[18]) == repr.urgent,
        "the fixed header is reproduced (ack/urgent zero without their flag)");
    bool canonical_input = (p[12] & 0xf) == 0 && (has(TcpFlags::ack) || be32(p + 8) == 0) && (has(TcpFlags::urg) || be16(p + 18) == 0)
        && hl - 20 == canonical.size() && same_bytes(p + 20, canonical.data(), canonical.size());
    if (canonical_input) {
        FUZZ_CHECK(std::memcmp(out.data(), p, 16) == 0 && std::memcmp(out.data() + 18, p + 18, size - 18) == 0,
            "a canonical segment is reproduced: emit(parse(b)) == b");
        FUZZ_CHECK(tcp_sum(src.value, dst.value, p, size) != 0xffff || same_checksum(be16(&out[16]), be16(p + 16)),
            "a correct checksum is reproduced too");
    }

    auto again = TcpView::checked(lib::ReadonlyBytes(out.data(), out.size()));
    FUZZ_CHECK(again.is_ok(), "an emitted segment passes checked()");
    auto reparsed = TcpRepr::parse(again.value(), src, dst);
    FUZZ_CHECK(reparsed.is_ok() && reparsed.value() == repr, "checked -> parse -> emit -> checked -> parse gives the same repr");
    FUZZ_CHECK(emit_segment(reparsed.value(), again.value().payload(), src, dst) == out, "emit(parse(emit(r))) == emit(r)");
    return 0;
}
