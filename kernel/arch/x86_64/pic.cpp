// 8259A initialization sequence (ICW1-ICW4), then mask every line.
#include "kernel/arch/x86_64/pic.h"

#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/traps.h"

namespace kernel::arch::pic {

void remap_and_mask()
{
    outb(0x20, 0x11); // ICW1: init, expect ICW4
    outb(0xA0, 0x11);
    outb(0x21, vector::legacy_pic_base);     // ICW2: master vectors 32-39
    outb(0xA1, vector::legacy_pic_base + 8); // slave vectors 40-47
    outb(0x21, 0x04); // ICW3: slave on IRQ2
    outb(0xA1, 0x02);
    outb(0x21, 0x01); // ICW4: 8086 mode
    outb(0xA1, 0x01);
    outb(0x21, 0xff); // mask all
    outb(0xA1, 0xff);
}

} // namespace kernel::arch::pic
