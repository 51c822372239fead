// SipHash-2-4, written from the paper's description (§2): 2 compression rounds per 8-byte word,
// 4 finalization rounds, the final word carrying the message length in its top byte.
#include "net/tcp/siphash.h"

#include "lib/byte_order.h"

namespace net::tcp {

namespace {

constexpr u64 rotl(u64 x, int b) { return (x << b) | (x >> (64 - b)); }

struct SipState {
    u64 v0, v1, v2, v3;

    void round()
    {
        v0 += v1;
        v1 = rotl(v1, 13);
        v1 ^= v0;
        v0 = rotl(v0, 32);
        v2 += v3;
        v3 = rotl(v3, 16);
        v3 ^= v2;
        v0 += v3;
        v3 = rotl(v3, 21);
        v3 ^= v0;
        v2 += v1;
        v1 = rotl(v1, 17);
        v1 ^= v2;
        v2 = rotl(v2, 32);
    }
    void compress(u64 m)
    {
        v3 ^= m;
        round();
        round();
        v0 ^= m;
    }
};

} // namespace

SipKey SipKey::from_bytes(const u8 (&bytes)[16])
{
    lib::ReadonlyBytes b(bytes);
    return { lib::load_le64(b, 0), lib::load_le64(b, 8) };
}

u64 siphash24(const SipKey& key, lib::ReadonlyBytes message)
{
    // The initialization constants are "somepseudorandomlygeneratedbytes" in ASCII.
    SipState s { key.k0 ^ 0x736f6d6570736575ull, key.k1 ^ 0x646f72616e646f6dull,
        key.k0 ^ 0x6c7967656e657261ull, key.k1 ^ 0x7465646279746573ull };
    usize full = message.size() & ~usize(7);
    for (usize i = 0; i < full; i += 8)
        s.compress(lib::load_le64(message, i));
    // The last word: the remaining 0..7 bytes, little-endian, and the length mod 256 on top.
    u64 last = u64(message.size() & 0xff) << 56;
    for (usize i = full; i < message.size(); ++i)
        last |= u64(message[i]) << (8 * (i - full));
    s.compress(last);
    s.v2 ^= 0xff;
    for (int i = 0; i < 4; ++i)
        s.round();
    return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

} // namespace net::tcp
