// The MC146818-compatible CMOS real-time clock (ports 0x70/0x71): the wall clock at boot.
#pragma once

#include "kernel/drivers/rtc/calendar.h"
#include "lib/optional.h"

namespace kernel::drivers::rtc {

// Reads the RTC once it is not mid-update, twice until two reads agree. nullopt when no RTC
// answers or it reports an impossible date (the RTC is the hypervisor's: untrusted).
lib::Optional<DateTime> read_cmos();

} // namespace kernel::drivers::rtc
