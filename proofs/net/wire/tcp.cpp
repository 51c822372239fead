// Harnesses for net/wire/tcp.{h,cpp} against spec/net/wire/tcp.smt2 (RFC 9293 §3.1, §3.4).
#include "proofs/harness.h"

#include "lib/optional.h"
#include "lib/result.h"
// The option-walk harness starts the reader at an arbitrary offset (an inductive step), so it sets
// the private offset; the layout is unchanged.
#define private public
#include "net/wire/tcp.h"
#undef private

using namespace net::wire;

BW_SPEC(bool, seq_lt, u32 a, u32 b);
BW_SPEC(bool, seq_le, u32 a, u32 b);
BW_SPEC(bool, seq_comparable, u32 a, u32 b);
BW_SPEC(bool, seq_in_window, u32 seq, u32 start, u32 len);
BW_SPEC(bool, seq_window_len_ok, u32 len);
BW_SPEC(bool, option_walk_advances, u64 before, u64 after, u64 size, u8 got);
BW_SPEC(bool, option_in_bounds, u64 data_off, u64 data_len, u64 before, u64 after);
BW_SPEC(bool, tcp_header_valid, u64 size, u8 byte12);

namespace {
u8 g_options[tcp::options_len_max];
// Large enough for any segment length the parser could be handed that matters (up to 65535 + 8).
u8 g_segment[0x10008];
} // namespace

// seq_lt / seq_le: modulo-2^32 comparison (RFC 9293 §3.4, RFC 1982 §3.2) for every comparable pair.
extern "C" void harness_seq_compare()
{
    SeqNumber a { bw_nondet_u32() }, b { bw_nondet_u32() };
    bw_assume(spec_seq_comparable(a.value, b.value));
    bw_assert(seq_lt(a, b) == spec_seq_lt(a.value, b.value), "seq_lt");
    bw_assert(seq_le(a, b) == spec_seq_le(a.value, b.value), "seq_le");
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
