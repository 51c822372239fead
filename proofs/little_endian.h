// Harness helpers: little-endian fields of device- or VMM-written memory (virtio rings, PVH
// start_info) as the spec reads them. Written independently of lib/byte_order.h, so a wrong byte
// order there shows up as a FAILED field property.
//
// Two forms, because the solver's cost depends on the form of the term and not only on its
// meaning: `le16/le32/le64` are one load each (x86 is little endian), the smaller term where the
// address is constant (the virtqueue's rings); `bytes_le32/bytes_le64` assemble the value from
// single-byte loads, which made StartInfo's memory-map query (entries at a symbolic address)
// about nine times faster than the one-load form (22 s against 214 s for the harness).
#pragma once

#include "lib/types.h"

namespace proofs {

template<typename T> T le(const u8* p)
{
    T v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}
inline u16 le16(const u8* p) { return le<u16>(p); }
inline u32 le32(const u8* p) { return le<u32>(p); }
inline u64 le64(const u8* p) { return le<u64>(p); }

inline u32 bytes_le32(const u8* p) { return u32(p[0]) | (u32(p[1]) << 8) | (u32(p[2]) << 16) | (u32(p[3]) << 24); }
inline u64 bytes_le64(const u8* p) { return u64(bytes_le32(p)) | (u64(bytes_le32(p + 4)) << 32); }

} // namespace proofs
