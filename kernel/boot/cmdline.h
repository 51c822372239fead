// The kernel command line (PVH start_info.cmdline_paddr): Linux-style space-separated options,
// Linux syntax wherever Linux has the same option (Documentation/admin-guide/kernel-parameters).
#pragma once

#include "lib/span.h"
#include "lib/string_view.h"
#include "lib/types.h"

namespace kernel::boot {

// Ordered from quietest to most verbose: a message is printed when its level <= the current one.
enum class LogLevel : u8 { Error, Warn, Info, Debug, Trace };

// What the kernel does when there is nothing left to run.
enum class PowerOff : u8 {
    Acpi,      // ACPI S5 through the FADT (kernel/drivers/acpi), halting if that is unavailable.
    DebugExit, // QEMU's isa-debug-exit device, so a test run's exit status reaches the host.
    Halt,      // Interrupts off, hlt forever.
};

// One `virtio_mmio.device=<size>@<base>:<irq>[:<id>]` (Linux drivers/virtio/virtio_mmio.c).
// The optional platform-device id is validated and dropped: Bulwark numbers devices itself.
struct VirtioMmioDevice {
    u64 base;
    u64 size;
    u32 irq;
};

// `ip=dhcp` (the default) or `ip=ADDR/PREFIX[,gw=GW]`. Addresses are 32-bit values with the
// first octet in the top byte (10.0.2.15 is 0x0a00020f), as net::wire::Ipv4Address holds them.
struct NetworkConfig {
    bool dhcp { true };
    u32 address { 0 };
    u8 prefix_len { 0 }; // 1..32 when !dhcp
    bool has_gateway { false };
    u32 gateway { 0 };
};

// A token the parser did not act on. `token` views the original text (the whole token, key and
// value), so it is always a substring of the input.
struct Diagnostic {
    enum class Problem : u8 {
        UnknownOption,  // The key is not one we know (including an empty key: "=x").
        MalformedValue, // A known key whose value does not parse, or that lacks a required value.
        TooMany,        // A ninth virtio device, or test names beyond the ninth.
        TooLong,        // A token longer than max_token_length: no option is that long.
    };
    lib::StringView token;
    Problem problem;
};

lib::StringView problem_name(Diagnostic::Problem);
lib::StringView log_level_name(LogLevel);
lib::StringView power_off_name(PowerOff);

// The parsed command line. Grammar: tokens separated by runs of ' ', '\t', '\n' or '\r'; a token
// is `key=value` (split at the first '=') or a bare `key`. There is no quoting or escaping, so a
// value can never contain a space. Unknown or malformed tokens are recorded as diagnostics and
// otherwise ignored: a typo on the command line must not stop the machine from booting. For
// `log=` and `poweroff=` the last valid occurrence wins (as in Linux); `test=` and
// `virtio_mmio.device=` accumulate across occurrences.
class CommandLine {
public:
    static constexpr usize max_tests = 8;
    static constexpr usize max_test_name_length = 31;
    static constexpr usize max_virtio_devices = 8;
    static constexpr usize max_diagnostics = 16;
    static constexpr usize max_token_length = 512;

    // Never fails. `text` must stay alive as long as the result: test names and diagnostic
    // tokens view it.
    static CommandLine parse(lib::StringView text);

    LogLevel log_level() const { return m_log_level; }
    PowerOff power_off() const { return m_power_off; }
    // Test names from `test=a,b`, in order, each matching [a-z0-9_-]{1,31}.
    lib::Span<const lib::StringView> tests() const { return { m_tests, m_test_count }; }
    // True when `name` was asked for, or when "all" was.
    bool has_test(lib::StringView name) const;
    lib::Span<const VirtioMmioDevice> virtio_devices() const { return { m_devices, m_device_count }; }
    // The last valid `ip=`; DHCP when there is none.
    const NetworkConfig& network() const { return m_network; }
    // The first max_diagnostics problems, in order of appearance.
    lib::Span<const Diagnostic> diagnostics() const { return { m_diagnostics, m_diagnostic_count }; }
    // Problems found after the diagnostics array was full (so the kernel can say "and N more").
    usize dropped_diagnostics() const { return m_dropped_diagnostics; }

private:
    void parse_token(lib::StringView token);
    void add_tests(lib::StringView token, lib::StringView value);
    void add_virtio_device(lib::StringView token, lib::StringView value);
    void diagnose(lib::StringView token, Diagnostic::Problem);

    NetworkConfig m_network {};
    LogLevel m_log_level { LogLevel::Info };
    PowerOff m_power_off { PowerOff::Acpi };
    // Invariant: m_test_count <= max_tests, m_device_count <= max_virtio_devices and
    // m_diagnostic_count <= max_diagnostics; each add checks before writing.
    lib::StringView m_tests[max_tests] {};
    usize m_test_count { 0 };
    VirtioMmioDevice m_devices[max_virtio_devices] {};
    usize m_device_count { 0 };
    Diagnostic m_diagnostics[max_diagnostics] {};
    usize m_diagnostic_count { 0 };
    usize m_dropped_diagnostics { 0 };
};

} // namespace kernel::boot
