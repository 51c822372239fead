// 16550 UART on an I/O port (COM1 = 0x3f8): the early console and the log's only sink.
#pragma once

#include "lib/string_view.h"

namespace kernel::drivers {

class Uart16550 {
public:
    explicit constexpr Uart16550(u16 base) : m_base(base) { }
    // 115200 8N1, FIFOs on, interrupts off. Safe to call before anything else is set up.
    void init();
    void write(lib::StringView text);

private:
    void put(char c);
    u16 m_base;
};

} // namespace kernel::drivers
