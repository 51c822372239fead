// Stream sockets end to end: two socket layers over a simulated Ethernet link, with the epoll bits
// checked at each step of connect / accept / send / receive / shutdown / close, the errors of a
// refused, reset and timed-out connection, and the errno of each misuse as Linux returns it.
#include "net/socket/sockets.h"
#include "net/socket/testing/socket_pair.h"

#include <gtest/gtest.h>
#include <string>
#include <vector>

using namespace net;
using namespace net::socket;
using namespace net::socket::testing;

namespace {

constexpr u32 IN = events::in, OUT = events::out, ERR = events::err, HUP = events::hup, RDHUP = events::rdhup;
constexpr int A = 0, B = 1; // A is the client (10.0.0.1), B the server (10.0.0.2)

lib::ReadonlyBytes bytes(const std::string& s) { return { reinterpret_cast<const u8*>(s.data()), s.size() }; }

template<typename T> SocketError error_of(const lib::Result<T, SocketError>& r)
{
    EXPECT_TRUE(r.is_error());
    return r.is_error() ? r.error() : SocketError::InvalidArgument;
}

struct Fixture : ::testing::Test {
    SocketPair pair;
    Sockets& a = pair.sockets(A);
    Sockets& b = pair.sockets(B);

    SocketId listener(u16 port, u32 backlog = 16)
    {
        SocketId l = b.socket(SocketType::Stream).value();
        EXPECT_TRUE(b.bind(l, { wire::Ipv4Address::any(), port }).is_ok());
        EXPECT_TRUE(b.listen(l, backlog).is_ok());
        return l;
    }
    // A connected pair of sockets: {client on A, server on B}.
    std::pair<SocketId, SocketId> connected(SocketId l, u16 port)
    {
        SocketId c = a.socket(SocketType::Stream).value();
        EXPECT_EQ(error_of(a.connect(c, pair.endpoint(B, port), pair.now())), SocketError::InProgress);
        EXPECT_TRUE(pair.run_until([&] { return (b.poll_events(l) & IN) && (a.poll_events(c) & OUT); }));
        auto accepted = b.accept(l);
        EXPECT_TRUE(accepted.is_ok());
        return { c, accepted.is_ok() ? accepted.value().id : SocketId {} };
    }
    std::string read_all(Sockets& s, SocketId id)
    {
        std::string out;
        u8 buffer[1024];
        for (;;) {
            auto r = s.receive(id, lib::Bytes(buffer, sizeof buffer));
            if (r.is_error() || r.value() == 0)
                return out;
            out.append(reinterpret_cast<char*>(buffer), r.value());
        }
    }
};

using Stream = Fixture;

TEST_F(Stream, ConnectAcceptSendReceiveShutdownCloseWithReadinessAtEachStep)
{
    SocketId l = listener(80);
    EXPECT_EQ(b.poll_events(l), 0u);

    SocketId c = a.socket(SocketType::Stream).value();
    // A fresh socket is CLOSE in Linux's eyes: writable and hung up.
    EXPECT_EQ(a.poll_events(c), OUT | HUP);
    EXPECT_EQ(error_of(a.connect(c, pair.endpoint(B, 80), pair.now())), SocketError::InProgress);
    // Handshake under way: no bits at all, and a second connect says so.
    EXPECT_EQ(a.poll_events(c), 0u);
    EXPECT_EQ(error_of(a.connect(c, pair.endpoint(B, 80), pair.now())), SocketError::AlreadyInProgress);
    EXPECT_EQ(error_of(a.peer_address(c)), SocketError::NotConnected);
    EXPECT_EQ(error_of(a.send(c, bytes("x"), pair.now())), SocketError::WouldBlock);
    u8 buffer[64];
    EXPECT_EQ(error_of(a.receive(c, lib::Bytes(buffer, sizeof buffer))), SocketError::WouldBlock);

    u32 client_generation = a.readiness_generation(c);
    u32 listener_generation = b.readiness_generation(l);
    ASSERT_TRUE(pair.run_until([&] { return (b.poll_events(l) & IN) != 0; }));
    EXPECT_EQ(b.poll_events(l), IN);
    EXPECT_NE(b.readiness_generation(l), listener_generation);
    // Non-blocking connect completed: writable, no error, and connect() now succeeds once.
    EXPECT_EQ(a.poll_events(c), OUT);
    EXPECT_NE(a.readiness_generation(c), client_generation);
    auto error = a.take_error(c);
    ASSERT_TRUE(error.is_ok());
    EXPECT_FALSE(error.value().has_value());
    EXPECT_TRUE(a.connect(c, pair.endpoint(B, 80), pair.now()).is_ok());
    EXPECT_EQ(error_of(a.connect(c, pair.endpoint(B, 80), pair.now())), SocketError::AlreadyConnected);

    auto accepted = b.accept(l);
    ASSERT_TRUE(accepted.is_ok());
    SocketId s = accepted.value().id;
    Endpoint client_local = a.local_address(c).value();
    EXPECT_EQ(client_local.address, pair.address(A));
    EXPECT_GE(client_local.port, 49152);
    EXPECT_EQ(accepted.value().peer, client_local);
    EXPECT_EQ(b.peer_address(s).value(), client_local);
    EXPECT_EQ(b.local_address(s).value(), pair.endpoint(B, 80));
    EXPECT_EQ(a.peer_address(c).value(), pair.endpoint(B, 80));
    EXPECT_EQ(b.poll_events(l), 0u);
    EXPECT_EQ(error_of(b.accept(l)), SocketError::WouldBlock);
    EXPECT_EQ(b.poll_events(s), OUT);

    // Data: readable on arrival, not after it is read.
    u32 server_generation = b.readiness_generation(s);
    EXPECT_EQ(a.send(c, bytes("hello"), pair.now()).value(), 5u);
    pair.settle();
    EXPECT_EQ(b.poll_events(s), IN | OUT);
    EXPECT_NE(b.readiness_generation(s), server_generation);
    EXPECT_EQ(read_all(b, s), "hello");
    EXPECT_EQ(b.poll_events(s), OUT);
    EXPECT_EQ(error_of(b.receive(s, lib::Bytes(buffer, sizeof buffer))), SocketError::WouldBlock);

    // The client shuts down writing: the server sees EOF as IN|RDHUP (still writable).
    ASSERT_TRUE(a.shutdown(c, ShutdownHow::Write, pair.now()).is_ok());
    EXPECT_EQ(a.poll_events(c), OUT); // SEND_SHUTDOWN: OUT, and send fails at once
    EXPECT_EQ(error_of(a.send(c, bytes("x"), pair.now())), SocketError::BrokenPipe);
    pair.settle();
    EXPECT_EQ(b.poll_events(s), IN | OUT | RDHUP);
    EXPECT_EQ(b.receive(s, lib::Bytes(buffer, sizeof buffer)).value(), 0u);
    EXPECT_EQ(b.poll_events(s), IN | OUT | RDHUP);

    // Half-closed: the server can still send.
    EXPECT_EQ(b.send(s, bytes("bye"), pair.now()).value(), 3u);
    pair.settle();
    EXPECT_EQ(a.poll_events(c), IN | OUT);
    EXPECT_EQ(read_all(a, c), "bye");

    // The server closes: the client has both directions shut, so HUP joins in.
    ASSERT_TRUE(b.close(s, pair.now()).is_ok());
    EXPECT_EQ(b.poll_events(s), events::nval);
    pair.settle();
    EXPECT_EQ(a.poll_events(c), IN | OUT | HUP | RDHUP);
    EXPECT_EQ(a.receive(c, lib::Bytes(buffer, sizeof buffer)).value(), 0u);
    ASSERT_TRUE(a.close(c, pair.now()).is_ok());

    ASSERT_TRUE(b.close(l, pair.now()).is_ok());
    EXPECT_EQ(a.sockets_in_use(), 0u);
    EXPECT_EQ(b.sockets_in_use(), 0u);
    // TIME-WAIT and the rest drain; nothing leaks in either stack.
    pair.run_for(Duration::from_secs(10));
    EXPECT_EQ(pair.stack(A).connections_in_use(), 0u);
    EXPECT_EQ(pair.stack(B).connections_in_use(), 0u);
}

TEST_F(Stream, ClosedPortIsRefused)
{
    SocketId c = a.socket(SocketType::Stream).value();
    EXPECT_EQ(error_of(a.connect(c, pair.endpoint(B, 81), pair.now())), SocketError::InProgress);
    u32 generation = a.readiness_generation(c);
    ASSERT_TRUE(pair.run_until([&] { return a.poll_events(c) != 0; }));
    EXPECT_NE(a.readiness_generation(c), generation);
    // tcp_done(): everything shut, error pending.
    EXPECT_EQ(a.poll_events(c), IN | OUT | ERR | HUP | RDHUP);
    auto error = a.take_error(c);
    ASSERT_TRUE(error.is_ok() && error.value().has_value());
    EXPECT_EQ(*error.value(), SocketError::ConnectionRefused);
    // SO_ERROR is consumed by reading it.
    EXPECT_EQ(a.poll_events(c), IN | OUT | HUP | RDHUP);
    EXPECT_FALSE(a.take_error(c).value().has_value());
    u8 buffer[8];
    EXPECT_EQ(a.receive(c, lib::Bytes(buffer, sizeof buffer)).value(), 0u);
    EXPECT_EQ(error_of(a.send(c, bytes("x"), pair.now())), SocketError::BrokenPipe);
    // connect() again: the failure was reported, so ECONNABORTED, and the socket is unconnected.
    EXPECT_EQ(error_of(a.connect(c, pair.endpoint(B, 81), pair.now())), SocketError::ConnectionAborted);
    EXPECT_EQ(a.poll_events(c), OUT | HUP);

    // A socket whose failure nobody read yet reports it from connect().
    EXPECT_EQ(error_of(a.connect(c, pair.endpoint(B, 81), pair.now())), SocketError::InProgress);
    ASSERT_TRUE(pair.run_until([&] { return (a.poll_events(c) & ERR) != 0; }));
    EXPECT_EQ(error_of(a.connect(c, pair.endpoint(B, 81), pair.now())), SocketError::ConnectionRefused);

    // ... and it can then connect somewhere that listens.
    SocketId l = listener(80);
    EXPECT_EQ(error_of(a.connect(c, pair.endpoint(B, 80), pair.now())), SocketError::InProgress);
    ASSERT_TRUE(pair.run_until([&] { return a.poll_events(c) == OUT; }));
    EXPECT_TRUE(b.accept(l).is_ok());
}

TEST_F(Stream, RefusedErrorIsReportedByReceiveOnce)
{
    SocketId c = a.socket(SocketType::Stream).value();
    EXPECT_EQ(error_of(a.connect(c, pair.endpoint(B, 81), pair.now())), SocketError::InProgress);
    ASSERT_TRUE(pair.run_until([&] { return (a.poll_events(c) & ERR) != 0; }));
    u8 buffer[8];
    EXPECT_EQ(error_of(a.receive(c, lib::Bytes(buffer, sizeof buffer))), SocketError::ConnectionRefused);
    EXPECT_EQ(a.poll_events(c) & ERR, 0u);
    EXPECT_EQ(a.receive(c, lib::Bytes(buffer, sizeof buffer)).value(), 0u);
}

TEST_F(Stream, ResetShowsErrAndHupThenEofAndBrokenPipe)
{
    SocketId l = listener(80);
    auto conn = connected(l, 80);
    SocketId c = conn.first, s = conn.second;
    // The server closes with unread data: RFC 1122 §4.2.2.13 says RST.
    EXPECT_EQ(a.send(c, bytes("unread"), pair.now()).value(), 6u);
    pair.settle();
    ASSERT_TRUE(b.poll_events(s) & IN);
    u32 generation = a.readiness_generation(c);
    ASSERT_TRUE(b.close(s, pair.now()).is_ok());
    pair.settle();
    EXPECT_NE(a.readiness_generation(c), generation);
    EXPECT_EQ(a.poll_events(c), IN | OUT | ERR | HUP | RDHUP);
    EXPECT_EQ(error_of(a.peer_address(c)), SocketError::NotConnected);
    // send() reports the reset first, then EPIPE.
    EXPECT_EQ(error_of(a.send(c, bytes("x"), pair.now())), SocketError::ConnectionReset);
    EXPECT_EQ(a.poll_events(c), IN | OUT | HUP | RDHUP);
    EXPECT_EQ(error_of(a.send(c, bytes("x"), pair.now())), SocketError::BrokenPipe);
    u8 buffer[8];
    EXPECT_EQ(a.receive(c, lib::Bytes(buffer, sizeof buffer)).value(), 0u);
    EXPECT_EQ(error_of(a.shutdown(c, ShutdownHow::Write, pair.now())), SocketError::NotConnected);
    EXPECT_FALSE(a.take_error(c).value().has_value());
    EXPECT_TRUE(a.close(c, pair.now()).is_ok());
}

TEST_F(Stream, ResetIsReportedByReceive)
{
    SocketId l = listener(80);
    auto conn = connected(l, 80);
    SocketId c = conn.first, s = conn.second;
    EXPECT_EQ(a.send(c, bytes("unread"), pair.now()).value(), 6u);
    pair.settle();
    ASSERT_TRUE(b.close(s, pair.now()).is_ok());
    pair.settle();
    u8 buffer[8];
    EXPECT_EQ(error_of(a.receive(c, lib::Bytes(buffer, sizeof buffer))), SocketError::ConnectionReset);
    EXPECT_EQ(a.receive(c, lib::Bytes(buffer, sizeof buffer)).value(), 0u);
    EXPECT_EQ(error_of(a.send(c, bytes("x"), pair.now())), SocketError::BrokenPipe);
}

TEST_F(Stream, ConnectTimesOutWhenThePeerIsSilent)
{
    SocketId l = listener(80);
    pair.cut[B] = true;
    SocketId c = a.socket(SocketType::Stream).value();
    EXPECT_EQ(error_of(a.connect(c, pair.endpoint(B, 80), pair.now())), SocketError::InProgress);
    usize taken = 0;
    SocketId changed[8];
    ASSERT_TRUE(pair.run_until([&] {
        taken += a.take_changes(lib::Span<SocketId>(changed, 8));
        return a.poll_events(c) != 0;
    }, Duration::from_secs(600)));
    // The SYN retransmission give-up happens in a timer: the rescan noticed and queued it.
    EXPECT_GE(taken, 1u);
    EXPECT_EQ(a.poll_events(c), IN | OUT | ERR | HUP | RDHUP);
    EXPECT_EQ(*a.take_error(c).value(), SocketError::TimedOut);
    (void)l;
}

TEST_F(Stream, ShutdownReadGivesEofAndRdhup)
{
    SocketId l = listener(80);
    auto conn = connected(l, 80);
    SocketId c = conn.first, s = conn.second;
    ASSERT_TRUE(b.shutdown(s, ShutdownHow::Read, pair.now()).is_ok());
    EXPECT_EQ(b.poll_events(s), IN | OUT | RDHUP);
    u8 buffer[8];
    EXPECT_EQ(b.receive(s, lib::Bytes(buffer, sizeof buffer)).value(), 0u);
    ASSERT_TRUE(b.shutdown(s, ShutdownHow::Both, pair.now()).is_ok());
    EXPECT_EQ(b.poll_events(s), IN | OUT | HUP | RDHUP);
    pair.settle();
    EXPECT_EQ(a.poll_events(c), IN | OUT | RDHUP);
}

TEST_F(Stream, MisuseAnswersWithLinuxErrno)
{
    SocketId l = listener(80);
    u8 buffer[8];
    // tcp_recvmsg() on a listener, and on a never-connected socket: ENOTCONN.
    EXPECT_EQ(error_of(b.receive(l, lib::Bytes(buffer, sizeof buffer))), SocketError::NotConnected);
    SocketId fresh = b.socket(SocketType::Stream).value();
    EXPECT_EQ(error_of(b.receive(fresh, lib::Bytes(buffer, sizeof buffer))), SocketError::NotConnected);
    // sk_stream_wait_connect(): send on a never-connected stream or a listener is EPIPE.
    EXPECT_EQ(error_of(b.send(fresh, bytes("x"), pair.now())), SocketError::BrokenPipe);
    EXPECT_EQ(error_of(b.send(l, bytes("x"), pair.now())), SocketError::BrokenPipe);
    // inet_csk_accept() on a non-listener: EINVAL; empty queue: EAGAIN.
    EXPECT_EQ(error_of(b.accept(fresh)), SocketError::InvalidArgument);
    EXPECT_EQ(error_of(b.accept(l)), SocketError::WouldBlock);
    // Binding twice: EINVAL; a port another socket holds: EADDRINUSE; not our address: EADDRNOTAVAIL.
    EXPECT_EQ(error_of(b.bind(l, { wire::Ipv4Address::any(), 81 })), SocketError::InvalidArgument);
    EXPECT_EQ(error_of(b.bind(fresh, { wire::Ipv4Address::any(), 80 })), SocketError::AddressInUse);
    EXPECT_EQ(error_of(b.bind(fresh, pair.endpoint(B, 80))), SocketError::AddressInUse);
    EXPECT_EQ(error_of(b.bind(fresh, pair.endpoint(A, 90))), SocketError::AddressNotAvailable);
    ASSERT_TRUE(b.bind(fresh, pair.endpoint(B, 90)).is_ok());
    EXPECT_EQ(error_of(b.bind(fresh, pair.endpoint(B, 91))), SocketError::InvalidArgument);
    // connect() on a listener: EISCONN. shutdown() on an unconnected socket: ENOTCONN.
    EXPECT_EQ(error_of(b.connect(l, pair.endpoint(A, 80), pair.now())), SocketError::AlreadyConnected);
    EXPECT_EQ(error_of(b.shutdown(fresh, ShutdownHow::Write, pair.now())), SocketError::NotConnected);
    EXPECT_EQ(error_of(b.peer_address(fresh)), SocketError::NotConnected);
    // listen() on a connected socket: EINVAL.
    auto conn = connected(l, 80);
    SocketId c = conn.first, s = conn.second;
    EXPECT_EQ(error_of(a.listen(c, 4)), SocketError::InvalidArgument);
    EXPECT_EQ(error_of(b.listen(s, 4)), SocketError::InvalidArgument);
    EXPECT_EQ(error_of(b.bind(s, { wire::Ipv4Address::any(), 0 })), SocketError::InvalidArgument);
    // A second listen() only changes the backlog.
    EXPECT_TRUE(b.listen(l, 2).is_ok());

    // Stale handles: EBADF from every call, NVAL from poll.
    SocketId stale = fresh;
    ASSERT_TRUE(b.close(fresh, pair.now()).is_ok());
    SocketId reused = b.socket(SocketType::Stream).value();
    EXPECT_EQ(reused.index, stale.index); // the slot is reused, the generation tells them apart
    EXPECT_NE(reused.generation, stale.generation);
    EXPECT_EQ(error_of(b.close(stale, pair.now())), SocketError::BadDescriptor);
    EXPECT_EQ(error_of(b.bind(stale, { wire::Ipv4Address::any(), 95 })), SocketError::BadDescriptor);
    EXPECT_EQ(error_of(b.listen(stale, 1)), SocketError::BadDescriptor);
    EXPECT_EQ(error_of(b.accept(stale)), SocketError::BadDescriptor);
    EXPECT_EQ(error_of(b.connect(stale, pair.endpoint(A, 1), pair.now())), SocketError::BadDescriptor);
    EXPECT_EQ(error_of(b.send(stale, bytes("x"), pair.now())), SocketError::BadDescriptor);
    EXPECT_EQ(error_of(b.receive(stale, lib::Bytes(buffer, sizeof buffer))), SocketError::BadDescriptor);
    EXPECT_EQ(error_of(b.shutdown(stale, ShutdownHow::Both, pair.now())), SocketError::BadDescriptor);
    EXPECT_EQ(error_of(b.set_option(stale, SocketOption::TcpNoDelay, true, pair.now())), SocketError::BadDescriptor);
    EXPECT_EQ(error_of(b.local_address(stale)), SocketError::BadDescriptor);
    EXPECT_EQ(error_of(b.take_error(stale)), SocketError::BadDescriptor);
    EXPECT_EQ(error_of(b.close(SocketId { 100000, 0 }, pair.now())), SocketError::BadDescriptor);
    EXPECT_EQ(b.poll_events(stale), events::nval);
    EXPECT_EQ(b.poll_events(reused), OUT | HUP);
}

TEST_F(Stream, ReuseAddressSharesABoundPortButNotWithAListener)
{
    SocketId x = b.socket(SocketType::Stream).value();
    SocketId y = b.socket(SocketType::Stream).value();
    ASSERT_TRUE(b.set_option(x, SocketOption::ReuseAddress, true, pair.now()).is_ok());
    ASSERT_TRUE(b.set_option(y, SocketOption::ReuseAddress, true, pair.now()).is_ok());
    EXPECT_TRUE(b.option(y, SocketOption::ReuseAddress).value());
    ASSERT_TRUE(b.bind(x, { wire::Ipv4Address::any(), 8080 }).is_ok());
    ASSERT_TRUE(b.bind(y, { wire::Ipv4Address::any(), 8080 }).is_ok());
    ASSERT_TRUE(b.listen(x, 4).is_ok());
    EXPECT_EQ(error_of(b.listen(y, 4)), SocketError::AddressInUse);
    // Without the option the second bind fails.
    SocketId z = b.socket(SocketType::Stream).value();
    EXPECT_EQ(error_of(b.bind(z, { wire::Ipv4Address::any(), 8080 })), SocketError::AddressInUse);
}

TEST_F(Stream, EphemeralBindAndAutobindOnListen)
{
    SocketId x = b.socket(SocketType::Stream).value();
    EXPECT_EQ(b.local_address(x).value(), Endpoint {});
    ASSERT_TRUE(b.bind(x, { wire::Ipv4Address::any(), 0 }).is_ok());
    u16 port = b.local_address(x).value().port;
    EXPECT_GE(port, b.config().ephemeral_first);
    EXPECT_LE(port, b.config().ephemeral_last);
    SocketId y = b.socket(SocketType::Stream).value();
    ASSERT_TRUE(b.listen(y, 4).is_ok());
    u16 listen_port = b.local_address(y).value().port;
    EXPECT_NE(listen_port, port);
    EXPECT_GE(listen_port, b.config().ephemeral_first);
    // And it accepts connections there.
    SocketId c = a.socket(SocketType::Stream).value();
    EXPECT_EQ(error_of(a.connect(c, pair.endpoint(B, listen_port), pair.now())), SocketError::InProgress);
    ASSERT_TRUE(pair.run_until([&] { return b.poll_events(y) == IN; }));
}

TEST_F(Stream, OptionsApplyAndAreInherited)
{
    SocketId l = b.socket(SocketType::Stream).value();
    ASSERT_TRUE(b.set_option(l, SocketOption::TcpNoDelay, true, pair.now()).is_ok());
    ASSERT_TRUE(b.set_option(l, SocketOption::KeepAlive, true, pair.now()).is_ok());
    ASSERT_TRUE(b.bind(l, { wire::Ipv4Address::any(), 80 }).is_ok());
    ASSERT_TRUE(b.listen(l, 4).is_ok());
    auto conn = connected(l, 80);
    SocketId c = conn.first, s = conn.second;
    EXPECT_TRUE(b.option(s, SocketOption::TcpNoDelay).value());
    EXPECT_TRUE(b.option(s, SocketOption::KeepAlive).value());
    EXPECT_FALSE(a.option(c, SocketOption::TcpNoDelay).value());
    ASSERT_TRUE(a.set_option(c, SocketOption::TcpNoDelay, true, pair.now()).is_ok());
    EXPECT_TRUE(a.option(c, SocketOption::TcpNoDelay).value());
    // Keep-alive on the accepted side: a silent peer is eventually declared dead.
    pair.cut[A] = true;
    ASSERT_TRUE(pair.run_until([&] { return (b.poll_events(s) & ERR) != 0; }, Duration::from_secs(4 * 3600)));
    EXPECT_EQ(*b.take_error(s).value(), SocketError::TimedOut);
}

TEST_F(Stream, FullTableIsEmfileAndAcceptWaits)
{
    SocketsConfig small;
    small.max_sockets = 3;
    SocketPair p(small);
    Sockets& client = p.sockets(A);
    Sockets& server = p.sockets(B);
    SocketId l = server.socket(SocketType::Stream).value();
    ASSERT_TRUE(server.bind(l, { wire::Ipv4Address::any(), 80 }).is_ok());
    ASSERT_TRUE(server.listen(l, 8).is_ok());
    SocketId filler1 = server.socket(SocketType::Stream).value();
    SocketId filler2 = server.socket(SocketType::Datagram).value();
    EXPECT_EQ(error_of(server.socket(SocketType::Stream)), SocketError::TooManyOpenFiles);
    EXPECT_EQ(server.sockets_in_use(), 3u);

    SocketId c = client.socket(SocketType::Stream).value();
    EXPECT_EQ(error_of(client.connect(c, p.endpoint(B, 80), p.now())), SocketError::InProgress);
    ASSERT_TRUE(p.run_until([&] { return server.poll_events(l) == IN; }));
    EXPECT_EQ(error_of(server.accept(l)), SocketError::TooManyOpenFiles);
    EXPECT_EQ(server.pending_accepts(), 1u);
    EXPECT_EQ(server.poll_events(l), IN);
    ASSERT_TRUE(server.close(filler1, p.now()).is_ok());
    auto accepted = server.accept(l);
    ASSERT_TRUE(accepted.is_ok());
    EXPECT_EQ(server.pending_accepts(), 0u);
    (void)filler2;
}

TEST_F(Stream, AcceptQueueHoldsBacklogPlusOneThenResets)
{
    SocketId l = listener(80, 0);
    SocketId c[3];
    for (auto& id : c) {
        id = a.socket(SocketType::Stream).value();
        EXPECT_EQ(error_of(a.connect(id, pair.endpoint(B, 80), pair.now())), SocketError::InProgress);
    }
    pair.run_for(Duration::from_secs(1));
    EXPECT_EQ(b.pending_accepts(), 1u);
    EXPECT_EQ(b.counters().accept_overflows, 2u);
    int refused = 0, open = 0;
    for (auto id : c) {
        u32 ev = a.poll_events(id);
        if (ev & ERR)
            ++refused;
        else if (ev == OUT)
            ++open;
    }
    EXPECT_EQ(refused, 2);
    EXPECT_EQ(open, 1);
    // Closing the listener resets what was never accepted.
    ASSERT_TRUE(b.close(l, pair.now()).is_ok());
    EXPECT_EQ(b.pending_accepts(), 0u);
    pair.settle();
    for (auto id : c)
        EXPECT_TRUE(a.poll_events(id) & HUP);
}

TEST_F(Stream, ChangeQueueNamesEachChangedSocketOnce)
{
    SocketId l = listener(80);
    auto conn = connected(l, 80);
    SocketId c = conn.first, s = conn.second;
    SocketId changed[16];
    while (b.take_changes(lib::Span<SocketId>(changed, 16)) > 0) { }
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(a.send(c, bytes("data"), pair.now()).value(), 4u);
        pair.settle();
    }
    usize n = b.take_changes(lib::Span<SocketId>(changed, 16));
    ASSERT_EQ(n, 1u);
    EXPECT_EQ(changed[0], s);
    EXPECT_EQ(b.take_changes(lib::Span<SocketId>(changed, 16)), 0u);
    // A closed socket that was queued is skipped.
    EXPECT_EQ(a.send(c, bytes("more"), pair.now()).value(), 4u);
    pair.settle();
    ASSERT_TRUE(b.close(s, pair.now()).is_ok());
    EXPECT_EQ(b.take_changes(lib::Span<SocketId>(changed, 16)), 0u);
}

TEST_F(Stream, SendFillsTheBufferThenWouldBlockAndOutReturns)
{
    SocketId l = listener(80);
    auto conn = connected(l, 80);
    SocketId c = conn.first, s = conn.second;
    std::string chunk(4096, 'z');
    usize total = 0;
    for (;;) {
        auto r = a.send(c, bytes(chunk), pair.now());
        if (r.is_error()) {
            EXPECT_EQ(r.error(), SocketError::WouldBlock);
            break;
        }
        total += r.value();
    }
    EXPECT_EQ(a.poll_events(c) & OUT, 0u);
    pair.settle();
    // The peer's receive buffer filled too; reading it lets everything through.
    usize received = 0;
    ASSERT_TRUE(pair.run_until([&] {
        received += read_all(b, s).size();
        return received >= total && (a.poll_events(c) & OUT);
    }));
    EXPECT_EQ(received, total);
}

} // namespace
