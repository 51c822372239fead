// Fuzz target for the whole receive path with a live connection table: net::iface::Interface
// (static 10.0.0.2/24, gateway 10.0.0.1) + net::net::tcp::Stack + net::socket::Sockets, with stream
// listeners on ports 80, 443 and 7, a datagram socket on 5353, and up to three connections that
// a fake peer (10.0.0.1) establishes at the start of each run by a scripted ARP + handshake.
//
// Input format (little endian; a script reads zeros past the end):
//   header: connections u8 (mod 4: handshakes driven before the script)
//   then up to 256 steps, each an opcode u8 (mod 12) and its arguments:
//     0 raw frame     mode u8 (mod 3: 0 the whole frame; 1 Ethernet header to us + IPv4 bytes;
//                     2 Ethernet + a valid IPv4 header, protocol u8, + raw payload), len u16
//                     (mod 1600), then len bytes
//     1 tcp           target u8 (mod 4: connection 0-2, else a listener/any port), port u16, flags u8
//                     (made legal), seq_off i16, ack_off i16 (relative to what the peer has seen of
//                     the connection), window u16, len u16 (mod 1500), opts u8 (bit 0 timestamps,
//                     bit 1 MSS on SYN, bit 2 SACK block, bit 3 another source host in the subnet,
//                     bit 4 Ethernet broadcast, bit 5 corrupt a byte), corrupt_at u16, corrupt_xor u8
//     2 udp           dst_port u16, len u16 (mod 1500), opts u8 (bit 0 IP broadcast, bit 1 Ethernet
//                     broadcast, bit 2 corrupt), corrupt_at u16, corrupt_xor u8
//     3 icmp          type u8, code u8, len u16 (mod 1400), opts u8 (as udp)
//     4 arp           op u16 (bit 15 clear: 1 + bit 0), sender u8 (mod 4: peer, subnet host, our
//                     address, 0.0.0.0), host u8, target u8 (bit 0: ours), opts u8 (bit 0 multicast
//                     sender MAC, bit 1 unicast to us, bit 2 random sender MAC, bit 3 truncate to
//                     target mod 28 bytes, bit 4 flip bits in byte host mod 8 of the fixed header)
//     5 tick          millis u16 (bit 15: times 256), then poll()
//     6 accept        listener u8 (mod 3)
//     7 send          socket u8, len u16 (mod 5000)
//     8 receive       socket u8, len u16 (mod 5000)
//     9 close         socket u8
//    10 connect       port u16 (to 10.0.0.1; the stack's SYN waits in ARP or goes out)
//    11 ipv4 special  flags u8 (bit 0 MF, bit 1 DF, bit 2 offset != 0, bit 3 options, bit 4 bad
//                     version), protocol u8, ttl u8, len u16 (mod 200)
// (the socket u8 picks one of the accepted/connected sockets, or the datagram socket.)
//
// Oracle (after every step):
//  - every transmitted frame is <= 1514 bytes, comes from our MAC, and parses with the checked
//    views: Ethernet -> ARP (sender = us) or IPv4 (source = us, header checksum verifies) ->
//    TCP (TcpRepr parses, is_valid(), legal flags, checksum verifies over the pseudo-header), UDP
//    (checksum verifies) or ICMP (checksum verifies); nothing else;
//  - tx_frames counts exactly the frames the sink saw;
//  - the ARP cache, connection pool, TIME-WAIT set, socket table and pending-accept queue never
//    exceed their configured bounds;
//  - every drop counter (interface and TCP) and every event counter only increases;
//  - a received frame that the wire parsers reject on the interface's path (Ethernet; ARP or
//    IPv4; then ICMP, UDP or unicast TCP for an accepted destination) is counted under exactly
//    one interface drop reason, reaches no TCP connection, and produces no frame.
#include "fuzz/fuzz.h"
#include "net/socket/sockets.h"
#include "net/wire/arp.h"
#include "net/wire/icmp.h"
#include "net/wire/udp.h"

#include <memory>
#include <vector>

using fuzz::Input;
using namespace net;
using namespace net::wire;
using net::socket::SocketId;
using Frame = std::vector<u8>;

namespace {

constexpr u8 secret[16] = { 1, 4, 1, 4, 2, 1, 3, 5, 6, 2, 3, 7, 3, 0, 9, 5 };
const EthernetAddress our_mac { { 0x02, 0, 0, 0, 0, 0x02 } };
const EthernetAddress peer_mac { { 0x02, 0, 0, 0, 0, 0x01 } };
const Ipv4Address our_ip = Ipv4Address::from_octets(10, 0, 0, 2);
const Ipv4Address peer_ip = Ipv4Address::from_octets(10, 0, 0, 1);
const Ipv4Address subnet_broadcast = Ipv4Address::from_octets(10, 0, 0, 255);
const u16 listen_ports[3] = { 80, 443, 7 };

// ---- Independent checksums (RFC 1071) for the transmit oracle. ----
u32 sum_bytes(const u8* p, usize n, u32 sum = 0)
{
    for (usize i = 0; i + 1 < n; i += 2)
        sum += u32(p[i]) << 8 | p[i + 1];
    if (n % 2)
        sum += u32(p[n - 1]) << 8;
    return sum;
}
u16 fold(u64 sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return u16(sum);
}
u32 pseudo(Ipv4Address s, Ipv4Address d, u8 proto, usize len)
{
    return (s.value >> 16) + (s.value & 0xffff) + (d.value >> 16) + (d.value & 0xffff) + proto + u32(len);
}

struct Sink final : iface::FrameSink {
    std::vector<Frame> frames;
    void transmit(lib::ReadonlyBytes f) override { frames.emplace_back(f.begin(), f.end()); }
};

struct Conn {
    u16 peer_port { 0 };
    u16 local_port { 0 };
    SeqNumber peer_nxt; // what the peer sends next (the stack's last ACK)
    SeqNumber stack_nxt; // the end of what the stack sent
};

struct World {
    Sink sink;
    std::unique_ptr<iface::Interface> iface;
    std::unique_ptr<net::tcp::Stack> stack;
    std::unique_ptr<socket::Sockets> sockets;
    net::tcp::Config tcp_config;
    iface::InterfaceConfig if_config;
    socket::SocketsConfig sock_config;
    Instant now { Instant::from_millis(5000) };
    SocketId listeners[3];
    SocketId datagram;
    std::vector<SocketId> streams; // accepted or connected
    std::vector<Conn> conns;
    usize checked_frames { 0 };
    iface::Counters last_if;
    net::tcp::Counters last_tcp;
    u32 peer_ts { 100 };
};

// ---- Frame building with the emitters. ----
Frame eth(EthernetAddress src, EthernetAddress dst, EtherType type, const Frame& payload)
{
    Frame out(ethernet::header_len);
    lib::ByteWriter w { lib::Bytes(out.data(), out.size()) };
    EthernetRepr { src, dst, type }.emit(w);
    out.insert(out.end(), payload.begin(), payload.end());
    return out;
}
Frame ip_packet(Ipv4Address src, Ipv4Address dst, IpProtocol proto, const Frame& payload, u8 ttl = 64)
{
    Ipv4Repr ip;
    ip.src = src;
    ip.dst = dst;
    ip.protocol = proto;
    ip.ttl = ttl;
    ip.payload_len = u16(payload.size());
    Frame out(ip.buffer_len());
    lib::ByteWriter w { lib::Bytes(out.data(), out.size()) };
    ip.emit(w);
    out.insert(out.end(), payload.begin(), payload.end());
    return out;
}
Frame tcp_bytes(Ipv4Address src, Ipv4Address dst, const TcpRepr& r, const Frame& payload)
{
    Frame out(r.buffer_len() + payload.size());
    lib::ByteWriter w { lib::Bytes(out.data(), out.size()) };
    r.emit(w, lib::ReadonlyBytes(payload.data(), payload.size()), src, dst);
    return out;
}
Frame pattern(usize n, u32 seed)
{
    Frame f(n);
    for (usize i = 0; i < n; ++i)
        f[i] = u8((seed + i) * 31 + 7);
    return f;
}

// ---- The classifier: does a wire parser on the interface's path reject this frame? ----
bool parsers_reject(const Frame& f)
{
    lib::ReadonlyBytes bytes(f.data(), f.size());
    if (f.size() > iface::max_frame_len)
        return true;
    auto ev = EthernetView::checked(bytes);
    if (ev.is_error())
        return true;
    auto er = EthernetRepr::parse(ev.value());
    if (er.is_error())
        return true;
    if (er.value().dst != our_mac && !er.value().dst.is_broadcast())
        return false;
    lib::ReadonlyBytes payload = ev.value().payload();
    if (er.value().ethertype == EtherType::Arp) {
        auto av = ArpView::checked(payload);
        return av.is_error() || ArpRepr::parse(av.value()).is_error();
    }
    if (er.value().ethertype != EtherType::Ipv4)
        return false;
    auto iv = Ipv4View::checked(payload);
    if (iv.is_error())
        return true;
    auto ir = Ipv4Repr::parse(iv.value());
    if (ir.is_error())
        return true;
    const Ipv4Repr& ip = ir.value();
    bool ip_broadcast = ip.dst == subnet_broadcast || ip.dst.is_broadcast();
    if (ip.dst != our_ip && !ip_broadcast)
        return false;
    lib::ReadonlyBytes body = iv.value().payload();
    switch (ip.protocol) {
    case IpProtocol::Icmp: {
        auto v = IcmpView::checked(body);
        return v.is_error() || IcmpRepr::parse(v.value()).is_error();
    }
    case IpProtocol::Udp: {
        auto v = UdpView::checked(body);
        return v.is_error() || UdpRepr::parse(v.value(), ip.src, ip.dst).is_error();
    }
    case IpProtocol::Tcp: {
        if (er.value().dst.is_broadcast() || ip_broadcast || ip.dst.is_multicast())
            return false;
        auto v = TcpView::checked(body);
        return v.is_error() || TcpRepr::parse(v.value(), ip.src, ip.dst).is_error();
    }
    default:
        return false;
    }
}

// ---- The transmit oracle. ----
void check_tx_frame(World& w, const Frame& f)
{
    FUZZ_CHECK(f.size() <= iface::max_frame_len, "every transmitted frame is at most 1514 bytes");
    lib::ReadonlyBytes bytes(f.data(), f.size());
    auto ev = EthernetView::checked(bytes);
    FUZZ_CHECK(ev.is_ok(), "a transmitted frame passes EthernetView::checked");
    auto er = EthernetRepr::parse(ev.value());
    FUZZ_CHECK(er.is_ok() && er.value().src == our_mac, "a transmitted frame parses and comes from our MAC");
    FUZZ_CHECK(er.value().dst != our_mac, "we never send to ourselves");
    lib::ReadonlyBytes payload = ev.value().payload();
    if (er.value().ethertype == EtherType::Arp) {
        auto av = ArpView::checked(payload);
        FUZZ_CHECK(av.is_ok(), "a transmitted ARP packet passes ArpView::checked");
        auto ar = ArpRepr::parse(av.value());
        FUZZ_CHECK(ar.is_ok() && ar.value().sender_hardware == our_mac && ar.value().sender_protocol == our_ip,
            "a transmitted ARP packet parses and names us as the sender");
        return;
    }
    FUZZ_CHECK(er.value().ethertype == EtherType::Ipv4, "we transmit only ARP and IPv4");
    auto iv = Ipv4View::checked(payload);
    FUZZ_CHECK(iv.is_ok(), "a transmitted datagram passes Ipv4View::checked");
    auto ir = Ipv4Repr::parse(iv.value());
    FUZZ_CHECK(ir.is_ok(), "a transmitted datagram parses");
    const Ipv4Repr& ip = ir.value();
    FUZZ_CHECK(ip.src == our_ip, "a transmitted datagram comes from our address");
    FUZZ_CHECK(iv.value().bytes().size() == payload.size(), "no trailing bytes after the datagram");
    FUZZ_CHECK(fold(sum_bytes(iv.value().header().data(), iv.value().header_len())) == 0xffff, "the IPv4 header checksum verifies");
    lib::ReadonlyBytes body = iv.value().payload();
    u32 ps = pseudo(ip.src, ip.dst, u8(ip.protocol), body.size());
    switch (ip.protocol) {
    case IpProtocol::Tcp: {
        auto tv = TcpView::checked(body);
        FUZZ_CHECK(tv.is_ok(), "a transmitted segment passes TcpView::checked");
        auto tr = TcpRepr::parse(tv.value(), ip.src, ip.dst);
        FUZZ_CHECK(tr.is_ok() && tr.value().is_valid() && tr.value().flags.is_legal(), "a transmitted segment parses, is_valid(), legal flags");
        FUZZ_CHECK(fold(sum_bytes(body.data(), body.size(), ps)) == 0xffff, "the TCP checksum verifies");
        const TcpRepr& r = tr.value();
        for (Conn& c : w.conns) {
            if (ip.dst != peer_ip || r.dst_port != c.peer_port || r.src_port != c.local_port)
                continue;
            SeqNumber end = r.seq + u32(r.payload_len) + (r.flags.has(TcpFlags::syn) ? 1 : 0) + (r.flags.has(TcpFlags::fin) ? 1 : 0);
            if (!r.flags.has(TcpFlags::rst) && seq_gt(end, c.stack_nxt))
                c.stack_nxt = end;
            if (r.flags.has(TcpFlags::ack) && !r.flags.has(TcpFlags::rst))
                c.peer_nxt = r.ack;
        }
        return;
    }
    case IpProtocol::Udp: {
        auto uv = UdpView::checked(body);
        FUZZ_CHECK(uv.is_ok() && UdpRepr::parse(uv.value(), ip.src, ip.dst).is_ok(), "a transmitted UDP datagram parses");
        FUZZ_CHECK(fold(sum_bytes(body.data(), body.size(), ps)) == 0xffff, "the UDP checksum verifies");
        return;
    }
    case IpProtocol::Icmp: {
        auto cv = IcmpView::checked(body);
        FUZZ_CHECK(cv.is_ok() && IcmpRepr::parse(cv.value()).is_ok(), "a transmitted ICMP message parses");
        FUZZ_CHECK(fold(sum_bytes(body.data(), body.size())) == 0xffff, "the ICMP checksum verifies");
        return;
    }
    default:
        FUZZ_CHECK(false, "we transmit only TCP, UDP and ICMP over IPv4");
    }
}

void check_world(World& w)
{
    for (; w.checked_frames < w.sink.frames.size(); ++w.checked_frames)
        check_tx_frame(w, w.sink.frames[w.checked_frames]);
    const iface::Counters& c = w.iface->counters();
    FUZZ_CHECK(c.tx_frames == w.sink.frames.size(), "tx_frames counts the frames transmitted");
    FUZZ_CHECK(w.iface->arp_cache().size() <= w.iface->arp_cache().capacity() && w.iface->arp_cache().capacity() == w.if_config.arp.capacity,
        "the ARP cache stays within its capacity");
    FUZZ_CHECK(w.stack->connections_in_use() <= w.tcp_config.max_connections, "connections within max_connections");
    FUZZ_CHECK(w.stack->time_wait_count() <= w.tcp_config.time_wait_max, "TIME-WAIT within time_wait_max");
    FUZZ_CHECK(w.sockets->sockets_in_use() <= w.sock_config.max_sockets, "sockets within max_sockets");
    FUZZ_CHECK(w.sockets->pending_accepts() <= w.sock_config.max_pending_accepts, "pending accepts within their bound");
    for (usize i = 0; i < iface::drop_reason_count; ++i)
        FUZZ_CHECK(c.drops.counts[i] >= w.last_if.drops.counts[i], "interface drop counters only increase");
    for (usize i = 0; i < net::tcp::drop_reason_count; ++i)
        FUZZ_CHECK(w.stack->counters().drops[i] >= w.last_tcp.drops[i], "TCP drop counters only increase");
    const u64* now_if = &c.rx_frames;
    const u64* was_if = &w.last_if.rx_frames;
    for (usize i = 0; i < (sizeof(iface::Counters) - sizeof(iface::DropCounters)) / sizeof(u64); ++i)
        FUZZ_CHECK(now_if[i] >= was_if[i], "interface event counters only increase");
    const net::tcp::Counters& t = w.stack->counters();
    FUZZ_CHECK(t.segments_received >= w.last_tcp.segments_received && t.segments_sent >= w.last_tcp.segments_sent
            && t.resets_sent >= w.last_tcp.resets_sent && t.connections_established >= w.last_tcp.connections_established,
        "TCP event counters only increase");
    w.last_if = c;
    w.last_tcp = t;
}

void receive(World& w, const Frame& f)
{
    bool rejected = parsers_reject(f);
    u64 drops = w.iface->counters().drops.total();
    usize sent = w.sink.frames.size();
    u64 tcp_segments = w.stack->counters().segments_received;
    w.sockets->receive_frame(lib::ReadonlyBytes(f.data(), f.size()), w.now);
    if (rejected) {
        FUZZ_CHECK(w.iface->counters().drops.total() == drops + 1, "a frame the parsers reject is counted under exactly one drop reason");
        FUZZ_CHECK(w.sink.frames.size() == sent, "a frame the parsers reject produces no response");
        FUZZ_CHECK(w.stack->counters().segments_received == tcp_segments, "a frame the parsers reject reaches no connection");
    }
    check_world(w);
}

Frame tcp_frame(Ipv4Address src, const TcpRepr& r, const Frame& payload, EthernetAddress dst_mac = our_mac)
{
    return eth(peer_mac, dst_mac, EtherType::Ipv4, ip_packet(src, our_ip, IpProtocol::Tcp, tcp_bytes(src, our_ip, r, payload)));
}

// The most recent TCP segment we sent to `peer_port`, if any.
bool last_segment_to(World& w, u16 peer_port, usize from, TcpRepr& out)
{
    for (usize i = w.sink.frames.size(); i-- > from;) {
        const Frame& f = w.sink.frames[i];
        if (f.size() < 14 + 20 + 20 || f[12] != 0x08 || f[13] != 0x00 || f[14 + 9] != 6)
            continue;
        auto iv = Ipv4View::checked(lib::ReadonlyBytes(f.data() + 14, f.size() - 14));
        if (iv.is_error())
            continue;
        auto tv = TcpView::checked(iv.value().payload());
        if (tv.is_error())
            continue;
        auto tr = TcpRepr::parse(tv.value(), our_ip, peer_ip);
        if (tr.is_ok() && tr.value().dst_port == peer_port) {
            out = tr.value();
            return true;
        }
    }
    return false;
}

void setup(World& w, u8 connections)
{
    w.tcp_config.max_connections = 8;
    w.tcp_config.max_listeners = 4;
    w.tcp_config.send_buffer = 4096;
    w.tcp_config.receive_buffer = 4096;
    w.tcp_config.syn_backlog = 4;
    w.tcp_config.time_wait = Duration::from_secs(2);
    w.tcp_config.time_wait_max = 4;
    w.if_config.mac = our_mac;
    w.if_config.static_ipv4.address = our_ip;
    w.if_config.static_ipv4.prefix_len = 24;
    w.if_config.static_ipv4.gateway = peer_ip;
    w.if_config.arp.capacity = 4;
    w.if_config.arp.pending_slots = 2;
    w.if_config.udp.sockets = 4;
    w.sock_config.max_sockets = 12;
    w.sock_config.max_pending_accepts = 6;
    w.iface = std::make_unique<iface::Interface>(w.if_config, w.sink, w.now);
    w.stack = std::make_unique<net::tcp::Stack>(w.tcp_config, secret);
    w.sockets = std::make_unique<socket::Sockets>(w.sock_config, *w.iface, *w.stack);
    for (int i = 0; i < 3; ++i) {
        auto s = w.sockets->socket(socket::SocketType::Stream);
        FUZZ_CHECK(s.is_ok(), "socket() on an empty table");
        FUZZ_CHECK(w.sockets->bind(s.value(), { our_ip, listen_ports[i] }).is_ok(), "bind() to a free port");
        FUZZ_CHECK(w.sockets->listen(s.value(), 4).is_ok(), "listen() on a bound socket");
        w.listeners[i] = s.value();
    }
    auto d = w.sockets->socket(socket::SocketType::Datagram);
    FUZZ_CHECK(d.is_ok() && w.sockets->bind(d.value(), { our_ip, 5353 }).is_ok(), "a datagram socket binds");
    w.datagram = d.value();
    check_world(w);

    // The peer asks for our MAC (which also teaches us its own).
    ArpRepr arp { ArpOperation::Request, peer_mac, peer_ip, EthernetAddress {}, our_ip };
    Frame a(arp.buffer_len());
    lib::ByteWriter aw { lib::Bytes(a.data(), a.size()) };
    arp.emit(aw);
    usize before = w.sink.frames.size();
    receive(w, eth(peer_mac, EthernetAddress::broadcast(), EtherType::Arp, a));
    FUZZ_CHECK(w.sink.frames.size() == before + 1, "an ARP request for us is answered");

    for (u8 i = 0; i < connections; ++i) {
        Conn c;
        c.peer_port = u16(40000 + i);
        c.local_port = 80;
        SeqNumber iss { 0x10000000u * (i + 1) };
        TcpRepr syn;
        syn.src_port = c.peer_port;
        syn.dst_port = c.local_port;
        syn.seq = iss;
        syn.flags.bits = TcpFlags::syn;
        syn.window = 8192;
        syn.options.mss = 1460;
        syn.options.timestamps = TcpTimestamps { w.peer_ts, 0 };
        usize from = w.sink.frames.size();
        receive(w, tcp_frame(peer_ip, syn, {}));
        TcpRepr sa;
        FUZZ_CHECK(last_segment_to(w, c.peer_port, from, sa) && sa.flags.bits == (TcpFlags::syn | TcpFlags::ack) && sa.ack == iss + 1,
            "a SYN to a listener is answered with SYN,ACK");
        TcpRepr ack;
        ack.src_port = c.peer_port;
        ack.dst_port = c.local_port;
        ack.seq = iss + 1;
        ack.ack = sa.seq + 1;
        ack.flags.bits = TcpFlags::ack;
        ack.window = 8192;
        if (sa.options.timestamps.has_value())
            ack.options.timestamps = TcpTimestamps { ++w.peer_ts, sa.options.timestamps->tsval };
        receive(w, tcp_frame(peer_ip, ack, {}));
        auto accepted = w.sockets->accept(w.listeners[0]);
        FUZZ_CHECK(accepted.is_ok(), "a completed handshake is accepted");
        w.streams.push_back(accepted.value().id);
        c.peer_nxt = iss + 1;
        c.stack_nxt = sa.seq + 1;
        w.conns.push_back(c);
        check_world(w);
    }
}

void maybe_corrupt(Frame& f, bool corrupt, u16 at, u8 x)
{
    if (corrupt && !f.empty())
        f[at % f.size()] ^= x ? x : 0x80;
}

SocketId pick_socket(World& w, u8 k)
{
    if (w.streams.empty() || k % (w.streams.size() + 1) == w.streams.size())
        return w.datagram;
    return w.streams[k % (w.streams.size() + 1)];
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    Input in(data, size);
    World w;
    setup(w, in.take8() % 4);

    for (int step = 0; step < 256 && !in.done(); ++step) {
        u8 op = in.take8() % 12;
        switch (op) {
        case 0: {
            u8 mode = in.take8() % 3;
            usize len = in.take16() % 1600;
            Frame raw(len);
            for (usize i = 0; i < len; ++i)
                raw[i] = in.take8();
            if (mode == 0) {
                receive(w, raw);
            } else if (mode == 1) {
                receive(w, eth(peer_mac, our_mac, EtherType::Ipv4, raw));
            } else {
                u8 proto = raw.empty() ? 6 : raw[0];
                Frame f = eth(peer_mac, our_mac, EtherType::Ipv4, ip_packet(peer_ip, our_ip, IpProtocol(proto % 3 == 0 ? 1 : proto % 3 == 1 ? 6 : 17), raw));
                receive(w, f);
            }
            break;
        }
        case 1: {
            u8 target = in.take8() % 4;
            u16 port = in.take16();
            u8 flags = in.take8();
            i16 seq_off = i16(in.take16());
            i16 ack_off = i16(in.take16());
            u16 window = in.take16();
            u16 len = in.take16() % 1500;
            u8 opts = in.take8();
            u16 corrupt_at = in.take16();
            u8 corrupt_xor = in.take8();
            TcpRepr r;
            Conn* c = target < w.conns.size() ? &w.conns[target] : nullptr;
            r.src_port = c ? c->peer_port : u16(port | 1024);
            r.dst_port = c ? c->local_port : (port & 0x8000 ? listen_ports[port % 3] : u16(port | 1));
            r.flags.bits = flags;
            if (!r.flags.is_legal())
                r.flags.bits = u8((flags & ~(TcpFlags::syn | TcpFlags::rst)) | TcpFlags::ack);
            r.seq = (c ? c->peer_nxt : SeqNumber { u32(port) << 16 }) + u32(i32(seq_off));
            r.ack = r.flags.has(TcpFlags::ack) ? (c ? c->stack_nxt : SeqNumber { 7 }) + u32(i32(ack_off)) : SeqNumber {};
            r.urgent = r.flags.has(TcpFlags::urg) ? len : 0;
            r.window = window;
            r.payload_len = len;
            if (opts & 1)
                r.options.timestamps = TcpTimestamps { w.peer_ts += 3, 0 };
            if ((opts & 2) && r.flags.has(TcpFlags::syn)) {
                r.options.mss = u16(window | 64);
                r.options.window_scale = u8(window % 15);
                r.options.sack_permitted = true;
            }
            if ((opts & 4) && !r.flags.has(TcpFlags::syn)) {
                r.options.sack_count = 1;
                r.options.sack_blocks[0] = { r.ack + 1, r.ack + 1 + len + 1 };
            }
            if (!r.is_valid())
                break;
            Ipv4Address src = (opts & 8) ? Ipv4Address { (our_ip.value & 0xffffff00u) | (port & 0xfc) | 3 } : peer_ip;
            Frame f = tcp_frame(src, r, pattern(len, r.seq.value), (opts & 16) ? EthernetAddress::broadcast() : our_mac);
            maybe_corrupt(f, opts & 32, corrupt_at, corrupt_xor);
            receive(w, f);
            break;
        }
        case 2: {
            u16 port = in.take16();
            u16 len = in.take16() % 1500;
            u8 opts = in.take8();
            u16 at = in.take16();
            u8 x = in.take8();
            Ipv4Address dst = (opts & 1) ? subnet_broadcast : our_ip;
            UdpRepr u;
            u.src_port = 5353;
            u.dst_port = (port & 0x8000) ? 5353 : port;
            Frame body = pattern(len, port);
            u.payload = lib::ReadonlyBytes(body.data(), body.size());
            Frame ub(u.buffer_len());
            lib::ByteWriter uw { lib::Bytes(ub.data(), ub.size()) };
            u.emit(uw, peer_ip, dst);
            Frame f = eth(peer_mac, (opts & 2) ? EthernetAddress::broadcast() : our_mac, EtherType::Ipv4, ip_packet(peer_ip, dst, IpProtocol::Udp, ub));
            maybe_corrupt(f, opts & 4, at, x);
            receive(w, f);
            break;
        }
        case 3: {
            u8 type = in.take8();
            u8 code = in.take8();
            u16 len = in.take16() % 1400;
            u8 opts = in.take8();
            u16 at = in.take16();
            u8 x = in.take8();
            Frame body = pattern(len, type);
            IcmpRepr ic = IcmpRepr::echo_request(u16(len), u16(step), lib::ReadonlyBytes(body.data(), body.size()));
            if (type & 1) {
                ic.type = IcmpType(type >> 1);
                ic.code = code;
            }
            Frame ib(ic.buffer_len());
            lib::ByteWriter iw { lib::Bytes(ib.data(), ib.size()) };
            // Types the repr cannot emit are sent as the raw bytes of an echo request with the type patched.
            IcmpRepr echo = IcmpRepr::echo_request(u16(len), u16(step), lib::ReadonlyBytes(body.data(), body.size()));
            echo.emit(iw);
            if (type & 1) {
                ib[0] = u8(type >> 1);
                ib[1] = code;
            }
            Ipv4Address dst = (opts & 1) ? subnet_broadcast : our_ip;
            Frame f = eth(peer_mac, (opts & 2) ? EthernetAddress::broadcast() : our_mac, EtherType::Ipv4, ip_packet(peer_ip, dst, IpProtocol::Icmp, ib));
            maybe_corrupt(f, opts & 4, at, x);
            receive(w, f);
            break;
        }
        case 4: {
            u16 opcode = in.take16();
            u8 sender = in.take8() % 4;
            u8 host = in.take8();
            u8 target = in.take8();
            u8 opts = in.take8();
            ArpRepr a;
            a.operation = (opcode & 0x8000) ? ArpOperation(opcode & 0x7fff) : ArpOperation(1 + (opcode & 1));
            Ipv4Address spa = sender == 0 ? peer_ip : sender == 1 ? Ipv4Address { (our_ip.value & 0xffffff00u) | host } : sender == 2 ? our_ip : Ipv4Address {};
            EthernetAddress sha = peer_mac;
            if (opts & 4)
                sha = EthernetAddress { { 0x02, host, target, opts, 0x55, u8(step) } };
            if (opts & 1)
                sha.octets[0] |= 1;
            a.sender_hardware = sha;
            a.sender_protocol = spa;
            a.target_protocol = (target & 1) ? our_ip : Ipv4Address { (our_ip.value & 0xffffff00u) | target };
            Frame ab(a.buffer_len());
            lib::ByteWriter aw { lib::Bytes(ab.data(), ab.size()) };
            a.emit(aw);
            if (opts & 8)
                ab.resize(target % arp::packet_len); // truncated: ArpView::checked rejects it
            if ((opts & 16) && !ab.empty())
                ab[host % (ab.size() < 8 ? ab.size() : 8)] ^= u8(opts | 1); // htype/ptype/hlen/plen/op
            EthernetAddress src_mac = sha.is_multicast() ? peer_mac : sha;
            receive(w, eth(src_mac, (opts & 2) ? our_mac : EthernetAddress::broadcast(), EtherType::Arp, ab));
            break;
        }
        case 5: {
            u16 ms = in.take16();
            w.now = w.now + Duration::from_millis((ms & 0x8000) ? u64(ms & 0x7fff) * 256 : ms);
            w.sockets->poll(w.now);
            check_world(w);
            break;
        }
        case 6: {
            auto a = w.sockets->accept(w.listeners[in.take8() % 3]);
            if (a.is_ok() && w.streams.size() < 16)
                w.streams.push_back(a.value().id);
            check_world(w);
            break;
        }
        case 7: {
            SocketId s = pick_socket(w, in.take8());
            Frame body = pattern(in.take16() % 5000, u32(step));
            if (s == w.datagram)
                (void)w.sockets->send_to(s, lib::ReadonlyBytes(body.data(), body.size() % 1473), { peer_ip, 5353 }, w.now);
            else
                (void)w.sockets->send(s, lib::ReadonlyBytes(body.data(), body.size()), w.now);
            check_world(w);
            break;
        }
        case 8: {
            SocketId s = pick_socket(w, in.take8());
            usize len = in.take16() % 5000 + 1;
            std::unique_ptr<u8[]> buffer(new u8[len]);
            auto got = w.sockets->receive(s, lib::Bytes(buffer.get(), len));
            FUZZ_CHECK(got.is_error() || got.value() <= len, "receive() fills at most the buffer");
            check_world(w);
            break;
        }
        case 9: {
            u8 k = in.take8();
            if (!w.streams.empty()) {
                usize i = k % w.streams.size();
                (void)w.sockets->close(w.streams[i], w.now);
                w.streams.erase(w.streams.begin() + long(i));
            }
            check_world(w);
            break;
        }
        case 10: {
            u16 port = in.take16();
            auto s = w.sockets->socket(socket::SocketType::Stream);
            if (s.is_ok()) {
                (void)w.sockets->connect(s.value(), { peer_ip, u16(port | 1) }, w.now);
                if (w.streams.size() < 16)
                    w.streams.push_back(s.value());
                else
                    (void)w.sockets->close(s.value(), w.now);
            }
            check_world(w);
            break;
        }
        case 11: {
            u8 flags = in.take8();
            u8 proto = in.take8();
            u8 ttl = in.take8();
            usize len = in.take16() % 200;
            Frame ip = ip_packet(peer_ip, our_ip, IpProtocol(proto), pattern(len, proto), ttl);
            if (flags & 1)
                ip[6] |= 0x20;
            if (flags & 2)
                ip[6] |= 0x40;
            if (flags & 4)
                ip[7] |= 0x10;
            if (flags & 8) {
                // Four NOP options: IHL 6, total length + 4.
                ip.insert(ip.begin() + 20, { 1, 1, 1, 0 });
                ip[0] = 0x46;
                u16 total = u16(ip.size());
                ip[2] = u8(total >> 8);
                ip[3] = u8(total);
            }
            if (flags & 16)
                ip[0] = u8((ip[0] & 0x0f) | 0x60);
            receive(w, eth(peer_mac, our_mac, EtherType::Ipv4, ip));
            break;
        }
        }
    }
    return 0;
}
