// ByteWriter: a cursor over a caller-provided buffer that emitters write into. Emitters are given
// a writer over exactly buffer_len() bytes; writing past the end is a bug (VERIFY), not an error,
// because the size was computed by the same repr that writes.
#pragma once

#include "lib/byte_order.h"

namespace lib {

class ByteWriter {
public:
    explicit ByteWriter(Bytes buffer) : m_buffer(buffer) { }

    usize position() const { return m_position; }
    usize remaining() const { return m_buffer.size() - m_position; }
    Bytes buffer() const { return m_buffer; }
    // The bytes written so far.
    Bytes written() const { return m_buffer.slice(0, m_position); }

    void write_u8(u8 v)
    {
        VERIFY(remaining() >= 1);
        m_buffer.data()[m_position++] = v;
    }
    void write_be16(u16 v)
    {
        store_be16(m_buffer, m_position, v);
        m_position += 2;
    }
    void write_be32(u32 v)
    {
        store_be32(m_buffer, m_position, v);
        m_position += 4;
    }
    void write_bytes(ReadonlyBytes bytes)
    {
        VERIFY(remaining() >= bytes.size());
        for (usize i = 0; i < bytes.size(); ++i)
            m_buffer.data()[m_position + i] = bytes.data()[i];
        m_position += bytes.size();
    }
    void fill(u8 value, usize count)
    {
        VERIFY(remaining() >= count);
        for (usize i = 0; i < count; ++i)
            m_buffer.data()[m_position + i] = value;
        m_position += count;
    }
    // A writer over the next `length` bytes, which this writer skips past.
    ByteWriter sub_writer(usize length)
    {
        VERIFY(remaining() >= length);
        ByteWriter sub(m_buffer.slice(m_position, length));
        m_position += length;
        return sub;
    }

private:
    Bytes m_buffer;
    // Invariant: m_position <= m_buffer.size().
    usize m_position { 0 };
};

} // namespace lib
