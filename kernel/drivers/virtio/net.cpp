// virtio-net driver (virtio 1.2 §5.1.6): RX refill, mergeable buffers, TX completion.
#include "kernel/drivers/virtio/net.h"

#include "kernel/arch/x86_64/entropy.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/lib/log.h"
#include "lib/byte_order.h"

namespace kernel::drivers::virtio {

namespace {
constexpr u64 supported = feature::version_1 | feature::net_mac | feature::net_status | feature::net_mrg_rxbuf
    | feature::ring_event_idx;
constexpr u16 rx_queue = 0;
constexpr u16 tx_queue = 1;
constexpr u16 link_up_bit = 1;

struct MacText {
    char text[18];
    explicit MacText(const net::wire::EthernetAddress& a)
    {
        constexpr char hex[] = "0123456789abcdef";
        for (int i = 0; i < 6; ++i) {
            text[3 * i] = hex[a.octets[i] >> 4];
            text[3 * i + 1] = hex[a.octets[i] & 15];
            text[3 * i + 2] = i < 5 ? ':' : 0;
        }
    }
    lib::StringView view() const { return lib::StringView(text, 17); }
};
} // namespace

NetDevice* NetDevice::create(Transport& t)
{
    lib::StringView interrupts = t.enable_interrupts();
    auto features = negotiate(t, supported, "virtio-net");
    if (!features)
        return nullptr;
    auto* dev = new NetDevice(t);
    dev->m_features = *features;
    bool event_idx = *features & feature::ring_event_idx;
    if (!setup_queue(t, dev->m_rx, rx_queue, queue_entries, event_idx, "virtio-net rx")
        || !setup_queue(t, dev->m_tx, tx_queue, queue_entries, event_idx, "virtio-net tx")) {
        t.set_status(status::failed);
        delete dev;
        return nullptr;
    }
    dev->m_rx_buffers = dev->m_rx.size();
    dev->m_tx_buffers = dev->m_tx.size();
    auto rx = allocate_dma(usize(dev->m_rx_buffers) * buffer_size);
    auto tx = allocate_dma(usize(dev->m_tx_buffers) * buffer_size);
    if (!rx || !tx) {
        log::warn("virtio-net: out of memory for packet buffers");
        t.set_status(status::failed);
        delete dev;
        return nullptr;
    }
    dev->m_rx_phys = *rx;
    dev->m_tx_phys = *tx;
    for (u16 i = 0; i < dev->m_tx_buffers; ++i)
        dev->m_tx_free[dev->m_tx_free_count++] = i;

    // MAC: from config space when offered and sane, else a random locally administered one.
    u8 mac[6] {};
    bool have_mac = (*features & feature::net_mac) && read_config_stable(t, 0, lib::Bytes(mac, 6));
    net::wire::EthernetAddress address {};
    for (int i = 0; i < 6; ++i)
        address.octets[i] = mac[i];
    if (!have_mac || !address.is_unicast() || (mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]) == 0) {
        if (have_mac)
            log::warn("virtio-net: config space MAC {} is not a unicast address; using a random one", MacText(address).view());
        u64 r = arch::entropy::random_u64().value;
        for (int i = 0; i < 6; ++i)
            address.octets[i] = u8(r >> (8 * i));
        address.octets[0] = u8((address.octets[0] & 0xfe) | 0x02);
    }
    dev->m_mac = address;

    for (u16 i = 0; i < dev->m_rx_buffers; ++i) {
        if (!dev->post_rx(i))
            break;
    }
    t.set_status(status::acknowledge | status::driver | status::features_ok | status::driver_ok);
    if (dev->m_rx.should_notify())
        t.notify(rx_queue);
    dev->m_last_link = dev->link_up();
    log::info("virtio-net: {} {:#x}: MAC {}, link {}, {} rx / {} tx buffers of {} bytes, {}mergeable rx, {}event idx, "
              "interrupts: {}",
        t.kind(), t.location(), MacText(dev->m_mac).view(), dev->m_last_link ? "up" : "down", dev->m_rx_buffers, dev->m_tx_buffers,
        buffer_size, (*features & feature::net_mrg_rxbuf) ? "" : "no ", event_idx ? "" : "no ", interrupts);
    return dev;
}

bool NetDevice::link_up()
{
    if (!(m_features & feature::net_status))
        return true;
    u8 raw[2] {};
    if (!read_config_stable(m_transport, 6, lib::Bytes(raw, 2)))
        return true;
    return (raw[0] | (u16(raw[1]) << 8)) & link_up_bit;
}

bool NetDevice::post_rx(u16 buffer)
{
    Segment s { m_rx_phys + u64(buffer) * buffer_size, buffer_size, Segment::Direction::DeviceWrites };
    auto r = m_rx.post(lib::Span<const Segment>(&s, 1), buffer);
    if (r.is_error()) {
        if (r.error() == QueueError::Broken)
            declare_broken(m_rx, "rx");
        return false;
    }
    return true;
}

void NetDevice::declare_broken(Virtqueue& q, lib::StringView which)
{
    if (m_broken)
        return;
    m_broken = true;
    q.set_broken(Violation::Kind::Forced);
    report_broken(m_transport, q, which == "rx" ? lib::StringView("virtio-net rx") : lib::StringView("virtio-net tx"));
    m_transport.set_status(status::failed);
}

void NetDevice::reclaim_tx()
{
    for (;;) {
        auto done = m_tx.pop();
        if (done.is_error()) {
            declare_broken(m_tx, "tx");
            return;
        }
        if (!done.value().has_value())
            return;
        // The cookie is ours (the queue checked it is outstanding), so it indexes the buffers.
        m_tx_free[m_tx_free_count++] = u16(done.value().value().cookie);
    }
}

usize NetDevice::poll(Receiver& receiver, usize budget)
{
    if (m_broken)
        return 0;
    bool link = link_up();
    if (link != m_last_link) {
        log::info("virtio-net: link {}", link ? "up" : "down");
        m_last_link = link;
    }
    reclaim_tx();
    usize delivered = 0;
    bool reposted = false;
    bool mergeable = m_features & feature::net_mrg_rxbuf;
    while (delivered < budget && !m_broken) {
        auto first = m_rx.pop();
        if (first.is_error()) {
            declare_broken(m_rx, "rx");
            break;
        }
        if (!first.value().has_value())
            break;
        Completion c = first.value().value();
        u16 buffer = u16(c.cookie);
        const u8* data = arch::phys_to_ptr<u8>(m_rx_phys + u64(buffer) * buffer_size);
        if (c.length < header_size) {
            log::error("virtio-net: rx completion of {} bytes is shorter than the {}-byte header", c.length, header_size);
            declare_broken(m_rx, "rx");
            break;
        }
        // Copy out of shared memory once; from here on the device cannot change what we parse.
        u32 total = 0;
        bool fits = true;
        auto append = [&](const u8* src, u32 length) {
            if (!fits || length > sizeof(m_assembly) - total) {
                fits = false;
                return;
            }
            for (u32 i = 0; i < length; ++i)
                m_assembly[total + i] = src[i];
            total += length;
        };
        append(data, c.length);
        if (!post_rx(buffer))
            break;
        reposted = true;
        u16 num_buffers = u16(m_assembly[10] | (u16(m_assembly[11]) << 8));
        if (!mergeable)
            num_buffers = 1;
        if (num_buffers == 0 || num_buffers > m_rx.size()) {
            log::error("virtio-net: rx header claims {} merged buffers", num_buffers);
            declare_broken(m_rx, "rx");
            break;
        }
        for (u16 i = 1; i < num_buffers && !m_broken; ++i) {
            auto more = m_rx.pop();
            if (more.is_error() || !more.value().has_value()) {
                if (more.is_ok())
                    log::error("virtio-net: rx header claims {} merged buffers but only {} were returned", num_buffers, i);
                declare_broken(m_rx, "rx");
                break;
            }
            Completion m = more.value().value();
            append(arch::phys_to_ptr<u8>(m_rx_phys + u64(u16(m.cookie)) * buffer_size), m.length);
            if (!post_rx(u16(m.cookie)))
                break;
        }
        if (m_broken)
            break;
        if (!fits || total <= header_size) {
            ++m_stats.rx_dropped;
            continue;
        }
        ++m_stats.rx_frames;
        ++delivered;
        receiver.receive_frame(lib::ReadonlyBytes(m_assembly + header_size, total - header_size));
    }
    if (reposted && !m_broken && m_rx.should_notify())
        m_transport.notify(rx_queue);
    return delivered;
}

void NetDevice::transmit(lib::ReadonlyBytes frame)
{
    if (m_broken || frame.size() > net::iface::max_frame_len) {
        ++m_stats.tx_dropped;
        return;
    }
    if (m_tx_free_count == 0)
        reclaim_tx();
    if (m_tx_free_count == 0 || m_broken) {
        ++m_stats.tx_dropped;
        return;
    }
    u16 buffer = m_tx_free[--m_tx_free_count];
    u8* out = arch::phys_to_ptr<u8>(m_tx_phys + u64(buffer) * buffer_size);
    usize length = frame.size() < 60 ? 60 : frame.size();
    for (u32 i = 0; i < header_size; ++i)
        out[i] = 0; // no offloads: flags 0, gso_type NONE, num_buffers 0 (§5.1.6.2)
    for (usize i = 0; i < length; ++i)
        out[header_size + i] = i < frame.size() ? frame[i] : 0;
    Segment s { m_tx_phys + u64(buffer) * buffer_size, u32(header_size + length), Segment::Direction::DeviceReads };
    auto r = m_tx.post(lib::Span<const Segment>(&s, 1), buffer);
    if (r.is_error()) {
        m_tx_free[m_tx_free_count++] = buffer;
        ++m_stats.tx_dropped;
        if (r.error() == QueueError::Broken)
            declare_broken(m_tx, "tx");
        return;
    }
    ++m_stats.tx_frames;
    if (m_tx.should_notify())
        m_transport.notify(tx_queue);
}

} // namespace kernel::drivers::virtio
