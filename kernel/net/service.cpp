// Glue between the virtio-net driver and net/ (interface + TCP), the kernel poll loop, and the
// test=net service: TCP echo (port 7) and a tiny HTTP responder (port 80).
#include "kernel/net/service.h"

#include "kernel/arch/x86_64/clock.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/entropy.h"
#include "kernel/lib/log.h"
#include "kernel/lib/panic.h"
#include "net/iface/interface.h"
#include "net/tcp/stack.h"

namespace kernel::net_service {

namespace {

using namespace ::net;

Instant now() { return Instant { arch::clock::monotonic_ns() / 1000 }; }

class TcpGlue final : public iface::TcpHandler, public tcp::SegmentSink {
public:
    explicit TcpGlue(tcp::Stack& stack) : m_stack(stack) { }
    void attach(iface::Interface& iface) { m_iface = &iface; }
    void set_now(Instant t) { m_now = t; }
    void on_segment(wire::Ipv4Address src, wire::Ipv4Address dst, const wire::TcpRepr& segment, lib::ReadonlyBytes payload,
        Instant t) override
    {
        m_now = t;
        tcp::FourTuple tuple { { dst, segment.dst_port }, { src, segment.src_port } };
        m_stack.on_segment(tuple, segment, payload, t, *this);
    }
    void poll(Instant t) override
    {
        m_now = t;
        m_stack.poll(t, *this);
    }
    Instant next_deadline() const override { return m_stack.next_deadline(); }
    void send(const tcp::FourTuple& tuple, const wire::TcpRepr& segment, lib::ReadonlyBytes payload) override
    {
        (void)m_iface->send_tcp(tuple.local.address, tuple.remote.address, segment, payload, m_now);
    }

private:
    tcp::Stack& m_stack;
    iface::Interface* m_iface { nullptr };
    Instant m_now {};
};

class Deliver final : public drivers::virtio::NetDevice::Receiver {
public:
    explicit Deliver(iface::Interface& iface) : m_iface(iface) { }
    void receive_frame(lib::ReadonlyBytes frame) override { m_iface.receive(frame, now()); }

private:
    iface::Interface& m_iface;
};

enum class Service : u8 { Echo, Http };

// One connection. Echo keeps unsent bytes in `pending`; HTTP collects the request head, then
// sends the page and closes.
struct Session {
    bool in_use { false };
    tcp::ConnectionId id {};
    Service service { Service::Echo };
    u8 pending[4096] {};
    usize pending_len { 0 };
    usize pending_sent { 0 };
    usize request_len { 0 };
    char request_tail[4] {};
    bool closing { false };
};

constexpr usize max_sessions = 128;

constexpr char page[] = "HTTP/1.0 200 OK\r\nServer: Bulwark\r\nContent-Type: text/html\r\nConnection: close\r\n"
                        "Content-Length: 121\r\n\r\n"
                        "<!doctype html><html><head><title>Bulwark</title></head><body><h1>Bulwark</h1>"
                        "<p>Served by the kernel.</p></body></html>\n";

// Appends `bytes` to the session's pending output (bounded by the buffer).
void queue_output(Session& s, const u8* bytes, usize n)
{
    usize room = sizeof(s.pending) - s.pending_len;
    if (n > room)
        n = room;
    for (usize i = 0; i < n; ++i)
        s.pending[s.pending_len + i] = bytes[i];
    s.pending_len += n;
}

void flush(tcp::Stack& stack, Session& s, Instant t, tcp::SegmentSink& sink)
{
    while (s.pending_sent < s.pending_len) {
        auto sent = stack.send(s.id, lib::ReadonlyBytes(s.pending + s.pending_sent, s.pending_len - s.pending_sent), t, sink);
        if (sent.is_error() || sent.value() == 0)
            return;
        s.pending_sent += sent.value();
    }
    s.pending_len = s.pending_sent = 0;
}

// Feeds received bytes to the HTTP service: the request ends at the first blank line.
bool http_request_complete(Session& s, const u8* data, usize n)
{
    for (usize i = 0; i < n; ++i) {
        s.request_tail[0] = s.request_tail[1];
        s.request_tail[1] = s.request_tail[2];
        s.request_tail[2] = s.request_tail[3];
        s.request_tail[3] = char(data[i]);
        ++s.request_len;
        if (s.request_tail[0] == '\r' && s.request_tail[1] == '\n' && s.request_tail[2] == '\r' && s.request_tail[3] == '\n')
            return true;
    }
    return false;
}

void serve(tcp::Stack& stack, Session& s, Instant t, TcpGlue& glue)
{
    u8 buffer[2048];
    // Echo reads only while its output buffer has room for what it reads.
    while (!s.closing && (s.service == Service::Http || s.pending_len == 0)) {
        auto r = stack.receive(s.id, lib::Bytes(buffer, sizeof buffer));
        if (r.is_error()) {
            if (r.error() != tcp::TcpError::WouldBlock) {
                (void)stack.close(s.id, t, glue);
                s.in_use = false;
                return;
            }
            break;
        }
        if (r.value() == 0) {
            s.closing = true;
            break;
        }
        if (s.service == Service::Echo) {
            queue_output(s, buffer, r.value());
            flush(stack, s, t, glue);
        } else if (http_request_complete(s, buffer, r.value()) || s.request_len > 8192) {
            queue_output(s, reinterpret_cast<const u8*>(page), sizeof(page) - 1);
            s.closing = true;
        }
    }
    flush(stack, s, t, glue);
    if (s.closing && s.pending_len == 0) {
        (void)stack.close(s.id, t, glue);
        s.in_use = false;
    }
}

// The page's Content-Length must match its body.
constexpr usize body_length()
{
    usize i = 0;
    while (!(page[i] == '\r' && page[i + 1] == '\n' && page[i + 2] == '\r' && page[i + 3] == '\n'))
        ++i;
    return sizeof(page) - 1 - (i + 4);
}
static_assert(body_length() == 121);

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
    TcpGlue glue(*stack);
    glue.attach(*iface);
    iface->set_tcp_handler(&glue);
    Deliver deliver(*iface);
    log::info("net: TCP ISN/cookie secret from the kernel entropy pool");

    struct Listener {
        tcp::ListenerId id;
        Service service;
    } listeners[2] {};
    u16 ports[2] = { 7, 80 };
    for (int i = 0; i < 2; ++i) {
        auto l = stack->listen(tcp::Endpoint { wire::Ipv4Address::any(), ports[i] }, 256);
        if (l.is_error())
            panic("net: cannot listen on port {}", ports[i]);
        listeners[i] = Listener { l.value(), i == 0 ? Service::Echo : Service::Http };
    }
    auto* sessions = new Session[max_sessions];
    log::info("net: test service: TCP echo on 7, HTTP on 80 ({})", network.dhcp ? "address by DHCP" : "static address");

    u32 last_address = 0;
    bool reported_broken = false;
    for (;;) {
        (void)drivers::virtio::take_wakeup();
        Instant t = now();
        glue.set_now(t);
        usize frames = device.poll(deliver, 64);
        t = now();
        glue.set_now(t);
        iface->poll(t);
        u32 address = iface->ipv4().address.value;
        if (address != last_address) {
            last_address = address;
            const auto& ip = iface->ipv4();
            log::info("net: address {}.{}.{}.{}/{}{}", ip.address.octet(0), ip.address.octet(1), ip.address.octet(2),
                ip.address.octet(3), ip.prefix_len, network.dhcp ? " (DHCP)" : "");
        }
        for (auto& l : listeners) {
            for (;;) {
                auto c = stack->accept(l.id);
                if (c.is_error())
                    break;
                Session* free = nullptr;
                for (usize i = 0; i < max_sessions && !free; ++i)
                    free = sessions[i].in_use ? nullptr : &sessions[i];
                if (!free) {
                    (void)stack->abort(c.value(), t, glue);
                    continue;
                }
                *free = Session {};
                free->in_use = true;
                free->id = c.value();
                free->service = l.service;
                (void)stack->set_nodelay(c.value(), true);
            }
        }
        for (usize i = 0; i < max_sessions; ++i) {
            if (sessions[i].in_use)
                serve(*stack, sessions[i], t, glue);
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
