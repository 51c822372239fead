// Test harness: two Sockets layers, each over its own Interface and tcp::Stack, joined by an
// in-memory Ethernet link with a simulated clock. Frames are real bytes, so everything below the
// socket layer (ARP, IPv4, TCP checksums) runs as it would on a wire. Test-only (uses the C++
// standard library).
#pragma once

#include "net/socket/sockets.h"

#include <deque>
#include <functional>
#include <memory>
#include <vector>

namespace net::socket::testing {

inline constexpr u8 secret[16] = { 2, 7, 1, 8, 2, 8, 1, 8, 2, 8, 4, 5, 9, 0, 4, 5 };

inline tcp::Config small_tcp_config()
{
    tcp::Config c;
    c.max_connections = 16;
    c.max_listeners = 4;
    c.send_buffer = 8192;
    c.receive_buffer = 8192;
    c.time_wait = Duration::from_secs(2);
    return c;
}

class SocketPair {
public:
    explicit SocketPair(const SocketsConfig& sockets = {}, const tcp::Config& tcp = small_tcp_config())
    {
        for (int side = 0; side < 2; ++side) {
            Node& n = m_nodes[side];
            n.link.pair = this;
            n.link.side = side;
            iface::InterfaceConfig config;
            config.mac = wire::EthernetAddress { { 0x02, 0, 0, 0, 0, u8(1 + side) } };
            config.static_ipv4.address = address(side);
            config.static_ipv4.prefix_len = 24;
            n.iface = std::make_unique<iface::Interface>(config, n.link, m_now);
            n.stack = std::make_unique<tcp::Stack>(tcp, secret);
            n.sockets = std::make_unique<Sockets>(sockets, *n.iface, *n.stack);
        }
    }

    static wire::Ipv4Address address(int side) { return wire::Ipv4Address::from_octets(10, 0, 0, u8(1 + side)); }
    static Endpoint endpoint(int side, u16 port) { return { address(side), port }; }
    Sockets& sockets(int side) { return *m_nodes[side].sockets; }
    tcp::Stack& stack(int side) { return *m_nodes[side].stack; }
    iface::Interface& iface(int side) { return *m_nodes[side].iface; }
    Instant now() const { return m_now; }
    // While true, frames sent by `side` vanish.
    bool cut[2] { false, false };
    u64 frames_delivered { 0 };

    // Delivers every frame in flight (and those sent in response), then runs both sides' timers.
    void pump()
    {
        for (int rounds = 0; rounds < 1000000 && !m_queue.empty(); ++rounds) {
            auto [to, frame] = std::move(m_queue.front());
            m_queue.pop_front();
            ++frames_delivered;
            m_nodes[to].sockets->receive_frame(lib::ReadonlyBytes(frame.data(), frame.size()), m_now);
        }
        for (auto& n : m_nodes)
            n.sockets->poll(m_now);
    }

    // Runs the link and the clock (jumping from deadline to deadline) until `done` holds or `limit`
    // of simulated time has passed. Returns done().
    bool run_until(const std::function<bool()>& done, Duration limit = Duration::from_secs(10))
    {
        Instant end = m_now + limit;
        for (;;) {
            pump();
            if (done())
                return true;
            if (!m_queue.empty())
                continue;
            Instant next = Instant::never();
            for (auto& n : m_nodes)
                next = lib::min(next, n.sockets->next_deadline());
            if (next > end || next == Instant::never()) {
                m_now = end;
                pump();
                return done();
            }
            m_now = lib::max(next, m_now + Duration { 1 });
        }
    }
    void run_for(Duration d) { run_until([] { return false; }, d); }
    void settle() { run_until([] { return false; }, Duration::from_millis(1)); }

private:
    struct Link final : iface::FrameSink {
        SocketPair* pair { nullptr };
        int side { 0 };
        void transmit(lib::ReadonlyBytes frame) override
        {
            if (!pair->cut[side])
                pair->m_queue.emplace_back(1 - side, std::vector<u8>(frame.begin(), frame.end()));
        }
    };
    struct Node {
        Link link;
        std::unique_ptr<iface::Interface> iface;
        std::unique_ptr<tcp::Stack> stack;
        std::unique_ptr<Sockets> sockets;
    };

    Instant m_now { Instant::from_millis(1000) };
    std::deque<std::pair<int, std::vector<u8>>> m_queue;
    Node m_nodes[2];
};

} // namespace net::socket::testing
