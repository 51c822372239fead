// TCP segment header and options (RFC 9293 §3.1; options from RFC 7323, RFC 2018, RFC 6691) as a
// checked view, a repr and an emitter, plus modulo-2^32 sequence arithmetic (RFC 9293 §3.4).
#pragma once

#include "lib/byte_writer.h"
#include "lib/optional.h"
#include "lib/result.h"
#include "net/wire/address.h"
#include "net/wire/wire_error.h"

namespace net::wire {

// ---- Sequence numbers (RFC 9293 §3.4): all comparisons are modulo 2^32. ----

struct SeqNumber {
    u32 value { 0 };

    // Unsigned arithmetic wraps at 2^32, which is exactly sequence-space addition.
    constexpr SeqNumber operator+(u32 n) const { return { value + n }; }
    constexpr SeqNumber operator-(u32 n) const { return { value - n }; }
    constexpr bool operator==(const SeqNumber&) const = default;
};

// The signed distance a - b, i.e. (i32)(a - b). Two numbers exactly 2^31 apart compare "less"
// both ways (RFC 1982 §3.2 leaves that case undefined); a window never spans 2^31 (RFC 7323 §2.3
// caps it at 2^30), so the stack never asks that question.
constexpr i32 seq_diff(SeqNumber a, SeqNumber b) { return static_cast<i32>(a.value - b.value); }
constexpr bool seq_lt(SeqNumber a, SeqNumber b) { return seq_diff(a, b) < 0; }
constexpr bool seq_le(SeqNumber a, SeqNumber b) { return seq_diff(a, b) <= 0; }
constexpr bool seq_gt(SeqNumber a, SeqNumber b) { return seq_diff(a, b) > 0; }
constexpr bool seq_ge(SeqNumber a, SeqNumber b) { return seq_diff(a, b) >= 0; }
// start <= seq < start + len, modulo 2^32. An empty window (len 0) contains nothing.
constexpr bool seq_in_window(SeqNumber seq, SeqNumber start, u32 len) { return seq.value - start.value < len; }

namespace tcp {

inline constexpr u8 ip_protocol = 6;
inline constexpr usize header_len_min = 20;
inline constexpr usize header_len_max = 60;
inline constexpr usize options_len_max = header_len_max - header_len_min;
inline constexpr usize sack_blocks_max = 4;
// RFC 7323 §2.3: a larger shift is treated as 14.
inline constexpr u8 window_scale_max = 14;

namespace field {
inline constexpr lib::Field src_port { 0, 2 };
inline constexpr lib::Field dst_port { 2, 2 };
inline constexpr lib::Field seq_number { 4, 4 };
inline constexpr lib::Field ack_number { 8, 4 };
// Data offset (high 4 bits of byte 12), 4 reserved bits, then the 8 control bits (byte 13).
inline constexpr lib::Field offset_and_flags { 12, 2 };
inline constexpr lib::Field window { 14, 2 };
inline constexpr lib::Field checksum { 16, 2 };
inline constexpr lib::Field urgent_pointer { 18, 2 };
} // namespace field

namespace option {
inline constexpr u8 end_of_list = 0;
inline constexpr u8 nop = 1;
inline constexpr u8 mss = 2;             // len 4, SYN only (RFC 9293 §3.2, RFC 6691)
inline constexpr u8 window_scale = 3;    // len 3, SYN only (RFC 7323 §2.2)
inline constexpr u8 sack_permitted = 4;  // len 2, SYN only (RFC 2018 §2)
inline constexpr u8 sack = 5;            // len 2 + 8n, n in 1..4 (RFC 2018 §3)
inline constexpr u8 timestamps = 8;      // len 10 (RFC 7323 §3.2)
} // namespace option

} // namespace tcp

// The 8 control bits of byte 13.
struct TcpFlags {
    static constexpr u8 fin = 0x01;
    static constexpr u8 syn = 0x02;
    static constexpr u8 rst = 0x04;
    static constexpr u8 psh = 0x08;
    static constexpr u8 ack = 0x10;
    static constexpr u8 urg = 0x20;
    static constexpr u8 ece = 0x40;
    static constexpr u8 cwr = 0x80;

    u8 bits { 0 };

    // True when every bit of `mask` is set.
    constexpr bool has(u8 mask) const { return (bits & mask) == mask; }
    // The combinations parse() rejects with BadFlags: no bits at all (a "null scan"), SYN+FIN,
    // SYN+RST and FIN+RST. RFC 9293 never gives those a meaning; the last two are scanner and
    // firewall-evasion signatures. RST+ACK stays legal (RFC 9293 §3.10.7.1 sends it).
    constexpr bool is_legal() const
    {
        return bits != 0 && !has(syn | fin) && !has(syn | rst) && !has(fin | rst);
    }
    constexpr bool operator==(const TcpFlags&) const = default;
};

// One option as it appears in the options area. `data` excludes the kind and length bytes and lies
// inside the area the reader was given.
struct TcpRawOption {
    u8 kind { 0 };
    lib::ReadonlyBytes data;
};

// Walks a TCP options area one option at a time. This loop is where option parsers classically
// break (infinite loop on length 0, overrun on a length past the end), so it is the only code that
// touches option length bytes.
class TcpOptionReader {
public:
    explicit TcpOptionReader(lib::ReadonlyBytes area) : m_area(area) { }

    // The next option (NOP included, with empty data), or nullopt at End-of-Option-List or at the
    // end of the area. After nullopt or an error the reader is finished and keeps returning
    // nullopt.
    // Fails with: BadOption when a length byte is missing, is < 2, or runs past the area.
    lib::Result<lib::Optional<TcpRawOption>, WireError> next();
    // Bytes consumed so far; strictly increases with every option returned.
    usize offset() const { return m_offset; }

private:
    lib::ReadonlyBytes m_area;
    // Invariant: m_offset <= m_area.size(). next() either returns an option and advances m_offset
    // by at least 1 (NOP: 1; others: their length, which is >= 2 and fits), or sets it to
    // m_area.size(). So an area of n bytes yields at most n options and the walk never leaves it.
    usize m_offset { 0 };
};

struct TcpSackBlock {
    SeqNumber left;   // first sequence number of the block
    SeqNumber right;  // sequence number just past the block
    constexpr bool operator==(const TcpSackBlock&) const = default;
};

struct TcpTimestamps {
    u32 tsval { 0 };
    u32 tsecr { 0 };
    constexpr bool operator==(const TcpTimestamps&) const = default;
};

// The options Bulwark understands. Parsing rules, chosen to keep the canonical form within 40
// bytes and every repr meaningful:
//  - MSS, window scale and SACK-permitted only mean something on a SYN (RFC 9293 §3.7.1, RFC 7323
//    §2.2, RFC 2018 §2); on other segments they are length-checked, then ignored.
//  - SACK blocks report data received, which cannot exist before the handshake, so they are
//    length-checked, then ignored on a SYN.
//  - A window scale shift above 14 is clamped to 14 (RFC 7323 §2.3).
//  - A SACK block must have left < right (mod 2^32); an empty or inverted one is BadOption.
//  - A known option that appears twice is BadOption (which copy would a peer mean?). Unknown
//    options are skipped by their length and may repeat.
struct TcpOptions {
    lib::Optional<u16> mss;
    lib::Optional<u8> window_scale;
    bool sack_permitted { false };
    // Invariant: sack_count <= 4 (parse() and emit() keep it); blocks past sack_count are neither
    // compared nor emitted.
    u8 sack_count { 0 };
    TcpSackBlock sack_blocks[tcp::sack_blocks_max] {};
    lib::Optional<TcpTimestamps> timestamps;

    // Parses an options area of a segment with `flags`.
    // Fails with: BadOption (an area over 40 bytes, a malformed walk, a known option with a wrong
    //             length, a repeat, a bad SACK block).
    static lib::Result<TcpOptions, WireError> parse(lib::ReadonlyBytes area, TcpFlags flags);

    // Length of the canonical encoding, always a multiple of 4. The canonical layout (Linux's):
    //   MSS (4) | SACK-perm+TS (04 02 08 0a ..) or NOP NOP TS or NOP NOP SACK-perm |
    //   NOP WS (4) | NOP NOP SACK (4 + 8n)
    usize buffer_len() const;
    // Precondition: writer.remaining() >= buffer_len(). Writes exactly buffer_len() bytes.
    void emit(lib::ByteWriter& writer) const;
    bool operator==(const TcpOptions& other) const;
};

// A segment whose lengths have been checked: 20 <= data offset * 4 <= segment length <= 65535.
namespace tcp::detail {
// One step of TcpOptions::parse: decodes known option `raw` into `out`; `syn` selects which options
// are meaningful (see TcpOptions). Separate so that proofs/net/wire/tcp.cpp can verify the step the
// parse loop repeats.
lib::Result<void, WireError> decode_option(TcpOptions& out, const TcpRawOption& raw, bool syn);
} // namespace tcp::detail

class TcpView {
public:
    // Fails with: Truncated (fewer than 20 bytes, or fewer than the data offset says),
    //             BadLength (data offset < 5, or a segment longer than 65535 bytes, which the
    //             16-bit pseudo-header length cannot describe).
    static lib::Result<TcpView, WireError> checked(lib::ReadonlyBytes segment);

    u16 src_port() const { return lib::load_be16(m_bytes, tcp::field::src_port); }
    u16 dst_port() const { return lib::load_be16(m_bytes, tcp::field::dst_port); }
    SeqNumber seq_number() const { return { lib::load_be32(m_bytes, tcp::field::seq_number) }; }
    SeqNumber ack_number() const { return { lib::load_be32(m_bytes, tcp::field::ack_number) }; }
    usize header_len() const { return usize(lib::load_be16(m_bytes, tcp::field::offset_and_flags) >> 12) * 4; }
    TcpFlags flags() const { return { u8(lib::load_be16(m_bytes, tcp::field::offset_and_flags)) }; }
    u16 window() const { return lib::load_be16(m_bytes, tcp::field::window); }
    u16 checksum() const { return lib::load_be16(m_bytes, tcp::field::checksum); }
    u16 urgent_pointer() const { return lib::load_be16(m_bytes, tcp::field::urgent_pointer); }
    lib::ReadonlyBytes options() const { return m_bytes.slice(tcp::header_len_min, header_len() - tcp::header_len_min); }
    lib::ReadonlyBytes payload() const { return m_bytes.slice(header_len()); }
    lib::ReadonlyBytes bytes() const { return m_bytes; }

private:
    explicit TcpView(lib::ReadonlyBytes bytes) : m_bytes(bytes) { }
    // Invariant: 20 <= header_len() <= m_bytes.size() <= 65535 (established by checked()).
    lib::ReadonlyBytes m_bytes;
};

struct TcpRepr {
    u16 src_port { 0 };
    u16 dst_port { 0 };
    SeqNumber seq;
    // Meaningful only when flags has ACK; parse() sets it to 0 otherwise.
    SeqNumber ack;
    TcpFlags flags;
    u16 window { 0 };  // raw, unscaled
    // Meaningful only when flags has URG; parse() sets it to 0 otherwise.
    u16 urgent { 0 };
    TcpOptions options;
    usize payload_len { 0 };

    // Meaning-level checks on a checked view received from `src` for `dst`.
    // Fails with: BadChecksum (pseudo-header checksum; skipped when !checksum::enforce),
    //             BadAddress (source or destination port 0), BadFlags (!flags.is_legal()),
    //             BadOption (see TcpOptions::parse).
    static lib::Result<TcpRepr, WireError> parse(const TcpView& view, Ipv4Address src, Ipv4Address dst);

    // True for what parse() can return: nonzero ports, legal flags, ack/urgent zero unless their
    // flag is set, SYN-only options only on a SYN, SACK blocks only off it, shift <= 14, options
    // within 40 bytes and the segment within 65535. emit() VERIFYs it.
    bool is_valid() const;
    // 20 + options.buffer_len(). Precondition: is_valid().
    usize header_len() const;
    // header_len() + payload_len.
    usize buffer_len() const;
    // Writes exactly buffer_len() bytes at the writer's position: the header, canonical options,
    // `payload`, with the checksum over the pseudo-header for src -> dst filled in.
    // Precondition: is_valid(), payload.size() == payload_len, writer.remaining() >= buffer_len().
    void emit(lib::ByteWriter& writer, lib::ReadonlyBytes payload, Ipv4Address src, Ipv4Address dst) const;
    bool operator==(const TcpRepr&) const = default;
};

} // namespace net::wire
