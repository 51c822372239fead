// virtio-net (virtio 1.2 §5.1): one RX and one TX queue, the 12-byte virtio_net_hdr, mergeable
// RX buffers, MAC and link status from config space, notification suppression by EVENT_IDX.
// Negotiated: VERSION_1, MAC, STATUS, MRG_RXBUF, RING_EVENT_IDX. Not negotiated, on purpose:
// CSUM/GUEST_CSUM (net/ computes and verifies every checksum itself, so a frame from the device
// never carries a partial checksum and we never ask the device to fill one in) and every TSO/UFO
// bit (net/ never builds a segment larger than the 1500-byte MTU).
#pragma once

#include "kernel/drivers/virtio/transport.h"
#include "net/iface/device.h"
#include "net/wire/address.h"

namespace kernel::drivers::virtio {

class NetDevice final : public net::iface::FrameSink {
public:
    // Negotiates, sets up the queues and fills the RX ring. Null (logged) on failure.
    static NetDevice* create(Transport&);

    net::wire::EthernetAddress mac() const { return m_mac; }
    bool link_up();
    bool is_broken() const { return m_broken; }
    Transport& transport() { return m_transport; }

    class Receiver {
    public:
        virtual void receive_frame(lib::ReadonlyBytes frame) = 0;

    protected:
        ~Receiver() = default;
    };
    // Hands up to `budget` received frames to `receiver`, reposts their buffers, reclaims TX
    // buffers. Returns the number of frames delivered.
    usize poll(Receiver& receiver, usize budget);
    // FrameSink: copies the frame behind a zeroed header into a TX buffer (dropped if none).
    void transmit(lib::ReadonlyBytes frame) override;

    struct Stats {
        u64 rx_frames, tx_frames, rx_dropped, tx_dropped;
    };
    const Stats& stats() const { return m_stats; }

private:
    explicit NetDevice(Transport& t) : m_transport(t) { }
    bool post_rx(u16 buffer);
    void reclaim_tx();
    void declare_broken(Virtqueue&, lib::StringView what);

    static constexpr u16 queue_entries = 256;
    static constexpr u32 buffer_size = 2048;
    static constexpr u32 header_size = 12;

    Transport& m_transport;
    Virtqueue m_rx;
    Virtqueue m_tx;
    u64 m_features { 0 };
    net::wire::EthernetAddress m_mac {};
    bool m_broken { false };
    bool m_last_link { true };
    u64 m_rx_phys { 0 };
    u64 m_tx_phys { 0 };
    u16 m_rx_buffers { 0 };
    u16 m_tx_buffers { 0 };
    // Invariant: m_tx_free[0..m_tx_free_count) are the TX buffers not posted to the device.
    u16 m_tx_free[queue_entries] {};
    u16 m_tx_free_count { 0 };
    Stats m_stats {};
    // A frame spread over several merged RX buffers is assembled here.
    u8 m_assembly[net::iface::max_frame_len + header_size] {};
};

} // namespace kernel::drivers::virtio
