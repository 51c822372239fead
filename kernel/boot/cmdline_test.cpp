// Unit and property tests for the kernel command line parser (kernel/boot/cmdline.h).
#include "kernel/boot/cmdline.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <deque>
#include <string>
#include <vector>

using kernel::boot::CommandLine;
using kernel::boot::Diagnostic;
using kernel::boot::LogLevel;
using kernel::boot::PowerOff;
using Problem = Diagnostic::Problem;

namespace {

std::string str(lib::StringView v) { return std::string(v.chars(), v.length()); }

// The parsed line views its text, so each text is kept alive for the whole test run.
CommandLine parse(const std::string& text)
{
    static std::deque<std::string> texts;
    texts.push_back(text);
    return CommandLine::parse(lib::StringView(texts.back().data(), texts.back().size()));
}

// Asserts exactly one diagnostic, with this token and problem.
void expect_single_diagnostic(const std::string& text, const std::string& token, Problem problem)
{
    CommandLine line = parse(text);
    ASSERT_EQ(line.diagnostics().size(), 1u) << text;
    EXPECT_EQ(str(line.diagnostics()[0].token), token) << text;
    EXPECT_EQ(line.diagnostics()[0].problem, problem) << text;
}

void expect_malformed(const std::string& token)
{
    SCOPED_TRACE(token);
    expect_single_diagnostic(token, token, Problem::MalformedValue);
}

} // namespace

TEST(CmdlineTest, EmptyGivesDefaults)
{
    for (const char* text : { "", " ", "   \t\r\n  " }) {
        CommandLine line = parse(text);
        EXPECT_EQ(line.log_level(), LogLevel::Info);
        EXPECT_EQ(line.power_off(), PowerOff::Acpi);
        EXPECT_TRUE(line.tests().is_empty());
        EXPECT_TRUE(line.virtio_devices().is_empty());
        EXPECT_TRUE(line.diagnostics().is_empty());
        EXPECT_EQ(line.dropped_diagnostics(), 0u);
        EXPECT_FALSE(line.has_test("boot"));
    }
}

TEST(CmdlineTest, TypicalLine)
{
    CommandLine line = parse("console=ttyS0 earlyprintk=serial reboot=t panic=-1 log=debug test=mm,pci_scan "
                             "poweroff=debug-exit virtio_mmio.device=512@0xfeb00e00:12");
    EXPECT_TRUE(line.diagnostics().is_empty());
    EXPECT_EQ(line.log_level(), LogLevel::Debug);
    EXPECT_EQ(line.power_off(), PowerOff::DebugExit);
    ASSERT_EQ(line.tests().size(), 2u);
    EXPECT_EQ(str(line.tests()[0]), "mm");
    EXPECT_EQ(str(line.tests()[1]), "pci_scan");
    EXPECT_TRUE(line.has_test("mm"));
    EXPECT_TRUE(line.has_test("pci_scan"));
    EXPECT_FALSE(line.has_test("pci"));
    EXPECT_FALSE(line.has_test("all"));
    ASSERT_EQ(line.virtio_devices().size(), 1u);
    EXPECT_EQ(line.virtio_devices()[0].base, 0xfeb00e00u);
    EXPECT_EQ(line.virtio_devices()[0].size, 512u);
    EXPECT_EQ(line.virtio_devices()[0].irq, 12u);
}

TEST(CmdlineTest, EveryLogLevelAndPowerOff)
{
    const std::pair<const char*, LogLevel> levels[] = {
        { "error", LogLevel::Error }, { "warn", LogLevel::Warn }, { "info", LogLevel::Info },
        { "debug", LogLevel::Debug }, { "trace", LogLevel::Trace },
    };
    for (auto [name, level] : levels) {
        CommandLine line = parse(std::string("log=") + name);
        EXPECT_EQ(line.log_level(), level) << name;
        EXPECT_EQ(str(kernel::boot::log_level_name(level)), name);
        EXPECT_TRUE(line.diagnostics().is_empty());
    }
    const std::pair<const char*, PowerOff> offs[] = {
        { "acpi", PowerOff::Acpi }, { "debug-exit", PowerOff::DebugExit }, { "halt", PowerOff::Halt },
    };
    for (auto [name, power_off] : offs) {
        CommandLine line = parse(std::string("poweroff=halt poweroff=") + name);
        EXPECT_EQ(line.power_off(), power_off) << name;
        EXPECT_EQ(str(kernel::boot::power_off_name(power_off)), name);
    }
}

TEST(CmdlineTest, LastValidLogLevelWins)
{
    CommandLine line = parse("log=trace log=loud");
    EXPECT_EQ(line.log_level(), LogLevel::Trace);
    ASSERT_EQ(line.diagnostics().size(), 1u);
    EXPECT_EQ(str(line.diagnostics()[0].token), "log=loud");
    EXPECT_EQ(parse("log=trace log=error").log_level(), LogLevel::Error);
}

TEST(CmdlineTest, QemuMicrovmDevices)
{
    // What QEMU -M microvm appends for two virtio-mmio transports, plus the 64-bit form.
    CommandLine line = parse("virtio_mmio.device=512@0xfeb00e00:12 virtio_mmio.device=512@0xfeb00c00:11 "
                             "virtio_mmio.device=4K@0x1000000000:40:3 virtio_mmio.device=1M@4096:5");
    EXPECT_TRUE(line.diagnostics().is_empty());
    ASSERT_EQ(line.virtio_devices().size(), 4u);
    EXPECT_EQ(line.virtio_devices()[1].base, 0xfeb00c00u);
    EXPECT_EQ(line.virtio_devices()[1].irq, 11u);
    EXPECT_EQ(line.virtio_devices()[2].base, 0x1000000000u);
    EXPECT_EQ(line.virtio_devices()[2].size, 4096u);
    EXPECT_EQ(line.virtio_devices()[2].irq, 40u);
    EXPECT_EQ(line.virtio_devices()[3].base, 4096u);
    EXPECT_EQ(line.virtio_devices()[3].size, 1u << 20);
}

TEST(CmdlineTest, SizeSuffixes)
{
    CommandLine line = parse("virtio_mmio.device=0x200@0:1 virtio_mmio.device=2k@0:1 virtio_mmio.device=3m@0:1 "
                             "virtio_mmio.device=1G@0:1 virtio_mmio.device=0x10K@0:1");
    ASSERT_EQ(line.virtio_devices().size(), 5u);
    EXPECT_EQ(line.virtio_devices()[0].size, 0x200u);
    EXPECT_EQ(line.virtio_devices()[1].size, 2048u);
    EXPECT_EQ(line.virtio_devices()[2].size, 3u << 20);
    EXPECT_EQ(line.virtio_devices()[3].size, 1u << 30);
    EXPECT_EQ(line.virtio_devices()[4].size, 0x10u << 10);
}

TEST(CmdlineTest, MalformedVirtioDevices)
{
    for (const char* token : {
             "virtio_mmio.device",                             // No value.
             "virtio_mmio.device=",                            // Empty value.
             "virtio_mmio.device=512@zz:1",                    // Base not a number.
             "virtio_mmio.device=0x200@0xfeb00e00",            // Missing irq.
             "virtio_mmio.device=0x200@0xfeb00e00:",           // Empty irq.
             "virtio_mmio.device=0x200:0xfeb00e00:5",          // No '@'.
             "virtio_mmio.device=@0xfeb00e00:5",               // No size.
             "virtio_mmio.device=0@0xfeb00e00:5",              // Empty region.
             "virtio_mmio.device=512@0xfeb00e00:12:",          // Empty id.
             "virtio_mmio.device=512@0xfeb00e00:12:x",         // Id not a number.
             "virtio_mmio.device=512@0xfeb00e00:12:1:2",       // Too many fields.
             "virtio_mmio.device=512@0xfeb00e00:4294967296",   // Irq does not fit in 32 bits.
             "virtio_mmio.device=512@0x10000000000000000:1",   // Base overflows 64 bits.
             "virtio_mmio.device=18446744073709551616@0:1",    // Size overflows 64 bits.
             "virtio_mmio.device=0x400000000000001K@0:1",      // Size overflows after the suffix (wraps to 1K).
             "virtio_mmio.device=0x1000@0xfffffffffffff001:1", // Region wraps past 2^64.
             "virtio_mmio.device=512T@0:1",                    // Unknown suffix.
             "virtio_mmio.device=K@0:1",                       // Suffix without a number.
             "virtio_mmio.device=-1@0:1",                      // Negative.
             "virtio_mmio.device=512@0x:1",                    // Bare "0x".
         }) {
        expect_malformed(token);
    }
    // The largest region that just fits is fine.
    CommandLine line = parse("virtio_mmio.device=0x1000@0xfffffffffffff000:1");
    EXPECT_TRUE(line.diagnostics().is_empty());
    EXPECT_EQ(line.virtio_devices().size(), 1u);
}

TEST(CmdlineTest, TenDevicesKeepsEight)
{
    std::string text;
    for (int i = 0; i < 10; ++i)
        text += "virtio_mmio.device=512@" + std::to_string(0x1000 * (i + 1)) + ":" + std::to_string(i) + " ";
    CommandLine line = parse(text);
    ASSERT_EQ(line.virtio_devices().size(), CommandLine::max_virtio_devices);
    for (usize i = 0; i < CommandLine::max_virtio_devices; ++i)
        EXPECT_EQ(line.virtio_devices()[i].irq, i);
    ASSERT_EQ(line.diagnostics().size(), 2u);
    EXPECT_EQ(str(line.diagnostics()[0].token), "virtio_mmio.device=512@36864:8");
    EXPECT_EQ(line.diagnostics()[0].problem, Problem::TooMany);
    EXPECT_EQ(line.diagnostics()[1].problem, Problem::TooMany);
}

TEST(CmdlineTest, Tests)
{
    CommandLine line = parse("test=a test=b-1,c_2 test=all");
    ASSERT_EQ(line.tests().size(), 4u);
    EXPECT_EQ(str(line.tests()[1]), "b-1");
    EXPECT_EQ(str(line.tests()[2]), "c_2");
    EXPECT_TRUE(line.has_test("anything"));

    std::string longest(31, 'x');
    line = parse("test=" + longest);
    ASSERT_EQ(line.tests().size(), 1u);
    EXPECT_EQ(str(line.tests()[0]), longest);
    EXPECT_FALSE(line.has_test("x"));

    for (const char* token : { "test", "test=", "test=,", "test=a,", "test=,a", "test=a,,b", "test=A", "test=a.b",
             "test=a;b", "test=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" /* 32 */ }) {
        expect_malformed(token);
    }
}

TEST(CmdlineTest, TooManyTestsRejectsTheWholeToken)
{
    CommandLine line = parse("test=a,b,c,d,e,f test=g,h,i test=g,h");
    ASSERT_EQ(line.tests().size(), 8u);
    EXPECT_EQ(str(line.tests()[7]), "h");
    EXPECT_FALSE(line.has_test("i"));
    ASSERT_EQ(line.diagnostics().size(), 1u);
    EXPECT_EQ(str(line.diagnostics()[0].token), "test=g,h,i");
    EXPECT_EQ(line.diagnostics()[0].problem, Problem::TooMany);

    line = parse("test=a,b,c,d,e,f,g,h,i");
    EXPECT_TRUE(line.tests().is_empty());
    ASSERT_EQ(line.diagnostics().size(), 1u);
    EXPECT_EQ(line.diagnostics()[0].problem, Problem::TooMany);
}

TEST(CmdlineTest, UnknownAndMalformed)
{
    expect_single_diagnostic("=x", "=x", Problem::UnknownOption);
    expect_single_diagnostic("=", "=", Problem::UnknownOption);
    expect_single_diagnostic("quiet", "quiet", Problem::UnknownOption);
    expect_single_diagnostic("Log=info", "Log=info", Problem::UnknownOption);
    expect_single_diagnostic("logx=info", "logx=info", Problem::UnknownOption);
    expect_single_diagnostic("  root=/dev/vda  ", "root=/dev/vda", Problem::UnknownOption);
    expect_malformed("log=loud");
    expect_malformed("log=");
    expect_malformed("log");
    expect_malformed("log==info");
    expect_malformed("log=INFO");
    expect_malformed("poweroff=reboot");
    expect_malformed("poweroff");
    // The ignored Linux options are accepted bare or with any value.
    EXPECT_TRUE(parse("console earlyprintk= reboot=a=b panic=0").diagnostics().is_empty());
}

TEST(CmdlineTest, SeparatorsAndTokenBoundaries)
{
    CommandLine line = parse("\tlog=warn\r\n\n   poweroff=halt  bogus   ");
    EXPECT_EQ(line.log_level(), LogLevel::Warn);
    EXPECT_EQ(line.power_off(), PowerOff::Halt);
    ASSERT_EQ(line.diagnostics().size(), 1u);
    EXPECT_EQ(str(line.diagnostics()[0].token), "bogus");
}

TEST(CmdlineTest, OverLongToken)
{
    std::string token = "console=" + std::string(CommandLine::max_token_length, 'a');
    CommandLine line = parse("log=debug " + token + " poweroff=halt");
    EXPECT_EQ(line.log_level(), LogLevel::Debug);
    EXPECT_EQ(line.power_off(), PowerOff::Halt);
    ASSERT_EQ(line.diagnostics().size(), 1u);
    EXPECT_EQ(line.diagnostics()[0].problem, Problem::TooLong);
    EXPECT_EQ(line.diagnostics()[0].token.length(), token.length());
    // Exactly max_token_length is still a token.
    EXPECT_TRUE(parse(token.substr(0, CommandLine::max_token_length)).diagnostics().is_empty());
}

TEST(CmdlineTest, DiagnosticsOverflowIsCounted)
{
    std::string text;
    for (int i = 0; i < 20; ++i)
        text += "bad" + std::to_string(i) + " ";
    CommandLine line = parse(text);
    ASSERT_EQ(line.diagnostics().size(), CommandLine::max_diagnostics);
    EXPECT_EQ(str(line.diagnostics()[15].token), "bad15");
    EXPECT_EQ(line.dropped_diagnostics(), 4u);
}

TEST(CmdlineTest, NetworkDefaultsToDhcp)
{
    CommandLine line = parse("log=info");
    EXPECT_TRUE(line.network().dhcp);
    EXPECT_TRUE(parse("ip=10.0.0.1/8 ip=dhcp").network().dhcp);
}

TEST(CmdlineTest, StaticAddress)
{
    CommandLine line = parse("ip=10.77.0.2/24");
    EXPECT_TRUE(line.diagnostics().is_empty());
    EXPECT_FALSE(line.network().dhcp);
    EXPECT_EQ(line.network().address, 0x0a4d0002u);
    EXPECT_EQ(line.network().prefix_len, 24);
    EXPECT_FALSE(line.network().has_gateway);

    CommandLine with_gw = parse("ip=192.168.1.20/16,gw=192.168.255.254");
    EXPECT_TRUE(with_gw.diagnostics().is_empty());
    EXPECT_EQ(with_gw.network().address, 0xc0a80114u);
    EXPECT_EQ(with_gw.network().prefix_len, 16);
    EXPECT_TRUE(with_gw.network().has_gateway);
    EXPECT_EQ(with_gw.network().gateway, 0xc0a8fffeu);
    EXPECT_EQ(parse("ip=1.2.3.4/32").network().prefix_len, 32);
}

TEST(CmdlineTest, MalformedAddressesKeepThePreviousSetting)
{
    for (const char* token : { "ip=", "ip=10.0.0.1", "ip=10.0.0.1/", "ip=10.0.0.1/0", "ip=10.0.0.1/33", "ip=10.0.0/24",
             "ip=10.0.0.1.5/24", "ip=256.0.0.1/24", "ip=10.0.0.01234/24", "ip=10..0.1/24", "ip=a.b.c.d/24",
             "ip=10.0.0.1/24,", "ip=10.0.0.1/24,gw=", "ip=10.0.0.1/24,gateway=10.0.0.2", "ip=10.0.0.1/24,gw=10.0.1.1",
             "ip=10.0.0.1/24,gw=10.0.0.1", "ip=10.0.0.1/-4", "ip=10.0.0.1/024", "ip=DHCP" }) {
        expect_malformed(token);
        CommandLine line = parse(std::string("ip=10.9.9.9/8 ") + token);
        EXPECT_FALSE(line.network().dhcp) << token;
        EXPECT_EQ(line.network().address, 0x0a090909u) << token;
    }
}

TEST(CmdlineTest, ProblemNames)
{
    EXPECT_EQ(str(kernel::boot::problem_name(Problem::UnknownOption)), "unknown option");
    EXPECT_EQ(str(kernel::boot::problem_name(Problem::MalformedValue)), "malformed value");
    EXPECT_EQ(str(kernel::boot::problem_name(Problem::TooMany)), "too many");
    EXPECT_EQ(str(kernel::boot::problem_name(Problem::TooLong)), "too long");
}

namespace {

// Arbitrary text biased towards the parser's alphabet so that random inputs reach deep paths.
rc::Gen<std::string> command_line_text()
{
    const std::string pieces[] = { " ", "=", ",", "@", ":", "0x", "K", "1", "9", "a", "z", "-", "_", "log=",
        "test=", "poweroff=", "virtio_mmio.device=", "512@0xfeb00e00:12", "all", "debug", "\t", "\xff",
        std::string(1, '\0') };
    auto piece = rc::gen::oneOf(rc::gen::elementOf(std::vector<std::string>(std::begin(pieces), std::end(pieces))),
        rc::gen::map(rc::gen::arbitrary<char>(), [](char c) { return std::string(1, c); }));
    return rc::gen::map(rc::gen::container<std::vector<std::string>>(piece), [](const std::vector<std::string>& parts) {
        std::string s;
        for (auto& p : parts)
            s += p;
        return s;
    });
}

bool inside(const std::vector<char>& text, lib::StringView view)
{
    return view.chars() >= text.data() && view.chars() + view.length() <= text.data() + text.size();
}

} // namespace

RC_GTEST_PROP(CmdlineProperty, NeverCrashesAndViewsStayInTheInput, ())
{
    std::string text = *rc::gen::oneOf(command_line_text(), rc::gen::arbitrary<std::string>());
    // A heap copy of exactly the input's size, so ASan catches any read past it.
    std::vector<char> exact(text.begin(), text.end());
    lib::StringView view(exact.data(), exact.size());
    CommandLine line = CommandLine::parse(view);
    std::string copy(exact.begin(), exact.end());

    RC_ASSERT(line.diagnostics().size() <= CommandLine::max_diagnostics);
    RC_ASSERT(line.virtio_devices().size() <= CommandLine::max_virtio_devices);
    RC_ASSERT(line.tests().size() <= CommandLine::max_tests);
    for (const Diagnostic& d : line.diagnostics()) {
        RC_ASSERT(!d.token.is_empty());
        RC_ASSERT(inside(exact, d.token));
        RC_ASSERT(copy.find(str(d.token)) != std::string::npos);
    }
    for (lib::StringView name : line.tests()) {
        RC_ASSERT(name.length() >= 1u && name.length() <= CommandLine::max_test_name_length);
        RC_ASSERT(inside(exact, name));
    }
    for (const auto& device : line.virtio_devices())
        RC_ASSERT(device.size != 0 && device.size - 1 <= ~u64(0) - device.base);
}
