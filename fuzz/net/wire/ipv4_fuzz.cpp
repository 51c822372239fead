// Fuzz target for IPv4 headers (net/wire/ipv4.h): Ipv4View::checked, ipv4::check_options,
// Ipv4Repr::parse and emit. Checksums are not verified in this build (BULWARK_FUZZING).
//
// Input format: the raw datagram (the Ethernet payload), possibly followed by link-layer padding.
//
// Oracle:
//  - checked(): an independent decoder predicts the verdict (Truncated under 20 bytes, then
//    BadVersion, then BadLength for IHL < 5, a header past the buffer, or a total length below the
//    header or past the buffer). On success 20 <= header_len <= 60, header_len <= total_length <=
//    input size, and header(), options(), payload() and bytes() are exactly the input ranges
//    [0, hl), [20, hl), [hl, tl) and [0, tl).
//  - check_options(): an independent walk of RFC 791's option grammar gives the same verdict, on
//    the view's options and on the whole input taken as an options area; parse() fails with
//    check_options' error when it fails and never with BadOption when it succeeds.
//  - parse(): options, then reserved flag (BadFlags), then fragments (Unsupported), then a
//    broadcast/multicast source (BadAddress); otherwise the repr holds the header's fields and
//    payload_len = total_length - header_len.
//  - emit(): an exactly 20-byte writer is filled, the checksum it writes verifies (independent
//    RFC 1071 sum), and checked -> parse of emitted header + payload gives the same repr. Without
//    options (IHL 5) the header is canonical: emit(parse(b)) == b except the checksum field, and
//    byte for byte when b's checksum was correct. With options it is not (emit drops them, as
//    ipv4.h documents); then emit(parse(emit(r))) == emit(r) instead.
#include "fuzz/fuzz.h"
#include "net/wire/ipv4.h"

#include <cstring>
#include <vector>

using namespace net::wire;

namespace {

u16 be16(const u8* p) { return u16(p[0] << 8 | p[1]); }
u32 be32(const u8* p) { return u32(p[0]) << 24 | u32(p[1]) << 16 | u32(p[2]) << 8 | u32(p[3]); }

bool is_range(lib::ReadonlyBytes span, const u8* base, usize offset, usize length)
{
    return span.data() == base + offset && span.size() == length;
}

// RFC 1071: the 16-bit one's-complement sum, folded.
u16 ones_sum(const u8* p, usize n)
{
    u64 sum = 0;
    for (usize i = 0; i + 1 < n; i += 2)
        sum += u32(p[i]) << 8 | p[i + 1];
    if (n % 2)
        sum += u32(p[n - 1]) << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return u16(sum);
}

// RFC 791 §3.1 options: 0 ends the list, 1 is a single byte, every other type has a length octet
// >= 2 that stays inside the area; loose/strict source route (131, 137) are refused.
enum class OptionVerdict { Ok, BadOption, Unsupported };
OptionVerdict model_options(const u8* p, usize n)
{
    usize i = 0;
    while (i < n) {
        if (p[i] == 0)
            return OptionVerdict::Ok;
        if (p[i] == 1) {
            ++i;
            continue;
        }
        if (i + 1 >= n || p[i + 1] < 2 || i + p[i + 1] > n)
            return OptionVerdict::BadOption;
        if (p[i] == 131 || p[i] == 137)
            return OptionVerdict::Unsupported;
        i += p[i + 1];
    }
    return OptionVerdict::Ok;
}

void check_options_agree(lib::ReadonlyBytes area, OptionVerdict expected)
{
    auto result = ipv4::check_options(area);
    switch (expected) {
    case OptionVerdict::Ok:
        FUZZ_CHECK(result.is_ok(), "well-formed options pass check_options");
        break;
    case OptionVerdict::BadOption:
        FUZZ_CHECK(result.is_error() && result.error() == WireError::BadOption, "a malformed option is BadOption");
        break;
    case OptionVerdict::Unsupported:
        FUZZ_CHECK(result.is_error() && result.error() == WireError::Unsupported, "a source route is Unsupported");
        break;
    }
}

// The checksum fields of two encodings agree: equal, or both one's-complement zero (0x0000 and
// 0xffff verify alike, so an input may carry either).
bool same_checksum(u16 a, u16 b) { return a == b || (a == 0 && b == 0xffff) || (a == 0xffff && b == 0); }

// Emits `repr` and the payload into an exact buffer, checks the emitted header, returns it all.
std::vector<u8> emit_datagram(const Ipv4Repr& repr, const u8* payload)
{
    FUZZ_CHECK(repr.buffer_len() == ipv4::min_header_len, "emit writes a 20-byte header");
    std::vector<u8> out(repr.buffer_len() + repr.payload_len);
    lib::ByteWriter writer(lib::Bytes(out.data(), repr.buffer_len()));
    repr.emit(writer);
    FUZZ_CHECK(writer.remaining() == 0, "emit writes exactly buffer_len() bytes");
    if (repr.payload_len)
        std::memcpy(out.data() + 20, payload, repr.payload_len);
    FUZZ_CHECK(out[0] == 0x45, "emit writes version 4, IHL 5");
    FUZZ_CHECK(be16(&out[2]) == 20 + repr.payload_len, "total length is 20 + payload_len");
    FUZZ_CHECK(ones_sum(out.data(), 20) == 0xffff, "the emitted header checksum verifies (RFC 1071)");
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    std::vector<u8> input(data, data + size); // Exact-size heap copy: ASan sees any overrun.
    const u8* p = input.data();
    check_options_agree(lib::ReadonlyBytes(p, size), model_options(p, size));

    auto checked = Ipv4View::checked(lib::ReadonlyBytes(p, size));
    if (size < 20) {
        FUZZ_CHECK(checked.is_error() && checked.error() == WireError::Truncated, "under 20 bytes is Truncated");
        return 0;
    }
    if ((p[0] >> 4) != 4) {
        FUZZ_CHECK(checked.is_error() && checked.error() == WireError::BadVersion, "a version other than 4 is BadVersion");
        return 0;
    }
    usize hl = usize(p[0] & 0xf) * 4;
    usize tl = be16(p + 2);
    if (hl < 20 || hl > size || tl < hl || tl > size) {
        FUZZ_CHECK(checked.is_error() && checked.error() == WireError::BadLength, "impossible IHL or total length is BadLength");
        return 0;
    }
    FUZZ_CHECK(checked.is_ok(), "a consistent header passes checked()");
    const Ipv4View& view = checked.value();
    FUZZ_CHECK(view.header_len() == hl && view.total_length() == tl, "header_len and total_length are the header's");
    FUZZ_CHECK(20 <= view.header_len() && view.header_len() <= 60 && view.header_len() <= view.total_length()
            && view.total_length() <= size,
        "20 <= header_len <= total_length <= input size, header_len <= 60");
    FUZZ_CHECK(is_range(view.bytes(), p, 0, tl), "bytes() is [0, total_length): never the padding");
    FUZZ_CHECK(is_range(view.header(), p, 0, hl), "header() is [0, header_len)");
    FUZZ_CHECK(is_range(view.options(), p, 20, hl - 20), "options() is [20, header_len)");
    FUZZ_CHECK(is_range(view.payload(), p, hl, tl - hl), "payload() is [header_len, total_length)");
    FUZZ_CHECK(view.src().value == be32(p + 12) && view.dst().value == be32(p + 16) && view.protocol() == p[9]
            && view.ttl() == p[8] && view.identification() == be16(p + 4) && view.type_of_service() == p[1],
        "the fixed fields are where RFC 791 puts them");
    u16 flags = be16(p + 6);
    FUZZ_CHECK(view.reserved_flag() == bool(flags & 0x8000) && view.dont_fragment() == bool(flags & 0x4000)
            && view.more_fragments() == bool(flags & 0x2000) && view.fragment_offset() == (flags & 0x1fff),
        "flags and fragment offset are bits of bytes 6-7");

    OptionVerdict options = model_options(p + 20, hl - 20);
    check_options_agree(view.options(), options);
    auto parsed = Ipv4Repr::parse(view);
    auto options_result = ipv4::check_options(view.options());
    if (options_result.is_error()) {
        FUZZ_CHECK(parsed.is_error() && parsed.error() == options_result.error(), "parse fails with check_options' verdict");
        return 0;
    }
    FUZZ_CHECK(parsed.is_ok() || parsed.error() != WireError::BadOption, "parse accepts the options check_options accepts");
    u32 src = be32(p + 12);
    if (flags & 0x8000) {
        FUZZ_CHECK(parsed.is_error() && parsed.error() == WireError::BadFlags, "the reserved flag is BadFlags");
        return 0;
    }
    if (flags & 0x3fff) { // More-fragments or a nonzero offset.
        FUZZ_CHECK(parsed.is_error() && parsed.error() == WireError::Unsupported, "fragments are Unsupported");
        return 0;
    }
    if (src == 0xffffffffu || (src >> 28) == 0xe || (src >> 24) == 127) {
        FUZZ_CHECK(parsed.is_error() && parsed.error() == WireError::BadAddress,
            "a broadcast/multicast/loopback source is BadAddress (RFC 1122 §3.2.1.3)");
        return 0;
    }
    FUZZ_CHECK(parsed.is_ok(), "everything else parses");
    const Ipv4Repr& repr = parsed.value();
    FUZZ_CHECK(repr.src.value == src && repr.dst.value == be32(p + 16) && u8(repr.protocol) == p[9] && repr.ttl == p[8]
            && repr.type_of_service == p[1] && repr.identification == be16(p + 4) && repr.dont_fragment == bool(flags & 0x4000)
            && repr.payload_len == tl - hl,
        "the repr holds the header's fields");

    std::vector<u8> out = emit_datagram(repr, p + hl);
    if (hl == 20) {
        // Canonical without options: everything but the checksum field is reproduced, and that
        // too when the input's checksum was right.
        bool input_checksum_ok = ones_sum(p, 20) == 0xffff;
        FUZZ_CHECK(std::memcmp(out.data(), p, 10) == 0 && std::memcmp(out.data() + 12, p + 12, 8) == 0,
            "IPv4 without options is canonical: emit(parse(b)) == b");
        FUZZ_CHECK(!input_checksum_ok || same_checksum(be16(&out[10]), be16(p + 10)), "a correct checksum is reproduced too");
    }
    auto again = Ipv4View::checked(lib::ReadonlyBytes(out.data(), out.size()));
    FUZZ_CHECK(again.is_ok(), "an emitted datagram passes checked()");
    auto reparsed = Ipv4Repr::parse(again.value());
    FUZZ_CHECK(reparsed.is_ok() && reparsed.value() == repr, "checked -> parse -> emit -> checked -> parse gives the same repr");
    std::vector<u8> twice = emit_datagram(reparsed.value(), out.data() + 20);
    FUZZ_CHECK(twice == out, "emit(parse(emit(r))) == emit(r)");
    return 0;
}
