// Big- and little-endian loads and stores over byte spans, addressed by named fields
// (`Field{offset, size}`), so wire formats never cast packed structs over received bytes.
#pragma once

#include "lib/span.h"

namespace lib {

// A field of a wire or hardware format: byte offset and width.
struct Field {
    usize offset;
    usize size;
    constexpr usize end() const { return offset + size; }
};

// Precondition (VERIFYed): the field lies inside `bytes`.
inline u16 load_be16(ReadonlyBytes bytes, usize offset)
{
    VERIFY(bytes.contains_range(offset, 2));
    const u8* p = bytes.data() + offset;
    return static_cast<u16>((u16(p[0]) << 8) | p[1]);
}
inline u32 load_be32(ReadonlyBytes bytes, usize offset)
{
    VERIFY(bytes.contains_range(offset, 4));
    const u8* p = bytes.data() + offset;
    return (u32(p[0]) << 24) | (u32(p[1]) << 16) | (u32(p[2]) << 8) | u32(p[3]);
}
inline u16 load_le16(ReadonlyBytes bytes, usize offset)
{
    VERIFY(bytes.contains_range(offset, 2));
    const u8* p = bytes.data() + offset;
    return static_cast<u16>(u16(p[0]) | (u16(p[1]) << 8));
}
inline u32 load_le32(ReadonlyBytes bytes, usize offset)
{
    VERIFY(bytes.contains_range(offset, 4));
    const u8* p = bytes.data() + offset;
    return u32(p[0]) | (u32(p[1]) << 8) | (u32(p[2]) << 16) | (u32(p[3]) << 24);
}
inline u64 load_le64(ReadonlyBytes bytes, usize offset)
{
    return u64(load_le32(bytes, offset)) | (u64(load_le32(bytes, offset + 4)) << 32);
}
inline u16 load_be16(ReadonlyBytes bytes, Field f) { return load_be16(bytes, f.offset); }
inline u32 load_be32(ReadonlyBytes bytes, Field f) { return load_be32(bytes, f.offset); }
inline u16 load_le16(ReadonlyBytes bytes, Field f) { return load_le16(bytes, f.offset); }
inline u32 load_le32(ReadonlyBytes bytes, Field f) { return load_le32(bytes, f.offset); }
inline u64 load_le64(ReadonlyBytes bytes, Field f) { return load_le64(bytes, f.offset); }

inline void store_be16(Bytes bytes, usize offset, u16 v)
{
    VERIFY(bytes.contains_range(offset, 2));
    bytes.data()[offset] = u8(v >> 8);
    bytes.data()[offset + 1] = u8(v);
}
inline void store_be32(Bytes bytes, usize offset, u32 v)
{
    VERIFY(bytes.contains_range(offset, 4));
    u8* p = bytes.data() + offset;
    p[0] = u8(v >> 24);
    p[1] = u8(v >> 16);
    p[2] = u8(v >> 8);
    p[3] = u8(v);
}
inline void store_le16(Bytes bytes, usize offset, u16 v)
{
    VERIFY(bytes.contains_range(offset, 2));
    bytes.data()[offset] = u8(v);
    bytes.data()[offset + 1] = u8(v >> 8);
}
inline void store_le32(Bytes bytes, usize offset, u32 v)
{
    VERIFY(bytes.contains_range(offset, 4));
    u8* p = bytes.data() + offset;
    p[0] = u8(v);
    p[1] = u8(v >> 8);
    p[2] = u8(v >> 16);
    p[3] = u8(v >> 24);
}
inline void store_le64(Bytes bytes, usize offset, u64 v)
{
    store_le32(bytes, offset, u32(v));
    store_le32(bytes, offset + 4, u32(v >> 32));
}

} // namespace lib
