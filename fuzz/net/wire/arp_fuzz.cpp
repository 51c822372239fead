// Fuzz target for ARP over Ethernet/IPv4 (net/wire/arp.h): ArpView::checked, ArpRepr::parse and
// emit.
//
// Input format: the raw ARP packet (the Ethernet payload), possibly followed by Ethernet padding.
//
// Oracle: checked() fails with Truncated under 28 bytes, BadVersion when the address lengths are
// not 6 and 4, and otherwise views exactly the first 28 bytes of the input, with every field where
// RFC 826 puts it (independent decoder). parse() fails with BadVersion (hardware type != 1 or
// protocol type != 0x0800), then Unsupported (operation not 1 or 2), then BadAddress (group
// sender hardware address, broadcast or multicast sender protocol address), in that order, and
// otherwise gives the decoded fields. An Ethernet/IPv4 ARP packet is canonical: emit() into an
// exactly 28-byte buffer reproduces the input's 28 bytes; checked -> parse of it is the same repr.
#include "fuzz/fuzz.h"
#include "net/wire/arp.h"

#include <cstring>
#include <vector>

using namespace net::wire;

namespace {

u16 be16(const u8* p) { return u16(p[0] << 8 | p[1]); }
u32 be32(const u8* p) { return u32(p[0]) << 24 | u32(p[1]) << 16 | u32(p[2]) << 8 | u32(p[3]); }

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    std::vector<u8> input(data, data + size); // Exact-size heap copy: ASan sees any overrun.
    const u8* p = input.data();
    auto checked = ArpView::checked(lib::ReadonlyBytes(p, size));
    if (size < arp::packet_len) {
        FUZZ_CHECK(checked.is_error() && checked.error() == WireError::Truncated, "under 28 bytes is Truncated");
        return 0;
    }
    if (p[4] != 6 || p[5] != 4) {
        FUZZ_CHECK(checked.is_error() && checked.error() == WireError::BadVersion, "address lengths other than 6/4 are BadVersion");
        return 0;
    }
    FUZZ_CHECK(checked.is_ok(), "28 bytes with lengths 6/4 pass checked()");
    const ArpView& view = checked.value();
    FUZZ_CHECK(view.bytes().data() == p && view.bytes().size() == arp::packet_len, "the view is exactly the first 28 bytes");
    FUZZ_CHECK(view.hardware_type() == be16(p) && view.protocol_type() == be16(p + 2) && view.hardware_len() == 6
            && view.protocol_len() == 4 && view.operation() == be16(p + 6),
        "the fixed fields are where RFC 826 puts them");
    FUZZ_CHECK(std::memcmp(view.sender_hardware().octets, p + 8, 6) == 0 && view.sender_protocol().value == be32(p + 14)
            && std::memcmp(view.target_hardware().octets, p + 18, 6) == 0 && view.target_protocol().value == be32(p + 24),
        "the addresses are at 8, 14, 18 and 24");

    auto parsed = ArpRepr::parse(view);
    u16 operation = be16(p + 6);
    u32 sender_ip = be32(p + 14);
    if (be16(p) != 1 || be16(p + 2) != 0x0800) {
        FUZZ_CHECK(parsed.is_error() && parsed.error() == WireError::BadVersion, "not Ethernet/IPv4 is BadVersion");
        return 0;
    }
    if (operation != 1 && operation != 2) {
        FUZZ_CHECK(parsed.is_error() && parsed.error() == WireError::Unsupported, "operations other than 1 and 2 are Unsupported");
        return 0;
    }
    if ((p[8] & 1) != 0 || sender_ip == 0xffffffffu || (sender_ip >> 28) == 0xe || (sender_ip >> 24) == 127) {
        FUZZ_CHECK(parsed.is_error() && parsed.error() == WireError::BadAddress,
            "a group, broadcast or loopback sender is BadAddress");
        return 0;
    }
    FUZZ_CHECK(parsed.is_ok(), "everything else parses (a 0.0.0.0 sender is an RFC 5227 probe)");
    const ArpRepr& repr = parsed.value();
    FUZZ_CHECK(u16(repr.operation) == operation && repr.sender_hardware == view.sender_hardware()
            && repr.sender_protocol.value == sender_ip && repr.target_hardware == view.target_hardware()
            && repr.target_protocol == view.target_protocol(),
        "the repr holds the packet's fields");

    std::vector<u8> out(repr.buffer_len());
    FUZZ_CHECK(out.size() == arp::packet_len, "an Ethernet/IPv4 ARP packet is 28 bytes");
    lib::ByteWriter writer(lib::Bytes(out.data(), out.size()));
    repr.emit(writer);
    FUZZ_CHECK(writer.remaining() == 0, "emit writes exactly buffer_len() bytes");
    FUZZ_CHECK(std::memcmp(out.data(), p, arp::packet_len) == 0, "ARP is canonical: emit(parse(b)) == b");

    auto again = ArpView::checked(lib::ReadonlyBytes(out.data(), out.size()));
    FUZZ_CHECK(again.is_ok(), "an emitted packet passes checked()");
    auto reparsed = ArpRepr::parse(again.value());
    FUZZ_CHECK(reparsed.is_ok() && reparsed.value() == repr, "checked -> parse -> emit -> checked -> parse gives the same repr");
    return 0;
}
