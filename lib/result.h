// Result<T, E>: the return type of every fallible function (no exceptions in Bulwark).
// TRY(expr) propagates the error; MUST(expr) turns an error into a VERIFY failure (boot only).
#pragma once

#include "lib/utility.h"
#include "lib/verify.h"

namespace lib {

template<typename E> struct Err {
    E error;
};

template<typename E> constexpr Err<E> err(E e) { return Err<E> { e }; }

template<typename T, typename E> class [[nodiscard]] Result {
public:
    Result(const T& value) : m_ok(true) { new (&m_value) T(value); }
    Result(T&& value) : m_ok(true) { new (&m_value) T(::lib::move(value)); }
    Result(Err<E> e) : m_ok(false) { new (&m_error) E(e.error); }
    // An error enum converts implicitly so `return WireError::Truncated;` reads naturally.
    Result(E e) requires(!is_same_v<T, E>) : m_ok(false) { new (&m_error) E(e); }

    Result(const Result& other) : m_ok(other.m_ok)
    {
        if (m_ok)
            new (&m_value) T(other.m_value);
        else
            new (&m_error) E(other.m_error);
    }
    Result(Result&& other) : m_ok(other.m_ok)
    {
        if (m_ok)
            new (&m_value) T(::lib::move(other.m_value));
        else
            new (&m_error) E(::lib::move(other.m_error));
    }
    Result& operator=(const Result&) = delete;
    ~Result()
    {
        if (m_ok)
            m_value.~T();
        else
            m_error.~E();
    }

    bool is_ok() const { return m_ok; }
    bool is_error() const { return !m_ok; }

    // Precondition: is_ok().
    T& value() &
    {
        VERIFY(m_ok);
        return m_value;
    }
    const T& value() const&
    {
        VERIFY(m_ok);
        return m_value;
    }
    T release_value()
    {
        VERIFY(m_ok);
        return ::lib::move(m_value);
    }
    // Precondition: is_error().
    E error() const
    {
        VERIFY(!m_ok);
        return m_error;
    }
    T value_or(T fallback) const { return m_ok ? m_value : fallback; }

private:
    bool m_ok;
    union {
        T m_value;
        E m_error;
    };
};

// Result<void, E> carries only success or an error.
struct Empty { };

template<typename E> class [[nodiscard]] Result<void, E> {
public:
    Result() : m_ok(true) { }
    Result(Err<E> e) : m_ok(false), m_error(e.error) { }
    Result(E e) : m_ok(false), m_error(e) { }

    bool is_ok() const { return m_ok; }
    bool is_error() const { return !m_ok; }
    void release_value() const { VERIFY(m_ok); }
    E error() const
    {
        VERIFY(!m_ok);
        return m_error;
    }

private:
    bool m_ok;
    E m_error {};
};

} // namespace lib

// Evaluates `expr`; on error returns the error from the enclosing function, otherwise yields the
// value. (A GNU statement expression: clang and gcc both support it.)
#define TRY(expr)                                       \
    ({                                                  \
        auto _try_result = (expr);                      \
        if (_try_result.is_error()) [[unlikely]]        \
            return ::lib::err(_try_result.error());     \
        _try_result.release_value();                    \
    })

#define MUST(expr)                                      \
    ({                                                  \
        auto _must_result = (expr);                     \
        VERIFY(_must_result.is_ok());                   \
        _must_result.release_value();                   \
    })
