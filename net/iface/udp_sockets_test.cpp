// Tests for the UDP socket table: binding rules, ring wrap-around, truncation, bounds (RFC 768).
#include "net/iface/udp_sockets.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <deque>
#include <vector>

namespace net::iface {
namespace {

const wire::Ipv4Address a = wire::Ipv4Address::from_octets(10, 0, 2, 2);
const wire::Ipv4Address b = wire::Ipv4Address::from_octets(10, 0, 2, 15);

TEST(UdpSockets, BindingRules)
{
    UdpSockets t(UdpConfig { 2, 256, 4 });
    auto s1 = t.bind(53);
    ASSERT_TRUE(s1.is_ok());
    EXPECT_EQ(t.bind(53).error(), UdpError::AddressInUse);
    auto s2 = t.bind(0);
    ASSERT_TRUE(s2.is_ok());
    EXPECT_EQ(t.local_port(s2.value()).value(), 49152);
    EXPECT_EQ(t.bind(54).error(), UdpError::NoFreeSocket);
    ASSERT_TRUE(t.close(s1.value()).is_ok());
    EXPECT_EQ(t.close(s1.value()).error(), UdpError::BadSocket);
    EXPECT_FALSE(t.find(53).has_value());
    EXPECT_TRUE(t.bind(54).is_ok());
    u8 buf[4];
    EXPECT_EQ(t.receive(UdpSocketId { 7 }, lib::Bytes(buf)).error(), UdpError::BadSocket);
    EXPECT_EQ(t.receive(s2.value(), lib::Bytes(buf)).error(), UdpError::WouldBlock);
}

TEST(UdpSockets, LongDatagramsAreTruncatedToTheBuffer)
{
    UdpSockets t(UdpConfig { 1, 256, 4 });
    auto s = t.bind(9).value();
    u8 data[10] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
    ASSERT_TRUE(t.deliver(s, a, 1, b, lib::ReadonlyBytes(data)).is_ok());
    u8 buf[4] = {};
    auto info = t.receive(s, lib::Bytes(buf)).value();
    EXPECT_EQ(info.length, 10u);
    EXPECT_EQ(info.copied, 4u);
    EXPECT_EQ(buf[3], 3);
    EXPECT_EQ(t.queued_bytes(s), 0u);
}

// A model check: any sequence of deliveries and receives behaves like an unbounded FIFO that
// refuses what would break the byte or count bound, including across the ring's wrap-around.
RC_GTEST_PROP(UdpSockets, QueueMatchesAFifoModel, (std::vector<std::pair<bool, u8>> ops))
{
    UdpConfig config { 1, 100, 5 };
    UdpSockets t(config);
    auto s = t.bind(9).value();
    std::deque<std::vector<u8>> model;
    usize model_bytes = 0;
    u8 counter = 0;
    for (auto [is_deliver, len] : ops) {
        if (is_deliver) {
            std::vector<u8> d(len % 64);
            for (u8& x : d)
                x = counter++;
            bool fits = model.size() < 5 && model_bytes + d.size() + udp_record_overhead <= 100;
            auto r = t.deliver(s, a, u16(len), b, lib::ReadonlyBytes(d.data(), d.size()));
            RC_ASSERT(r.is_ok() == fits);
            if (fits) {
                model_bytes += d.size() + udp_record_overhead;
                model.push_back(d);
            }
        } else {
            u8 buf[64];
            auto r = t.receive(s, lib::Bytes(buf));
            RC_ASSERT(r.is_ok() == !model.empty());
            if (r.is_ok()) {
                RC_ASSERT(std::vector<u8>(buf, buf + r.value().copied) == model.front());
                model_bytes -= model.front().size() + udp_record_overhead;
                model.pop_front();
            }
        }
        RC_ASSERT(t.queued_bytes(s) == model_bytes);
        RC_ASSERT(t.queued_datagrams(s) == model.size());
    }
}

} // namespace
} // namespace net::iface
