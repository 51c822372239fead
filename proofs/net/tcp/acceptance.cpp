// Harnesses for net/tcp/acceptance.cpp against spec/net/tcp/acceptance.smt2: the acceptability
// table of RFC 9293 §3.10.7.4, the first checks of a synchronized state hardened per RFC 5961
// (SYN §4, RST §3), and the ACK acceptance tests (RFC 5961 §5.2, RFC 9293 §3.10.7.3-4), for every
// sequence number, length and window. The state machine that acts on these verdicts
// (connection_states.cpp) is tested and fuzzed, not proved: proofs/UNVERIFIED.md.
#include "proofs/harness.h"

#include "net/tcp/acceptance.h"

using namespace net::tcp;
using net::wire::SeqNumber;

BW_SPEC(bool, tcp_segment_acceptable, u32 seq, u32 len, u32 rcv_nxt, u32 rcv_wnd);
BW_SPEC(u8, tcp_admission, bool syn, bool rst, bool ack, u32 seq, u32 len, u32 rcv_nxt, u32 rcv_wnd);
BW_SPEC(bool, tcp_blind_reset_resisted, bool syn, bool rst, u32 seq, u32 rcv_nxt, u8 admission);
BW_SPEC(bool, tcp_ack_acceptable, u32 ack, u32 snd_una, u32 snd_nxt, u32 max_snd_wnd);
BW_SPEC(bool, tcp_syn_sent_ack_acceptable, u32 ack, u32 iss, u32 snd_nxt);
BW_SPEC(bool, tcp_syn_received_ack_acceptable, u32 ack, u32 snd_una, u32 snd_nxt);

// segment_acceptable() is the table, for every segment and receive state (no assumption: the
// table is defined for every window, not only the 2^30 that RFC 7323 allows).
extern "C" void harness_tcp_segment_acceptable()
{
    u32 seq = bw_nondet_u32(), len = bw_nondet_u32(), nxt = bw_nondet_u32(), wnd = bw_nondet_u32();
    bool r = segment_acceptable(SeqNumber { seq }, len, SeqNumber { nxt }, wnd);
    bw_assert(r == spec_tcp_segment_acceptable(seq, len, nxt, wnd), "tcp_segment_acceptable");
}

// admit_synchronized() gives exactly the spec's verdict for every combination of SYN, RST and ACK
// bits, sequence number, length and window; and, read on its own, only an exact RST resets.
extern "C" void harness_tcp_admit_synchronized()
{
    u8 bits = bw_nondet_u8();
    Arrival arrival { (bits & 1) != 0, (bits & 2) != 0, (bits & 4) != 0, SeqNumber { bw_nondet_u32() }, bw_nondet_u32() };
    u32 nxt = bw_nondet_u32(), wnd = bw_nondet_u32();
    u8 r = u8(admit_synchronized(arrival, SeqNumber { nxt }, wnd));
    bw_assert(r == spec_tcp_admission(arrival.syn, arrival.rst, arrival.ack, arrival.seq.value, arrival.length, nxt, wnd),
              "tcp_admission");
    bw_assert(spec_tcp_blind_reset_resisted(arrival.syn, arrival.rst, arrival.seq.value, nxt, r), "tcp_blind_reset_resisted");
}

// ack_acceptable() is RFC 5961 §5.2's interval, for every send state.
extern "C" void harness_tcp_ack_acceptable()
{
    u32 ack = bw_nondet_u32(), una = bw_nondet_u32(), nxt = bw_nondet_u32(), max_wnd = bw_nondet_u32();
    bool r = ack_acceptable(SeqNumber { ack }, SeqNumber { una }, SeqNumber { nxt }, max_wnd);
    bw_assert(r == spec_tcp_ack_acceptable(ack, una, nxt, max_wnd), "tcp_ack_acceptable");
}

// The handshake's ACK tests (SYN-SENT, SYN-RECEIVED) are RFC 9293's intervals, for every state.
extern "C" void harness_tcp_handshake_acks()
{
    u32 ack = bw_nondet_u32(), start = bw_nondet_u32(), nxt = bw_nondet_u32();
    bool sent = syn_sent_ack_acceptable(SeqNumber { ack }, SeqNumber { start }, SeqNumber { nxt });
    bw_assert(sent == spec_tcp_syn_sent_ack_acceptable(ack, start, nxt), "tcp_syn_sent_ack_acceptable");
    bool received = syn_received_ack_acceptable(SeqNumber { ack }, SeqNumber { start }, SeqNumber { nxt });
    bw_assert(received == spec_tcp_syn_received_ack_acceptable(ack, start, nxt), "tcp_syn_received_ack_acceptable");
}
