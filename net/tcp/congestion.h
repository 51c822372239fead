// Congestion control: slow start and congestion avoidance (RFC 5681 §3.1), fast retransmit and
// fast recovery with the NewReno modification (RFC 6582 §3.2), initial window per RFC 6928.
// FIXME: no SACK-based recovery (RFC 6675); no restart after idle (RFC 5681 §4.1).
#pragma once

#include "net/wire/tcp.h"

namespace net::tcp {

class NewReno {
public:
    // RFC 5681 §3.2: the duplicate ACK count that triggers fast retransmit.
    static constexpr u32 dupack_threshold = 3;

    NewReno() = default;
    // Precondition: mss > 0. `snd_max` starts `recover` (RFC 6582 §3.2 step 1: recover = ISS).
    void reset(u32 mss, wire::SeqNumber iss);

    enum class AckAction : u8 { None, RetransmitFirst };
    // An ACK that advanced SND.UNA to `ack` acknowledging `acked` bytes; `flight` is what is
    // still outstanding after it. RetransmitFirst on a NewReno partial ACK (RFC 6582 §3.2 step 5).
    AckAction on_ack(wire::SeqNumber ack, u32 acked, u32 flight);
    // A duplicate ACK (RFC 5681 §2 definition, checked by the caller). RetransmitFirst when fast
    // retransmit is due (RFC 6582 §3.2 step 2). `flight` = SND.MAX - SND.UNA.
    AckAction on_duplicate_ack(wire::SeqNumber snd_una, wire::SeqNumber snd_max, u32 flight);
    // RFC 5681 §3.1 eq. 4 and "LW": after an RTO, ssthresh = max(flight/2, 2*SMSS), cwnd = SMSS.
    void on_timeout(wire::SeqNumber snd_max, u32 flight);

    u32 cwnd() const { return m_cwnd; }
    u32 ssthresh() const { return m_ssthresh; }
    bool in_recovery() const { return m_in_recovery; }
    u32 duplicate_acks() const { return m_dupacks; }

private:
    u32 m_mss { 536 };
    u32 m_cwnd { 0 };
    // RFC 5681 §3.1: "arbitrarily high" initially.
    u32 m_ssthresh { 0x7fffffff };
    u32 m_dupacks { 0 };
    // Bytes acknowledged since cwnd last grew in congestion avoidance (RFC 5681 §3.1, the
    // byte-counting variant of eq. 3).
    u32 m_bytes_acked { 0 };
    bool m_in_recovery { false };
    // RFC 6582 §3.2: the highest sequence number sent when recovery (or the last RTO) began.
    wire::SeqNumber m_recover;
};

} // namespace net::tcp
