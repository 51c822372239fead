// Acceptance tests of segment arrival (see acceptance.h). Verified: proofs/net/tcp/acceptance.cpp.
#include "net/tcp/acceptance.h"

namespace net::tcp {

using wire::SeqNumber;

namespace {

// a =< x =< b modulo 2^32: x is one of the numbers counted from a up to b. Exact for every
// a and b, unlike a pair of serial comparisons (which disagree once b - a reaches 2^31).
bool seq_between(SeqNumber a, SeqNumber x, SeqNumber b) { return x.value - a.value <= b.value - a.value; }

} // namespace

bool segment_acceptable(SeqNumber seq, u32 length, SeqNumber rcv_nxt, u32 rcv_wnd)
{
    if (length == 0)
        return rcv_wnd == 0 ? seq == rcv_nxt : seq_in_window(seq, rcv_nxt, rcv_wnd);
    if (rcv_wnd == 0)
        return false;
    return seq_in_window(seq, rcv_nxt, rcv_wnd) || seq_in_window(seq + (length - 1), rcv_nxt, rcv_wnd);
}

Admission admit_synchronized(const Arrival& segment, SeqNumber rcv_nxt, u32 rcv_wnd)
{
    if (segment.syn)
        return Admission::ChallengeSyn;
    bool zero_window_exact = rcv_wnd == 0 && segment.seq == rcv_nxt;
    if (!segment_acceptable(segment.seq, segment.length, rcv_nxt, rcv_wnd) && !zero_window_exact)
        return Admission::Unacceptable;
    if (segment.rst)
        return segment.seq == rcv_nxt ? Admission::Reset : Admission::ChallengeRst;
    if (!segment.ack)
        return Admission::NoAck;
    return Admission::Proceed;
}

bool ack_acceptable(SeqNumber ack, SeqNumber snd_una, SeqNumber snd_max, u32 max_snd_wnd)
{
    return seq_between(snd_una - max_snd_wnd, ack, snd_max);
}

bool syn_sent_ack_acceptable(SeqNumber ack, SeqNumber iss, SeqNumber snd_max)
{
    return ack != iss && seq_between(iss, ack, snd_max);
}

bool syn_received_ack_acceptable(SeqNumber ack, SeqNumber snd_una, SeqNumber snd_max)
{
    return ack != snd_una && seq_between(snd_una, ack, snd_max);
}

} // namespace net::tcp
