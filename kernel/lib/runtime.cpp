// The runtime a freestanding C++ kernel needs: mem* functions (clang emits calls to them), the
// stack-protector hooks, VERIFY's failure path, and the guards for C++ features we do not use.
#include "kernel/lib/panic.h"
#include "lib/verify.h"

extern "C" {

// Set at boot from the best entropy available (kernel_boot_entry), before any protected function
// that will return is entered.
u64 __stack_chk_guard = 0x595e9fbd94fda766ull;

[[noreturn]] void __stack_chk_fail()
{
    kernel::panic("stack smashing detected: a stack canary was overwritten");
}

// rep movsb/stosb: short, correct for any length, and fast on CPUs with ERMS. Written in asm so
// the compiler cannot turn them back into calls to themselves.
void* memcpy(void* dst, const void* src, size_t n)
{
    void* ret = dst;
    asm volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
    return ret;
}

void* memset(void* dst, int value, size_t n)
{
    void* ret = dst;
    asm volatile("rep stosb" : "+D"(dst), "+c"(n) : "a"(value) : "memory");
    return ret;
}

void* memmove(void* dst, const void* src, size_t n)
{
    auto d = reinterpret_cast<uptr>(dst);
    auto s = reinterpret_cast<uptr>(src);
    if (d <= s || d >= s + n)
        return memcpy(dst, src, n);
    // Overlapping with dst above src: copy backwards.
    void* ret = dst;
    const u8* sp = static_cast<const u8*>(src) + n - 1;
    u8* dp = static_cast<u8*>(dst) + n - 1;
    asm volatile("std; rep movsb; cld" : "+D"(dp), "+S"(sp), "+c"(n) : : "memory");
    return ret;
}

int memcmp(const void* a, const void* b, size_t n)
{
    const u8* x = static_cast<const u8*>(a);
    const u8* y = static_cast<const u8*>(b);
    for (size_t i = 0; i < n; ++i) {
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    }
    return 0;
}

size_t strlen(const char* s)
{
    size_t n = 0;
    while (s[n] != '\0')
        ++n;
    return n;
}

[[noreturn]] void __cxa_pure_virtual() { kernel::panic("pure virtual function called"); }

// Global destructors never run in a kernel that only ends by powering off.
int atexit(void (*)()) { return 0; }

} // extern "C"

namespace lib {

[[noreturn]] void verify_failed(const char* file, int line, const char* condition)
{
    kernel::panic("VERIFY failed at {}:{}: {}", file, line, condition);
}

} // namespace lib
