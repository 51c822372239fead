// The link an Interface transmits on: a TAP device on the host, virtio-net in the kernel, a
// recording sink in tests. Frames are Ethernet II without FCS, at most max_frame_len bytes.
#pragma once

#include "lib/span.h"

namespace net::iface {

// 14-byte Ethernet header + 1500-byte MTU. Every frame the interface builds fits in this.
inline constexpr usize max_frame_len = 1514;
inline constexpr usize mtu = 1500;

class FrameSink {
public:
    // Sends one frame. The bytes belong to the interface and are only valid during the call: a
    // device that queues must copy them. Padding to the 60-byte minimum is the device's job.
    virtual void transmit(lib::ReadonlyBytes frame) = 0;

protected:
    ~FrameSink() = default;
};

} // namespace net::iface
