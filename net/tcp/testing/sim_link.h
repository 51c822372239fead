// Test harness: two Stacks joined by a simulated link with a simulated clock. Segments travel as
// real bytes (TcpRepr::emit, then TcpView::checked + TcpRepr::parse with checksum verification),
// so loss, reordering, duplication and corruption act on the wire format as a real link would.
#pragma once

#include "net/tcp/stack.h"

#include <functional>
#include <memory>
#include <random>
#include <vector>

namespace net::tcp::testing {

// Captures what a stack sends, for segment-by-segment scenario tests.
struct CapturedSegment {
    FourTuple tuple;
    wire::TcpRepr repr;
    std::vector<u8> payload;
};

class CaptureSink final : public SegmentSink {
public:
    void send(const FourTuple& t, const wire::TcpRepr& r, lib::ReadonlyBytes p) override
    {
        segments.push_back({ t, r, std::vector<u8>(p.begin(), p.end()) });
    }
    // Removes and returns everything captured so far.
    std::vector<CapturedSegment> take()
    {
        std::vector<CapturedSegment> out;
        out.swap(segments);
        return out;
    }
    std::vector<CapturedSegment> segments;
};

struct Impairments {
    double loss { 0 };       // probability a segment vanishes
    double reorder { 0 };    // probability it is held back by up to `reorder_delay`
    double duplicate { 0 };  // probability it is delivered twice
    double corrupt { 0 };    // probability one byte is flipped (the receiver must then drop it)
};

struct LinkStats {
    u64 sent { 0 };
    u64 delivered { 0 };
    u64 lost { 0 };
    u64 reordered { 0 };
    u64 duplicated { 0 };
    u64 corrupted { 0 };
    u64 rejected { 0 };           // failed TcpView::checked / TcpRepr::parse
    u64 corrupted_accepted { 0 }; // corrupted yet parsed: must stay 0
};

class SimLink {
public:
    // Side 0 has address 10.0.0.1, side 1 10.0.0.2.
    SimLink(const Config&, u64 seed);

    Stack& stack(int side) { return *m_stacks[side]; }
    SegmentSink& sink(int side) { return m_sides[side]; }
    Endpoint endpoint(int side, u16 port) const { return { address(side), port }; }
    static wire::Ipv4Address address(int side) { return wire::Ipv4Address::from_octets(10, 0, 0, u8(1 + side)); }

    Instant now() const { return m_now; }
    Impairments impairments;
    Duration latency { Duration::from_millis(1) };
    Duration reorder_delay { Duration::from_millis(4) };
    const LinkStats& stats() const { return m_stats; }

    // Runs the event loop: deliveries, timers and `app` (called after every step) until `done`
    // holds or simulated time passes `until`. Returns done().
    bool run(const std::function<bool()>& done, Instant until, const std::function<void()>& app = {});

private:
    struct Side final : SegmentSink {
        SimLink* link { nullptr };
        int index { 0 };
        void send(const FourTuple&, const wire::TcpRepr&, lib::ReadonlyBytes) override;
    };
    struct InFlight {
        Instant at;
        u64 order;
        int to;
        std::vector<u8> bytes;
        wire::Ipv4Address src, dst;
    };
    void transmit(int from, const FourTuple&, const wire::TcpRepr&, lib::ReadonlyBytes);
    void enqueue(InFlight);
    void deliver(const InFlight&);
    double uniform() { return std::uniform_real_distribution<double>(0, 1)(m_rng); }

    std::unique_ptr<Stack> m_stacks[2];
    Side m_sides[2];
    Instant m_now { Instant::from_millis(1000) };
    std::vector<InFlight> m_queue;
    u64 m_order { 0 };
    std::mt19937_64 m_rng;
    LinkStats m_stats;
};

} // namespace net::tcp::testing
