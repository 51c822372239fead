// Device initialization (virtio 1.2 §3.1.1), queue memory, and the wake flag.
#include "kernel/drivers/virtio/transport.h"

#include "kernel/arch/x86_64/layout.h"
#include "kernel/arch/x86_64/traps.h"
#include "kernel/lib/log.h"
#include "kernel/mm/kernel_space.h"

namespace kernel::drivers::virtio {

namespace {
volatile bool g_wakeup = false;
Transport* g_vector_owner[256] {};
u8 g_next_msi_vector = 0x80;

void on_interrupt(const arch::TrapFrame& frame)
{
    if (Transport* t = g_vector_owner[frame.vector & 0xff])
        t->acknowledge_interrupt();
    g_wakeup = true;
}
} // namespace

void install_interrupt_handler(u8 vector, Transport& transport)
{
    g_vector_owner[vector] = &transport;
    arch::set_irq_handler(vector, on_interrupt);
}

u8 allocate_msi_vector()
{
    if (g_next_msi_vector > 0x9f)
        return 0;
    return g_next_msi_vector++;
}

void note_interrupt() { g_wakeup = true; }

bool take_wakeup()
{
    bool was = g_wakeup;
    g_wakeup = false;
    return was;
}

lib::Optional<u64> negotiate(Transport& t, u64 supported, lib::StringView driver)
{
    t.reset();
    t.set_status(status::acknowledge);
    t.set_status(status::acknowledge | status::driver);
    u64 offered = t.device_features();
    u64 accepted = offered & supported;
    if (!(accepted & feature::version_1)) {
        log::warn("{}: {} {:#x}: device does not offer VIRTIO_F_VERSION_1 (features {:#x}); legacy devices are not supported",
            driver, t.kind(), t.location(), offered);
        t.set_status(status::failed);
        return lib::nullopt;
    }
    t.set_driver_features(accepted);
    t.set_status(status::acknowledge | status::driver | status::features_ok);
    if (!(t.status() & status::features_ok)) {
        log::warn("{}: {} {:#x}: device rejected features {:#x}", driver, t.kind(), t.location(), accepted);
        t.set_status(status::failed);
        return lib::nullopt;
    }
    log::info("{}: {} {:#x}: device features {:#x}, accepted {:#x}", driver, t.kind(), t.location(), offered, accepted);
    return accepted;
}

bool read_config_stable(Transport& t, u32 offset, lib::Bytes out)
{
    for (int attempt = 0; attempt < 16; ++attempt) {
        u32 before = t.config_generation();
        if (!t.read_config(offset, out))
            return false;
        if (t.config_generation() == before)
            return true;
    }
    return false;
}

lib::Optional<u64> allocate_dma(usize bytes)
{
    usize frames = (bytes + mm::page_size - 1) / mm::page_size;
    auto phys = mm::frames().allocate(frames);
    if (phys.is_error())
        return lib::nullopt;
    u8* p = arch::phys_to_ptr<u8>(phys.value());
    for (usize i = 0; i < frames * mm::page_size; ++i)
        p[i] = 0;
    return phys.value();
}

lib::Optional<QueueMemory> allocate_queue_memory(u16 size)
{
    // Descriptors, then the avail ring, then the used ring at the next 4-byte boundary.
    usize desc = descriptor_table_bytes(size);
    usize avail = avail_ring_bytes(size);
    usize used_at = (desc + avail + 3) & ~usize(3);
    usize total = used_at + used_ring_bytes(size);
    auto phys = allocate_dma(total);
    if (!phys)
        return lib::nullopt;
    u8* base = arch::phys_to_ptr<u8>(*phys);
    return QueueMemory { RingMemory { { base, desc }, { base + desc, avail }, { base + used_at, used_ring_bytes(size) } },
        *phys, *phys + desc, *phys + used_at };
}

bool setup_queue(Transport& t, Virtqueue& queue, u16 index, u16 wanted, bool event_idx, lib::StringView what)
{
    u16 max = t.queue_max_size(index);
    if (max == 0) {
        log::warn("{}: the device has no queue {}", what, index);
        return false;
    }
    u16 size = 1;
    while (u32(size) * 2 <= max && size * 2 <= wanted && size * 2 <= Virtqueue::max_size)
        size = u16(size * 2);
    auto memory = allocate_queue_memory(size);
    if (!memory) {
        log::warn("{}: out of memory for queue {} ({} entries)", what, index, size);
        return false;
    }
    queue.init(size, memory->rings, event_idx);
    if (!t.enable_queue(index, size, memory->desc_phys, memory->avail_phys, memory->used_phys)) {
        log::warn("{}: the device refused queue {}", what, index);
        return false;
    }
    log::debug("{}: queue {}: {} entries (device maximum {})", what, index, size, max);
    return true;
}

void report_broken(const Transport& t, const Virtqueue& q, lib::StringView what)
{
    const Violation& v = q.violation();
    log::error("{}: {} {:#x}: DEVICE BROKEN: {} (used.idx {}, driver at {}, id/count {}, len {}, posted {}); "
               "the device is ignored from now on",
        what, t.kind(), t.location(), violation_name(v.kind), v.used_idx, v.last_used, v.id, v.length, v.posted);
}

} // namespace kernel::drivers::virtio
