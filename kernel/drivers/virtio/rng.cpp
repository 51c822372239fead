// virtio-rng driver: a single request, polled with a deadline (virtio 1.2 §5.4.6).
#include "kernel/drivers/virtio/rng.h"

#include "kernel/arch/x86_64/clock.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/entropy.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/lib/log.h"

namespace kernel::drivers::virtio {

namespace {
// The queue lives as long as the kernel: the device may still own the buffer after a timeout.
Virtqueue g_queue;
} // namespace

usize harvest_rng(Transport& t, usize bytes, u64 timeout_ms)
{
    if (bytes == 0 || bytes > 256)
        bytes = 64;
    auto features = negotiate(t, feature::version_1, "virtio-rng");
    if (!features)
        return 0;
    if (!setup_queue(t, g_queue, 0, 8, false, "virtio-rng")) {
        t.set_status(status::failed);
        return 0;
    }
    auto buffer = allocate_dma(bytes);
    if (!buffer) {
        t.set_status(status::failed);
        return 0;
    }
    t.set_status(status::acknowledge | status::driver | status::features_ok | status::driver_ok);
    Segment s { *buffer, u32(bytes), Segment::Direction::DeviceWrites };
    if (g_queue.post(lib::Span<const Segment>(&s, 1), 1).is_error())
        return 0;
    if (g_queue.should_notify())
        t.notify(0);
    u64 deadline = arch::clock::monotonic_ns() + timeout_ms * 1000000;
    // Without a calibrated clock monotonic_ns() stays 0: bound the wait by iterations as well.
    for (u64 spins = 0; spins < 50000000; ++spins) {
        auto done = g_queue.pop();
        if (done.is_error()) {
            report_broken(t, g_queue, "virtio-rng");
            t.set_status(status::failed);
            return 0;
        }
        if (done.value().has_value()) {
            u32 got = done.value().value().length;
            // Copy out of shared memory before mixing.
            u8 copy[256];
            const u8* src = arch::phys_to_ptr<u8>(*buffer);
            for (u32 i = 0; i < got; ++i)
                copy[i] = src[i];
            arch::entropy::mix_in(lib::ReadonlyBytes(copy, got), "virtio-rng");
            log::info("virtio-rng: {} {:#x}: {} bytes mixed into the entropy pool", t.kind(), t.location(), got);
            return got;
        }
        if (arch::clock::monotonic_ns() > deadline && arch::clock::monotonic_ns() != 0)
            break;
        arch::pause();
    }
    log::warn("virtio-rng: {} {:#x}: no answer within {} ms", t.kind(), t.location(), timeout_ms);
    return 0;
}

} // namespace kernel::drivers::virtio
