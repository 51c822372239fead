// Fuzz target for the kernel command line parser (kernel/boot/cmdline.h).
//
// Input format: the raw command line, any bytes (NULs and non-ASCII included), as the VMM would
// leave it at start_info.cmdline_paddr.
//
// Oracle: an independent model of the grammar in cmdline.h (tokens split at ' ', '\t', '\n',
// '\r'; key=value at the first '='; log/poweroff last-valid-wins; test= and virtio_mmio.device=
// accumulate, all-or-nothing per token) must agree exactly with the parser: log level, power-off
// method, test names (as the same byte ranges of the input), virtio devices, diagnostics (same
// token ranges, same problems, in order) and the dropped count. Every view lies inside the
// input. Parsing the same bytes again, or a copy of them, gives the same result.
#include "fuzz/fuzz.h"
#include "kernel/boot/cmdline.h"

#include <cstring>
#include <vector>

using kernel::boot::CommandLine;
using kernel::boot::Diagnostic;
using kernel::boot::LogLevel;
using kernel::boot::PowerOff;
using kernel::boot::VirtioMmioDevice;
using Problem = Diagnostic::Problem;

namespace {

// A range of the input, by offset (so results over two copies of the input compare equal).
struct Range {
    usize offset;
    usize length;
    bool operator==(const Range&) const = default;
};

struct Expected {
    LogLevel log_level { LogLevel::Info };
    PowerOff power_off { PowerOff::Acpi };
    std::vector<Range> tests;
    std::vector<VirtioMmioDevice> devices;
    kernel::boot::NetworkConfig network {};
    std::vector<std::pair<Range, Problem>> diagnostics; // All of them, none dropped.
};

bool is_separator(u8 c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool text_is(const u8* p, usize n, const char* word) { return std::strlen(word) == n && std::memcmp(p, word, n) == 0; }

// Decimal, or hex after "0x"/"0X" when more follows; no sign, no overflow.
bool parse_number(const u8* p, usize n, u64& out)
{
    u64 base = 10;
    usize i = 0;
    if (n > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        i = 2;
    }
    if (i == n)
        return false;
    unsigned __int128 value = 0;
    for (; i < n; ++i) {
        u8 c = p[i];
        u64 digit;
        if (c >= '0' && c <= '9')
            digit = c - '0';
        else if (base == 16 && c >= 'a' && c <= 'f')
            digit = c - 'a' + 10;
        else if (base == 16 && c >= 'A' && c <= 'F')
            digit = c - 'A' + 10;
        else
            return false;
        value = value * base + digit;
        if (value > ~u64(0))
            return false;
    }
    out = u64(value);
    return true;
}

// Linux memparse: a number with an optional K/M/G (either case) suffix, result in 64 bits.
bool parse_size(const u8* p, usize n, u64& out)
{
    if (n == 0)
        return false;
    unsigned shift = 0;
    switch (p[n - 1]) {
    case 'k': case 'K': shift = 10; break;
    case 'm': case 'M': shift = 20; break;
    case 'g': case 'G': shift = 30; break;
    default: break;
    }
    if (shift != 0)
        --n;
    u64 v = 0;
    if (!parse_number(p, n, v))
        return false;
    unsigned __int128 scaled = (unsigned __int128)v << shift;
    if (scaled > ~u64(0))
        return false;
    out = u64(scaled);
    return true;
}

const u8* find(const u8* p, usize n, u8 c)
{
    const void* hit = n ? std::memchr(p, c, n) : nullptr;
    return static_cast<const u8*>(hit);
}

// <size>@<base>:<irq>[:<id>], size > 0, the region does not wrap, irq and id fit in 32 bits.
bool parse_virtio(const u8* p, usize n, VirtioMmioDevice& out)
{
    const u8* end = p + n;
    const u8* at = find(p, n, '@');
    if (!at)
        return false;
    const u8* colon = find(at + 1, usize(end - at - 1), ':');
    if (!colon)
        return false;
    const u8* irq_begin = colon + 1;
    const u8* id_colon = find(irq_begin, usize(end - irq_begin), ':');
    const u8* irq_end = id_colon ? id_colon : end;
    u64 size = 0, base = 0, irq = 0, id = 0;
    bool ok = parse_size(p, usize(at - p), size);
    ok = parse_number(at + 1, usize(colon - at - 1), base) && ok;
    ok = parse_number(irq_begin, usize(irq_end - irq_begin), irq) && irq <= 0xffffffffu && ok;
    if (id_colon && !(parse_number(id_colon + 1, usize(end - id_colon - 1), id) && id <= 0xffffffffu))
        return false;
    if (!ok || size == 0 || (unsigned __int128)base + size - 1 > ~u64(0))
        return false;
    out = VirtioMmioDevice { base, size, u32(irq) };
    return true;
}

// A dotted quad of exactly four 1-3 digit decimal octets <= 255, first octet in the top byte.
bool parse_quad(const u8* p, usize n, u32& out)
{
    u32 value = 0;
    int octets = 0;
    usize i = 0;
    while (true) {
        usize digits = 0;
        u32 octet = 0;
        while (i < n && p[i] >= '0' && p[i] <= '9' && digits < 4) {
            octet = octet * 10 + u32(p[i] - '0');
            ++digits;
            ++i;
        }
        if (digits == 0 || digits > 3 || octet > 255)
            return false;
        value = value << 8 | octet;
        if (++octets == 4)
            break;
        if (i == n || p[i] != '.')
            return false;
        ++i;
    }
    out = value;
    return i == n;
}

// `ip=dhcp` or `ip=A.B.C.D/P[,gw=A.B.C.D]`, P 1..32 in one or two decimal digits, the gateway on the
// prefix's link and not the address itself.
bool parse_ip(const u8* v, usize n, kernel::boot::NetworkConfig& out)
{
    if (text_is(v, n, "dhcp")) {
        out = {};
        return true;
    }
    const u8* comma = find(v, n, ',');
    usize cidr_length = comma ? usize(comma - v) : n;
    const u8* slash = find(v, cidr_length, '/');
    if (!slash)
        return false;
    kernel::boot::NetworkConfig config;
    config.dhcp = false;
    if (!parse_quad(v, usize(slash - v), config.address))
        return false;
    usize prefix_digits = cidr_length - usize(slash - v) - 1;
    if (prefix_digits < 1 || prefix_digits > 2)
        return false;
    u32 prefix = 0;
    for (usize i = 0; i < prefix_digits; ++i) {
        u8 c = slash[1 + i];
        if (c < '0' || c > '9')
            return false;
        prefix = prefix * 10 + u32(c - '0');
    }
    if (prefix < 1 || prefix > 32)
        return false;
    config.prefix_len = u8(prefix);
    if (comma) {
        const u8* rest = comma + 1;
        usize rest_length = n - cidr_length - 1;
        if (rest_length < 3 || std::memcmp(rest, "gw=", 3) != 0 || !parse_quad(rest + 3, rest_length - 3, config.gateway))
            return false;
        u64 host_bits = 32 - prefix;
        bool same_link = (u64(config.gateway) >> host_bits) == (u64(config.address) >> host_bits);
        if (!same_link || config.gateway == config.address)
            return false;
        config.has_gateway = true;
    }
    out = config;
    return true;
}

bool is_test_char(u8 c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'; }

void model_token(const u8* input, usize start, usize length, Expected& e)
{
    const u8* t = input + start;
    Range token { start, length };
    if (length > CommandLine::max_token_length) {
        e.diagnostics.push_back({ token, Problem::TooLong });
        return;
    }
    const u8* eq = find(t, length, '=');
    usize key_length = eq ? usize(eq - t) : length;
    usize value_start = eq ? key_length + 1 : length;
    const u8* v = t + value_start;
    usize value_length = length - value_start;

    for (const char* ignored : { "console", "earlyprintk", "reboot", "panic" }) {
        if (text_is(t, key_length, ignored))
            return;
    }
    if (text_is(t, key_length, "log")) {
        const char* names[] = { "error", "warn", "info", "debug", "trace" };
        for (int i = 0; i < 5; ++i) {
            if (text_is(v, value_length, names[i])) {
                e.log_level = LogLevel(i);
                return;
            }
        }
        e.diagnostics.push_back({ token, Problem::MalformedValue });
    } else if (text_is(t, key_length, "poweroff")) {
        const char* names[] = { "acpi", "debug-exit", "halt" };
        for (int i = 0; i < 3; ++i) {
            if (text_is(v, value_length, names[i])) {
                e.power_off = PowerOff(i);
                return;
            }
        }
        e.diagnostics.push_back({ token, Problem::MalformedValue });
    } else if (text_is(t, key_length, "ip")) {
        if (!parse_ip(v, value_length, e.network))
            e.diagnostics.push_back({ token, Problem::MalformedValue });
    } else if (text_is(t, key_length, "test")) {
        std::vector<Range> names;
        usize name_start = 0;
        for (usize i = 0; i <= value_length; ++i) {
            if (i < value_length && v[i] != ',') {
                if (!is_test_char(v[i])) {
                    e.diagnostics.push_back({ token, Problem::MalformedValue });
                    return;
                }
                continue;
            }
            usize n = i - name_start;
            if (n == 0 || n > CommandLine::max_test_name_length) {
                e.diagnostics.push_back({ token, Problem::MalformedValue });
                return;
            }
            names.push_back({ start + value_start + name_start, n });
            name_start = i + 1;
        }
        if (e.tests.size() + names.size() > CommandLine::max_tests) {
            e.diagnostics.push_back({ token, Problem::TooMany });
            return;
        }
        e.tests.insert(e.tests.end(), names.begin(), names.end());
    } else if (text_is(t, key_length, "virtio_mmio.device")) {
        VirtioMmioDevice device {};
        if (!parse_virtio(v, value_length, device))
            e.diagnostics.push_back({ token, Problem::MalformedValue });
        else if (e.devices.size() == CommandLine::max_virtio_devices)
            e.diagnostics.push_back({ token, Problem::TooMany });
        else
            e.devices.push_back(device);
    } else {
        e.diagnostics.push_back({ token, Problem::UnknownOption });
    }
}

Expected model(const u8* input, usize size)
{
    Expected e;
    usize i = 0;
    while (i < size) {
        if (is_separator(input[i])) {
            ++i;
            continue;
        }
        usize start = i;
        while (i < size && !is_separator(input[i]))
            ++i;
        model_token(input, start, i - start, e);
    }
    return e;
}

// The view's range in `base`; the oracle fails if it is not inside [base, base + size).
Range range_of(lib::StringView view, const u8* base, usize size)
{
    auto begin = reinterpret_cast<const u8*>(view.chars());
    FUZZ_CHECK(view.length() == 0 || (begin >= base && begin <= base + size && view.length() <= usize(base + size - begin)),
        "every test name and diagnostic token views the input");
    if (view.length() == 0)
        return { 0, 0 };
    return { usize(begin - base), view.length() };
}

void check_agrees(const CommandLine& line, const Expected& e, const u8* base, usize size)
{
    FUZZ_CHECK(line.log_level() == e.log_level, "log= : the last valid occurrence wins");
    FUZZ_CHECK(line.power_off() == e.power_off, "poweroff= : the last valid occurrence wins");
    FUZZ_CHECK(kernel::boot::log_level_name(line.log_level()) != "?" && kernel::boot::power_off_name(line.power_off()) != "?",
        "every log level and power-off method has a name");

    const kernel::boot::NetworkConfig& n = line.network();
    FUZZ_CHECK(n.dhcp == e.network.dhcp && n.address == e.network.address && n.prefix_len == e.network.prefix_len
            && n.has_gateway == e.network.has_gateway && n.gateway == e.network.gateway,
        "ip= : the last valid occurrence wins, with the model's address, prefix and gateway");
    FUZZ_CHECK(n.dhcp || (n.prefix_len >= 1 && n.prefix_len <= 32), "a static prefix is 1..32");

    FUZZ_CHECK(line.tests().size() <= CommandLine::max_tests, "at most max_tests test names");
    FUZZ_CHECK(line.tests().size() == e.tests.size(), "test= names accumulate, all or nothing per token");
    for (usize i = 0; i < e.tests.size(); ++i) {
        lib::StringView name = line.tests()[i];
        FUZZ_CHECK(name.length() >= 1 && name.length() <= CommandLine::max_test_name_length, "test names are 1-31 chars");
        FUZZ_CHECK(range_of(name, base, size) == e.tests[i], "test name is the same bytes of the input as the model's");
        for (char c : name)
            FUZZ_CHECK(is_test_char(u8(c)), "test names match [a-z0-9_-]");
        FUZZ_CHECK(line.has_test(name), "has_test() finds every parsed name");
    }

    FUZZ_CHECK(line.virtio_devices().size() <= CommandLine::max_virtio_devices, "at most max_virtio_devices");
    FUZZ_CHECK(line.virtio_devices().size() == e.devices.size(), "virtio_mmio.device= count agrees with the model");
    for (usize i = 0; i < e.devices.size(); ++i) {
        const VirtioMmioDevice& d = line.virtio_devices()[i];
        FUZZ_CHECK(d.base == e.devices[i].base && d.size == e.devices[i].size && d.irq == e.devices[i].irq,
            "virtio device values agree with the model");
        FUZZ_CHECK(d.size != 0 && d.size - 1 <= ~u64(0) - d.base, "a virtio region is non-empty and does not wrap");
    }

    usize kept = e.diagnostics.size() < CommandLine::max_diagnostics ? e.diagnostics.size() : CommandLine::max_diagnostics;
    FUZZ_CHECK(line.diagnostics().size() == kept, "the first max_diagnostics problems are kept");
    FUZZ_CHECK(line.dropped_diagnostics() == e.diagnostics.size() - kept, "the rest are counted as dropped");
    for (usize i = 0; i < kept; ++i) {
        const Diagnostic& d = line.diagnostics()[i];
        FUZZ_CHECK(d.token.length() > 0, "a diagnostic names a non-empty token");
        FUZZ_CHECK(range_of(d.token, base, size) == e.diagnostics[i].first, "diagnostic token is the model's whole token");
        FUZZ_CHECK(d.problem == e.diagnostics[i].second, "diagnostic problem agrees with the model");
        FUZZ_CHECK(kernel::boot::problem_name(d.problem) != "?", "every problem has a name for the boot warning");
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    lib::StringView text(reinterpret_cast<const char*>(data), size);
    CommandLine line = CommandLine::parse(text);
    Expected expected = model(data, size);
    check_agrees(line, expected, data, size);

    // Determinism: the same bytes again, and a copy at another address, parse the same way.
    CommandLine again = CommandLine::parse(text);
    check_agrees(again, expected, data, size);
    std::vector<u8> copy(data, data + size);
    CommandLine copied = CommandLine::parse(lib::StringView(reinterpret_cast<const char*>(copy.data()), copy.size()));
    check_agrees(copied, expected, copy.data(), copy.size());
    return 0;
}
