// Harness helpers for net/wire: received octets as spec/ reads them. Written independently of
// lib/byte_order.h so that a wrong byte order there shows up as a FAILED field property.
#pragma once

#include "lib/types.h"
#include "net/wire/address.h"

namespace proofs {

// Octets p[0..3] as one 32-bit word, first octet most significant: a row of an RFC header diagram.
inline u32 be_word(const u8* p)
{
    return (u32(p[0]) << 24) | (u32(p[1]) << 16) | (u32(p[2]) << 8) | u32(p[3]);
}

// A 48-bit Ethernet address as an integer, first octet (as transmitted) most significant.
inline u64 mac48(const net::wire::EthernetAddress& a)
{
    u64 v = 0;
    for (usize i = 0; i < 6; ++i)
        v = (v << 8) | a.octets[i];
    return v;
}

} // namespace proofs
