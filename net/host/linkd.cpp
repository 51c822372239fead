// bulwark-linkd: a user-space wire between two TAP devices, frame by frame, optionally through a
// lossy link (net::host::Impairment, each direction with its own generator). It stands in for
// `tc netem` where the kernel has no sch_netem, and impairs both directions where netem on a TAP
// would only shape one.
//
// Each end is a TAP device. linkd attaches to it as the TAP's owner when it can (reading what
// Linux transmits on it, writing what Linux should receive). A TAP that another process already
// holds — QEMU's `-netdev tap,ifname=...` — is reached through a packet socket bound to it
// instead: frames the owner writes are what Linux receives on that device, and frames sent on
// the socket go out to the owner. Such a device should be up, without addresses, with ARP off
// (`ip link set DEV arp off`) and IPv6 disabled, so Linux itself never answers on it.
//
// Prints the frame counts per direction at exit (SIGTERM/SIGINT).
#include "net/host/impair.h"
#include "net/host/tap.h"

#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <memory>
#include <net/if.h>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

using namespace net;

namespace {

volatile sig_atomic_t g_stop = 0;

// One end of the wire: a TAP file descriptor or a packet socket on a TAP another process owns.
class End {
public:
    enum class Kind { Tap, Packet };

    bool open(const std::string& name, std::string& error)
    {
        m_name = name;
        if (host::Tap::open(name, m_tap, error)) {
            m_kind = Kind::Tap;
            m_fd = m_tap.fd();
            return true;
        }
        if (error.find("Device or resource busy") == std::string::npos)
            return false;
        return open_packet(name, error);
    }

    int fd() const { return m_fd; }
    const std::string& name() const { return m_name; }
    const char* how() const { return m_kind == Kind::Tap ? "TAP owner" : "packet socket (the TAP is held by another process)"; }

    // One frame into `buffer`: its length, 0 when none is waiting, -1 on error.
    long read(lib::Bytes buffer)
    {
        if (m_kind == Kind::Tap)
            return m_tap.read(buffer);
        for (;;) {
            sockaddr_ll from {};
            socklen_t length = sizeof from;
            ssize_t n = recvfrom(m_fd, buffer.data(), buffer.size(), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&from), &length);
            if (n < 0)
                return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : (errno == EINTR ? 0 : -1);
            // Our own transmissions show up as outgoing; only what the owner wrote counts.
            if (from.sll_pkttype == PACKET_OUTGOING)
                continue;
            return long(n);
        }
    }

    bool write(lib::ReadonlyBytes frame)
    {
        if (m_kind == Kind::Tap)
            return m_tap.write(frame);
        return send(m_fd, frame.data(), frame.size(), MSG_DONTWAIT) == ssize_t(frame.size());
    }

    ~End()
    {
        if (m_kind == Kind::Packet && m_fd >= 0)
            close(m_fd);
    }

private:
    bool open_packet(const std::string& name, std::string& error)
    {
        unsigned index = if_nametoindex(name.c_str());
        if (index == 0) {
            error = "no interface '" + name + "': " + std::strerror(errno);
            return false;
        }
        int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL));
        if (fd < 0) {
            error = std::string("cannot open a packet socket: ") + std::strerror(errno);
            return false;
        }
#ifdef PACKET_IGNORE_OUTGOING
        int one = 1;
        (void)setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one);
#endif
        sockaddr_ll address {};
        address.sll_family = AF_PACKET;
        address.sll_protocol = htons(ETH_P_ALL);
        address.sll_ifindex = int(index);
        if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) < 0) {
            error = "cannot bind a packet socket to '" + name + "': " + std::strerror(errno);
            close(fd);
            return false;
        }
        m_kind = Kind::Packet;
        m_fd = fd;
        return true;
    }

    std::string m_name;
    Kind m_kind { Kind::Tap };
    host::Tap m_tap;
    int m_fd { -1 };
};

// One direction of the wire and its counts.
struct Direction {
    Direction(End& from, End& to, const host::ImpairConfig& config)
        : from(from)
        , to(to)
        , impairment(config, [this](lib::ReadonlyBytes f) { deliver(f); })
        , impaired(config.active())
    {
    }
    void deliver(lib::ReadonlyBytes frame)
    {
        if (to.write(frame))
            ++delivered;
        else
            ++write_failures;
    }
    // Moves up to `budget` waiting frames; returns how many were read.
    int pump(int budget)
    {
        u8 frame[65536];
        int moved = 0;
        for (; moved < budget; ++moved) {
            long n = from.read(lib::Bytes(frame, sizeof frame));
            if (n <= 0)
                break;
            ++received;
            if (impaired)
                impairment.push(lib::ReadonlyBytes(frame, size_t(n)));
            else
                deliver(lib::ReadonlyBytes(frame, size_t(n)));
        }
        return moved;
    }
    void report(FILE* out) const
    {
        fprintf(out, "bulwark-linkd: %s -> %s: %llu frames in, %llu out, %llu dropped, %llu duplicated, %llu reordered, %llu write failures\n",
            from.name().c_str(), to.name().c_str(), static_cast<unsigned long long>(received), static_cast<unsigned long long>(delivered),
            static_cast<unsigned long long>(impairment.dropped()), static_cast<unsigned long long>(impairment.duplicated()),
            static_cast<unsigned long long>(impairment.reordered()), static_cast<unsigned long long>(write_failures));
    }

    End& from;
    End& to;
    host::Impairment impairment;
    bool impaired;
    unsigned long long received { 0 }, delivered { 0 }, write_failures { 0 };
};

int usage(const char* message)
{
    fprintf(stderr, "bulwark-linkd: %s\n", message);
    fprintf(stderr, "usage: bulwark-linkd --a TAP --b TAP [--impair loss=5,reorder=10,duplicate=1,seed=N]\n"
                    "Bridges two TAP devices frame by frame, impairing both directions when asked\n"
                    "(percentages; each direction draws from its own generator). Prints counts at exit.\n");
    return 2;
}

} // namespace

int main(int argc, char** argv)
{
    std::string a_name, b_name, impair_text;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        std::string* into = arg == "--a" ? &a_name : arg == "--b" ? &b_name : arg == "--impair" ? &impair_text : nullptr;
        if (arg == "-h" || arg == "--help")
            return usage("help"), 0;
        if (!into)
            return usage(("unknown option " + arg).c_str());
        if (i + 1 >= argc)
            return usage(("option " + arg + " needs a value").c_str());
        *into = argv[++i];
    }
    if (a_name.empty() || b_name.empty() || a_name == b_name)
        return usage("--a and --b name two different TAP devices");
    host::ImpairConfig impair;
    std::string error;
    if (!impair_text.empty() && !host::ImpairConfig::parse(impair_text, impair, error))
        return usage(error.c_str());
    // The two directions must not drop the same frames in lockstep.
    host::ImpairConfig reverse = impair;
    reverse.seed = impair.seed * 0x9e3779b97f4a7c15ull + 0x5851f42d4c957f2dull;

    End a, b;
    if (!a.open(a_name, error) || !b.open(b_name, error)) {
        fprintf(stderr, "bulwark-linkd: %s\n", error.c_str());
        return 1;
    }
    signal(SIGTERM, [](int) { g_stop = 1; });
    signal(SIGINT, [](int) { g_stop = 1; });
    auto a_to_b = std::make_unique<Direction>(a, b, impair);
    auto b_to_a = std::make_unique<Direction>(b, a, reverse);
    printf("bulwark-linkd: %s (%s) <-> %s (%s)%s%s\n", a_name.c_str(), a.how(), b_name.c_str(), b.how(),
        impair.active() ? ", impairing both directions: " : "", impair.active() ? impair_text.c_str() : "");
    fflush(stdout);

    while (!g_stop) {
        pollfd fds[2] = { { a.fd(), POLLIN, 0 }, { b.fd(), POLLIN, 0 } };
        int ready = poll(fds, 2, 20);
        if (ready < 0 && errno != EINTR)
            break;
        int moved = a_to_b->pump(64) + b_to_a->pump(64);
        // A frame held back for reordering goes out when its direction goes quiet.
        if (moved == 0) {
            a_to_b->impairment.flush();
            b_to_a->impairment.flush();
        }
    }
    a_to_b->report(stdout);
    b_to_a->report(stdout);
    fflush(stdout);
    return 0;
}
