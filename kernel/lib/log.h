// The kernel's leveled logger: one line per call, "[seconds.micros] level subsystem: message",
// written to the serial console. Levels come from `log=` on the command line.
#pragma once

#include "kernel/boot/cmdline.h"
#include "lib/format.h"

namespace kernel::log {

using Level = boot::LogLevel;

void set_level(Level);
Level level();
bool enabled(Level);

void vemit(Level, lib::StringView fmt, lib::Span<const lib::FormatArg> args);
// Writes text as is (no prefix, no level check): panics and test transcripts.
void write_raw(lib::StringView text);

template<typename... Args> void emit(Level level, lib::StringView fmt, const Args&... args)
{
    if (!enabled(level))
        return;
    if constexpr (sizeof...(Args) == 0) {
        vemit(level, fmt, {});
    } else {
        const lib::FormatArg list[] = { lib::detail::to_format_arg(args)... };
        vemit(level, fmt, lib::Span<const lib::FormatArg>(list, sizeof...(Args)));
    }
}

template<typename... Args> void error(lib::StringView fmt, const Args&... args) { emit(Level::Error, fmt, args...); }
template<typename... Args> void warn(lib::StringView fmt, const Args&... args) { emit(Level::Warn, fmt, args...); }
template<typename... Args> void info(lib::StringView fmt, const Args&... args) { emit(Level::Info, fmt, args...); }
template<typename... Args> void debug(lib::StringView fmt, const Args&... args) { emit(Level::Debug, fmt, args...); }
template<typename... Args> void trace(lib::StringView fmt, const Args&... args) { emit(Level::Trace, fmt, args...); }

// Formats straight to the console with no prefix (multi-line reports: memory map, panics).
template<typename... Args> void raw(lib::StringView fmt, const Args&... args);

class ConsoleSink final : public lib::FormatSink {
public:
    void write(lib::StringView text) override { write_raw(text); }
};

template<typename... Args> void raw(lib::StringView fmt, const Args&... args)
{
    ConsoleSink sink;
    lib::format(sink, fmt, args...);
}

} // namespace kernel::log
