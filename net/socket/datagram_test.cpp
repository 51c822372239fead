// Datagram sockets end to end over the simulated link: bind, autobind on send_to, recv_from with
// the source address, truncation, readiness and the errno of misuse.
#include "net/socket/sockets.h"
#include "net/socket/testing/socket_pair.h"

#include <gtest/gtest.h>
#include <string>

using namespace net;
using namespace net::socket;
using namespace net::socket::testing;

namespace {

constexpr int A = 0, B = 1;

lib::ReadonlyBytes bytes(const std::string& s) { return { reinterpret_cast<const u8*>(s.data()), s.size() }; }

template<typename T> SocketError error_of(const lib::Result<T, SocketError>& r)
{
    EXPECT_TRUE(r.is_error());
    return r.is_error() ? r.error() : SocketError::InvalidArgument;
}

TEST(Datagram, SendToAndReceiveFromWithReadiness)
{
    SocketPair pair;
    Sockets& a = pair.sockets(A);
    Sockets& b = pair.sockets(B);
    SocketId server = b.socket(SocketType::Datagram).value();
    ASSERT_TRUE(b.bind(server, { wire::Ipv4Address::any(), 5000 }).is_ok());
    EXPECT_EQ(b.poll_events(server), events::out);

    SocketId client = a.socket(SocketType::Datagram).value();
    EXPECT_EQ(a.local_address(client).value(), Endpoint {});
    u32 generation = b.readiness_generation(server);
    EXPECT_EQ(a.send_to(client, bytes("ping"), pair.endpoint(B, 5000), pair.now()).value(), 4u);
    Endpoint client_local = a.local_address(client).value();
    EXPECT_NE(client_local.port, 0); // autobound
    ASSERT_TRUE(pair.run_until([&] { return b.poll_events(server) & events::in; }));
    EXPECT_EQ(b.poll_events(server), events::in | events::out);
    EXPECT_NE(b.readiness_generation(server), generation);
    SocketId changed[4];
    ASSERT_EQ(b.take_changes(lib::Span<SocketId>(changed, 4)), 1u);
    EXPECT_EQ(changed[0], server);

    u8 buffer[64];
    auto got = b.receive_from(server, lib::Bytes(buffer, sizeof buffer));
    ASSERT_TRUE(got.is_ok());
    EXPECT_EQ(got.value().copied, 4u);
    EXPECT_EQ(got.value().length, 4u);
    EXPECT_EQ(got.value().from, (Endpoint { pair.address(A), client_local.port }));
    EXPECT_EQ(std::string(reinterpret_cast<char*>(buffer), 4), "ping");
    EXPECT_EQ(b.poll_events(server), events::out);
    EXPECT_EQ(error_of(b.receive_from(server, lib::Bytes(buffer, sizeof buffer))), SocketError::WouldBlock);

    // The reply goes back to where it came from; a short buffer truncates.
    EXPECT_EQ(b.send_to(server, bytes("pong pong pong"), got.value().from, pair.now()).value(), 14u);
    ASSERT_TRUE(pair.run_until([&] { return a.poll_events(client) & events::in; }));
    auto reply = a.receive_from(client, lib::Bytes(buffer, 4));
    ASSERT_TRUE(reply.is_ok());
    EXPECT_EQ(reply.value().copied, 4u);
    EXPECT_EQ(reply.value().length, 14u);
    EXPECT_EQ(reply.value().from, pair.endpoint(B, 5000));

    // recv() without an address works on datagram sockets; send() without one does not.
    EXPECT_EQ(a.send_to(client, bytes("again"), pair.endpoint(B, 5000), pair.now()).value(), 5u);
    pair.settle();
    EXPECT_EQ(b.receive(server, lib::Bytes(buffer, sizeof buffer)).value(), 5u);
    EXPECT_EQ(error_of(b.send(server, bytes("x"), pair.now())), SocketError::DestinationAddressRequired);

    ASSERT_TRUE(a.close(client, pair.now()).is_ok());
    ASSERT_TRUE(b.close(server, pair.now()).is_ok());
    // The port is free again.
    SocketId again = b.socket(SocketType::Datagram).value();
    EXPECT_TRUE(b.bind(again, { wire::Ipv4Address::any(), 5000 }).is_ok());
}

TEST(Datagram, MisuseAnswersWithLinuxErrno)
{
    SocketPair pair;
    Sockets& b = pair.sockets(B);
    SocketId d = b.socket(SocketType::Datagram).value();
    ASSERT_TRUE(b.bind(d, { wire::Ipv4Address::any(), 5000 }).is_ok());
    SocketId e = b.socket(SocketType::Datagram).value();
    EXPECT_EQ(error_of(b.bind(e, { wire::Ipv4Address::any(), 5000 })), SocketError::AddressInUse);
    EXPECT_EQ(error_of(b.bind(d, { wire::Ipv4Address::any(), 5001 })), SocketError::InvalidArgument);
    EXPECT_EQ(error_of(b.listen(d, 4)), SocketError::OperationNotSupported);
    EXPECT_EQ(error_of(b.accept(d)), SocketError::OperationNotSupported);
    EXPECT_EQ(error_of(b.set_option(d, SocketOption::TcpNoDelay, true, pair.now())), SocketError::ProtocolOptionUnavailable);
    EXPECT_TRUE(b.set_option(d, SocketOption::KeepAlive, true, pair.now()).is_ok());
    EXPECT_EQ(error_of(b.send_to(d, bytes("x"), pair.endpoint(A, 0), pair.now())), SocketError::InvalidArgument);
    std::string big(iface::Interface::max_udp_payload + 1, 'x');
    EXPECT_EQ(error_of(b.send_to(d, bytes(big), pair.endpoint(A, 7), pair.now())), SocketError::MessageTooLong);
    std::string fits(iface::Interface::max_udp_payload, 'x');
    EXPECT_TRUE(b.send_to(d, bytes(fits), pair.endpoint(A, 7), pair.now()).is_ok());
    u8 buffer[8];
    EXPECT_EQ(error_of(b.receive(e, lib::Bytes(buffer, sizeof buffer))), SocketError::WouldBlock);
    EXPECT_EQ(error_of(b.peer_address(d)), SocketError::NotConnected);
    // Unconnected: ENOTCONN, but the flags stick (Linux's "hack to wake up other listeners").
    EXPECT_EQ(error_of(b.shutdown(d, ShutdownHow::Both, pair.now())), SocketError::NotConnected);
    EXPECT_EQ(b.poll_events(d), events::in | events::out | events::hup | events::rdhup);
    EXPECT_EQ(b.receive(d, lib::Bytes(buffer, sizeof buffer)).value(), 0u);
}

TEST(Datagram, UdpTableExhaustionIsNoBufferSpace)
{
    SocketPair pair;
    Sockets& b = pair.sockets(B);
    usize table = iface::UdpConfig {}.sockets;
    for (usize i = 0; i < table; ++i) {
        SocketId d = b.socket(SocketType::Datagram).value();
        ASSERT_TRUE(b.bind(d, { wire::Ipv4Address::any(), u16(6000 + i) }).is_ok());
    }
    SocketId extra = b.socket(SocketType::Datagram).value();
    EXPECT_EQ(error_of(b.bind(extra, { wire::Ipv4Address::any(), 7000 })), SocketError::NoBufferSpace);
    EXPECT_EQ(error_of(b.send_to(extra, bytes("x"), pair.endpoint(A, 7), pair.now())), SocketError::NoBufferSpace);
}

} // namespace
