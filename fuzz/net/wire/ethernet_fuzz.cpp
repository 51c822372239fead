// Fuzz target for Ethernet II headers (net/wire/ethernet.h): EthernetView::checked,
// EthernetRepr::parse and emit.
//
// Input format: the raw frame, destination first, without FCS (as virtio-net hands it over).
//
// Oracle: checked() fails with Truncated exactly when the frame is shorter than 14 bytes;
// otherwise header() is bytes [0, 14) of the input, payload() the rest, bytes() the whole input,
// and dst/src/EtherType are what an independent decoder reads. parse() fails with BadAddress
// exactly when the source has the I/G bit set, and otherwise gives the decoded fields (an
// unknown EtherType is carried as-is). The header is canonical: emit() into an exactly 14-byte
// buffer fills it and reproduces the input header byte for byte; checked -> parse of that gives
// the same repr.
#include "fuzz/fuzz.h"
#include "net/wire/ethernet.h"

#include <cstring>
#include <vector>

using namespace net::wire;

namespace {

// The span is exactly [base + offset, base + offset + length).
bool is_range(lib::ReadonlyBytes span, const u8* base, usize offset, usize length)
{
    return span.data() == base + offset && span.size() == length;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    std::vector<u8> frame(data, data + size); // Exact-size heap copy: ASan sees any overrun.
    const u8* base = frame.data();
    auto checked = EthernetView::checked(lib::ReadonlyBytes(base, size));
    if (size < ethernet::header_len) {
        FUZZ_CHECK(checked.is_error() && checked.error() == WireError::Truncated, "a frame under 14 bytes is Truncated");
        return 0;
    }
    FUZZ_CHECK(checked.is_ok(), "any frame of 14 bytes or more has a header");
    const EthernetView& view = checked.value();
    FUZZ_CHECK(is_range(view.header(), base, 0, 14), "header() is the first 14 bytes of the frame");
    FUZZ_CHECK(is_range(view.payload(), base, 14, size - 14), "payload() is everything after the header");
    FUZZ_CHECK(is_range(view.bytes(), base, 0, size), "bytes() is the whole frame");
    FUZZ_CHECK(std::memcmp(view.dst().octets, base, 6) == 0, "dst is bytes 0-5");
    FUZZ_CHECK(std::memcmp(view.src().octets, base + 6, 6) == 0, "src is bytes 6-11");
    u16 ethertype = u16(base[12] << 8 | base[13]);
    FUZZ_CHECK(view.ethertype() == ethertype, "EtherType is bytes 12-13, big endian");

    auto parsed = EthernetRepr::parse(view);
    bool group_source = (base[6] & 1) != 0;
    FUZZ_CHECK(parsed.is_error() == group_source, "parse fails exactly when the source is a group address");
    if (group_source) {
        FUZZ_CHECK(parsed.error() == WireError::BadAddress, "a group source address is BadAddress");
        return 0;
    }
    const EthernetRepr& repr = parsed.value();
    FUZZ_CHECK(repr.dst == view.dst() && repr.src == view.src() && u16(repr.ethertype) == ethertype,
        "the repr holds the header's fields, any EtherType as-is");
    FUZZ_CHECK(repr.buffer_len() == ethernet::header_len, "the header is 14 bytes");

    std::vector<u8> out(repr.buffer_len());
    lib::ByteWriter writer(lib::Bytes(out.data(), out.size()));
    repr.emit(writer);
    FUZZ_CHECK(writer.remaining() == 0, "emit writes exactly buffer_len() bytes");
    FUZZ_CHECK(std::memcmp(out.data(), base, ethernet::header_len) == 0, "the header is canonical: emit(parse(b)) == b");

    auto again = EthernetView::checked(lib::ReadonlyBytes(out.data(), out.size()));
    FUZZ_CHECK(again.is_ok(), "an emitted header passes checked()");
    auto reparsed = EthernetRepr::parse(again.value());
    FUZZ_CHECK(reparsed.is_ok() && reparsed.value() == repr, "checked -> parse -> emit -> checked -> parse gives the same repr");
    return 0;
}
