// A token bucket for ICMP errors (RFC 1812 §4.3.2.8, RFC 1122 §3.2.2 "SHOULD limit the rate").
#pragma once

#include "net/time.h"

namespace net::iface {

class TokenBucket {
public:
    // Holds at most `burst` tokens, one more every `interval`. Starts full.
    TokenBucket(u32 burst, Duration interval) : m_burst(burst), m_tokens(burst), m_interval(interval) { }

    // Takes one token if there is one.
    bool take(Instant now)
    {
        refill(now);
        if (m_tokens == 0)
            return false;
        --m_tokens;
        return true;
    }

private:
    void refill(Instant now)
    {
        if (m_interval.micros == 0) {
            m_tokens = m_burst;
            return;
        }
        if (now < m_last)
            return;
        u64 earned = (now - m_last).micros / m_interval.micros;
        if (earned == 0)
            return;
        u64 tokens = m_tokens + earned;
        m_tokens = tokens > m_burst ? m_burst : u32(tokens);
        m_last = m_last + Duration { earned * m_interval.micros };
    }

    u32 m_burst;
    // Invariant: m_tokens <= m_burst.
    u32 m_tokens;
    Duration m_interval;
    Instant m_last;
};

} // namespace net::iface
