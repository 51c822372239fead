// CRC-32 (IEEE 802.3, reflected, as zlib.crc32 computes it), table-driven, freestanding: the
// test service's X-CRC32 header and POST /sink replies, so clients can check bulk transfers.
#pragma once

#include "lib/types.h"

namespace kernel::net_service {

struct Crc32Table {
    u32 entries[256];
};

constexpr Crc32Table make_crc32_table()
{
    Crc32Table table {};
    for (u32 i = 0; i < 256; ++i) {
        u32 c = i;
        for (int k = 0; k < 8; ++k)
            c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
        table.entries[i] = c;
    }
    return table;
}

inline constexpr Crc32Table crc32_table = make_crc32_table();

// Continues `crc` (0 to start) over `length` bytes.
constexpr u32 crc32_update(u32 crc, const u8* data, usize length)
{
    crc = ~crc;
    for (usize i = 0; i < length; ++i)
        crc = crc32_table.entries[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}

// The standard check value: CRC-32 of "123456789".
inline constexpr u8 crc32_check_input[] = { '1', '2', '3', '4', '5', '6', '7', '8', '9' };
static_assert(crc32_update(0, crc32_check_input, sizeof crc32_check_input) == 0xcbf43926u);

} // namespace kernel::net_service
