// Initial sequence numbers (RFC 6528 §3), per-connection timestamp offsets (RFC 7323 §7.1) and
// SYN cookies (RFC 4987 §3.6), all derived from one secret with SipHash-2-4.
#pragma once

#include "lib/optional.h"
#include "net/tcp/config.h"
#include "net/tcp/siphash.h"

namespace net::tcp {

class SequenceSecrets {
public:
    explicit SequenceSecrets(const u8 (&secret)[16]) : m_key(SipKey::from_bytes(secret)) { }

    // RFC 6528: ISN = M + F(localip, localport, remoteip, remoteport, secretkey), M a clock
    // ticking every 4 µs. F hides the per-tuple offset; M keeps successive ISNs of one tuple
    // increasing, which TIME-WAIT reuse relies on (RFC 9293 §3.4.1).
    wire::SeqNumber isn(const FourTuple&, Instant now) const;
    // RFC 7323 §7.1 recommends a random offset per connection so TSval leaks no clock.
    u32 timestamp_offset(const FourTuple&) const;
    // A keyed hash for the connection table, so a peer cannot aim its tuples at one bucket.
    u32 table_hash(const FourTuple&) const;

    // SYN cookies (RFC 4987 §3.6, Bernstein's layout): 5 bits of a 64-second counter, 3 bits of
    // MSS index, 24 bits of keyed hash over the tuple, the counter and the client's ISN.
    // What a cookie loses: every option but MSS (window scale, SACK-permitted, timestamps are
    // not offered on a cookie SYN-ACK, so the connection runs without them).
    static constexpr Duration cookie_period = Duration::from_secs(64);
    wire::SeqNumber make_cookie(const FourTuple&, wire::SeqNumber client_isn, u16 peer_mss, Instant now) const;
    // The MSS the cookie encodes, or nullopt when it is forged or older than two periods.
    lib::Optional<u16> check_cookie(const FourTuple&, wire::SeqNumber client_isn, wire::SeqNumber cookie, Instant now) const;
    // The MSS values a cookie can encode, ascending.
    static constexpr u16 cookie_mss_table[8] = { 536, 1024, 1220, 1300, 1360, 1440, 1460, 8960 };

private:
    u64 hash(u8 domain, const FourTuple&, u32 extra1 = 0, u32 extra2 = 0) const;
    u32 cookie_hash(const FourTuple&, wire::SeqNumber client_isn, u32 counter) const;

    SipKey m_key;
};

} // namespace net::tcp
