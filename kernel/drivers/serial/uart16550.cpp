// 16550 UART driver, polled (PC16550D datasheet register map).
#include "kernel/drivers/serial/uart16550.h"

#include "kernel/arch/x86_64/cpu.h"

namespace kernel::drivers {

namespace reg {
inline constexpr u16 data = 0;         // THR/RBR; divisor low when DLAB=1
inline constexpr u16 interrupt = 1;    // IER; divisor high when DLAB=1
inline constexpr u16 fifo = 2;         // FCR
inline constexpr u16 line_control = 3; // LCR
inline constexpr u16 modem_control = 4;
inline constexpr u16 line_status = 5;  // LSR
} // namespace reg

void Uart16550::init()
{
    using arch::outb;
    outb(m_base + reg::interrupt, 0x00);
    outb(m_base + reg::line_control, 0x80); // DLAB
    outb(m_base + reg::data, 0x01);         // divisor 1: 115200 baud
    outb(m_base + reg::interrupt, 0x00);
    outb(m_base + reg::line_control, 0x03); // 8N1, DLAB off
    outb(m_base + reg::fifo, 0xC7);         // enable + clear FIFOs, 14-byte threshold
    outb(m_base + reg::modem_control, 0x03);
}

void Uart16550::put(char c)
{
    // Wait for the transmit holding register, but never forever: a missing UART reads 0xff.
    for (int spin = 0; spin < 100000; ++spin) {
        if (arch::inb(m_base + reg::line_status) & 0x20)
            break;
        arch::pause();
    }
    arch::outb(m_base + reg::data, u8(c));
}

void Uart16550::write(lib::StringView text)
{
    for (char c : text) {
        if (c == '\n')
            put('\r');
        put(c);
    }
}

} // namespace kernel::drivers
