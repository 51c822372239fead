// NewReno congestion control (see congestion.h for the RFC sections).
#include "net/tcp/congestion.h"

#include "lib/utility.h"

namespace net::tcp {

using wire::SeqNumber;

namespace {
// cwnd never needs to exceed a 1 GiB window (RFC 7323 §2.3), and capping keeps sums in u32.
constexpr u32 cwnd_cap = 1u << 30;
}

void NewReno::reset(u32 mss, SeqNumber iss)
{
    m_mss = mss;
    // RFC 6928 §2: IW = min(10*MSS, max(2*MSS, 14600)).
    m_cwnd = lib::min(10 * mss, lib::max(2 * mss, 14600u));
    m_ssthresh = 0x7fffffff;
    m_dupacks = 0;
    m_bytes_acked = 0;
    m_in_recovery = false;
    m_recover = iss;
}

NewReno::AckAction NewReno::on_ack(SeqNumber ack, u32 acked, u32 flight)
{
    m_dupacks = 0;
    if (m_in_recovery) {
        if (seq_ge(ack, m_recover)) {
            // RFC 6582 §3.2 step 3, full acknowledgment, option (1):
            // cwnd = min(ssthresh, max(FlightSize, SMSS) + SMSS).
            m_cwnd = lib::min(m_ssthresh, lib::max(flight, m_mss) + m_mss);
            m_in_recovery = false;
            return AckAction::None;
        }
        // Step 3, partial acknowledgment: deflate by the amount acked, add back one SMSS if
        // that was at least one SMSS, and retransmit the first unacknowledged segment.
        m_cwnd = m_cwnd > acked ? m_cwnd - acked : 0;
        if (acked >= m_mss)
            m_cwnd += m_mss;
        m_cwnd = lib::max(m_cwnd, m_mss);
        return AckAction::RetransmitFirst;
    }
    if (m_cwnd < m_ssthresh) {
        // RFC 5681 §3.1 eq. 2: slow start grows by at most SMSS per ACK.
        m_cwnd += lib::min(acked, m_mss);
    } else {
        // Congestion avoidance: one SMSS per cwnd of data acknowledged.
        m_bytes_acked += acked;
        if (m_bytes_acked >= m_cwnd) {
            m_bytes_acked -= m_cwnd;
            m_cwnd += m_mss;
        }
    }
    m_cwnd = lib::min(m_cwnd, cwnd_cap);
    return AckAction::None;
}

NewReno::AckAction NewReno::on_duplicate_ack(SeqNumber snd_una, SeqNumber snd_max, u32 flight)
{
    if (m_in_recovery) {
        // RFC 6582 §3.2 step 4: each further duplicate inflates cwnd by SMSS.
        m_cwnd = lib::min(m_cwnd + m_mss, cwnd_cap);
        return AckAction::None;
    }
    if (++m_dupacks != dupack_threshold)
        return AckAction::None;
    // Step 2: only enter recovery if the ACK covers more than `recover` (we keep recover as
    // SND.MAX, one past the RFC's "highest sequence number transmitted"); otherwise these are
    // duplicates caused by the retransmissions of a previous episode.
    if (seq_lt(snd_una, m_recover))
        return AckAction::None;
    m_ssthresh = lib::max(flight / 2, 2 * m_mss);
    m_recover = snd_max;
    m_cwnd = m_ssthresh + dupack_threshold * m_mss;
    m_in_recovery = true;
    return AckAction::RetransmitFirst;
}

void NewReno::on_timeout(SeqNumber snd_max, u32 flight)
{
    m_ssthresh = lib::max(flight / 2, 2 * m_mss);
    m_cwnd = m_mss;
    m_bytes_acked = 0;
    m_dupacks = 0;
    m_in_recovery = false;
    // RFC 6582 §4 / RFC 6582 §3.2: after a timeout, recover = highest sequence sent, so the
    // duplicates of the go-back-N retransmissions do not start a new recovery.
    m_recover = snd_max;
}

} // namespace net::tcp
