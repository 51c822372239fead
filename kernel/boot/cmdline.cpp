// Kernel command line parser (see cmdline.h for the grammar). Linux's own syntax for the options
// it shares: virtio_mmio.device (drivers/virtio/virtio_mmio.c), memparse suffixes (lib/cmdline.c).
#include "kernel/boot/cmdline.h"

#include "lib/number.h"
#include "lib/optional.h"

namespace kernel::boot {

namespace {

using lib::Optional;
using lib::StringView;
using Problem = Diagnostic::Problem;

constexpr bool is_separator(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

constexpr bool is_test_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

Optional<LogLevel> parse_log_level(StringView value)
{
    if (value == "error")
        return LogLevel::Error;
    if (value == "warn")
        return LogLevel::Warn;
    if (value == "info")
        return LogLevel::Info;
    if (value == "debug")
        return LogLevel::Debug;
    if (value == "trace")
        return LogLevel::Trace;
    return lib::nullopt;
}

Optional<PowerOff> parse_power_off(StringView value)
{
    if (value == "acpi")
        return PowerOff::Acpi;
    if (value == "debug-exit")
        return PowerOff::DebugExit;
    if (value == "halt")
        return PowerOff::Halt;
    return lib::nullopt;
}

// Linux memparse(): a number with an optional K/M/G suffix (either case) multiplying by 2^10,
// 2^20 or 2^30. Unlike Linux, a leading 0 does not mean octal: "010" is ten.
Optional<u64> parse_size(StringView text)
{
    if (text.is_empty())
        return lib::nullopt;
    unsigned shift = 0;
    switch (text[text.length() - 1]) {
    case 'K':
    case 'k':
        shift = 10;
        break;
    case 'M':
    case 'm':
        shift = 20;
        break;
    case 'G':
    case 'g':
        shift = 30;
        break;
    default:
        break;
    }
    if (shift != 0)
        text = text.substring(0, text.length() - 1);
    Optional<u64> number = lib::parse_u64(text);
    if (!number || *number > (~u64(0) >> shift))
        return lib::nullopt;
    return *number << shift;
}

Optional<u32> parse_u32(StringView text)
{
    Optional<u64> number = lib::parse_u64(text);
    if (!number || *number > 0xffffffffu)
        return lib::nullopt;
    return u32(*number);
}

// Parses `<size>@<base>:<irq>[:<id>]`. The region must be non-empty and must not wrap.
Optional<VirtioMmioDevice> parse_virtio_device(StringView value)
{
    usize at = value.find('@');
    if (at == value.length())
        return lib::nullopt;
    Optional<u64> size = parse_size(value.substring(0, at));
    StringView rest = value.substring(at + 1);

    usize colon = rest.find(':');
    if (colon == rest.length())
        return lib::nullopt; // No irq.
    Optional<u64> base = lib::parse_u64(rest.substring(0, colon));
    rest = rest.substring(colon + 1);

    usize id_colon = rest.find(':');
    Optional<u32> irq = parse_u32(rest.substring(0, id_colon));
    if (id_colon != rest.length() && !parse_u32(rest.substring(id_colon + 1)))
        return lib::nullopt; // The id is present but not a number.

    if (!size || !base || !irq || *size == 0 || *size - 1 > ~u64(0) - *base)
        return lib::nullopt;
    return VirtioMmioDevice { *base, *size, *irq };
}

// A dotted quad, each part a decimal 0..255 without sign or excess length.
Optional<u32> parse_ipv4(StringView text)
{
    u32 value = 0;
    usize start = 0;
    for (int part = 0; part < 4; ++part) {
        usize end = start;
        while (end < text.length() && text[end] != '.')
            ++end;
        if ((part < 3) != (end < text.length()))
            return lib::nullopt; // too few or too many dots
        StringView digits = text.substring(start, end - start);
        if (digits.is_empty() || digits.length() > 3)
            return lib::nullopt;
        u32 octet = 0;
        for (usize i = 0; i < digits.length(); ++i) {
            if (digits[i] < '0' || digits[i] > '9')
                return lib::nullopt;
            octet = octet * 10 + u32(digits[i] - '0');
        }
        if (octet > 255)
            return lib::nullopt;
        value = (value << 8) | octet;
        start = end + 1;
    }
    return value;
}

// `dhcp`, or `ADDR/PREFIX` optionally followed by `,gw=GW`.
Optional<NetworkConfig> parse_network(StringView value)
{
    if (value == "dhcp")
        return NetworkConfig {};
    NetworkConfig config;
    config.dhcp = false;
    usize comma = value.find(',');
    StringView cidr = value.substring(0, comma);
    usize slash = cidr.find('/');
    if (slash == cidr.length())
        return lib::nullopt;
    Optional<u32> address = parse_ipv4(cidr.substring(0, slash));
    StringView prefix_text = cidr.substring(slash + 1);
    Optional<u64> prefix = prefix_text.length() <= 2 ? lib::parse_u64(prefix_text) : Optional<u64>();
    if (!address || !prefix || *prefix == 0 || *prefix > 32)
        return lib::nullopt;
    config.address = *address;
    config.prefix_len = u8(*prefix);
    if (comma != value.length()) {
        StringView rest = value.substring(comma + 1);
        if (rest.length() < 3 || !(rest.substring(0, 3) == "gw="))
            return lib::nullopt;
        Optional<u32> gateway = parse_ipv4(rest.substring(3));
        if (!gateway)
            return lib::nullopt;
        // The gateway must be on the link the prefix describes.
        u32 mask = config.prefix_len == 32 ? ~0u : ~(~0u >> config.prefix_len);
        if ((*gateway & mask) != (config.address & mask) || *gateway == config.address)
            return lib::nullopt;
        config.has_gateway = true;
        config.gateway = *gateway;
    }
    return config;
}

// Options QEMU or users commonly pass for Linux. Accepted without a diagnostic so a command
// line written for a Linux guest boots cleanly; Bulwark has no use for them.
constexpr StringView ignored_keys[] = { "console", "earlyprintk", "reboot", "panic" };

} // namespace

lib::StringView problem_name(Diagnostic::Problem problem)
{
    switch (problem) {
    case Problem::UnknownOption:
        return "unknown option";
    case Problem::MalformedValue:
        return "malformed value";
    case Problem::TooMany:
        return "too many";
    case Problem::TooLong:
        return "too long";
    }
    return "?";
}

lib::StringView log_level_name(LogLevel level)
{
    switch (level) {
    case LogLevel::Error:
        return "error";
    case LogLevel::Warn:
        return "warn";
    case LogLevel::Info:
        return "info";
    case LogLevel::Debug:
        return "debug";
    case LogLevel::Trace:
        return "trace";
    }
    return "?";
}

lib::StringView power_off_name(PowerOff power_off)
{
    switch (power_off) {
    case PowerOff::Acpi:
        return "acpi";
    case PowerOff::DebugExit:
        return "debug-exit";
    case PowerOff::Halt:
        return "halt";
    }
    return "?";
}

CommandLine CommandLine::parse(lib::StringView text)
{
    CommandLine line;
    usize i = 0;
    // Each pass of the outer loop consumes at least one character, so it ends.
    while (i < text.length()) {
        if (is_separator(text[i])) {
            ++i;
            continue;
        }
        usize start = i;
        while (i < text.length() && !is_separator(text[i]))
            ++i;
        line.parse_token(text.substring(start, i - start));
    }
    return line;
}

bool CommandLine::has_test(lib::StringView name) const
{
    for (usize i = 0; i < m_test_count; ++i) {
        if (m_tests[i] == name || m_tests[i] == "all")
            return true;
    }
    return false;
}

void CommandLine::parse_token(lib::StringView token)
{
    if (token.length() > max_token_length) {
        diagnose(token, Problem::TooLong);
        return;
    }
    usize equals = token.find('=');
    bool has_value = equals != token.length();
    StringView key = token.substring(0, equals);
    StringView value = has_value ? token.substring(equals + 1) : StringView();

    for (StringView ignored : ignored_keys) {
        if (key == ignored)
            return;
    }
    if (key == "log") {
        Optional<LogLevel> level = parse_log_level(value);
        if (level)
            m_log_level = *level;
        else
            diagnose(token, Problem::MalformedValue);
    } else if (key == "poweroff") {
        Optional<PowerOff> power_off = parse_power_off(value);
        if (power_off)
            m_power_off = *power_off;
        else
            diagnose(token, Problem::MalformedValue);
    } else if (key == "ip") {
        Optional<NetworkConfig> network = parse_network(value);
        if (network)
            m_network = *network;
        else
            diagnose(token, Problem::MalformedValue);
    } else if (key == "test") {
        add_tests(token, value);
    } else if (key == "virtio_mmio.device") {
        add_virtio_device(token, value);
    } else {
        diagnose(token, Problem::UnknownOption);
    }
}

// Validates the whole comma-separated list before taking any name, so a token is either used
// entirely or rejected entirely.
void CommandLine::add_tests(lib::StringView token, lib::StringView value)
{
    usize count = 0;
    usize name_length = 0;
    for (usize i = 0; i <= value.length(); ++i) {
        if (i == value.length() || value[i] == ',') {
            if (name_length == 0 || name_length > max_test_name_length) {
                diagnose(token, Problem::MalformedValue);
                return;
            }
            ++count;
            name_length = 0;
        } else if (is_test_name_char(value[i])) {
            ++name_length;
        } else {
            diagnose(token, Problem::MalformedValue);
            return;
        }
    }
    if (count > max_tests - m_test_count) {
        diagnose(token, Problem::TooMany);
        return;
    }
    usize start = 0;
    for (usize i = 0; i <= value.length(); ++i) {
        if (i == value.length() || value[i] == ',') {
            VERIFY(m_test_count < max_tests);
            m_tests[m_test_count++] = value.substring(start, i - start);
            start = i + 1;
        }
    }
}

void CommandLine::add_virtio_device(lib::StringView token, lib::StringView value)
{
    Optional<VirtioMmioDevice> device = parse_virtio_device(value);
    if (!device) {
        diagnose(token, Problem::MalformedValue);
        return;
    }
    if (m_device_count == max_virtio_devices) {
        diagnose(token, Problem::TooMany);
        return;
    }
    m_devices[m_device_count++] = *device;
}

void CommandLine::diagnose(lib::StringView token, Diagnostic::Problem problem)
{
    if (m_diagnostic_count == max_diagnostics) {
        ++m_dropped_diagnostics;
        return;
    }
    m_diagnostics[m_diagnostic_count++] = Diagnostic { token, problem };
}

} // namespace kernel::boot
