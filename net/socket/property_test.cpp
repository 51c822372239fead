// A rapidcheck property: random sequences of socket calls on both sides of a simulated link (with
// stale handles, misuse, and time passing) never crash or panic, never hand out an error outside
// the call's documented set, and keep the counts consistent: the table holds exactly the handles
// the model holds, and once everything is closed and time has passed, no TCP connection, accept
// queue entry or UDP port remains.
#include "net/socket/sockets.h"
#include "net/socket/testing/socket_pair.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
#include <vector>

using namespace net;
using namespace net::socket;
using namespace net::socket::testing;

namespace {

enum class Op : u8 {
    Socket, Bind, Listen, Accept, Connect, Send, Receive, SendTo, ReceiveFrom, Shutdown, Close, Option, Poll,
    TakeError, TakeChanges, Advance,
};

struct Step {
    Op op;
    u8 side;
    u8 handle;  // index into the model's handle list (stale ones included)
    u8 arg;
};

struct Model {
    struct Handle {
        SocketId id;
        bool open;
    };
    std::vector<Handle> handles[2];
    u32 open(int side) const
    {
        u32 n = 0;
        for (const auto& h : handles[side])
            n += h.open;
        return n;
    }
};

// Errors no call may ever return in this test: it never passes a foreign address family.
bool plausible(SocketError e) { return e != SocketError::AddressFamilyNotSupported; }

} // namespace

RC_GTEST_PROP(SocketsProperty, RandomCallSequencesKeepCountsConsistent, ())
{
    SocketsConfig config;
    config.max_sockets = 10;
    config.max_pending_accepts = 4;
    SocketPair pair(config);
    Model model;
    const u16 ports[] = { 0, 80, 80, 5000 };
    u8 buffer[512] {};
    u8 payload[1024] {};
    // Coverage, shown by rapidcheck's tag summary: runs that got as far as accepting / exchanging data.
    bool accepted = false, streamed = false;

    // Weighted so that runs get through bind/listen/connect/accept to data and teardown.
    auto op = rc::gen::weightedElement<Op>({ { 12, Op::Socket }, { 8, Op::Bind }, { 8, Op::Listen }, { 10, Op::Accept },
        { 10, Op::Connect }, { 8, Op::Send }, { 8, Op::Receive }, { 4, Op::SendTo }, { 4, Op::ReceiveFrom },
        { 3, Op::Shutdown }, { 4, Op::Close }, { 2, Op::Option }, { 3, Op::Poll }, { 2, Op::TakeError },
        { 2, Op::TakeChanges }, { 12, Op::Advance } });
    auto steps = *rc::gen::resize(150, rc::gen::container<std::vector<Step>>(rc::gen::construct<Step>(
        op, rc::gen::inRange<u8>(0, 2), rc::gen::arbitrary<u8>(), rc::gen::arbitrary<u8>())));
    // Most runs start with a listener on port 80 on each side, so random calls reach the
    // connected states often; the others build everything from random calls.
    if (*rc::gen::inRange(0, 4) != 0) {
        for (int k = 0; k < 2; ++k) {
            SocketId l = pair.sockets(k).socket(SocketType::Stream).value();
            RC_ASSERT(pair.sockets(k).bind(l, { wire::Ipv4Address::any(), 80 }).is_ok());
            RC_ASSERT(pair.sockets(k).listen(l, 2).is_ok());
            model.handles[k].push_back({ l, true });
            SocketId c = pair.sockets(k).socket(SocketType::Stream).value();
            model.handles[k].push_back({ c, true });
            RC_ASSERT(pair.sockets(k).connect(c, pair.endpoint(1 - k, 80), pair.now()).error() == SocketError::InProgress);
        }
        pair.run_for(Duration::from_millis(10));
        for (int k = 0; k < 2; ++k) {
            auto a = pair.sockets(k).accept(model.handles[k][0].id);
            RC_ASSERT(a.is_ok());
            model.handles[k].push_back({ a.value().id, true });
        }
    }
    for (const Step& step : steps) {
        int side = step.side;
        Sockets& s = pair.sockets(side);
        auto& handles = model.handles[side];
        // Mostly an open handle; one time in eight any handle the run has seen, stale ones included.
        std::vector<SocketId> open;
        for (const auto& h : handles)
            if (h.open)
                open.push_back(h.id);
        SocketId id = SocketId { step.handle, 0 };
        if (!open.empty() && step.handle % 8 != 0)
            id = open[step.handle / 8 % open.size()];
        // accept() mostly on the first handle, the listener of runs that start with one, which
        // close()/shutdown()/listen() seldom touch.
        if (step.op == Op::Accept && step.handle % 2 == 0 && !handles.empty())
            id = handles[0].id;
        bool disruptive = step.op == Op::Close || step.op == Op::Shutdown || step.op == Op::Listen;
        if (disruptive && !handles.empty() && id == handles[0].id && step.arg % 8 != 0)
            id = open.size() > 1 ? open.back() : SocketId { config.max_sockets, 0 };
        else if (!handles.empty())
            id = handles[step.handle % handles.size()].id;
        Endpoint peer = pair.endpoint(1 - side, step.arg % 4 == 0 ? 5000 : 80);
        Endpoint local = { wire::Ipv4Address::any(), ports[step.arg % 4] };
        auto check = [&](auto result) {
            if (result.is_error())
                RC_ASSERT(plausible(result.error()));
            return result.is_ok();
        };
        switch (step.op) {
        case Op::Socket: {
            auto r = s.socket(step.arg & 1 ? SocketType::Datagram : SocketType::Stream);
            if (r.is_ok())
                handles.push_back({ r.value(), true });
            else
                RC_ASSERT(r.error() == SocketError::TooManyOpenFiles && model.open(side) == config.max_sockets);
            break;
        }
        case Op::Bind: check(s.bind(id, local)); break;
        case Op::Listen: check(s.listen(id, step.arg % 3)); break;
        case Op::Accept: {
            auto r = s.accept(id);
            if (r.is_ok()) {
                accepted = true;
                handles.push_back({ r.value().id, true });
                RC_ASSERT(s.peer_address(r.value().id).is_ok() || s.poll_events(r.value().id) & events::hup);
            }
            break;
        }
        case Op::Connect: check(s.connect(id, peer, pair.now())); break;
        case Op::Send: check(s.send(id, lib::ReadonlyBytes(payload, step.arg * 3u), pair.now())); break;
        case Op::Receive: {
            auto r = s.receive(id, lib::Bytes(buffer, step.arg % 2 ? sizeof buffer : 3));
            streamed |= check(r) && r.value() > 0;
            break;
        }
        case Op::SendTo: check(s.send_to(id, lib::ReadonlyBytes(payload, step.arg), peer, pair.now())); break;
        case Op::ReceiveFrom: {
            auto r = s.receive_from(id, lib::Bytes(buffer, sizeof buffer));
            if (r.is_ok())
                RC_ASSERT(r.value().copied <= r.value().length || r.value().length == 0);
            break;
        }
        case Op::Shutdown: check(s.shutdown(id, ShutdownHow(step.arg % 3), pair.now())); break;
        case Op::Close: {
            bool was_open = s.is_valid(id);
            auto r = s.close(id, pair.now());
            RC_ASSERT(r.is_ok() == was_open);
            for (auto& h : handles)
                if (h.id == id)
                    h.open = false;
            break;
        }
        case Op::Option: check(s.set_option(id, SocketOption(step.arg % 3), step.arg & 4, pair.now())); break;
        case Op::Poll: {
            u32 ev = s.poll_events(id);
            RC_ASSERT((ev == events::nval) == !s.is_valid(id));
            break;
        }
        case Op::TakeError: check(s.take_error(id)); break;
        case Op::TakeChanges: {
            SocketId changed[8];
            usize n = s.take_changes(lib::Span<SocketId>(changed, 8));
            for (usize i = 0; i < n; ++i)
                RC_ASSERT(s.is_valid(changed[i]));
            break;
        }
        case Op::Advance: pair.run_for(Duration::from_millis(u64(step.arg) * 20)); break;
        }
        for (int k = 0; k < 2; ++k) {
            RC_ASSERT(pair.sockets(k).sockets_in_use() == model.open(k));
            RC_ASSERT(pair.sockets(k).pending_accepts() <= config.max_pending_accepts);
            for (const auto& h : model.handles[k])
                RC_ASSERT(pair.sockets(k).is_valid(h.id) == h.open);
        }
    }

    RC_TAG(accepted, streamed);

    // Close everything; after TIME-WAIT and every other timer, nothing may remain.
    for (int k = 0; k < 2; ++k)
        for (auto& h : model.handles[k])
            if (h.open)
                RC_ASSERT(pair.sockets(k).close(h.id, pair.now()).is_ok());
    pair.run_for(Duration::from_secs(300));
    for (int k = 0; k < 2; ++k) {
        RC_ASSERT(pair.sockets(k).sockets_in_use() == 0u);
        RC_ASSERT(pair.sockets(k).pending_accepts() == 0u);
        RC_ASSERT(pair.stack(k).connections_in_use() == 0u);
        // Every UDP port is free again: binding the whole table succeeds.
        Sockets& s = pair.sockets(k);
        std::vector<SocketId> probes;
        for (usize i = 0; i < iface::UdpConfig {}.sockets && i < config.max_sockets; ++i) {
            SocketId d = s.socket(SocketType::Datagram).value();
            probes.push_back(d);
            RC_ASSERT(s.bind(d, { wire::Ipv4Address::any(), u16(5000 + i) }).is_ok());
        }
        for (auto d : probes)
            RC_ASSERT(s.close(d, pair.now()).is_ok());
    }
}
