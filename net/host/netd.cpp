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

enum class Service { Echo, Discard, Http };

// One accepted connection and what its service still has to do.
struct Session {
    socket::SocketId id;
    Service service;
    std::vector<u8> out;      // bytes produced but not yet accepted by send()
    size_t out_offset { 0 };
    // HTTP state.
    host::HttpRequestParser parser;
    bool in_body { false };
    u64 body_left { 0 };
    u64 body_bytes { 0 };
    u32 body_crc { 0 };
    bool keep_alive { true };
    u64 stream_left { 0 };    // /bytes/N still to generate
    u64 stream_state { 0 };
    bool closing { false };   // close once `out` drains
    bool done { false };
};

u64 next_pattern(u64& s)
{
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
}

std::string page()
{
    return "<!doctype html><html><head><title>Bulwark</title></head><body><h1>Bulwark</h1>"
           "<p>Served by Bulwark's TCP/IP stack (net/) over a TAP device.</p></body></html>\n";
}

void respond(Session& s, int status, const std::string& type, const std::string& body, const std::string& extra = "")
{
    std::string head = "HTTP/1.1 " + std::to_string(status) + (status == 200 ? " OK" : status == 404 ? " Not Found" : " Bad Request")
        + "\r\nServer: bulwark-netd\r\nContent-Type: " + type + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n"
        + extra + (s.keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n") + "\r\n";
    s.out.insert(s.out.end(), head.begin(), head.end());
    s.out.insert(s.out.end(), body.begin(), body.end());
}

void start_stream(Session& s, u64 size)
{
    // The CRC goes in a header, so compute it over the same deterministic stream first.
    u64 state = size * 0x9e3779b97f4a7c15ull + 1;
    u32 crc = 0;
    u8 chunk[4096];
    for (u64 left = size; left > 0;) {
        size_t n = size_t(std::min<u64>(left, sizeof chunk));
        for (size_t i = 0; i < n; ++i)
            chunk[i] = u8(next_pattern(state));
        crc = host::crc32_update(crc, chunk, n);
        left -= n;
    }
    char crc_text[16];
    snprintf(crc_text, sizeof crc_text, "%08x", crc);
    std::string head = "HTTP/1.1 200 OK\r\nServer: bulwark-netd\r\nContent-Type: application/octet-stream\r\nContent-Length: "
        + std::to_string(size) + "\r\nX-CRC32: " + crc_text + "\r\n"
        + (s.keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n") + "\r\n";
    s.out.insert(s.out.end(), head.begin(), head.end());
    s.stream_left = size;
    s.stream_state = size * 0x9e3779b97f4a7c15ull + 1;
}

void handle_request(Session& s)
{
    const host::HttpRequest& r = s.parser.request();
    s.keep_alive = r.keep_alive;
    if (r.method == "POST" && r.target == "/sink") {
        s.in_body = true;
        s.body_left = r.content_length;
        s.body_bytes = 0;
        s.body_crc = 0;
        return;
    }
    if (r.method != "GET" && r.method != "HEAD") {
        respond(s, 400, "text/plain", "unsupported method\n");
        return;
    }
    if (r.target == "/" || r.target == "/index.html") {
        respond(s, 200, "text/html", page());
    } else if (r.target.rfind("/bytes/", 0) == 0) {
        std::string n = r.target.substr(7);
        if (n.empty() || n.size() > 10 || n.find_first_not_of("0123456789") != std::string::npos)
            respond(s, 400, "text/plain", "bad size\n");
        else
            start_stream(s, std::stoull(n));
    } else {
        respond(s, 404, "text/plain", "not found\n");
    }
}

// Feeds received bytes to the session's service.
void consume(Session& s, const u8* data, size_t length)
{
    if (s.service == Service::Discard)
        return;
    if (s.service == Service::Echo) {
        s.out.insert(s.out.end(), data, data + length);
        return;
    }
    size_t at = 0;
    while (at < length && !s.closing) {
        if (s.in_body) {
            size_t n = size_t(std::min<u64>(s.body_left, length - at));
            s.body_crc = host::crc32_update(s.body_crc, data + at, n);
            s.body_bytes += n;
            s.body_left -= n;
            at += n;
            if (s.body_left == 0) {
                s.in_body = false;
                char reply[64];
                snprintf(reply, sizeof reply, "%llu %08x\n", static_cast<unsigned long long>(s.body_bytes), s.body_crc);
                respond(s, 200, "text/plain", reply);
                s.parser.reset();
                if (!s.keep_alive)
                    s.closing = true;
            }
            continue;
        }
        size_t used = 0;
        auto status = s.parser.feed(data + at, length - at, used);
        at += used;
        if (status == host::HttpRequestParser::Status::Bad) {
            s.keep_alive = false;
            respond(s, 400, "text/plain", "bad request\n");
            s.closing = true;
        } else if (status == host::HttpRequestParser::Status::Complete) {
            handle_request(s);
            if (!s.in_body) {
                s.parser.reset();
                if (!s.keep_alive)
                    s.closing = true;
            }
        }
    }
}

// Moves pending output into the connection; generates /bytes/N data as the window allows.
// False when the connection failed (the session is over).
bool flush_output(socket::Sockets& sockets, Session& s, Instant t)
{
    for (;;) {
        if (s.out_offset == s.out.size()) {
            s.out.clear();
            s.out_offset = 0;
            if (s.stream_left == 0)
                return true;
            size_t n = size_t(std::min<u64>(s.stream_left, 16384));
            s.out.resize(n);
            for (size_t i = 0; i < n; ++i)
                s.out[i] = u8(next_pattern(s.stream_state));
            s.stream_left -= n;
        }
        auto sent = sockets.send(s.id, lib::ReadonlyBytes(s.out.data() + s.out_offset, s.out.size() - s.out_offset), t);
        if (sent.is_error())
            return sent.error() == socket::SocketError::WouldBlock;
        if (sent.value() == 0)
            return true;
        s.out_offset += sent.value();
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
        while (!s.closing && (events & (socket::events::in | socket::events::err | socket::events::hup))) {
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
                s.closing = true;
                break;
            }
            consume(s, buffer, r.value());
        }
        if (!s.done && !flush_output(sockets, s, t))
            s.done = true;
        if (s.closing && s.out_offset == s.out.size() && s.stream_left == 0)
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
            auto session = std::make_unique<Session>();
            session->id = c.value().id;
            session->service = svc;
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
