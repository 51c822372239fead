// The two virtio transports behind one interface (virtio 1.2 §4.1 PCI, §4.2 MMIO), the device
// initialization sequence (§3.1.1) with feature negotiation, and virtqueue memory. Everything a
// transport reads from the device is untrusted: config reads are bounds-checked against the
// region the device declared, and values are validated by the drivers that use them.
#pragma once

#include "kernel/drivers/virtio/virtqueue.h"
#include "lib/optional.h"
#include "lib/string_view.h"

namespace kernel::drivers::virtio {

// Feature bits the drivers here may negotiate (virtio 1.2 §6, §5.1.3).
namespace feature {
inline constexpr u64 net_mac = 1ull << 5;
inline constexpr u64 net_mrg_rxbuf = 1ull << 15;
inline constexpr u64 net_status = 1ull << 16;
inline constexpr u64 ring_event_idx = 1ull << 29;
inline constexpr u64 version_1 = 1ull << 32;
} // namespace feature

// Device status bits (§2.1).
namespace status {
inline constexpr u8 acknowledge = 1;
inline constexpr u8 driver = 2;
inline constexpr u8 driver_ok = 4;
inline constexpr u8 features_ok = 8;
inline constexpr u8 failed = 128;
} // namespace status

class Transport {
public:
    virtual lib::StringView kind() const = 0; // "virtio-pci" / "virtio-mmio"
    virtual u64 location() const = 0;         // MMIO base, or bus/device/function for PCI
    virtual u32 device_id() const = 0;
    virtual void reset() = 0;
    virtual u8 status() = 0;
    virtual void set_status(u8) = 0;
    virtual u64 device_features() = 0;
    virtual void set_driver_features(u64) = 0;
    // 0 when the queue does not exist.
    virtual u16 queue_max_size(u16 queue) = 0;
    // Programs and enables the queue. False when the device refused (e.g. an MSI-X vector).
    virtual bool enable_queue(u16 queue, u16 size, u64 desc, u64 avail, u64 used) = 0;
    virtual void notify(u16 queue) = 0;
    virtual u32 config_generation() = 0;
    // Reads device config bytes [offset, offset + out.size()). False if that lies outside the
    // region the device declared.
    virtual bool read_config(u32 offset, lib::Bytes out) = 0;
    // Routes the device's interrupt to the kernel's wake flag. Returns a description for the log.
    virtual lib::StringView enable_interrupts() = 0;
    // The interrupt handler's acknowledgement (ISR read / InterruptACK), also safe to call from
    // the poll loop.
    virtual void acknowledge_interrupt() = 0;

protected:
    ~Transport() = default;
};

// §3.1.1 steps 1-6: reset, ACKNOWLEDGE, DRIVER, read features, accept (device & supported),
// FEATURES_OK and check it stuck. VIRTIO_F_VERSION_1 is required. Returns the accepted
// features, or none after setting FAILED (and logging why).
lib::Optional<u64> negotiate(Transport&, u64 supported, lib::StringView driver);
// Reads device config consistently (retries while config_generation changes, §2.5.1).
bool read_config_stable(Transport&, u32 offset, lib::Bytes out);

// Ring memory for one queue, from the frame allocator (physically contiguous, zeroed).
struct QueueMemory {
    RingMemory rings;
    u64 desc_phys;
    u64 avail_phys;
    u64 used_phys;
};
lib::Optional<QueueMemory> allocate_queue_memory(u16 size);
// Contiguous zeroed DMA memory (whole frames): physical address, or none.
lib::Optional<u64> allocate_dma(usize bytes);

// Sets up queue `index` with min(device maximum, wanted) entries (a power of two).
// Returns false (and logs) if the device has no such queue or memory ran out.
bool setup_queue(Transport&, Virtqueue&, u16 index, u16 wanted, bool event_idx, lib::StringView what);

// Logs a broken queue once: what the device wrote, and that the device is now ignored.
void report_broken(const Transport&, const Virtqueue&, lib::StringView what);

// Set by every virtio interrupt; the poll loop clears it. Interrupt handlers do nothing else but
// acknowledge (ARCHITECTURE.md, runtime model).
bool take_wakeup();
void note_interrupt();
// Installs the kernel's handler for `vector`: acknowledge `transport`'s interrupt, set the flag.
void install_interrupt_handler(u8 vector, Transport& transport);
// A free vector for MSI-X (0x80..0x9f), or 0 when they are used up.
u8 allocate_msi_vector();

} // namespace kernel::drivers::virtio
