// RFC 6298 RTO computation (see rtt.h).
#include "net/tcp/rtt.h"

#include "lib/utility.h"

namespace net::tcp {

void RttEstimator::sample(Duration rtt)
{
    u64 r = rtt.micros;
    if (!m_has_sample) {
        // §2.2: SRTT <- R, RTTVAR <- R/2.
        m_srtt = { r };
        m_rttvar = { r / 2 };
        m_has_sample = true;
    } else {
        // §2.3, with alpha = 1/8 and beta = 1/4; RTTVAR uses the old SRTT, so it goes first.
        u64 delta = m_srtt.micros > r ? m_srtt.micros - r : r - m_srtt.micros;
        m_rttvar = { (3 * m_rttvar.micros + delta) / 4 };
        m_srtt = { (7 * m_srtt.micros + r) / 8 };
    }
    // RTO <- SRTT + max(G, K*RTTVAR), K = 4, then the §2.4/§2.5 bounds.
    u64 rto = m_srtt.micros + lib::max<u64>(granularity_micros, 4 * m_rttvar.micros);
    m_rto = { lib::min(lib::max(rto, m_min.micros), m_max.micros) };
}

void RttEstimator::backoff() { m_rto = { lib::min(m_rto.micros * 2, m_max.micros) }; }

} // namespace net::tcp
