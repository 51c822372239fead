// \_S5 in the DSDT's AML (ACPI 6.4 7.4.2; 20.2 AML grammar: 20.2.3 data objects, 20.2.4
// PkgLength, 20.2.5.4 DefPackage): find_s5_sleep_type. See tables.h.
#include "kernel/drivers/acpi/tables.h"

#include "kernel/drivers/acpi/parse_util.h"

namespace kernel::drivers::acpi {

namespace {

using detail::max_sleep_type;
using lib::Optional;
using lib::ReadonlyBytes;
using lib::StringView;

// 20.2 AML opcodes and prefixes used by \_S5.
namespace aml {
constexpr u8 package_op = 0x12;
constexpr u8 zero_op = 0x00;
constexpr u8 one_op = 0x01;
constexpr u8 ones_op = 0xff;
constexpr u8 byte_prefix = 0x0a;
constexpr u8 word_prefix = 0x0b;
constexpr u8 dword_prefix = 0x0c;
constexpr u8 qword_prefix = 0x0e;
} // namespace aml

// An AML integer constant (20.2.3 ComputationalData / ConstObj) at `at`, ending at or before
// `end`. Advances `at` past it. Precondition: end <= aml.size().
Optional<u64> parse_aml_integer(ReadonlyBytes aml, usize& at, usize end)
{
    VERIFY(end <= aml.size());
    if (at >= end)
        return lib::nullopt;
    u8 op = aml[at];
    usize size = 0;
    switch (op) {
    case aml::zero_op:
        ++at;
        return u64(0);
    case aml::one_op:
        ++at;
        return u64(1);
    case aml::ones_op:
        ++at;
        return ~u64(0);
    case aml::byte_prefix:
        size = 1;
        break;
    case aml::word_prefix:
        size = 2;
        break;
    case aml::dword_prefix:
        size = 4;
        break;
    case aml::qword_prefix:
        size = 8;
        break;
    default:
        return lib::nullopt;
    }
    if (end - at - 1 < size)
        return lib::nullopt;
    u64 value = 0;
    for (usize i = 0; i < size; ++i)
        value |= u64(aml[at + 1 + i]) << (8 * i);
    at += 1 + size;
    return value;
}

// The package whose PkgLength (20.2.4) starts at `at`.
Optional<SleepType> parse_s5_package(ReadonlyBytes aml, usize at)
{
    if (at >= aml.size())
        return lib::nullopt;
    u8 lead = aml[at];
    usize follow = lead >> 6; // Number of PkgLength bytes after the lead byte: 0-3.
    if (aml.size() - at < 1 + follow)
        return lib::nullopt;
    usize package_length = 0;
    if (follow == 0) {
        package_length = lead & 0x3f;
    } else {
        if (lead & 0x30)
            return lib::nullopt; // Bits 4-5 must be zero in the multi-byte encoding.
        package_length = lead & 0x0f;
        for (usize i = 0; i < follow; ++i)
            package_length |= usize(aml[at + 1 + i]) << (4 + 8 * i);
    }
    // PkgLength counts its own bytes and everything in the package.
    if (package_length > aml.size() - at)
        return lib::nullopt;
    usize end = at + package_length;
    usize p = at + 1 + follow;
    if (p >= end)
        return lib::nullopt; // No NumElements.
    u8 elements = aml[p++];
    if (elements == 0)
        return lib::nullopt;
    Optional<u64> a = parse_aml_integer(aml, p, end);
    if (!a || *a > max_sleep_type)
        return lib::nullopt;
    u64 b = 0;
    if (elements >= 2) {
        Optional<u64> second = parse_aml_integer(aml, p, end);
        if (!second || *second > max_sleep_type)
            return lib::nullopt;
        b = *second;
    }
    return SleepType { u8(*a), u8(b) };
}

} // namespace

lib::Optional<SleepType> find_s5_sleep_type(lib::ReadonlyBytes aml)
{
    constexpr StringView name = "_S5_";
    // Every candidate position is tried at most once; parse_s5_package reads a bounded amount.
    for (usize i = 0; i + name.length() < aml.size(); ++i) {
        bool match = true;
        for (usize j = 0; j < name.length() && match; ++j)
            match = aml[i + j] == u8(name[j]);
        if (!match || aml[i + name.length()] != aml::package_op)
            continue;
        Optional<SleepType> found = parse_s5_package(aml, i + name.length() + 1);
        if (found)
            return found;
    }
    return lib::nullopt;
}

} // namespace kernel::drivers::acpi
