// bulwark-netd: Bulwark's network stack (net/iface + net/tcp behind net/socket) on a Linux TAP
// device, serving TCP echo (7), discard (9) and a small HTTP responder (80), so the stack can be
// tested against the real Linux stack and real clients. The services are written against the
// socket API as an epoll program would be: non-blocking calls, driven by the change queue and
// poll_events(). Prints its drop counters on SIGUSR1 and at exit.
#include "net/host/http.h"
#include "net/host/impair.h"
#include "net/host/tap.h"
#include "net/iface/interface.h"
#include "net/socket/sockets.h"
#include "net/tcp/stack.h"
#include "lib/format.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <poll.h>
#include <string>
#include <vector>

using namespace net;

namespace {

volatile sig_atomic_t g_stop = 0;
volatile sig_atomic_t g_dump = 0;

Instant now()
{
    timespec ts {};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return Instant { u64(ts.tv_sec) * 1000000 + u64(ts.tv_nsec) / 1000 };
}

class StdoutSink final : public lib::FormatSink {
public:
    void write(lib::StringView text) override { fwrite(text.chars(), 1, text.length(), stdout); }
};

// Frames to Linux: through the impairment (if any), padded to the 60-byte Ethernet minimum.
class TapSink final : public iface::FrameSink {
public:
    TapSink(host::Tap& tap, const host::ImpairConfig& impair)
        : m_tap(tap)
        , m_impair(impair, [this](lib::ReadonlyBytes f) { write_padded(f); })
    {
    }
    void transmit(lib::ReadonlyBytes frame) override
    {
        if (m_impair_active)
            m_impair.push(frame);
        else
            write_padded(frame);
    }
    void set_impair(bool on) { m_impair_active = on; }
    void flush() { m_impair.flush(); }

private:
    void write_padded(lib::ReadonlyBytes frame)
    {
        u8 padded[iface::max_frame_len] {};
        if (frame.size() < 60) {
            memcpy(padded, frame.data(), frame.size());
            frame = lib::ReadonlyBytes(padded, 60);
        }
        m_tap.write(frame);
    }
    host::Tap& m_tap;
    host::Impairment m_impair;
    bool m_impair_active { false };
};

using Service = host::Responder::Kind;

// One accepted connection and its service.
struct Session {
    socket::SocketId id;
    host::Responder responder;
    bool done { false };
};

// Moves the responder's pending output into the connection as far as it takes it.
// False when the connection failed (the session is over).
bool flush_output(socket::Sockets& sockets, Session& s, Instant t)
{
    for (;;) {
        size_t length = 0;
        const u8* data = s.responder.pending(length);
        if (length == 0)
            return true;
        auto sent = sockets.send(s.id, lib::ReadonlyBytes(data, length), t);
        if (sent.is_error())
            return sent.error() == socket::SocketError::WouldBlock;
        if (sent.value() == 0)
            return true;
        s.responder.sent(sent.value());
    }
}

bool parse_ipv4(const std::string& text, wire::Ipv4Address& out)
{
    unsigned a, b, c, d;
    char tail;
    if (sscanf(text.c_str(), "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) != 4 || a > 255 || b > 255 || c > 255 || d > 255)
        return false;
    out = wire::Ipv4Address::from_octets(u8(a), u8(b), u8(c), u8(d));
    return true;
}

bool parse_mac(const std::string& text, wire::EthernetAddress& out)
{
    unsigned v[6];
    char tail;
    if (sscanf(text.c_str(), "%x:%x:%x:%x:%x:%x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &tail) != 6)
        return false;
    for (int i = 0; i < 6; ++i) {
        if (v[i] > 255)
            return false;
        out.octets[i] = u8(v[i]);
    }
    return out.is_unicast();
}

int usage(const char* message)
{
    fprintf(stderr, "bulwark-netd: %s\n", message);
    fprintf(stderr, "usage: bulwark-netd --tap NAME --ip ADDR/PREFIX [--gateway ADDR] [--mac MAC] [--impair SPEC]\n"
                    "  --impair loss=5,reorder=10,duplicate=1,seed=1   impair both directions (percentages)\n"
                    "Serves TCP echo (7), discard (9) and HTTP (80: /, /bytes/N, POST /sink).\n"
                    "Prints drop counters on SIGUSR1 and at exit (SIGTERM/SIGINT).\n");
    return 2;
}

} // namespace

int main(int argc, char** argv)
{
    std::string tap_name, ip_text, gateway_text, mac_text = "02:00:00:00:00:02", impair_text;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        auto value = [&](std::string& into) {
            if (i + 1 >= argc)
                return false;
            into = argv[++i];
            return true;
        };
        bool ok = true;
        if (arg == "--tap")
            ok = value(tap_name);
        else if (arg == "--ip")
            ok = value(ip_text);
        else if (arg == "--gateway")
            ok = value(gateway_text);
        else if (arg == "--mac")
            ok = value(mac_text);
        else if (arg == "--impair")
            ok = value(impair_text);
        else if (arg == "-h" || arg == "--help")
            return usage("help"), 0;
        else
            return usage(("unknown option " + arg).c_str());
        if (!ok)
            return usage(("option " + arg + " needs a value").c_str());
    }
    if (tap_name.empty() || ip_text.empty())
        return usage("--tap and --ip are required");

    iface::InterfaceConfig config;
    size_t slash = ip_text.find('/');
    unsigned prefix = 0;
    if (slash == std::string::npos || !parse_ipv4(ip_text.substr(0, slash), config.static_ipv4.address)
        || sscanf(ip_text.c_str() + slash + 1, "%u", &prefix) != 1 || prefix == 0 || prefix > 32)
        return usage(("bad --ip '" + ip_text + "' (expected ADDR/PREFIX)").c_str());
    config.static_ipv4.prefix_len = u8(prefix);
    if (!gateway_text.empty()) {
        wire::Ipv4Address gw;
        if (!parse_ipv4(gateway_text, gw))
            return usage(("bad --gateway '" + gateway_text + "'").c_str());
        config.static_ipv4.gateway = gw;
    }
    if (!parse_mac(mac_text, config.mac))
        return usage(("bad --mac '" + mac_text + "' (expected a unicast aa:bb:cc:dd:ee:ff)").c_str());
    host::ImpairConfig impair;
    std::string error;
    if (!impair_text.empty() && !host::ImpairConfig::parse(impair_text, impair, error))
        return usage(error.c_str());

    host::Tap tap;
    if (!host::Tap::open(tap_name, tap, error)) {
        fprintf(stderr, "bulwark-netd: %s\n", error.c_str());
        return 1;
    }
    signal(SIGTERM, [](int) { g_stop = 1; });
    signal(SIGINT, [](int) { g_stop = 1; });
    signal(SIGUSR1, [](int) { g_dump = 1; });

    TapSink sink(tap, impair);
    sink.set_impair(impair.active());
    host::Impairment rx_impair(impair, [](lib::ReadonlyBytes) {});
    auto iface = std::make_unique<iface::Interface>(config, sink, now());
    u8 secret[16];
    FILE* urandom = fopen("/dev/urandom", "rb");
    if (!urandom || fread(secret, 1, sizeof secret, urandom) != sizeof secret) {
        fprintf(stderr, "bulwark-netd: cannot read 16 bytes from /dev/urandom\n");
        return 1;
    }
    fclose(urandom);
    tcp::Config tcp_config;
    // Bulk transfers over the TAP are window-bound at the default 64 KiB buffers (uploads ran at
    // about 42 MiB/s); 256 KiB each way for half the connections: a 256 MiB pool, allocated once.
    tcp_config.max_connections = 512;
    tcp_config.send_buffer = 256 * 1024;
    tcp_config.receive_buffer = 256 * 1024;
    auto stack = std::make_unique<tcp::Stack>(tcp_config, secret);
    socket::SocketsConfig socket_config;
    socket_config.max_sockets = tcp_config.max_connections + 8;
    socket::Sockets sockets(socket_config, *iface, *stack);
    rx_impair = host::Impairment(impair, [&](lib::ReadonlyBytes f) { sockets.receive_frame(f, now()); });

    // What each socket is: a listener for a service, or a session. Indexed by SocketId::index.
    struct Slot {
        bool listener { false };
        Service service { Service::Echo };
        std::unique_ptr<Session> session;
    };
    std::vector<Slot> slots(socket_config.max_sockets);
    for (auto [port, service] : { std::pair<u16, Service> { 7, Service::Echo }, { 9, Service::Discard }, { 80, Service::Http } }) {
        auto l = sockets.socket(socket::SocketType::Stream);
        bool ok = l.is_ok();
        // Accepted sockets inherit TCP_NODELAY from their listener.
        ok = ok && sockets.set_option(l.value(), socket::SocketOption::TcpNoDelay, true, now()).is_ok();
        ok = ok && sockets.bind(l.value(), socket::Endpoint { config.static_ipv4.address, port }).is_ok();
        ok = ok && sockets.listen(l.value(), 512).is_ok();
        if (!ok) {
            fprintf(stderr, "bulwark-netd: cannot listen on port %u\n", port);
            return 1;
        }
        slots[l.value().index].listener = true;
        slots[l.value().index].service = service;
    }
    printf("bulwark-netd: %s on %s (MAC %s)%s; echo 7, discard 9, http 80\n", ip_text.c_str(), tap_name.c_str(),
        mac_text.c_str(), impair.active() ? (" impairing both directions: " + impair_text).c_str() : "");
    fflush(stdout);

    u8 frame[2048];
    auto dump = [&] {
        StdoutSink out;
        iface::format_counters(out, iface->counters());
        lib::format(out, "tcp: {} connections in use, {} in TIME-WAIT\n", stack->connections_in_use(), stack->time_wait_count());
        fflush(stdout);
    };
    // Runs one session as far as its readiness allows; closes it when it is over.
    auto service = [&](Session& s, Instant t) {
        u32 events = sockets.poll_events(s.id);
        u8 buffer[16384];
        while (!s.responder.closing() && (events & (socket::events::in | socket::events::err | socket::events::hup))) {
            auto r = sockets.receive(s.id, lib::Bytes(buffer, sizeof buffer));
            if (r.is_error()) {
                if (r.error() != socket::SocketError::WouldBlock) {
                    // Reset or timed out: release the handle.
                    s.done = true;
                    break;
                }
                break;
            }
            if (r.value() == 0) { // peer finished sending
                s.responder.peer_finished();
                break;
            }
            s.responder.consume(buffer, r.value());
        }
        if (!s.done && !flush_output(sockets, s, t))
            s.done = true;
        if (s.responder.finished())
            s.done = true;
        if (s.done) {
            (void)sockets.close(s.id, t);
            slots[s.id.index].session.reset();
        }
    };
    auto accept_all = [&](socket::SocketId listener, Service svc, Instant t) {
        for (;;) {
            auto c = sockets.accept(listener);
            if (c.is_error())
                break;
            auto session = std::make_unique<Session>(Session { c.value().id, host::Responder(svc) });
            Session& s = *session;
            slots[c.value().id.index].session = std::move(session);
            service(s, t);
        }
    };
    socket::SocketId changed[256];
    while (!g_stop) {
        Instant t = now();
        Instant deadline = sockets.next_deadline();
        int timeout_ms = deadline == Instant::never() ? 50 : int(std::min<u64>((deadline - t).millis() + 1, 50));
        pollfd pfd { tap.fd(), POLLIN, 0 };
        int ready = ::poll(&pfd, 1, timeout_ms);
        if (ready < 0 && errno != EINTR)
            break;
        bool idle = true;
        for (int burst = 0; burst < 64; ++burst) {
            long n = tap.read(lib::Bytes(frame, sizeof frame));
            if (n <= 0)
                break;
            idle = false;
            if (impair.active())
                rx_impair.push(lib::ReadonlyBytes(frame, size_t(n)));
            else
                sockets.receive_frame(lib::ReadonlyBytes(frame, size_t(n)), now());
        }
        if (idle) {
            rx_impair.flush();
            sink.flush();
        }
        t = now();
        sockets.poll(t);
        // Edge-triggered, as an epoll program would be: only sockets whose readiness may have
        // changed are looked at.
        for (usize n; (n = sockets.take_changes(lib::Span<socket::SocketId>(changed, 256))) > 0;) {
            for (usize i = 0; i < n; ++i) {
                Slot& slot = slots[changed[i].index];
                if (slot.listener) {
                    if (sockets.poll_events(changed[i]) & socket::events::in)
                        accept_all(changed[i], slot.service, t);
                } else if (slot.session && slot.session->id == changed[i]) {
                    service(*slot.session, t);
                }
            }
        }
        if (g_dump) {
            g_dump = 0;
            dump();
        }
    }
    dump();
    return 0;
}
