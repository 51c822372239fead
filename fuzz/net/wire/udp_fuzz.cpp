// Fuzz target for UDP over IPv4 (net/wire/udp.h): UdpView::checked, UdpRepr::parse and emit.
// Checksums are not verified in this build (BULWARK_FUZZING).
//
// Input format: src u32, dst u32 (the IPv4 addresses for the pseudo-header, big endian as on the
// wire; zeros if the input is shorter), then the raw UDP datagram (the IPv4 payload).
//
// Oracle: checked() fails with Truncated under 8 bytes, BadLength when the length field is below
// 8 or past the buffer, and otherwise views exactly [0, length) (8 <= length <= input size), the
// payload being [8, length). parse() fails with BadAddress exactly for destination port 0, and
// otherwise holds the ports and that payload. emit() into an exactly 8 + payload-sized buffer
// fills it, writes length = 8 + payload and a nonzero checksum that verifies over the
// pseudo-header (independent RFC 768/1071 sum); checked -> parse of it with the same addresses
// gives the same repr, and re-emitting is a fixed point. UDP is canonical (emit(parse(b)) == b
// byte for byte) when b's checksum is nonzero and correct; with any checksum the header apart from
// it is reproduced. Exception (udp.h): a zero checksum ("none") is replaced by a computed one.
#include "fuzz/fuzz.h"
#include "net/wire/udp.h"

#include <cstring>
#include <vector>

using namespace net::wire;

namespace {

u16 be16(const u8* p) { return u16(p[0] << 8 | p[1]); }

// RFC 768: the folded one's-complement sum of the pseudo-header and the datagram.
u16 udp_sum(u32 src, u32 dst, const u8* p, usize n)
{
    u64 sum = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + 17 + n;
    for (usize i = 0; i + 1 < n; i += 2)
        sum += u32(p[i]) << 8 | p[i + 1];
    if (n % 2)
        sum += u32(p[n - 1]) << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return u16(sum);
}

std::vector<u8> emit_datagram(const UdpRepr& repr, Ipv4Address src, Ipv4Address dst)
{
    std::vector<u8> out(repr.buffer_len());
    FUZZ_CHECK(out.size() == 8 + repr.payload.size(), "a datagram is 8 bytes of header and the payload");
    lib::ByteWriter writer(lib::Bytes(out.data(), out.size()));
    repr.emit(writer, src, dst);
    FUZZ_CHECK(writer.remaining() == 0, "emit writes exactly buffer_len() bytes");
    FUZZ_CHECK(be16(&out[4]) == out.size(), "the length field is header + payload");
    FUZZ_CHECK(be16(&out[6]) != 0, "emit always computes a checksum (0 would mean none)");
    FUZZ_CHECK(udp_sum(src.value, dst.value, out.data(), out.size()) == 0xffff, "the emitted checksum verifies");
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    u8 addresses[8] {};
    std::memcpy(addresses, data, size < 8 ? size : 8);
    Ipv4Address src { u32(addresses[0]) << 24 | u32(addresses[1]) << 16 | u32(addresses[2]) << 8 | addresses[3] };
    Ipv4Address dst { u32(addresses[4]) << 24 | u32(addresses[5]) << 16 | u32(addresses[6]) << 8 | addresses[7] };
    std::vector<u8> input; // Exact-size heap copy of the datagram: ASan sees any overrun.
    if (size > 8)
        input.assign(data + 8, data + size);
    size = input.size();
    const u8* p = input.data();

    auto checked = UdpView::checked(lib::ReadonlyBytes(p, size));
    if (size < 8) {
        FUZZ_CHECK(checked.is_error() && checked.error() == WireError::Truncated, "under 8 bytes is Truncated");
        return 0;
    }
    usize length = be16(p + 4);
    if (length < 8 || length > size) {
        FUZZ_CHECK(checked.is_error() && checked.error() == WireError::BadLength, "a length below 8 or past the buffer is BadLength");
        return 0;
    }
    FUZZ_CHECK(checked.is_ok(), "a consistent length passes checked()");
    const UdpView& view = checked.value();
    FUZZ_CHECK(8 <= view.length() && view.length() <= size, "8 <= length <= input size");
    FUZZ_CHECK(view.bytes().data() == p && view.bytes().size() == length, "bytes() is [0, length): the length field is authoritative");
    FUZZ_CHECK(view.payload().data() == p + 8 && view.payload().size() == length - 8, "payload() is [8, length)");
    FUZZ_CHECK(view.src_port() == be16(p) && view.dst_port() == be16(p + 2) && view.checksum() == be16(p + 6),
        "the header fields are where RFC 768 puts them");

    auto parsed = UdpRepr::parse(view, src, dst);
    if (be16(p + 2) == 0) {
        FUZZ_CHECK(parsed.is_error() && parsed.error() == WireError::BadAddress, "destination port 0 is BadAddress");
        return 0;
    }
    FUZZ_CHECK(parsed.is_ok(), "any other datagram parses (source port 0 included)");
    const UdpRepr& repr = parsed.value();
    FUZZ_CHECK(repr.src_port == be16(p) && repr.dst_port == be16(p + 2), "the ports are the datagram's");
    FUZZ_CHECK(repr.payload.data() == p + 8 && repr.payload.size() == length - 8, "the payload is the view's");

    std::vector<u8> out = emit_datagram(repr, src, dst);
    FUZZ_CHECK(std::memcmp(out.data(), p, 6) == 0 && std::memcmp(out.data() + 8, p + 8, length - 8) == 0,
        "emit(parse(b)) == b apart from the checksum");
    u16 checksum = be16(p + 6);
    bool input_checksum_ok = checksum != 0 && udp_sum(src.value, dst.value, p, length) == 0xffff;
    FUZZ_CHECK(!input_checksum_ok || std::memcmp(out.data(), p, length) == 0,
        "with a nonzero correct checksum UDP is canonical: emit(parse(b)) == b byte for byte");

    auto again = UdpView::checked(lib::ReadonlyBytes(out.data(), out.size()));
    FUZZ_CHECK(again.is_ok(), "an emitted datagram passes checked()");
    auto reparsed = UdpRepr::parse(again.value(), src, dst);
    FUZZ_CHECK(reparsed.is_ok() && reparsed.value() == repr, "checked -> parse -> emit -> checked -> parse gives the same repr");
    FUZZ_CHECK(emit_datagram(reparsed.value(), src, dst) == out, "emit(parse(emit(r))) == emit(r)");
    return 0;
}
