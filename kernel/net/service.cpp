// The kernel's test=net service on the socket layer (net/socket), the same one the syscall layer
// maps the socket calls on: virtio-net frames go to Sockets::receive_frame(), the device is the
// Interface's FrameSink, and the services are written like an edge-triggered epoll program —
// non-blocking calls, driven by take_changes() and poll_events().
//   - TCP echo on 7.
//   - HTTP on 80, keep-alive capable: GET / (a page), GET /bytes/N (N deterministic bytes with an
//     X-CRC32 header), POST /sink (replies "N crcHEX\n" over the body), as bulwark-netd does.
#include "kernel/net/service.h"

#include "kernel/arch/x86_64/clock.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/entropy.h"
#include "kernel/lib/log.h"
#include "kernel/lib/panic.h"
#include "kernel/net/crc32.h"
#include "kernel/net/http.h"
#include "lib/format.h"
#include "net/iface/interface.h"
#include "net/socket/sockets.h"
#include "net/tcp/stack.h"

namespace kernel::net_service {

namespace {

using namespace ::net;
using socket::SocketError;
using socket::SocketId;
using socket::Sockets;

Instant now() { return Instant { arch::clock::monotonic_ns() / 1000 }; }

class Deliver final : public drivers::virtio::NetDevice::Receiver {
public:
    explicit Deliver(Sockets& sockets) : m_sockets(sockets) { }
    void receive_frame(lib::ReadonlyBytes frame) override { m_sockets.receive_frame(frame, now()); }

private:
    Sockets& m_sockets;
};

enum class Service : u8 { Echo, Http };

// The largest /bytes/N served: the CRC header is computed before the first byte goes out, and
// the kernel does nothing else meanwhile.
constexpr u64 max_stream = 256ull << 20;

// One accepted connection, in the slot of its socket's index.
struct Session {
    bool in_use { false };
    SocketId id {};
    Service service { Service::Echo };
    // HTTP: received bytes not yet consumed (a partial head, pipelined requests, body bytes).
    u8 in[4096] {};
    usize in_len { 0 };
    // Output not yet accepted by send(); echo reads only while this is empty.
    u8 out[8192] {};
    usize out_len { 0 };
    usize out_sent { 0 };
    // POST /sink: body bytes still to come, seen so far, and their CRC.
    bool in_body { false };
    u64 body_left { 0 };
    u64 body_bytes { 0 };
    u32 body_crc { 0 };
    // GET /bytes/N: bytes still to generate, and the generator.
    u64 stream_left { 0 };
    u64 stream_state { 0 };
    bool keep_alive { false };
    bool closing { false }; // close once the output drains
};

// xorshift64: the byte stream of /bytes/N (the same one bulwark-netd serves).
u8 next_pattern(u64& s)
{
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return u8(s);
}

u64 stream_seed(u64 size) { return size * 0x9e3779b97f4a7c15ull + 1; }

constexpr char page[] = "<!doctype html><html><head><title>Bulwark</title></head><body><h1>Bulwark</h1>"
                        "<p>Served by the kernel.</p></body></html>\n";

lib::StringView reason(unsigned status)
{
    switch (status) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 404:
        return "Not Found";
    case 413:
        return "Payload Too Large";
    case 431:
        return "Request Header Fields Too Large";
    default:
        return "Not Implemented";
    }
}

// Writes a response head into the (empty) output buffer. Invariant: it fits (heads are < 300
// bytes, the buffer is 8 KiB), so BufferSink never truncates.
void respond_head(Session& s, unsigned status, lib::StringView type, u64 length, lib::StringView extra = "")
{
    lib::BufferSink sink(reinterpret_cast<char*>(s.out) + s.out_len, sizeof s.out - s.out_len);
    lib::format(sink, "HTTP/1.1 {} {}\r\nServer: Bulwark\r\nContent-Type: {}\r\nContent-Length: {}\r\n{}Connection: {}\r\n\r\n",
        status, reason(status), type, length, extra, s.keep_alive ? "keep-alive" : "close");
    VERIFY(!sink.truncated());
    s.out_len += sink.view().length();
}

void respond(Session& s, unsigned status, lib::StringView type, lib::StringView body, bool head_only = false)
{
    respond_head(s, status, type, body.length());
    if (head_only)
        return;
    VERIFY(body.length() <= sizeof s.out - s.out_len);
    for (usize i = 0; i < body.length(); ++i)
        s.out[s.out_len + i] = u8(body[i]);
    s.out_len += body.length();
}

void start_stream(Session& s, u64 size, bool head_only)
{
    // The CRC goes in a header, so run the generator once over the whole stream first.
    u64 state = stream_seed(size);
    u32 crc = 0;
    u8 chunk[512];
    for (u64 left = size; left > 0;) {
        usize n = left < sizeof chunk ? usize(left) : sizeof chunk;
        for (usize i = 0; i < n; ++i)
            chunk[i] = next_pattern(state);
        crc = crc32_update(crc, chunk, n);
        left -= n;
    }
    char extra[32];
    lib::BufferSink sink(extra, sizeof extra);
    lib::format(sink, "X-CRC32: {:08x}\r\n", crc);
    respond_head(s, 200, "application/octet-stream", size, sink.view());
    if (head_only)
        return;
    s.stream_left = size;
    s.stream_state = stream_seed(size);
}

void handle_request(Session& s, const http::Request& r)
{
    s.keep_alive = r.keep_alive;
    bool head_only = r.method == http::Method::Head;
    if (r.method == http::Method::Post && r.target == "/sink") {
        s.in_body = true;
        s.body_left = r.content_length;
        s.body_bytes = 0;
        s.body_crc = 0;
        return;
    }
    if (r.method != http::Method::Get && r.method != http::Method::Head) {
        // An unread body would be taken for the next request: close after answering.
        s.keep_alive = false;
        respond(s, 501, "text/plain", "unsupported method\n");
        return;
    }
    if (r.target == "/" || r.target == "/index.html") {
        respond(s, 200, "text/html", page, head_only);
    } else if (r.target.starts_with("/bytes/")) {
        auto size = http::parse_decimal(r.target.substring(7), 10);
        if (!size.has_value())
            respond(s, 400, "text/plain", "bad size\n", head_only);
        else if (size.value() > max_stream)
            respond(s, 413, "text/plain", "at most 268435456 bytes\n", head_only);
        else
            start_stream(s, size.value(), head_only);
    } else {
        respond(s, 404, "text/plain", "not found\n", head_only);
    }
}

void consume_input(Session& s, usize n)
{
    for (usize i = n; i < s.in_len; ++i)
        s.in[i - n] = s.in[i];
    s.in_len -= n;
}

// Advances the HTTP session over buffered input: a body chunk, or one complete request. Called
// only with the output drained. False when it needs more input.
bool progress_http(Session& s)
{
    if (s.in_body) {
        if (s.body_left > 0) {
            if (s.in_len == 0)
                return false;
            usize n = s.body_left < s.in_len ? usize(s.body_left) : s.in_len;
            s.body_crc = crc32_update(s.body_crc, s.in, n);
            s.body_bytes += n;
            s.body_left -= n;
            consume_input(s, n);
        }
        if (s.body_left == 0) {
            s.in_body = false;
            char reply[48];
            lib::BufferSink sink(reply, sizeof reply);
            lib::format(sink, "{} {:08x}\n", s.body_bytes, s.body_crc);
            respond(s, 200, "text/plain", sink.view());
            s.closing = !s.keep_alive;
        }
        return true;
    }
    usize head = http::head_length(lib::ReadonlyBytes(s.in, s.in_len));
    if (head == 0) {
        if (s.in_len < sizeof s.in)
            return false;
        s.keep_alive = false;
        respond(s, 431, "text/plain", "request head too large\n");
        s.closing = true;
        return true;
    }
    auto request = http::parse(lib::StringView(reinterpret_cast<const char*>(s.in), head));
    if (request.is_error()) {
        s.keep_alive = false;
        respond(s, request.error() == http::HttpError::Unsupported ? 501 : 400, "text/plain", "bad request\n");
        s.closing = true;
        return true;
    }
    handle_request(s, request.value());
    consume_input(s, head);
    if (!s.in_body && !s.keep_alive)
        s.closing = true;
    return true;
}

// Moves output into the connection, generating /bytes/N data as the send buffer takes it. False
// when the connection failed.
bool flush_output(Sockets& sockets, Session& s, Instant t)
{
    for (;;) {
        if (s.out_sent == s.out_len) {
            s.out_len = s.out_sent = 0;
            if (s.stream_left == 0)
                return true;
            usize n = s.stream_left < sizeof s.out ? usize(s.stream_left) : sizeof s.out;
            for (usize i = 0; i < n; ++i)
                s.out[i] = next_pattern(s.stream_state);
            s.stream_left -= n;
            s.out_len = n;
        }
        auto sent = sockets.send(s.id, lib::ReadonlyBytes(s.out + s.out_sent, s.out_len - s.out_sent), t);
        if (sent.is_error())
            return sent.error() == SocketError::WouldBlock;
        if (sent.value() == 0)
            return true;
        s.out_sent += sent.value();
    }
}

// Runs one session as far as the connection allows; closes it when it is over.
void serve(Sockets& sockets, Session& s, Instant t)
{
    bool failed = false;
    for (;;) {
        if (!flush_output(sockets, s, t)) {
            failed = true;
            break;
        }
        if (s.out_sent < s.out_len || s.closing)
            break;
        if (s.service == Service::Http && progress_http(s))
            continue;
        lib::Bytes into = s.service == Service::Echo ? lib::Bytes(s.out, sizeof s.out)
                                                     : lib::Bytes(s.in + s.in_len, sizeof s.in - s.in_len);
        auto r = sockets.receive(s.id, into);
        if (r.is_error()) {
            failed = r.error() != SocketError::WouldBlock; // reset or timed out
            break;
        }
        if (r.value() == 0) { // the peer finished sending; a partial request is dropped
            s.closing = true;
            continue;
        }
        if (s.service == Service::Echo)
            s.out_len = r.value();
        else
            s.in_len += r.value();
    }
    if (failed || (s.closing && s.out_sent == s.out_len && s.stream_left == 0)) {
        (void)sockets.close(s.id, t);
        s.in_use = false;
    }
}

struct Listener {
    SocketId id;
    Service service;
};

Listener listen_on(Sockets& sockets, u16 port, Service service)
{
    auto l = sockets.socket(socket::SocketType::Stream);
    bool ok = l.is_ok();
    // Accepted sockets inherit TCP_NODELAY from their listener.
    ok = ok && sockets.set_option(l.value(), socket::SocketOption::TcpNoDelay, true, now()).is_ok();
    ok = ok && sockets.bind(l.value(), socket::Endpoint { wire::Ipv4Address::any(), port }).is_ok();
    ok = ok && sockets.listen(l.value(), 256).is_ok();
    if (!ok)
        panic("net: cannot listen on port {}", port);
    return Listener { l.value(), service };
}

void accept_all(Sockets& sockets, const Listener& listener, Session* sessions, Instant t)
{
    for (;;) {
        auto c = sockets.accept(listener.id);
        if (c.is_error())
            return;
        // Invariant: one session slot per socket slot, so the slot is free.
        Session& s = sessions[c.value().id.index];
        VERIFY(!s.in_use);
        s = Session {};
        s.in_use = true;
        s.id = c.value().id;
        s.service = listener.service;
        serve(sockets, s, t);
    }
}

} // namespace

void run_test_service(drivers::virtio::NetDevice& device, const boot::NetworkConfig& network)
{
    iface::InterfaceConfig config;
    config.mac = device.mac();
    if (network.dhcp) {
        config.addressing = iface::Addressing::Dhcp;
    } else {
        config.addressing = iface::Addressing::Static;
        config.static_ipv4.address = wire::Ipv4Address { network.address };
        config.static_ipv4.prefix_len = network.prefix_len;
        if (network.has_gateway)
            config.static_ipv4.gateway = wire::Ipv4Address { network.gateway };
    }
    auto* iface = new iface::Interface(config, device, now());
    u8 secret[16];
    arch::entropy::random_bytes(lib::Bytes(secret, sizeof secret));
    tcp::Config tcp_config;
    tcp_config.max_connections = 256;
    tcp_config.send_buffer = 16 * 1024;
    tcp_config.receive_buffer = 16 * 1024;
    tcp_config.time_wait_max = 128;
    auto* stack = new tcp::Stack(tcp_config, secret);
    socket::SocketsConfig socket_config;
    socket_config.max_sockets = tcp_config.max_connections + 8;
    auto* sockets = new Sockets(socket_config, *iface, *stack);
    Deliver deliver(*sockets);
    log::info("net: TCP ISN/cookie secret from the kernel entropy pool");

    Listener listeners[] = { listen_on(*sockets, 7, Service::Echo), listen_on(*sockets, 80, Service::Http) };
    auto* sessions = new Session[socket_config.max_sockets];
    log::info("net: test service on the socket layer: TCP echo on 7, HTTP on 80 ({})",
        network.dhcp ? "address by DHCP" : "static address");

    u32 last_address = 0;
    bool reported_broken = false;
    SocketId changed[64];
    for (;;) {
        (void)drivers::virtio::take_wakeup();
        usize frames = device.poll(deliver, 64);
        Instant t = now();
        sockets->poll(t);
        u32 address = iface->ipv4().address.value;
        if (address != last_address) {
            last_address = address;
            const auto& ip = iface->ipv4();
            log::info("net: address {}.{}.{}.{}/{}{}", ip.address.octet(0), ip.address.octet(1), ip.address.octet(2),
                ip.address.octet(3), ip.prefix_len, network.dhcp ? " (DHCP)" : "");
        }
        // Edge-triggered: only sockets whose readiness may have changed are looked at.
        for (usize n; (n = sockets->take_changes(lib::Span<SocketId>(changed, 64))) > 0;) {
            for (usize i = 0; i < n; ++i) {
                SocketId id = changed[i];
                bool handled = false;
                for (auto& l : listeners) {
                    if (l.id == id) {
                        handled = true;
                        if (sockets->poll_events(id) & socket::events::in)
                            accept_all(*sockets, l, sessions, t);
                    }
                }
                Session& s = sessions[id.index];
                if (!handled && s.in_use && s.id == id)
                    serve(*sockets, s, t);
            }
        }
        if (device.is_broken() && !reported_broken) {
            reported_broken = true;
            log::error("net: the network device is broken; the kernel keeps running without it");
        }
        // Sleep until an interrupt (virtio or the 100 Hz tick) unless work arrived meanwhile.
        arch::cli();
        if (frames == 0 && !drivers::virtio::take_wakeup())
            arch::sti_hlt();
        else
            arch::sti();
    }
}

} // namespace kernel::net_service
