// ISNs (RFC 6528), timestamp offsets and SYN cookies (RFC 4987 §3.6) from one SipHash key.
#include "net/tcp/isn.h"

namespace net::tcp {

u64 SequenceSecrets::hash(u8 domain, const FourTuple& t, u32 extra1, u32 extra2) const
{
    // A domain byte separates the uses, so an ISN never reveals a cookie hash or vice versa.
    SipMessage m;
    m.add_u8(domain);
    m.add_u32(t.local.address.value);
    m.add_u16(t.local.port);
    m.add_u32(t.remote.address.value);
    m.add_u16(t.remote.port);
    m.add_u32(extra1);
    m.add_u32(extra2);
    return siphash24(m_key, m.bytes());
}

wire::SeqNumber SequenceSecrets::isn(const FourTuple& t, Instant now) const
{
    u32 m = u32(now.micros / 4);
    return { m + u32(hash('I', t)) };
}

u32 SequenceSecrets::timestamp_offset(const FourTuple& t) const { return u32(hash('T', t)); }

u32 SequenceSecrets::table_hash(const FourTuple& t) const { return u32(hash('H', t)); }

u32 SequenceSecrets::cookie_hash(const FourTuple& t, wire::SeqNumber client_isn, u32 counter) const
{
    return u32(hash('C', t, client_isn.value, counter)) & 0xffffff;
}

wire::SeqNumber SequenceSecrets::make_cookie(const FourTuple& t, wire::SeqNumber client_isn, u16 peer_mss, Instant now) const
{
    u32 counter = u32(now.micros / cookie_period.micros);
    // The largest table entry the peer can take; below the table's floor we still say 536,
    // the RFC 9293 §3.7.1 default every host must accept.
    u32 index = 0;
    for (u32 i = 0; i < 8; ++i) {
        if (cookie_mss_table[i] <= peer_mss)
            index = i;
    }
    return { ((counter & 31) << 27) | (index << 24) | cookie_hash(t, client_isn, counter) };
}

lib::Optional<u16> SequenceSecrets::check_cookie(const FourTuple& t, wire::SeqNumber client_isn, wire::SeqNumber cookie, Instant now) const
{
    u32 current = u32(now.micros / cookie_period.micros);
    u32 encoded = cookie.value >> 27;
    // Accept cookies made in this period or the previous one: 64..128 s of validity.
    for (u32 age = 0; age < 2; ++age) {
        u32 counter = current - age;
        if ((counter & 31) != encoded)
            continue;
        if (cookie_hash(t, client_isn, counter) == (cookie.value & 0xffffff))
            return cookie_mss_table[(cookie.value >> 24) & 7];
    }
    return lib::nullopt;
}

} // namespace net::tcp
