// The kernel's statically allocated stacks, each above an unmapped guard page (layout in boot.S).
#pragma once

#include "lib/string_view.h"

namespace kernel::arch {

enum class KernelStack : u8 { Boot = 0, DoubleFault = 1, Nmi = 2, MachineCheck = 3 };
inline constexpr usize kernel_stack_slots = 4;
inline constexpr usize kernel_stack_pages = 8;
inline constexpr usize kernel_stack_slot_size = (kernel_stack_pages + 1) * 4096;

extern "C" u8 __kstacks_start[];
extern "C" u8 __kstacks_end[];

inline u64 stack_guard_page(KernelStack s)
{
    return reinterpret_cast<u64>(__kstacks_start) + u64(s) * kernel_stack_slot_size;
}
inline u64 stack_bottom(KernelStack s) { return stack_guard_page(s) + 4096; }
inline u64 stack_top(KernelStack s) { return stack_guard_page(s) + kernel_stack_slot_size; }

inline lib::StringView stack_name(KernelStack s)
{
    switch (s) {
    case KernelStack::Boot:
        return "boot";
    case KernelStack::DoubleFault:
        return "double-fault";
    case KernelStack::Nmi:
        return "NMI";
    case KernelStack::MachineCheck:
        return "machine-check";
    }
    return "?";
}

// The stack whose guard page holds `addr`, if any: a fault there is a stack overflow.
inline bool guard_page_owner(u64 addr, KernelStack& out)
{
    for (usize i = 0; i < kernel_stack_slots; ++i) {
        auto s = static_cast<KernelStack>(i);
        if (addr >= stack_guard_page(s) && addr < stack_bottom(s)) {
            out = s;
            return true;
        }
    }
    return false;
}

// True when [addr, addr+8) lies inside one of the stacks proper (not a guard page).
inline bool is_on_kernel_stack(u64 addr)
{
    for (usize i = 0; i < kernel_stack_slots; ++i) {
        auto s = static_cast<KernelStack>(i);
        if (addr >= stack_bottom(s) && addr + 8 <= stack_top(s))
            return true;
    }
    return false;
}

} // namespace kernel::arch
