// GDT/TSS setup. Descriptors are built from their documented bit layout, not packed structs.
#include "kernel/arch/x86_64/gdt.h"

#include "kernel/arch/x86_64/stacks.h"
#include "lib/byte_order.h"

namespace kernel::arch {

namespace {

// 64-bit TSS (SDM Figure 7-11): 104 bytes, no I/O permission bitmap.
namespace tss_field {
inline constexpr usize rsp0 = 4;
inline constexpr usize ist1 = 36;
inline constexpr usize iomap_base = 102;
inline constexpr usize size = 104;
} // namespace tss_field

alignas(16) u8 g_tss[tss_field::size];
alignas(16) u64 g_gdt[7];

struct [[gnu::packed]] DescriptorPointer {
    u16 limit;
    u64 base;
};

constexpr u64 code64(u64 dpl) { return 0x00af9a000000ffffull | (dpl << 45); }
constexpr u64 data(u64 dpl) { return 0x00cf92000000ffffull | (dpl << 45); }

} // namespace

void init_gdt()
{
    lib::Bytes tss(g_tss, sizeof g_tss);
    lib::store_le64(tss, tss_field::ist1 + 0 * 8, stack_top(KernelStack::DoubleFault));
    lib::store_le64(tss, tss_field::ist1 + 1 * 8, stack_top(KernelStack::Nmi));
    lib::store_le64(tss, tss_field::ist1 + 2 * 8, stack_top(KernelStack::MachineCheck));
    // rsp0 is set when the kernel first enters ring 3; until then the boot stack serves.
    lib::store_le64(tss, tss_field::rsp0, stack_top(KernelStack::Boot));
    // An I/O map base beyond the limit means "no bitmap": ring 3 gets no port access.
    lib::store_le16(tss, tss_field::iomap_base, tss_field::size);

    u64 base = reinterpret_cast<u64>(g_tss);
    u64 limit = tss_field::size - 1;
    g_gdt[0] = 0;
    g_gdt[1] = code64(0);
    g_gdt[2] = data(0);
    g_gdt[3] = data(3);
    g_gdt[4] = code64(3);
    // 16-byte system descriptor, type 9 (available 64-bit TSS), present.
    g_gdt[5] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) | (((limit >> 16) & 0xf) << 48)
        | (((base >> 24) & 0xff) << 56);
    g_gdt[6] = base >> 32;

    DescriptorPointer pointer { sizeof g_gdt - 1, reinterpret_cast<u64>(g_gdt) };
    asm volatile("lgdt %0" : : "m"(pointer));
    // Reload CS with a far return, then the data segments and the task register.
    asm volatile(
        "pushq %[cs]\n"
        "leaq 1f(%%rip), %%rax\n"
        "pushq %%rax\n"
        "lretq\n"
        "1:\n"
        "movw %[ds], %%ax\n"
        "movw %%ax, %%ds\n"
        "movw %%ax, %%es\n"
        "movw %%ax, %%ss\n"
        "ltr %w[tss]\n"
        :
        : [cs] "i"(selector::kernel_code), [ds] "i"(selector::kernel_data), [tss] "r"(selector::tss)
        : "rax", "memory");
}

} // namespace kernel::arch
