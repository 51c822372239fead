// CMOS RTC reader: registers 0x00-0x09 and status B (0x0B) for BCD/binary and 12/24-hour modes.
#include "kernel/drivers/rtc/cmos.h"

#include "kernel/arch/x86_64/cpu.h"

namespace kernel::drivers::rtc {

namespace {

u8 read_register(u8 index)
{
    // Bit 7 of the index port keeps NMIs disabled while we read.
    arch::outb(0x70, u8(0x80 | index));
    return arch::inb(0x71);
}

bool update_in_progress() { return (read_register(0x0A) & 0x80) != 0; }

struct Raw {
    u8 second, minute, hour, day, month, year, century;
    bool operator==(const Raw&) const = default;
};

bool read_raw(Raw& out)
{
    for (int spin = 0; spin < 10000 && update_in_progress(); ++spin)
        arch::pause();
    if (update_in_progress())
        return false;
    out = Raw { read_register(0x00), read_register(0x02), read_register(0x04), read_register(0x07),
        read_register(0x08), read_register(0x09), read_register(0x32) };
    return true;
}

u32 from_bcd(u8 v) { return u32(v >> 4) * 10 + (v & 0x0f); }

} // namespace

lib::Optional<DateTime> read_cmos()
{
    // Nothing decodes the ports: every read is 0xff. Give up at once rather than spin.
    if (read_register(0x0A) == 0xff && read_register(0x0B) == 0xff)
        return lib::nullopt;
    Raw a {}, b {};
    bool agreed = false;
    for (int attempt = 0; attempt < 5 && !agreed; ++attempt) {
        if (!read_raw(a) || !read_raw(b))
            return lib::nullopt;
        agreed = a == b;
    }
    if (!agreed)
        return lib::nullopt;
    u8 status_b = read_register(0x0B);
    bool binary = (status_b & 0x04) != 0;
    bool twenty_four_hour = (status_b & 0x02) != 0;
    bool pm = (a.hour & 0x80) != 0;
    u8 hour_raw = u8(a.hour & 0x7f);
    auto conv = [&](u8 v) { return binary ? u32(v) : from_bcd(v); };
    DateTime t {};
    t.second = conv(a.second);
    t.minute = conv(a.minute);
    t.hour = conv(hour_raw);
    if (!twenty_four_hour) {
        t.hour %= 12;
        if (pm)
            t.hour += 12;
    }
    t.day = conv(a.day);
    t.month = conv(a.month);
    // The century register (0x32) is what QEMU and most firmware provide; absent, assume 20xx.
    u32 century = a.century != 0 && a.century != 0xff ? conv(a.century) : 20;
    t.year = century * 100 + conv(a.year);
    if (!is_valid(t))
        return lib::nullopt;
    return t;
}

} // namespace kernel::drivers::rtc
