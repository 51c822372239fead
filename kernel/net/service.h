// The kernel's network glue: virtio-net -> net::iface::Interface -> net::tcp::Stack, driven by the
// kernel's poll loop, and the `test=net` service (TCP echo on 7, HTTP on 80).
#pragma once

#include "kernel/boot/cmdline.h"
#include "kernel/drivers/virtio/net.h"

namespace kernel::net_service {

// Runs the echo + HTTP test service on `device` until the machine is powered off: the poll loop
// halts when idle and wakes on the virtio interrupt or the timer tick.
[[noreturn]] void run_test_service(drivers::virtio::NetDevice& device, const boot::NetworkConfig& config);

} // namespace kernel::net_service
