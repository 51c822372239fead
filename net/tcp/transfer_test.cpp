// Bulk transfers between two Stacks over the simulated link, under loss, reordering,
// duplication and corruption (each alone and all together): every byte must arrive, in order,
// and both connections must close cleanly (TIME-WAIT included) with no slot left behind.
#include "net/tcp/testing/sim_link.h"

#include <gtest/gtest.h>

#include <random>

using namespace net;
using namespace net::tcp;
using namespace net::tcp::testing;

namespace {

Config link_config()
{
    Config c;
    c.max_connections = 8;
    c.max_listeners = 2;
    c.send_buffer = 64 * 1024;
    c.receive_buffer = 64 * 1024;
    c.time_wait = Duration::from_secs(1);
    return c;
}

struct Endpoint_ {
    lib::Optional<ConnectionId> id;
    std::vector<u8> outgoing;
    std::vector<u8> received;
    usize sent { 0 };
    bool shut { false };
    bool eof { false };
    bool closed { false };
};

struct TransferOutcome {
    bool finished { false };
    Instant elapsed;
};

// Side 0 connects to side 1 (listening on port 80); each sends its bytes, shuts down its write
// half when done, and closes after reading EOF.
TransferOutcome transfer(SimLink& link, usize a_to_b, usize b_to_a, u64 seed, Endpoint_ (&ends)[2])
{
    std::mt19937_64 rng(seed);
    ends[0].outgoing.resize(a_to_b);
    ends[1].outgoing.resize(b_to_a);
    for (auto& e : ends)
        for (auto& b : e.outgoing)
            b = u8(rng());
    ListenerId l = link.stack(1).listen(link.endpoint(1, 80), 4).release_value();
    Instant start = link.now();
    ends[0].id = link.stack(0).connect(link.endpoint(0, 0), link.endpoint(1, 80), start, link.sink(0)).release_value();
    std::vector<u8> buffer(32 * 1024);
    auto pump = [&] {
        for (int side = 0; side < 2; ++side) {
            Stack& s = link.stack(side);
            Endpoint_& e = ends[side];
            if (!e.id) {
                auto accepted = s.accept(l);
                if (accepted.is_error())
                    continue;
                e.id = accepted.value();
            }
            if (e.closed)
                continue;
            ConnectionId id = *e.id;
            while (e.sent < e.outgoing.size()) {
                auto n = s.send(id, lib::ReadonlyBytes(e.outgoing.data() + e.sent, e.outgoing.size() - e.sent), link.now(), link.sink(side));
                if (n.is_error() || n.value() == 0)
                    break;
                e.sent += n.value();
            }
            if (e.sent == e.outgoing.size() && !e.shut && s.state(id) != State::SynSent)
                e.shut = s.shutdown_write(id, link.now(), link.sink(side)).is_ok();
            for (;;) {
                auto n = s.receive(id, lib::Bytes(buffer.data(), buffer.size()));
                if (n.is_error())
                    break;
                if (n.value() == 0) {
                    e.eof = true;
                    break;
                }
                e.received.insert(e.received.end(), buffer.begin(), buffer.begin() + n.value());
            }
            if (e.eof && e.shut) {
                e.closed = s.close(id, link.now(), link.sink(side)).is_ok();
            }
        }
    };
    auto done = [&] {
        return ends[0].closed && ends[1].closed && link.stack(0).connections_in_use() == 0
            && link.stack(1).connections_in_use() == 0;
    };
    bool finished = link.run(done, start + Duration::from_secs(3600), pump);
    return { finished, Instant { (link.now() - start).micros } };
}

struct Case {
    const char* name;
    Impairments impairments;
    usize a_to_b;
    usize b_to_a;
};

class Transfer : public ::testing::TestWithParam<Case> { };

void run_case(const Case& c, u64 seed);

TEST_P(Transfer, ArrivesCompleteInOrderAndCloses)
{
    for (u64 seed = 0; seed < 3; ++seed)
        run_case(GetParam(), seed);
}

void run_case(const Case& c, u64 seed)
{
    SCOPED_TRACE(seed);
    SimLink link(link_config(), 0x5eed0000 + c.a_to_b + c.b_to_a + seed * 7919);
    link.impairments = c.impairments;
    Endpoint_ ends[2];
    TransferOutcome outcome = transfer(link, c.a_to_b, c.b_to_a, 7 + seed, ends);
    ASSERT_TRUE(outcome.finished) << "stalled at " << link.now().millis() << " ms; received " << ends[1].received.size()
                                  << "/" << c.a_to_b << " and " << ends[0].received.size() << "/" << c.b_to_a;
    EXPECT_TRUE(ends[1].received == ends[0].outgoing);
    EXPECT_TRUE(ends[0].received == ends[1].outgoing);
    const LinkStats& st = link.stats();
    EXPECT_EQ(st.corrupted_accepted, 0u);
    if (c.impairments.loss > 0)
        EXPECT_GT(st.lost, 0u);
    if (c.impairments.corrupt > 0)
        EXPECT_GT(st.rejected, 0u);
    if (c.impairments.duplicate > 0)
        EXPECT_GT(st.duplicated, 0u);
    if (c.impairments.reorder > 0)
        EXPECT_GT(st.reordered, 0u);
    u64 retransmits = link.stack(0).counters().retransmits + link.stack(1).counters().retransmits;
    if (c.impairments.loss > 0 || c.impairments.corrupt > 0)
        EXPECT_GT(retransmits, 0u);
    if (c.impairments.loss == 0 && c.impairments.corrupt == 0 && c.impairments.reorder == 0)
        EXPECT_EQ(retransmits, 0u);
    std::printf("  %s/seed %llu: %zu+%zu bytes in %llu ms simulated, %llu segments, %llu retransmits (%llu fast), %llu RTOs\n", c.name,
        (unsigned long long)seed, c.a_to_b, c.b_to_a, (unsigned long long)outcome.elapsed.millis(), (unsigned long long)st.sent,
        (unsigned long long)retransmits,
        (unsigned long long)(link.stack(0).counters().fast_retransmits + link.stack(1).counters().fast_retransmits),
        (unsigned long long)(link.stack(0).counters().rto_timeouts + link.stack(1).counters().rto_timeouts));
}

constexpr usize MiB = 1024 * 1024;

INSTANTIATE_TEST_SUITE_P(Impairments, Transfer,
    ::testing::Values(Case { "clean", {}, 4 * MiB, 0 },
        Case { "loss5", { 0.05, 0, 0, 0 }, 2 * MiB, 0 },
        Case { "reorder10", { 0, 0.10, 0, 0 }, 2 * MiB, 0 },
        Case { "duplicate1", { 0, 0, 0.01, 0 }, 2 * MiB, 0 },
        Case { "corrupt1", { 0, 0, 0, 0.01 }, 2 * MiB, 0 },
        Case { "all", { 0.05, 0.10, 0.01, 0.01 }, 1 * MiB, 1 * MiB },
        Case { "both_ways_clean", {}, 1 * MiB, 1 * MiB },
        Case { "heavy", { 0.15, 0.20, 0.05, 0.05 }, 512 * 1024, 512 * 1024 }),
    [](const ::testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

} // namespace
