// Freestanding replacements for the few <utility>/<type_traits> pieces we need.
// The kernel has no C++ standard library, so lib/ carries its own.
#pragma once

#include "lib/types.h"

namespace lib {

template<typename T> struct RemoveReference { using Type = T; };
template<typename T> struct RemoveReference<T&> { using Type = T; };
template<typename T> struct RemoveReference<T&&> { using Type = T; };
template<typename T> using RemoveReferenceT = typename RemoveReference<T>::Type;

template<typename T> constexpr RemoveReferenceT<T>&& move(T&& value) noexcept
{
    return static_cast<RemoveReferenceT<T>&&>(value);
}

template<typename T> constexpr T&& forward(RemoveReferenceT<T>& value) noexcept
{
    return static_cast<T&&>(value);
}

template<typename T> constexpr T&& forward(RemoveReferenceT<T>&& value) noexcept
{
    return static_cast<T&&>(value);
}

template<typename T> constexpr void swap(T& a, T& b) noexcept
{
    T tmp = ::lib::move(a);
    a = ::lib::move(b);
    b = ::lib::move(tmp);
}

template<typename T> constexpr const T& min(const T& a, const T& b) { return b < a ? b : a; }
template<typename T> constexpr const T& max(const T& a, const T& b) { return a < b ? b : a; }

template<typename T> inline constexpr bool is_unsigned_v = __is_unsigned(T);
template<typename T> inline constexpr bool is_signed_v = __is_signed(T);
template<typename T> inline constexpr bool is_integral_v = __is_integral(T);
template<typename T> inline constexpr bool is_enum_v = __is_enum(T);
template<typename T> inline constexpr bool is_trivially_destructible_v = __is_trivially_destructible(T);
template<typename A, typename B> inline constexpr bool is_same_v = __is_same(A, B);
// Not the __is_pointer builtin: libstdc++ declares a template of that name, which hides the
// builtin in host code that includes standard headers first.
template<typename T> inline constexpr bool is_pointer_v = false;
template<typename T> inline constexpr bool is_pointer_v<T*> = true;
template<typename T> inline constexpr bool is_pointer_v<T* const> = true;

template<typename T> using UnderlyingType = __underlying_type(T);

// Power-of-two alignment helpers. Precondition: `align` is a power of two.
constexpr bool is_power_of_two(u64 x) { return x != 0 && (x & (x - 1)) == 0; }
constexpr u64 align_down(u64 value, u64 align) { return value & ~(align - 1); }
// Fails (returns false) instead of wrapping when rounding up would overflow.
constexpr bool align_up(u64 value, u64 align, u64& out)
{
    u64 sum = 0;
    if (__builtin_add_overflow(value, align - 1, &sum))
        return false;
    out = sum & ~(align - 1);
    return true;
}
constexpr bool is_aligned(u64 value, u64 align) { return (value & (align - 1)) == 0; }

// Number of elements of a C array, as a constant expression.
template<typename T, usize N> constexpr usize array_size(const T (&)[N]) { return N; }

} // namespace lib

#if defined(BULWARK_FREESTANDING)
// Placement new: the kernel has no <new>.
inline void* operator new(size_t, void* where) noexcept { return where; }
inline void* operator new[](size_t, void* where) noexcept { return where; }
#else
#include <new>
#endif
