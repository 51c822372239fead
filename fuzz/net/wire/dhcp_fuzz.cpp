// Fuzz target for DHCP client messages (net/wire/dhcp.h): DhcpView::checked, DhcpOptionReader,
// DhcpRepr::parse, is_valid and emit.
//
// Input format: the raw BOOTP/DHCP message (the UDP payload), op byte first.
//
// Oracle:
//  - checked(): Truncated under 240 bytes, BadVersion for a wrong magic cookie, op not 1/2, htype
//    not 1 or hlen not 6; on success bytes() is the input and options() is [240, size).
//  - DhcpOptionReader, over the view's options and over the whole input as an area: every step
//    advances (Pad by 1, others by 2 + length), every option's data lies inside the area after its
//    code and length bytes, the walk ends within size + 1 steps with End, Truncated (no End) or
//    BadOption (a length byte missing or overrunning), as an independent walk predicts, and keeps
//    returning nullopt once finished.
//  - DhcpRepr::parse agrees with an independent model of dhcp.h's rules (the verdict, with the
//    first error in walk order, and every field). A parsed repr has a message type 1..8 that
//    matches op, counts within capacities (DNS <= 3, parameter request list <= 16), a contiguous
//    subnet mask, and is_valid().
//  - emit() into an exactly buffer_len()-sized buffer (>= 300) fills it with exactly the bytes the
//    model lays out from dhcp.h (op from the type, htype 1, hlen 6, hops/giaddr/sname/file zero,
//    the cookie, options 53, 61, 50, 54, 1, 3, 6, 51, 58, 59, 55, End, zero padding);
//    checked -> parse of it gives the same repr; re-emitting is a fixed point. DHCP as received is
//    not canonical (hops, giaddr, sname, file, unknown options, option order and the other flag
//    bits are not kept; lists are cut to the capacities), so emit(parse(b)) == b is not required.
#include "fuzz/fuzz.h"
#include "net/wire/dhcp.h"

#include <cstring>
#include <vector>

using namespace net::wire;

namespace {

u16 be16(const u8* p) { return u16(p[0] << 8 | p[1]); }
u32 be32(const u8* p) { return u32(p[0]) << 24 | u32(p[1]) << 16 | u32(p[2]) << 8 | u32(p[3]); }
void put32(std::vector<u8>& v, u32 x)
{
    for (int shift = 24; shift >= 0; shift -= 8)
        v.push_back(u8(x >> shift));
}

// ---- The model of dhcp.h's rules, written without the code under test. ----

enum class Verdict { Ok, Truncated, BadOption, Unsupported };

struct Model {
    Verdict verdict { Verdict::Ok };
    bool has_type { false };
    u8 type { 0 };
    bool has[256] {};
    u32 value[256] {}; // 1, 50, 51, 54, 58, 59: the four bytes; 3: the first router.
    usize dns_count { 0 };
    u32 dns[3] {};
    usize prl_count { 0 };
    u8 prl[16] {};
    bool client_identifier { false };
};

// The bare walk: Truncated without End, BadOption for a missing or overrunning length.
Verdict walk_verdict(const u8* p, usize n)
{
    for (usize i = 0;;) {
        if (i >= n)
            return Verdict::Truncated;
        if (p[i] == 255)
            return Verdict::Ok;
        if (p[i] == 0) {
            ++i;
            continue;
        }
        if (n - i < 2 || p[i + 1] > n - i - 2)
            return Verdict::BadOption;
        i += 2 + p[i + 1];
    }
}

bool contiguous(u32 mask)
{
    // Ones then zeros: after the leading ones, no one bit may follow a zero bit.
    bool zero_seen = false;
    for (int bit = 31; bit >= 0; --bit) {
        bool one = (mask >> bit) & 1;
        if (one && zero_seen)
            return false;
        zero_seen |= !one;
    }
    return true;
}

Model model(const u8* msg, usize size)
{
    Model m;
    const u8* p = msg + 240;
    usize n = size - 240;
    const u8* chaddr = msg + 28;
    auto fail = [&m](Verdict v) { m.verdict = v; return m; };
    for (usize i = 0;;) {
        if (i >= n)
            return fail(Verdict::Truncated);
        u8 code = p[i];
        if (code == 255)
            break;
        if (code == 0) {
            ++i;
            continue;
        }
        if (n - i < 2 || p[i + 1] > n - i - 2)
            return fail(Verdict::BadOption);
        usize len = p[i + 1];
        const u8* d = p + i + 2;
        i += 2 + len;
        switch (code) {
        case 1: case 3: case 6: case 50: case 51: case 53: case 54: case 55: case 58: case 59: case 61:
            break;
        default:
            continue; // Unknown: skipped by its length.
        }
        if (m.has[code])
            return fail(Verdict::BadOption);
        m.has[code] = true;
        switch (code) {
        case 53:
            if (len != 1)
                return fail(Verdict::BadOption);
            if (d[0] < 1 || d[0] > 8)
                return fail(Verdict::Unsupported);
            m.has_type = true, m.type = d[0];
            break;
        case 3:
        case 6:
            if (len < 4 || len % 4 != 0)
                return fail(Verdict::BadOption);
            if (code == 3) {
                m.value[3] = be32(d);
            } else {
                m.dns_count = len / 4 < 3 ? len / 4 : 3;
                for (usize k = 0; k < m.dns_count; ++k)
                    m.dns[k] = be32(d + 4 * k);
            }
            break;
        case 55:
            if (len < 1)
                return fail(Verdict::BadOption);
            m.prl_count = len < 16 ? len : 16;
            std::memcpy(m.prl, d, m.prl_count);
            break;
        case 61:
            if (len < 2)
                return fail(Verdict::BadOption);
            m.client_identifier = len == 7 && d[0] == 1 && std::memcmp(d + 1, chaddr, 6) == 0;
            break;
        default: // 1, 50, 51, 54, 58, 59: exactly four bytes.
            if (len != 4 || (code == 1 && !contiguous(be32(d))))
                return fail(Verdict::BadOption);
            m.value[code] = be32(d);
            break;
        }
    }
    if (!m.has_type)
        return fail(Verdict::BadOption);
    bool reply = m.type == 2 || m.type == 5 || m.type == 6;
    if (msg[0] != (reply ? 2 : 1))
        return fail(Verdict::BadOption);
    return m;
}

bool opt_is(const lib::Optional<Ipv4Address>& o, const Model& m, u8 code)
{
    return o.has_value() == m.has[code] && (!m.has[code] || o->value == m.value[code]);
}
bool opt_is(const lib::Optional<u32>& o, const Model& m, u8 code)
{
    return o.has_value() == m.has[code] && (!m.has[code] || *o == m.value[code]);
}

// The message emit() must write for the parsed message `msg` (dhcp.h's layout).
std::vector<u8> expected_emission(const u8* msg, const Model& m)
{
    bool reply = m.type == 2 || m.type == 5 || m.type == 6;
    std::vector<u8> v(240, 0);
    v[0] = reply ? 2 : 1, v[1] = 1, v[2] = 6;
    std::memcpy(&v[4], msg + 4, 6);   // xid, secs
    v[10] = msg[10] & 0x80;           // the broadcast flag alone
    std::memcpy(&v[12], msg + 12, 12); // ciaddr, yiaddr, siaddr
    std::memcpy(&v[28], msg + 28, 6); // chaddr (hlen 6)
    v[236] = 0x63, v[237] = 0x82, v[238] = 0x53, v[239] = 0x63;
    v.insert(v.end(), { 53, 1, m.type });
    if (m.client_identifier) {
        v.insert(v.end(), { 61, 7, 1 });
        v.insert(v.end(), msg + 28, msg + 34);
    }
    for (u8 code : { 50, 54, 1, 3 }) {
        if (m.has[code]) {
            v.insert(v.end(), { code, 4 });
            put32(v, m.value[code]);
        }
    }
    if (m.dns_count) {
        v.insert(v.end(), { 6, u8(4 * m.dns_count) });
        for (usize k = 0; k < m.dns_count; ++k)
            put32(v, m.dns[k]);
    }
    for (u8 code : { 51, 58, 59 }) {
        if (m.has[code]) {
            v.insert(v.end(), { code, 4 });
            put32(v, m.value[code]);
        }
    }
    if (m.prl_count) {
        v.insert(v.end(), { 55, u8(m.prl_count) });
        v.insert(v.end(), m.prl, m.prl + m.prl_count);
    }
    v.push_back(255);
    if (v.size() < 300)
        v.resize(300, 0);
    return v;
}

void check_walk(lib::ReadonlyBytes area)
{
    DhcpOptionReader reader(area);
    usize previous = 0;
    Verdict verdict = Verdict::Ok;
    for (usize steps = 0;; ++steps) {
        FUZZ_CHECK(steps <= area.size() + 1, "the option walk ends within size + 1 steps");
        auto next = reader.next();
        if (next.is_error()) {
            FUZZ_CHECK(next.error() == WireError::Truncated || next.error() == WireError::BadOption,
                "a walk fails with Truncated or BadOption");
            verdict = next.error() == WireError::Truncated ? Verdict::Truncated : Verdict::BadOption;
            break;
        }
        if (!next.value().has_value())
            break;
        const DhcpRawOption& option = *next.value();
        usize offset = reader.offset();
        FUZZ_CHECK(offset > previous && offset <= area.size(), "every option advances the walk and stays in the area");
        FUZZ_CHECK(area[previous] == option.code, "the option's code is the byte the walk stood on");
        if (option.code == dhcp::option::pad)
            FUZZ_CHECK(offset == previous + 1 && option.data.size() == 0, "Pad is one byte, without data");
        else
            FUZZ_CHECK(option.data.data() == area.data() + previous + 2 && offset == previous + 2 + option.data.size()
                    && area[previous + 1] == option.data.size(),
                "an option's data follows its code and length bytes, and the walk skips exactly that");
        previous = offset;
    }
    FUZZ_CHECK(verdict == walk_verdict(area.data(), area.size()), "the walk ends as RFC 2132's grammar says");
    auto after = reader.next();
    FUZZ_CHECK(after.is_ok() && !after.value().has_value(), "a finished walk keeps returning nullopt");
}

std::vector<u8> emit_message(const DhcpRepr& repr)
{
    FUZZ_CHECK(repr.is_valid(), "what parse() returns is_valid()");
    std::vector<u8> out(repr.buffer_len());
    FUZZ_CHECK(out.size() >= dhcp::min_message_len, "an emitted message is at least 300 bytes");
    lib::ByteWriter writer(lib::Bytes(out.data(), out.size()));
    repr.emit(writer);
    FUZZ_CHECK(writer.remaining() == 0, "emit writes exactly buffer_len() bytes");
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    std::vector<u8> input(data, data + size); // Exact-size heap copy: ASan sees any overrun.
    const u8* p = input.data();
    check_walk(lib::ReadonlyBytes(p, size));

    auto checked = DhcpView::checked(lib::ReadonlyBytes(p, size));
    if (size < 240) {
        FUZZ_CHECK(checked.is_error() && checked.error() == WireError::Truncated, "under 240 bytes is Truncated");
        return 0;
    }
    if (be32(p + 236) != 0x63825363 || (p[0] != 1 && p[0] != 2) || p[1] != 1 || p[2] != 6) {
        FUZZ_CHECK(checked.is_error() && checked.error() == WireError::BadVersion, "a wrong cookie, op, htype or hlen is BadVersion");
        return 0;
    }
    FUZZ_CHECK(checked.is_ok(), "a BOOTP message with the cookie passes checked()");
    const DhcpView& view = checked.value();
    FUZZ_CHECK(view.bytes().data() == p && view.bytes().size() == size, "bytes() is the message");
    FUZZ_CHECK(view.options().data() == p + 240 && view.options().size() == size - 240, "options() is [240, size)");
    FUZZ_CHECK(view.op() == p[0] && view.hops() == p[3] && view.transaction_id() == be32(p + 4) && view.secs() == be16(p + 8)
            && view.flags() == be16(p + 10) && view.client_ip().value == be32(p + 12) && view.your_ip().value == be32(p + 16)
            && view.server_ip().value == be32(p + 20) && view.relay_ip().value == be32(p + 24)
            && std::memcmp(view.client_hardware_address().octets, p + 28, 6) == 0,
        "the fixed fields are where RFC 2131 puts them");
    check_walk(view.options());

    auto parsed = DhcpRepr::parse(view);
    Model m = model(p, size);
    switch (m.verdict) {
    case Verdict::Truncated:
        FUZZ_CHECK(parsed.is_error() && parsed.error() == WireError::Truncated, "options without End are Truncated");
        return 0;
    case Verdict::BadOption:
        FUZZ_CHECK(parsed.is_error() && parsed.error() == WireError::BadOption, "options the rules refuse are BadOption");
        return 0;
    case Verdict::Unsupported:
        FUZZ_CHECK(parsed.is_error() && parsed.error() == WireError::Unsupported, "a message type outside 1..8 is Unsupported");
        return 0;
    case Verdict::Ok:
        break;
    }
    FUZZ_CHECK(parsed.is_ok(), "everything else parses");
    const DhcpRepr& repr = parsed.value();
    FUZZ_CHECK(u8(repr.message_type) == m.type && m.type >= 1 && m.type <= 8, "the message type is present, 1..8");
    FUZZ_CHECK(dhcp_op_for(repr.message_type) == p[0], "the message type agrees with op");
    FUZZ_CHECK(repr.dns_count <= dhcp::dns_servers_max && repr.parameter_request_count <= dhcp::parameter_request_max,
        "counts stay within capacities");
    FUZZ_CHECK(repr.transaction_id == be32(p + 4) && repr.secs == be16(p + 8) && repr.broadcast == bool(p[10] & 0x80)
            && std::memcmp(repr.client_hardware_address.octets, p + 28, 6) == 0 && repr.client_ip.value == be32(p + 12)
            && repr.your_ip.value == be32(p + 16) && repr.server_ip.value == be32(p + 20),
        "the repr holds the fixed fields");
    FUZZ_CHECK(opt_is(repr.subnet_mask, m, 1) && opt_is(repr.router, m, 3) && opt_is(repr.requested_ip, m, 50)
            && opt_is(repr.server_identifier, m, 54) && opt_is(repr.lease_time, m, 51) && opt_is(repr.renewal_time, m, 58)
            && opt_is(repr.rebinding_time, m, 59) && repr.client_identifier == m.client_identifier,
        "single-valued options are the model's");
    FUZZ_CHECK(repr.dns_count == m.dns_count && repr.parameter_request_count == m.prl_count, "list lengths are the model's");
    for (usize k = 0; k < m.dns_count; ++k)
        FUZZ_CHECK(repr.dns_servers[k].value == m.dns[k], "DNS servers are the first three listed");
    FUZZ_CHECK(std::memcmp(repr.parameter_request_list, m.prl, m.prl_count) == 0, "the parameter request list is the first sixteen");

    std::vector<u8> out = emit_message(repr);
    FUZZ_CHECK(out == expected_emission(p, m), "emit writes dhcp.h's layout");
    auto again = DhcpView::checked(lib::ReadonlyBytes(out.data(), out.size()));
    FUZZ_CHECK(again.is_ok(), "an emitted message passes checked()");
    auto reparsed = DhcpRepr::parse(again.value());
    FUZZ_CHECK(reparsed.is_ok() && reparsed.value() == repr, "checked -> parse -> emit -> checked -> parse gives the same repr");
    FUZZ_CHECK(emit_message(reparsed.value()) == out, "emit(parse(emit(r))) == emit(r)");
    return 0;
}
