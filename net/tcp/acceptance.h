// The acceptance tests of segment arrival (RFC 9293 §3.10.7.3-4, hardened per RFC 5961): which
// sequence and acknowledgment numbers a connection takes, and what a SYN or RST in a synchronized
// state earns. Pure functions of the segment's numbers and the connection's, so that the exact
// rule is proved against spec/net/tcp/acceptance.smt2 (proofs/net/tcp/acceptance.cpp) and the
// state machine (connection_states.cpp) only acts on the verdicts.
#pragma once

#include "net/wire/tcp.h"

namespace net::tcp {

// RFC 9293 §3.10.7.4, the acceptability table: may a segment occupying `length` sequence numbers
// (data + SYN + FIN) starting at `seq` be processed, given RCV.NXT and RCV.WND?
bool segment_acceptable(wire::SeqNumber seq, u32 length, wire::SeqNumber rcv_nxt, u32 rcv_wnd);

// What the first checks of RFC 9293 §3.10.7.4 make of a segment in a synchronized state, in
// their order: the SYN bit (RFC 5961 §4.2), the sequence number, the RST bit (RFC 5961 §3.2),
// the ACK bit. PAWS (RFC 7323 §5) is the caller's and comes between the SYN check and the rest.
enum class Admission : u8 {
    ChallengeSyn, // SYN, whatever its sequence number: a challenge ACK, then drop.
    Unacceptable, // Outside the window: drop, and ACK unless it carries RST.
    Reset,        // RST exactly at RCV.NXT: the connection is reset.
    ChallengeRst, // RST in the window but not at RCV.NXT: a challenge ACK, then drop.
    NoAck,        // The ACK bit is off: drop.
    Proceed,      // On to the acknowledgment, the text and the FIN.
};

struct Arrival {
    bool syn;
    bool rst;
    bool ack;
    wire::SeqNumber seq;
    u32 length; // data + FIN (a SYN never gets past the first check)
};

// With a zero window a segment at exactly RCV.NXT is still admitted for its ACK and RST bits
// (RFC 9293 §3.10.7.4: "special allowance should be made to accept valid ACKs, URGs, and RSTs");
// its text is trimmed later.
Admission admit_synchronized(const Arrival&, wire::SeqNumber rcv_nxt, u32 rcv_wnd);

// The ACK tests compare modulo 2^32 as intervals, exactly for every argument.
// RFC 5961 §5.2: SND.UNA - MAX.SND.WND =< SEG.ACK =< SND.NXT (our SND.NXT is the highest number
// sent, SND.MAX). Outside: a challenge ACK.
bool ack_acceptable(wire::SeqNumber ack, wire::SeqNumber snd_una, wire::SeqNumber snd_max, u32 max_snd_wnd);

// RFC 9293 §3.10.7.3, SYN-SENT: an ACK acknowledges our SYN iff ISS < SEG.ACK =< SND.NXT.
bool syn_sent_ack_acceptable(wire::SeqNumber ack, wire::SeqNumber iss, wire::SeqNumber snd_max);

// RFC 9293 §3.10.7.4 "fifth", SYN-RECEIVED: SND.UNA < SEG.ACK =< SND.NXT completes the handshake.
bool syn_received_ack_acceptable(wire::SeqNumber ack, wire::SeqNumber snd_una, wire::SeqNumber snd_max);

} // namespace net::tcp
