// Fuzz target for the DHCP client state machine (net/iface/dhcp_client.h) inside an Interface with
// Addressing::Dhcp: arbitrary server replies (structured DhcpReprs emitted to bytes, or raw
// payloads) and clock advances.
//
// Input format (little endian; a script reads zeros past the end):
//   header: seed u64, setup u8 (bit 0 static fallback 192.168.100.50/24 after 30 s)
//   then up to 256 steps, each an opcode u8 (mod 4) and its arguments:
//     0 reply   type u8 (mod 8, +1: the DhcpMessageType), bits u8 (bit 0 another xid, bit 1
//               another chaddr, bit 2 op BOOTREQUEST, bit 3 no server identifier, bit 4 subnet
//               mask, bit 5 router, bit 6 unicast to yiaddr, bit 7 Ethernet unicast), yiaddr u8
//               (10.0.0.x; 0 -> a raw u32 follows), server u8 (10.0.0.x), prefix u8 (mod 33),
//               lease u32 (bit 31 clear: mod 4000 s), t1 u32, t2 u32 (0: absent), dns u8 (mod 4)
//     1 raw     len u16 (mod 700) bytes: a UDP payload from port 67 to port 68
//     2 tick    seconds u16 (bit 15: times 64, so leases and T1/T2 expire), millis u16, poll()
//     3 frame   len u16 (mod 700) raw Ethernet frame bytes
//
// Oracle (after every step):
//  - the interface's address is only ever 0.0.0.0, the static fallback (when configured, and
//    only in the fallback state), or the yiaddr of a DHCPACK that was received; it changes to a
//    new non-zero address on receive only through an ACK for the client's current xid and MAC
//    carrying exactly that yiaddr, and on poll only to 0.0.0.0 or the fallback; in BOUND,
//    RENEWING and REBINDING it is the lease's address; prefix_len <= 32;
//  - timers never go backwards: after poll(now) the client's next deadline is later than now,
//    and the `secs` field of successive messages of one transaction never decreases;
//  - every transmitted frame parses (Ethernet -> IPv4 -> UDP 68 -> 67 -> DhcpView -> DhcpRepr,
//    or ARP); DHCP messages are DISCOVER or REQUEST, BOOTREQUEST, for our MAC, with the client's
//    current xid; a REQUEST in REQUESTING names an offered address and its server.
#include "fuzz/fuzz.h"
#include "net/iface/interface.h"
#include "net/wire/arp.h"
#include "net/wire/dhcp.h"
#include "net/wire/udp.h"

#include <memory>
#include <vector>

using fuzz::Input;
using namespace net;
using namespace net::wire;
using net::iface::DhcpState;
using Frame = std::vector<u8>;

namespace {

const EthernetAddress our_mac { { 0x02, 0, 0, 0, 0, 0x22 } };
const EthernetAddress server_mac { { 0x02, 0, 0, 0, 0, 0x01 } };
const Ipv4Address fallback_ip = Ipv4Address::from_octets(192, 168, 100, 50);

struct Sink final : iface::FrameSink {
    std::vector<Frame> frames;
    void transmit(lib::ReadonlyBytes f) override { frames.emplace_back(f.begin(), f.end()); }
};

struct World {
    Sink sink;
    std::unique_ptr<iface::Interface> iface;
    bool has_fallback { false };
    Instant now { Instant::from_millis(1000) };
    std::vector<Ipv4Address> acked;   // yiaddr of every ACK received
    std::vector<Ipv4Address> offered; // yiaddr of every OFFER received
    usize checked { 0 };
    u32 last_xid { 0 };
    u16 last_secs { 0 };
};

bool contains(const std::vector<Ipv4Address>& v, Ipv4Address a)
{
    for (Ipv4Address x : v)
        if (x == a)
            return true;
    return false;
}

// True when `dst` is the directed broadcast of some subnet (/1 to /30) that contains `src`.
bool is_directed_broadcast_of(Ipv4Address dst, Ipv4Address src)
{
    for (u32 prefix = 1; prefix <= 30; ++prefix) {
        u32 mask = ~u32(0) << (32 - prefix);
        if ((dst.value & mask) == (src.value & mask) && (dst.value | mask) == ~u32(0))
            return true;
    }
    return false;
}

void check_tx(World& w)
{
    const iface::DhcpClient* client = w.iface->dhcp();
    for (; w.checked < w.sink.frames.size(); ++w.checked) {
        const Frame& f = w.sink.frames[w.checked];
        FUZZ_CHECK(f.size() <= iface::max_frame_len, "a transmitted frame is at most 1514 bytes");
        auto ev = EthernetView::checked(lib::ReadonlyBytes(f.data(), f.size()));
        FUZZ_CHECK(ev.is_ok(), "a transmitted frame passes EthernetView::checked");
        auto er = EthernetRepr::parse(ev.value());
        FUZZ_CHECK(er.is_ok() && er.value().src == our_mac, "a transmitted frame parses and comes from our MAC");
        if (er.value().ethertype == EtherType::Arp) {
            auto av = ArpView::checked(ev.value().payload());
            FUZZ_CHECK(av.is_ok() && ArpRepr::parse(av.value()).is_ok(), "a transmitted ARP packet parses");
            continue;
        }
        FUZZ_CHECK(er.value().ethertype == EtherType::Ipv4, "we transmit ARP or IPv4");
        auto iv = Ipv4View::checked(ev.value().payload());
        FUZZ_CHECK(iv.is_ok(), "a transmitted datagram passes Ipv4View::checked");
        auto ir = Ipv4Repr::parse(iv.value());
        FUZZ_CHECK(ir.is_ok() && ir.value().protocol == IpProtocol::Udp, "the client sends only UDP datagrams");
        // The limited broadcast always goes to the broadcast MAC. So may a directed broadcast of
        // our subnet: a hostile ACK can name one as the server identifier, and a renewal is then
        // unicast to it (found by this target; the interface is right to broadcast it).
        if (ir.value().dst.is_broadcast())
            FUZZ_CHECK(er.value().dst.is_broadcast(), "a limited broadcast goes to the broadcast MAC");
        if (er.value().dst.is_broadcast())
            FUZZ_CHECK(ir.value().dst.is_broadcast() || is_directed_broadcast_of(ir.value().dst, ir.value().src),
                "only a limited or directed broadcast goes to the broadcast MAC");
        auto uv = UdpView::checked(iv.value().payload());
        FUZZ_CHECK(uv.is_ok(), "a transmitted UDP datagram passes UdpView::checked");
        auto ur = UdpRepr::parse(uv.value(), ir.value().src, ir.value().dst);
        FUZZ_CHECK(ur.is_ok() && ur.value().src_port == dhcp::client_port && ur.value().dst_port == dhcp::server_port,
            "DHCP goes from port 68 to port 67");
        auto dv = DhcpView::checked(ur.value().payload);
        FUZZ_CHECK(dv.is_ok(), "a transmitted DHCP message passes DhcpView::checked");
        auto dr = DhcpRepr::parse(dv.value());
        FUZZ_CHECK(dr.is_ok(), "a transmitted DHCP message parses");
        const DhcpRepr& m = dr.value();
        FUZZ_CHECK(dv.value().op() == dhcp::op_request, "the client sends BOOTREQUESTs");
        FUZZ_CHECK(m.message_type == DhcpMessageType::Discover || m.message_type == DhcpMessageType::Request, "the client sends DISCOVER or REQUEST");
        FUZZ_CHECK(m.client_hardware_address == our_mac, "chaddr is our MAC");
        FUZZ_CHECK(m.transaction_id == client->transaction_id(), "the message carries the current xid");
        if (m.transaction_id == w.last_xid)
            FUZZ_CHECK(m.secs >= w.last_secs, "secs never decreases within a transaction");
        w.last_xid = m.transaction_id;
        w.last_secs = m.secs;
        if (m.message_type == DhcpMessageType::Request && client->state() == DhcpState::Requesting) {
            FUZZ_CHECK(m.requested_ip.has_value() && contains(w.offered, m.requested_ip.value()) && m.server_identifier.has_value(),
                "a REQUEST in REQUESTING names an offered address and its server");
            FUZZ_CHECK(ir.value().src.is_unspecified() && ir.value().dst.is_broadcast(), "REQUESTING broadcasts from 0.0.0.0");
        }
    }
}

void check_address(World& w, Ipv4Address before, bool by_receive, const DhcpRepr* message, u32 xid_before)
{
    check_tx(w);
    const iface::Ipv4Config& c = w.iface->ipv4();
    const iface::DhcpClient* client = w.iface->dhcp();
    FUZZ_CHECK(c.prefix_len <= 32, "prefix_len <= 32");
    Ipv4Address a = c.address;
    bool fallback = w.has_fallback && a == fallback_ip && client->state() == DhcpState::Fallback;
    FUZZ_CHECK(a.is_unspecified() || fallback || contains(w.acked, a), "the address is 0.0.0.0, the fallback, or one an ACK carried");
    DhcpState s = client->state();
    if (s == DhcpState::Bound || s == DhcpState::Renewing || s == DhcpState::Rebinding)
        FUZZ_CHECK(a == client->lease().address, "while leased the interface uses the lease's address");
    if (s == DhcpState::Fallback)
        FUZZ_CHECK(w.has_fallback && a == fallback_ip, "the fallback state only with a fallback, using it");
    if (a == before || a.is_unspecified())
        return;
    if (by_receive) {
        FUZZ_CHECK(message != nullptr && message->message_type == DhcpMessageType::Ack && message->your_ip == a
                && message->transaction_id == xid_before && message->client_hardware_address == our_mac,
            "a new address comes only from an ACK for our xid and MAC, carrying it");
    } else {
        FUZZ_CHECK(fallback, "poll() changes the address only to 0.0.0.0 or the fallback");
    }
}

Frame udp_frame(Ipv4Address src, Ipv4Address dst, const Frame& payload, EthernetAddress dst_mac)
{
    UdpRepr u;
    u.src_port = dhcp::server_port;
    u.dst_port = dhcp::client_port;
    u.payload = lib::ReadonlyBytes(payload.data(), payload.size());
    Frame ub(u.buffer_len());
    lib::ByteWriter uw { lib::Bytes(ub.data(), ub.size()) };
    u.emit(uw, src, dst);
    Ipv4Repr ip;
    ip.src = src;
    ip.dst = dst;
    ip.protocol = IpProtocol::Udp;
    ip.payload_len = u16(ub.size());
    Frame out(ethernet::header_len + ip.buffer_len());
    lib::ByteWriter w { lib::Bytes(out.data(), out.size()) };
    EthernetRepr { server_mac, dst_mac, EtherType::Ipv4 }.emit(w);
    ip.emit(w);
    out.insert(out.end(), ub.begin(), ub.end());
    return out;
}

// Delivers a frame and checks the address oracle; `payload` is the DHCP message it carries.
void receive(World& w, const Frame& frame, lib::ReadonlyBytes dhcp_payload)
{
    lib::Optional<DhcpRepr> parsed;
    auto dv = DhcpView::checked(dhcp_payload);
    if (dv.is_ok()) {
        auto dr = DhcpRepr::parse(dv.value());
        if (dr.is_ok()) {
            parsed = dr.value();
            if (dr.value().message_type == DhcpMessageType::Ack)
                w.acked.push_back(dr.value().your_ip);
            if (dr.value().message_type == DhcpMessageType::Offer)
                w.offered.push_back(dr.value().your_ip);
        }
    }
    Ipv4Address before = w.iface->ipv4().address;
    u32 xid = w.iface->dhcp()->transaction_id();
    w.iface->receive(lib::ReadonlyBytes(frame.data(), frame.size()), w.now);
    check_address(w, before, true, parsed.has_value() ? &parsed.value() : nullptr, xid);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    Input in(data, size);
    World w;
    iface::InterfaceConfig config;
    config.mac = our_mac;
    config.addressing = iface::Addressing::Dhcp;
    config.dhcp.seed = in.take64();
    u8 setup = in.take8();
    w.has_fallback = setup & 1;
    config.dhcp.has_fallback = w.has_fallback;
    config.dhcp.fallback.address = fallback_ip;
    config.dhcp.fallback.prefix_len = 24;
    config.arp.capacity = 4;
    w.iface = std::make_unique<iface::Interface>(config, w.sink, w.now);
    check_address(w, {}, false, nullptr, 0);
    w.iface->poll(w.now);
    check_address(w, {}, false, nullptr, 0);
    FUZZ_CHECK(w.iface->dhcp()->state() == DhcpState::Selecting && w.sink.frames.size() == 1, "the first poll sends DISCOVER");

    for (int step = 0; step < 256 && !in.done(); ++step) {
        u8 op = in.take8() % 4;
        switch (op) {
        case 0: {
            DhcpRepr m;
            m.message_type = DhcpMessageType(in.take8() % 8 + 1);
            u8 bits = in.take8();
            u8 yi = in.take8();
            u8 server = in.take8();
            u8 prefix = in.take8() % 33;
            u32 lease = in.take32();
            u32 t1 = in.take32();
            u32 t2 = in.take32();
            u8 dns = in.take8() % 4;
            m.transaction_id = (bits & 1) ? w.iface->dhcp()->transaction_id() ^ 0x5a5a : w.iface->dhcp()->transaction_id();
            m.client_hardware_address = our_mac;
            if (bits & 2)
                m.client_hardware_address.octets[5] ^= 1;
            m.your_ip = yi ? Ipv4Address::from_octets(10, 0, 0, yi) : Ipv4Address { in.take32() };
            Ipv4Address server_ip = Ipv4Address::from_octets(10, 0, 0, server);
            m.server_ip = server_ip;
            if (!(bits & 8))
                m.server_identifier = server_ip;
            if (bits & 16)
                m.subnet_mask = iface::mask_from_prefix(prefix);
            if (bits & 32)
                m.router = Ipv4Address::from_octets(10, 0, 0, 1);
            m.dns_count = dns;
            for (u8 i = 0; i < dns; ++i)
                m.dns_servers[i] = Ipv4Address::from_octets(10, 0, 0, u8(53 + i));
            m.lease_time = (lease & 0x80000000u) ? lease : lease % 4000;
            if (t1)
                m.renewal_time = (t1 & 0x80000000u) ? t1 : t1 % 4000;
            if (t2)
                m.rebinding_time = (t2 & 0x80000000u) ? t2 : t2 % 4000;
            if (!m.is_valid())
                break;
            Frame payload(m.buffer_len());
            lib::ByteWriter pw { lib::Bytes(payload.data(), payload.size()) };
            m.emit(pw);
            if (bits & 4)
                payload[0] = dhcp::op_request;
            Ipv4Address dst = (bits & 64) ? m.your_ip : Ipv4Address::broadcast();
            Frame f = udp_frame(server_ip, dst, payload, (bits & 128) ? our_mac : EthernetAddress::broadcast());
            receive(w, f, lib::ReadonlyBytes(payload.data(), payload.size()));
            break;
        }
        case 1: {
            usize len = in.take16() % 700;
            Frame payload(len);
            for (usize i = 0; i < len; ++i)
                payload[i] = in.take8();
            Frame f = udp_frame(Ipv4Address::from_octets(10, 0, 0, 1), Ipv4Address::broadcast(), payload, EthernetAddress::broadcast());
            receive(w, f, lib::ReadonlyBytes(payload.data(), payload.size()));
            break;
        }
        case 2: {
            u16 secs = in.take16();
            u16 ms = in.take16();
            u64 seconds = (secs & 0x8000) ? u64(secs & 0x7fff) * 64 : secs;
            w.now = w.now + Duration::from_secs(seconds) + Duration::from_millis(ms % 1000);
            Ipv4Address before = w.iface->ipv4().address;
            w.iface->poll(w.now);
            FUZZ_CHECK(w.iface->dhcp()->next_deadline() > w.now, "after poll(now) the client's next deadline is later than now");
            FUZZ_CHECK(w.iface->dhcp()->state() != DhcpState::Init, "poll() never leaves the client in INIT");
            check_address(w, before, false, nullptr, 0);
            break;
        }
        case 3: {
            usize len = in.take16() % 700;
            Frame f(len);
            for (usize i = 0; i < len; ++i)
                f[i] = in.take8();
            // Find the UDP payload, if the frame gets that far, so ACKs are recorded.
            lib::ReadonlyBytes payload;
            auto ev = EthernetView::checked(lib::ReadonlyBytes(f.data(), f.size()));
            if (ev.is_ok()) {
                auto iv = Ipv4View::checked(ev.value().payload());
                if (iv.is_ok()) {
                    auto uv = UdpView::checked(iv.value().payload());
                    if (uv.is_ok())
                        payload = uv.value().payload();
                }
            }
            receive(w, f, payload);
            break;
        }
        }
    }
    return 0;
}
