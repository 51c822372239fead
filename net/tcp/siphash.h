// SipHash-2-4 (Aumasson & Bernstein, "SipHash: a fast short-input PRF", 2012): the keyed hash
// behind ISNs (RFC 6528), SYN cookies (RFC 4987 §3.6) and the connection table.
#pragma once

#include "lib/span.h"

namespace net::tcp {

struct SipKey {
    u64 k0 { 0 };
    u64 k1 { 0 };
    // The 16 key bytes read as two little-endian words, as the paper specifies.
    static SipKey from_bytes(const u8 (&bytes)[16]);
};

u64 siphash24(const SipKey&, lib::ReadonlyBytes message);

// Builds a short message for siphash24 without allocating.
class SipMessage {
public:
    void add_u8(u8 v)
    {
        if (m_length < sizeof(m_bytes))
            m_bytes[m_length++] = v;
    }
    void add_u16(u16 v)
    {
        add_u8(u8(v >> 8));
        add_u8(u8(v));
    }
    void add_u32(u32 v)
    {
        add_u16(u16(v >> 16));
        add_u16(u16(v));
    }
    lib::ReadonlyBytes bytes() const { return { m_bytes, m_length }; }

private:
    u8 m_bytes[32] {};
    // Invariant: m_length <= sizeof(m_bytes); add_u8 refuses to write past it.
    usize m_length { 0 };
};

} // namespace net::tcp
