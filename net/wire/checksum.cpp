// Internet checksum (RFC 1071) and incremental update (RFC 1624).
#include "net/wire/checksum.h"

namespace net::wire::checksum {

u32 accumulate(lib::ReadonlyBytes bytes, u32 initial)
{
    u64 sum = initial;
    usize i = 0;
    for (; i + 1 < bytes.size(); i += 2)
        sum += (u32(bytes.data()[i]) << 8) | bytes.data()[i + 1];
    if (i < bytes.size())
        sum += u32(bytes.data()[i]) << 8;
    // A 64-bit accumulator cannot overflow for any buffer we can hold; fold it back to 32 bits.
    while (sum >> 32)
        sum = (sum & 0xffffffffu) + (sum >> 32);
    return u32(sum);
}

u16 fold(u32 sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return u16(sum);
}

u32 pseudo_header(Ipv4Address src, Ipv4Address dst, u8 protocol, u16 length)
{
    u32 sum = (src.value >> 16) + (src.value & 0xffff) + (dst.value >> 16) + (dst.value & 0xffff);
    return sum + protocol + length;
}

u16 update(u16 old_checksum, u16 old_word, u16 new_word)
{
    u32 sum = u32(u16(~old_checksum)) + u16(~old_word) + new_word;
    return u16(~fold(sum));
}

} // namespace net::wire::checksum
