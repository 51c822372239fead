// Span<T>: a pointer and a length, with checked slicing. The only way lib/, net/ and the kernel
// pass buffers around; every sub-range is checked against the parent once, when it is made.
#pragma once

#include "lib/types.h"
#include "lib/verify.h"

namespace lib {

template<typename T> class Span {
public:
    constexpr Span() = default;
    constexpr Span(T* data, usize size) : m_data(data), m_size(size) { }
    template<usize N> constexpr Span(T (&array)[N]) : m_data(array), m_size(N) { }
    // A Span<T> converts to Span<const T>.
    template<typename U>
    constexpr Span(Span<U> other) requires(__is_same(const U, T) && !__is_same(U, T))
        : m_data(other.data()), m_size(other.size())
    {
    }

    constexpr T* data() const { return m_data; }
    constexpr usize size() const { return m_size; }
    constexpr bool is_empty() const { return m_size == 0; }
    constexpr T* begin() const { return m_data; }
    constexpr T* end() const { return m_data + m_size; }

    // Precondition: index < size().
    constexpr T& operator[](usize index) const
    {
        VERIFY(index < m_size);
        return m_data[index];
    }

    // Precondition: offset + length <= size(), without wrapping.
    constexpr Span slice(usize offset, usize length) const
    {
        VERIFY(offset <= m_size && length <= m_size - offset);
        return Span(m_data + offset, length);
    }
    constexpr Span slice(usize offset) const
    {
        VERIFY(offset <= m_size);
        return Span(m_data + offset, m_size - offset);
    }
    // True when [offset, offset+length) lies inside the span (no wrap-around).
    constexpr bool contains_range(usize offset, usize length) const
    {
        return offset <= m_size && length <= m_size - offset;
    }

private:
    T* m_data { nullptr };
    usize m_size { 0 };
};

using Bytes = Span<u8>;
using ReadonlyBytes = Span<const u8>;

} // namespace lib
