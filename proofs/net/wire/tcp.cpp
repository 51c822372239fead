// Harnesses for net/wire/tcp.{h,cpp} against spec/net/wire/tcp.smt2 (RFC 9293 §3.1, §3.4).
#include "proofs/harness.h"

// The option-walk harness starts the reader at an arbitrary offset (an inductive step), and the
// decode harness starts from arbitrary options; both set private members. The layout is unchanged.
#define private public
#include "lib/optional.h"
#include "lib/result.h"
#include "net/wire/tcp.h"
#undef private

using namespace net::wire;

BW_SPEC(bool, seq_lt, u32 a, u32 b);
BW_SPEC(bool, seq_le, u32 a, u32 b);
BW_SPEC(bool, seq_gt, u32 a, u32 b);
BW_SPEC(bool, seq_ge, u32 a, u32 b);
BW_SPEC(bool, seq_comparable, u32 a, u32 b);
BW_SPEC(bool, seq_in_window, u32 seq, u32 start, u32 len);
BW_SPEC(bool, seq_window_len_ok, u32 len);
BW_SPEC(bool, option_walk_advances, u64 before, u64 after, u64 size, u8 got);
BW_SPEC(bool, option_in_bounds, u64 data_off, u64 data_len, u64 before, u64 after);
BW_SPEC(bool, tcp_header_valid, u64 size, u8 byte12);
BW_SPEC(bool, tcp_options_consistent, bool syn, bool has_mss, bool has_ws, u8 ws, bool sack_permitted, u8 sack_count);
BW_SPEC(bool, tcp_option_known, u8 kind);
BW_SPEC(bool, tcp_option_length_ok, u8 kind, u64 data_len);
BW_SPEC(u8, window_scale_used, u8 shift);
BW_SPEC(u16, be16, u8 b0, u8 b1);
BW_SPEC(u32, be32, u8 b0, u8 b1, u8 b2, u8 b3);

namespace {
u8 g_options[tcp::options_len_max];
u8 g_option_data[tcp::options_len_max - 2];
// Large enough for any segment length the parser could be handed that matters (up to 65535 + 8).
u8 g_segment[0x10008];
} // namespace

// seq_lt / seq_le / seq_gt / seq_ge: modulo-2^32 comparison (RFC 9293 §3.4, RFC 1982 §3.2) for every comparable pair.
extern "C" void harness_seq_compare()
{
    SeqNumber a { bw_nondet_u32() }, b { bw_nondet_u32() };
    bw_assume(spec_seq_comparable(a.value, b.value));
    bw_assert(seq_lt(a, b) == spec_seq_lt(a.value, b.value), "seq_lt");
    bw_assert(seq_le(a, b) == spec_seq_le(a.value, b.value), "seq_le");
    bw_assert(seq_gt(a, b) == spec_seq_gt(a.value, b.value), "seq_gt");
    bw_assert(seq_ge(a, b) == spec_seq_ge(a.value, b.value), "seq_ge");
}

// seq_in_window: the subtraction trick equals the RFC 9293 §3.10.7.4 test for windows <= 2^30.
extern "C" void harness_seq_in_window()
{
    SeqNumber seq { bw_nondet_u32() }, start { bw_nondet_u32() };
    u32 len = bw_nondet_u32();
    bw_assume(spec_seq_window_len_ok(len));
    bw_assert(seq_in_window(seq, start, len) == spec_seq_in_window(seq.value, start.value, len), "seq_in_window");
}

// TcpOptionReader::next(), one step from any reachable state (0 <= offset <= size <= 40, any bytes):
// it advances at least one byte and stays inside the area, or finishes; a returned option lies in
// the bytes consumed. By induction over steps, the walk of an area of n bytes returns at most n
// options and ends by step n + 1 (41 for the 40-byte maximum).
extern "C" void harness_option_reader_next()
{
    bw_nondet_bytes(g_options, sizeof g_options);
    u64 size = bw_nondet_u64();
    bw_assume(size <= tcp::options_len_max);
    u64 before = bw_nondet_u64();
    bw_assume(before <= size);
    TcpOptionReader reader(lib::ReadonlyBytes(g_options, size));
    reader.m_offset = before;

    auto result = reader.next();
    u64 after = reader.offset();
    bool got = result.is_ok() && result.value().has_value();
    bw_assert(spec_option_walk_advances(before, after, size, got ? 1 : 0), "option_walk_advances");
    if (got) {
        const TcpRawOption& option = *result.value();
        u64 data_off = u64(option.data.data() - g_options);
        bw_assert(spec_option_in_bounds(data_off, option.data.size(), before, after), "option_in_bounds");
    }
}

// TcpView::checked accepts exactly the segments with 20 <= data offset * 4 <= length <= 65535.
extern "C" void harness_tcp_view_checked()
{
    bw_nondet_bytes(g_segment, tcp::header_len_max);
    u64 size = bw_nondet_u64();
    bw_assume(size <= sizeof g_segment);
    auto view = TcpView::checked(lib::ReadonlyBytes(g_segment, size));
    bw_assert(view.is_ok() == spec_tcp_header_valid(size, g_segment[12]), "tcp_header_valid");
}

// tcp::detail::decode_option, the step TcpOptions::parse repeats on each known option the reader
// returns (its data inside the 40-byte area, option_in_bounds), from any state consistent with the
// segment. It accepts exactly the options of the length RFC 9293 §3.2 / RFC 7323 / RFC 2018 give
// their kind, with non-empty SACK blocks; it keeps the options consistent (tcp_options_consistent);
// and it stores the option's own fields. Since TcpOptions starts empty (consistent) and parse
// changes it only through this step, every TcpOptions parse returns is consistent (induction over
// the walk, whose termination harness_option_reader_next proves).
extern "C" void harness_tcp_decode_option()
{
    // The data of an option the reader returns is at most 38 bytes (a 40-byte area less kind and
    // length). It is placed at the start of its buffer: any read past its length is a failed
    // VERIFY of the Span accessors (no-panic), and constant offsets keep the queries small.
    bw_nondet_bytes(g_option_data, sizeof g_option_data);
    u64 length = bw_nondet_u64();
    bw_assume(length <= sizeof g_option_data);
    TcpRawOption raw { bw_nondet_u8(), lib::ReadonlyBytes(g_option_data, length) };
    bool syn = bw_nondet_u8() & 1;

    // Any consistent starting state, set without branches (bitwise operators throughout keep this
    // harness to the decoder's own paths).
    TcpOptions out;
    out.mss.m_has = bw_nondet_u8() & 1;
    out.mss.m_value = bw_nondet_u16();
    out.window_scale.m_has = bw_nondet_u8() & 1;
    out.window_scale.m_value = bw_nondet_u8();
    out.sack_permitted = bw_nondet_u8() & 1;
    out.sack_count = bw_nondet_u8();
    for (auto& block : out.sack_blocks)
        block = TcpSackBlock { { bw_nondet_u32() }, { bw_nondet_u32() } };
    bw_assume(spec_tcp_options_consistent(syn, out.mss.has_value(), out.window_scale.has_value(),
        out.window_scale.value_or(0), out.sack_permitted, out.sack_count));
    for (usize i = 0; i < tcp::sack_blocks_max; ++i)
        bw_assume((i >= out.sack_count) | spec_seq_lt(out.sack_blocks[i].left.value, out.sack_blocks[i].right.value));

    // SACK edges exactly 2^31 apart have no defined order (RFC 1982 §3.2; seq_comparable); the
    // decoder's answer for them is not specified.
    const u8* data = g_option_data;
    bool blocks_ok = true;
    for (usize i = 0; i < tcp::sack_blocks_max; ++i) {
        u32 left = spec_be32(data[8 * i], data[8 * i + 1], data[8 * i + 2], data[8 * i + 3]);
        u32 right = spec_be32(data[8 * i + 4], data[8 * i + 5], data[8 * i + 6], data[8 * i + 7]);
        bool present = 8 * i + 8 <= length;
        bw_assume(!present | spec_seq_comparable(left, right));
        blocks_ok = blocks_ok & (!present | spec_seq_lt(left, right));
    }
    bool known = spec_tcp_option_known(raw.kind);
    auto result = tcp::detail::decode_option(out, raw, syn);
    if (known)
        bw_assert(result.is_ok() == (spec_tcp_option_length_ok(raw.kind, length) && (raw.kind != tcp::option::sack || blocks_ok)),
            "tcp_option_length_ok");
    if (!result.is_ok())
        return;
    bw_assert(spec_tcp_options_consistent(syn, out.mss.has_value(), out.window_scale.has_value(),
                  out.window_scale.value_or(0), out.sack_permitted, out.sack_count),
        "tcp_options_consistent");
    for (usize i = 0; i < tcp::sack_blocks_max; ++i)
        bw_assert((i >= out.sack_count) | spec_seq_lt(out.sack_blocks[i].left.value, out.sack_blocks[i].right.value),
            "sack_block_nonempty");
    if (raw.kind == tcp::option::mss && syn)
        bw_assert(out.mss.has_value() && *out.mss == spec_be16(data[0], data[1]), "tcp_option_fields");
    if (raw.kind == tcp::option::window_scale && syn)
        bw_assert(out.window_scale.has_value() && *out.window_scale == spec_window_scale_used(data[0]), "tcp_option_fields");
    if (raw.kind == tcp::option::timestamps)
        bw_assert(out.timestamps.has_value() && out.timestamps->tsval == spec_be32(data[0], data[1], data[2], data[3])
                && out.timestamps->tsecr == spec_be32(data[4], data[5], data[6], data[7]),
            "tcp_option_fields");
    if (raw.kind == tcp::option::sack && !syn) {
        bw_assert(out.sack_count == length / 8, "tcp_option_fields");
        for (usize i = 0; i < tcp::sack_blocks_max; ++i) {
            if (i < out.sack_count)
                bw_assert(out.sack_blocks[i].left.value == spec_be32(data[8 * i], data[8 * i + 1], data[8 * i + 2], data[8 * i + 3])
                        && out.sack_blocks[i].right.value == spec_be32(data[8 * i + 4], data[8 * i + 5], data[8 * i + 6], data[8 * i + 7]),
                    "tcp_option_fields");
        }
    }
}
