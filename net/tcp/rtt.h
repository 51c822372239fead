// Retransmission timeout per RFC 6298: SRTT/RTTVAR smoothing (§2), Karn's algorithm (§3, applied
// by the caller, which only samples unambiguous RTTs), exponential backoff (§5.5).
#pragma once

#include "net/time.h"

namespace net::tcp {

class RttEstimator {
public:
    // Clock granularity G of RFC 6298 §2: timestamps tick in milliseconds.
    static constexpr u64 granularity_micros = 1000;

    RttEstimator() = default;
    RttEstimator(Duration initial, Duration min, Duration max) : m_rto(initial), m_min(min), m_max(max) { }

    // RFC 6298 §2.2 (first) and §2.3 (later measurements), then §2.4 for the bounds.
    void sample(Duration rtt);
    // RFC 6298 §5.5: RTO <- RTO * 2, capped at the maximum (§2.5).
    void backoff();
    Duration rto() const { return m_rto; }
    Duration srtt() const { return m_srtt; }
    Duration rttvar() const { return m_rttvar; }
    bool has_sample() const { return m_has_sample; }

private:
    Duration m_srtt;
    Duration m_rttvar;
    Duration m_rto { Duration::from_secs(1) };
    Duration m_min { Duration::from_millis(200) };
    Duration m_max { Duration::from_secs(60) };
    bool m_has_sample { false };
};

} // namespace net::tcp
