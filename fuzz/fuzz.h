// Shared pieces of the fuzz targets: the oracle check and a reader that turns fuzz input into
// script arguments. Host-only code (libFuzzer, AFL++ and replay builds); see fuzz/README.md.
#pragma once

#include "lib/types.h"

#include <cstdio>
#include <cstdlib>

namespace fuzz {

// An oracle failure is a bug in the code under test (or in the oracle): print what was expected
// and abort, so libFuzzer and AFL++ record the input as a crash.
[[noreturn]] inline void oracle_failed(const char* file, int line, const char* condition, const char* message)
{
    std::fprintf(stderr, "ORACLE FAILED at %s:%d: %s (%s)\n", file, line, message, condition);
    std::abort();
}

} // namespace fuzz

// FUZZ_CHECK(cond, "what the spec says"): the oracle. Never compiled out.
#define FUZZ_CHECK(cond, message)                                             \
    do {                                                                      \
        if (!(cond)) [[unlikely]]                                             \
            ::fuzz::oracle_failed(__FILE__, __LINE__, #cond, message);        \
    } while (0)

namespace fuzz {

// Consumes the fuzz input front to back as little-endian integers. Past the end every read
// gives zero, so a script never fails to decode; done() tells the script loop to stop.
class Input {
public:
    Input(const u8* data, usize size) : m_data(data), m_size(size) { }

    bool done() const { return m_at >= m_size; }
    usize remaining() const { return m_at < m_size ? m_size - m_at : 0; }

    u8 take8() { return m_at < m_size ? m_data[m_at++] : 0; }
    u16 take16()
    {
        u16 low = take8();
        return u16(low | (u16(take8()) << 8));
    }
    u32 take32()
    {
        u32 low = take16();
        return low | (u32(take16()) << 16);
    }
    u64 take64()
    {
        u64 low = take32();
        return low | (u64(take32()) << 32);
    }
    bool take_bool() { return (take8() & 1) != 0; }

private:
    const u8* m_data;
    usize m_size;
    usize m_at { 0 };
};

// Little-endian loads from raw bytes for the oracles' independent decoders (deliberately not
// lib/byte_order.h: an oracle should not share code with what it checks).
inline u64 le(const u8* p, usize bytes)
{
    u64 v = 0;
    for (usize i = 0; i < bytes; ++i)
        v |= u64(p[i]) << (8 * i);
    return v;
}

} // namespace fuzz
