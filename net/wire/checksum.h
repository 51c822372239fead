// The Internet checksum (RFC 1071) and its incremental update (RFC 1624, eqn. 3).
#pragma once

#include "net/wire/address.h"

namespace net::wire::checksum {

// One's-complement sum of `bytes` (as 16-bit big-endian words, odd byte padded with zero) added
// to `initial`, not yet complemented. Combine partial sums with combine().
u32 accumulate(lib::ReadonlyBytes bytes, u32 initial = 0);
// Folds a 32-bit accumulator to 16 bits (end-around carry).
u16 fold(u32 sum);
// The checksum field value for data whose sum is `sum`: ~fold(sum).
inline u16 finish(u32 sum) { return u16(~fold(sum)); }
inline u32 combine(u32 a, u32 b)
{
    u64 s = u64(a) + b;
    return u32((s & 0xffffffffu) + (s >> 32));
}
// Checksum of `bytes` alone (e.g. the IPv4 header with its checksum field zeroed).
inline u16 of(lib::ReadonlyBytes bytes) { return finish(accumulate(bytes)); }
// True when `bytes`, checksum field included, sums to 0xffff (RFC 1071 §1(2)).
inline bool verifies(lib::ReadonlyBytes bytes, u32 initial = 0) { return fold(accumulate(bytes, initial)) == 0xffff; }

// Sum of the IPv4 pseudo-header (RFC 793 §3.1 / RFC 768) for TCP and UDP.
u32 pseudo_header(Ipv4Address src, Ipv4Address dst, u8 protocol, u16 length);

// RFC 1624 eqn. 3: the new checksum after one 16-bit word of the data changed from `old_word`
// to `new_word`: HC' = ~(~HC + ~m + m').
u16 update(u16 old_checksum, u16 old_word, u16 new_word);

// In fuzzing builds checksums are not checked, so the fuzzer gets past them (DESIGN.md).
#if defined(BULWARK_FUZZING)
inline constexpr bool enforce = false;
#else
inline constexpr bool enforce = true;
#endif

} // namespace net::wire::checksum
