// Fuzz target for ICMPv4 (net/wire/icmp.h): IcmpView::checked, IcmpRepr::parse and emit.
// Checksums are not verified in this build (BULWARK_FUZZING).
//
// Input format: the raw ICMP message (the whole IPv4 payload).
//
// Oracle: checked() fails with Truncated exactly under 8 bytes and otherwise views the whole
// input, payload() being [8, size). parse(): types 0 and 8 give an echo with identifier and
// sequence from bytes 4-7; type 3 a destination unreachable whose next-hop MTU is bytes 6-7 for
// code 4 and zero otherwise; any other type is Unsupported. The payload is the input's [8, size).
// emit() into an exactly 8 + payload-sized buffer fills it with a checksum that verifies
// (independent RFC 1071 sum); checked -> parse of it gives the same repr. Echo messages are
// canonical: emit(parse(b)) == b except the checksum, and byte for byte when b's checksum was
// correct. Destination unreachable is not (icmp.h: the unused bytes 4-5, and 6-7 unless code 4,
// are re-emitted as zero), so for it the oracle checks exactly that and emit(parse(emit(r))).
#include "fuzz/fuzz.h"
#include "net/wire/icmp.h"

#include <cstring>
#include <vector>

using namespace net::wire;

namespace {

u16 be16(const u8* p) { return u16(p[0] << 8 | p[1]); }

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

// The checksum fields of two encodings agree: equal, or both one's-complement zero (0x0000 and
// 0xffff verify alike, so an input may carry either).
bool same_checksum(u16 a, u16 b) { return a == b || (a == 0 && b == 0xffff) || (a == 0xffff && b == 0); }

std::vector<u8> emit_message(const IcmpRepr& repr)
{
    std::vector<u8> out(repr.buffer_len());
    FUZZ_CHECK(out.size() == 8 + repr.payload.size(), "an ICMP message is 8 bytes of header and the payload");
    lib::ByteWriter writer(lib::Bytes(out.data(), out.size()));
    repr.emit(writer);
    FUZZ_CHECK(writer.remaining() == 0, "emit writes exactly buffer_len() bytes");
    FUZZ_CHECK(ones_sum(out.data(), out.size()) == 0xffff, "the emitted checksum verifies (RFC 1071)");
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    std::vector<u8> input(data, data + size); // Exact-size heap copy: ASan sees any overrun.
    const u8* p = input.data();
    auto checked = IcmpView::checked(lib::ReadonlyBytes(p, size));
    if (size < icmp::header_len) {
        FUZZ_CHECK(checked.is_error() && checked.error() == WireError::Truncated, "under 8 bytes is Truncated");
        return 0;
    }
    FUZZ_CHECK(checked.is_ok(), "8 bytes or more pass checked()");
    const IcmpView& view = checked.value();
    FUZZ_CHECK(view.bytes().data() == p && view.bytes().size() == size, "bytes() is the whole message");
    FUZZ_CHECK(view.payload().data() == p + 8 && view.payload().size() == size - 8, "payload() is [8, size)");
    FUZZ_CHECK(view.type() == p[0] && view.code() == p[1] && view.checksum() == be16(p + 2) && view.identifier() == be16(p + 4)
            && view.sequence() == be16(p + 6) && view.next_hop_mtu() == be16(p + 6),
        "the header fields are where RFC 792 puts them");

    auto parsed = IcmpRepr::parse(view);
    u8 type = p[0];
    if (type != 0 && type != 3 && type != 8) {
        FUZZ_CHECK(parsed.is_error() && parsed.error() == WireError::Unsupported, "other types are Unsupported");
        return 0;
    }
    FUZZ_CHECK(parsed.is_ok(), "echo request/reply and destination unreachable parse");
    const IcmpRepr& repr = parsed.value();
    FUZZ_CHECK(u8(repr.type) == type && repr.code == p[1], "type and code are the message's");
    FUZZ_CHECK(repr.payload.data() == p + 8 && repr.payload.size() == size - 8, "the payload is the input's [8, size)");
    bool echo = type != 3;
    if (echo)
        FUZZ_CHECK(repr.identifier == be16(p + 4) && repr.sequence == be16(p + 6) && repr.next_hop_mtu == 0,
            "echo: identifier and sequence from bytes 4-7");
    else
        FUZZ_CHECK(repr.identifier == 0 && repr.sequence == 0 && repr.next_hop_mtu == (p[1] == 4 ? be16(p + 6) : 0),
            "destination unreachable: next-hop MTU only with code 4");

    std::vector<u8> out = emit_message(repr);
    bool input_checksum_ok = ones_sum(p, size) == 0xffff;
    if (echo) {
        FUZZ_CHECK(std::memcmp(out.data(), p, 2) == 0 && std::memcmp(out.data() + 4, p + 4, size - 4) == 0,
            "echo is canonical: emit(parse(b)) == b");
        FUZZ_CHECK(!input_checksum_ok || same_checksum(be16(&out[2]), be16(p + 2)), "a correct checksum is reproduced too");
    } else {
        FUZZ_CHECK(std::memcmp(out.data(), p, 2) == 0 && out[4] == 0 && out[5] == 0
                && be16(&out[6]) == (p[1] == 4 ? be16(p + 6) : 0) && std::memcmp(out.data() + 8, p + 8, size - 8) == 0,
            "destination unreachable: unused bytes re-emitted as zero, the rest reproduced");
    }

    auto again = IcmpView::checked(lib::ReadonlyBytes(out.data(), out.size()));
    FUZZ_CHECK(again.is_ok(), "an emitted message passes checked()");
    auto reparsed = IcmpRepr::parse(again.value());
    FUZZ_CHECK(reparsed.is_ok() && reparsed.value() == repr, "checked -> parse -> emit -> checked -> parse gives the same repr");
    FUZZ_CHECK(emit_message(reparsed.value()) == out, "emit(parse(emit(r))) == emit(r)");
    return 0;
}
