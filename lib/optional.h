// Optional<T>: a value or nothing, for lookups that have no error to report.
#pragma once

#include "lib/utility.h"
#include "lib/verify.h"

namespace lib {

struct NulloptTag { };
inline constexpr NulloptTag nullopt {};

template<typename T> class Optional {
public:
    constexpr Optional() : m_has(false), m_empty() { }
    constexpr Optional(NulloptTag) : m_has(false), m_empty() { }
    constexpr Optional(const T& v) : m_has(true), m_value(v) { }
    constexpr bool has_value() const { return m_has; }
    constexpr explicit operator bool() const { return m_has; }
    // Precondition: has_value().
    constexpr const T& value() const
    {
        VERIFY(m_has);
        return m_value;
    }
    constexpr T value_or(T fallback) const { return m_has ? m_value : fallback; }
    constexpr const T& operator*() const { return value(); }
    constexpr const T* operator->() const { return &value(); }

    constexpr bool operator==(const Optional& other) const
    {
        if (m_has != other.m_has)
            return false;
        return !m_has || m_value == other.m_value;
    }

private:
    static_assert(__is_trivially_copyable(T), "Optional holds trivially copyable values only");
    bool m_has;
    union {
        char m_empty;
        T m_value;
    };
};

} // namespace lib
