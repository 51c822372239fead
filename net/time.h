// Time as the network stack sees it: a monotonic instant in microseconds, supplied by whoever
// drives the stack (the kernel's clock, a host test's simulated clock). net/ never reads a clock.
#pragma once

#include "lib/types.h"

namespace net {

struct Duration {
    u64 micros { 0 };
    static constexpr Duration from_millis(u64 ms) { return { ms * 1000 }; }
    static constexpr Duration from_secs(u64 s) { return { s * 1000000 }; }
    constexpr u64 millis() const { return micros / 1000; }
    // Spelled out: a defaulted <=> needs <compare>, which the freestanding kernel build lacks.
    constexpr bool operator==(const Duration&) const = default;
    constexpr bool operator<(Duration o) const { return micros < o.micros; }
    constexpr bool operator<=(Duration o) const { return micros <= o.micros; }
    constexpr bool operator>(Duration o) const { return micros > o.micros; }
    constexpr bool operator>=(Duration o) const { return micros >= o.micros; }
    constexpr Duration operator+(Duration d) const { return { micros + d.micros }; }
    constexpr Duration operator*(u64 k) const { return { micros * k }; }
};

struct Instant {
    u64 micros { 0 };
    static constexpr Instant from_millis(u64 ms) { return { ms * 1000 }; }
    // "No deadline": later than every real instant.
    static constexpr Instant never() { return { ~0ull }; }
    constexpr u64 millis() const { return micros / 1000; }
    constexpr bool operator==(const Instant&) const = default;
    constexpr bool operator<(Instant o) const { return micros < o.micros; }
    constexpr bool operator<=(Instant o) const { return micros <= o.micros; }
    constexpr bool operator>(Instant o) const { return micros > o.micros; }
    constexpr bool operator>=(Instant o) const { return micros >= o.micros; }
    constexpr Instant operator+(Duration d) const { return { micros + d.micros < micros ? ~0ull : micros + d.micros }; }
    // Saturates at zero: an instant in the past is "now".
    constexpr Duration operator-(Instant earlier) const { return { micros > earlier.micros ? micros - earlier.micros : 0 }; }
};

} // namespace net
