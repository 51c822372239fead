// Logger implementation: formats each line into a stack buffer, then writes it to COM1 in one
// piece, so a line is never interleaved with another.
#include "kernel/lib/log.h"

#include "kernel/arch/x86_64/clock.h"
#include "kernel/drivers/serial/uart16550.h"

namespace kernel::log {

namespace {

drivers::Uart16550 g_console { 0x3f8 };
bool g_console_ready = false;
Level g_level = Level::Info;

lib::StringView level_tag(Level level)
{
    switch (level) {
    case Level::Error:
        return "error";
    case Level::Warn:
        return "warn ";
    case Level::Info:
        return "info ";
    case Level::Debug:
        return "debug";
    case Level::Trace:
        return "trace";
    }
    return "?    ";
}

drivers::Uart16550& console()
{
    if (!g_console_ready) {
        g_console.init();
        g_console_ready = true;
    }
    return g_console;
}

} // namespace

void set_level(Level level) { g_level = level; }
Level level() { return g_level; }
bool enabled(Level level) { return u8(level) <= u8(g_level); }

void write_raw(lib::StringView text) { console().write(text); }

void vemit(Level level, lib::StringView fmt, lib::Span<const lib::FormatArg> args)
{
    char buffer[512];
    lib::BufferSink sink(buffer, sizeof buffer - 1);
    u64 ns = arch::clock::monotonic_ns();
    lib::format(sink, "[{:>5}.{:06}] {} ", ns / 1000000000, (ns / 1000) % 1000000, level_tag(level));
    lib::vformat(sink, fmt, args);
    if (sink.truncated())
        sink.write("...");
    lib::StringView line = sink.view();
    console().write(line);
    console().write("\n");
}

} // namespace kernel::log
