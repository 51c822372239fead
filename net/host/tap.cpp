// TAP device access through /dev/net/tun (IFF_TAP | IFF_NO_PI), non-blocking.
#include "net/host/tap.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <unistd.h>

namespace net::host {

bool Tap::open(const std::string& name, Tap& out, std::string& error)
{
    if (name.size() >= IFNAMSIZ) {
        error = "TAP device name '" + name + "' is longer than " + std::to_string(IFNAMSIZ - 1) + " characters";
        return false;
    }
    int fd = ::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        error = std::string("cannot open /dev/net/tun: ") + std::strerror(errno);
        return false;
    }
    struct ifreq request {};
    request.ifr_flags = IFF_TAP | IFF_NO_PI;
    std::strncpy(request.ifr_name, name.c_str(), IFNAMSIZ - 1);
    if (ioctl(fd, TUNSETIFF, &request) < 0) {
        error = "cannot attach to TAP device '" + name + "': " + std::strerror(errno);
        ::close(fd);
        return false;
    }
    out = Tap();
    out.m_fd = fd;
    return true;
}

Tap& Tap::operator=(Tap&& other) noexcept
{
    if (this != &other) {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = other.m_fd;
        other.m_fd = -1;
    }
    return *this;
}

Tap::~Tap()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

long Tap::read(lib::Bytes buffer)
{
    ssize_t n = ::read(m_fd, buffer.data(), buffer.size());
    if (n < 0)
        return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
    return long(n);
}

bool Tap::write(lib::ReadonlyBytes frame)
{
    ssize_t n = ::write(m_fd, frame.data(), frame.size());
    return n == ssize_t(frame.size());
}

} // namespace net::host
