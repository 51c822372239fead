// Harness helpers: little-endian fields of device- or VMM-written memory (virtio rings, PVH
// start_info) as the spec reads them. Written independently of lib/byte_order.h, so a wrong byte
// order there shows up as a FAILED field property; one load each (x86 is little endian), which
// keeps the verifier's terms small.
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

} // namespace proofs
