// The kernel's `test=net` service on the socket layer: virtio-net frames -> net::socket::Sockets
// (which owns the glue between net::iface::Interface and net::tcp::Stack), the device as the
// interface's FrameSink, driven by the kernel's poll loop. TCP echo on 7; keep-alive HTTP on 80
// (/, /bytes/N with X-CRC32, POST /sink).
#pragma once

#include "kernel/boot/cmdline.h"
#include "kernel/drivers/virtio/net.h"

namespace kernel::net_service {

// Runs the echo + HTTP test service on `device` until the machine is powered off: the poll loop
// halts when idle and wakes on the virtio interrupt or the timer tick.
[[noreturn]] void run_test_service(drivers::virtio::NetDevice& device, const boot::NetworkConfig& config);

} // namespace kernel::net_service
