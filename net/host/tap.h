// A Linux TAP device (Documentation/networking/tuntap.rst): raw Ethernet frames to and from the
// host's network stack. Host-only: this is how net/ meets the real Linux TCP stack in tests.
#pragma once

#include "lib/span.h"

#include <string>

namespace net::host {

class Tap {
public:
    // Opens (creating if needed) TAP device `name` without packet information headers.
    // Fails with: an error message naming the device and errno.
    static bool open(const std::string& name, Tap& out, std::string& error);
    Tap() = default;
    Tap(Tap&& other) noexcept : m_fd(other.m_fd) { other.m_fd = -1; }
    Tap& operator=(Tap&& other) noexcept;
    ~Tap();

    int fd() const { return m_fd; }
    // Reads one frame; returns its length, 0 when none is waiting (non-blocking), -1 on error.
    long read(lib::Bytes buffer);
    // Writes one frame; false on error (a full queue drops the frame, as a wire would).
    bool write(lib::ReadonlyBytes frame);

private:
    int m_fd { -1 };
};

} // namespace net::host
