// Fuzz target for the split virtqueue (kernel/drivers/virtio/virtqueue.h) against a malicious
// device: the input is a script in which the driver posts chains and the "device" writes
// arbitrary used-ring entries, indices and garbage into every ring.
//
// Input format: a header { size_shift u8 (mod 11: queue size 1..1024), event_idx u8 } then
// operations, an opcode byte (mod 8) and its arguments, little endian:
//   0 post            count u8 (mod 6: 0 and 5 are illegal), per segment: length u16 (0 is
//                     illegal), direction u8 (bit 0: device writes)
//   1 used entry      slot u16, id u32, length u32 (raw, anything)
//   2 used.idx        value u16 (raw)
//   3 honest complete length u32: completes the oldest published head with min(length, posted)
//   4 pop
//   5 notify          avail_event u16, used.flags u16, then should_notify()
//   6 scribble        ring u8 (desc/avail/used), offset u16, value u8
//   7 pop all
// Oracle: every completion names a cookie that is outstanding (posted, not yet returned), with a
// length at most the writable bytes posted under it; post's result is predicted exactly (BadChain,
// Full, ok) while the queue is healthy; once broken, post and pop fail with Broken forever; the
// free count equals size minus the descriptors of outstanding chains. The rings live in
// exact-size heap buffers, so ASan reports any access outside them.
#include "fuzz/fuzz.h"
#include "kernel/drivers/virtio/virtqueue.h"

#include <cstring>
#include <map>
#include <memory>
#include <vector>

using fuzz::Input;
namespace virtio = kernel::drivers::virtio;
using virtio::QueueError;
using virtio::Segment;

namespace {

struct Posted {
    u32 writable;
    u16 descriptors;
};

template<typename T> void put(u8* ring, usize at, T v) { memcpy(ring + at, &v, sizeof v); }
template<typename T> T get(const u8* ring, usize at)
{
    T v;
    memcpy(&v, ring + at, sizeof v);
    return v;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const u8* data, size_t size)
{
    Input in(data, size);
    u16 qsize = u16(1u << (in.take8() % 11));
    bool event_idx = in.take_bool();
    usize desc_bytes = virtio::descriptor_table_bytes(qsize);
    usize avail_bytes = virtio::avail_ring_bytes(qsize);
    usize used_bytes = virtio::used_ring_bytes(qsize);
    // operator new[] memory is 16-byte aligned on this platform.
    std::unique_ptr<u8[]> desc(new u8[desc_bytes]);
    std::unique_ptr<u8[]> avail(new u8[avail_bytes]);
    std::unique_ptr<u8[]> used(new u8[used_bytes]);
    auto queue = std::make_unique<virtio::Virtqueue>();
    queue->init(qsize, virtio::RingMemory { { desc.get(), desc_bytes }, { avail.get(), avail_bytes }, { used.get(), used_bytes } },
        event_idx);

    std::map<u64, Posted> outstanding;
    u64 next_cookie = 1;
    u16 device_used_idx = 0;
    u16 device_consumed = 0;
    u32 used_descriptors = 0;
    bool was_broken = false;

    auto check_pop = [&](const lib::Result<lib::Optional<virtio::Completion>, QueueError>& r) {
        if (was_broken)
            FUZZ_CHECK(r.is_error() && r.error() == QueueError::Broken, "a broken queue stays broken");
        if (r.is_error()) {
            FUZZ_CHECK(r.error() == QueueError::Broken, "pop fails only with Broken");
            FUZZ_CHECK(queue->is_broken(), "pop failed but the queue is not marked broken");
            FUZZ_CHECK(queue->violation().kind != virtio::Violation::Kind::None, "broken without a recorded violation");
            was_broken = true;
            return false;
        }
        if (!r.value().has_value())
            return false;
        const virtio::Completion& c = r.value().value();
        auto it = outstanding.find(c.cookie);
        FUZZ_CHECK(it != outstanding.end(), "handed out a buffer that is not outstanding");
        FUZZ_CHECK(c.length <= it->second.writable, "reported a length beyond what was posted");
        used_descriptors -= it->second.descriptors;
        outstanding.erase(it);
        return true;
    };

    while (!in.done()) {
        switch (in.take8() % 8) {
        case 0: {
            usize count = in.take8() % 6;
            Segment segments[5];
            bool legal = count >= 1 && count <= virtio::Virtqueue::max_chain;
            bool seen_write = false;
            u32 writable = 0;
            for (usize i = 0; i < count; ++i) {
                u16 length = in.take16();
                bool writes = in.take_bool();
                segments[i] = Segment { 0x100000 + i * 0x10000, length,
                    writes ? Segment::Direction::DeviceWrites : Segment::Direction::DeviceReads };
                legal = legal && length != 0 && !(seen_write && !writes);
                seen_write = seen_write || writes;
                writable += writes ? length : 0;
            }
            auto r = queue->post(lib::Span<const Segment>(segments, count), next_cookie);
            if (was_broken) {
                FUZZ_CHECK(r.is_error() && r.error() == QueueError::Broken, "a broken queue stays broken");
            } else if (!legal) {
                FUZZ_CHECK(r.is_error() && r.error() == QueueError::BadChain, "illegal chain not refused");
            } else if (count > qsize - used_descriptors) {
                FUZZ_CHECK(r.is_error() && r.error() == QueueError::Full, "overfull post not refused");
            } else {
                FUZZ_CHECK(r.is_ok(), "legal post refused");
                outstanding[next_cookie] = Posted { writable, u16(count) };
                used_descriptors += u32(count);
                ++next_cookie;
            }
            break;
        }
        case 1: {
            u16 slot = in.take16() % qsize;
            put<u32>(used.get(), 4 + 8 * usize(slot), in.take32());
            put<u32>(used.get(), 8 + 8 * usize(slot), in.take32());
            break;
        }
        case 2:
            device_used_idx = in.take16();
            put<u16>(used.get(), 2, device_used_idx);
            break;
        case 3: {
            u32 length = in.take32();
            u16 published = get<u16>(avail.get(), 2);
            if (device_consumed == published)
                break;
            u16 head = get<u16>(avail.get(), 4 + 2 * usize(device_consumed % qsize));
            ++device_consumed;
            // Honest only if the head is sane; the device reads what the driver wrote.
            u32 posted = 0;
            u16 d = head;
            for (int i = 0; i < 8 && d < qsize; ++i) {
                u16 flags = get<u16>(desc.get(), 16 * usize(d) + 12);
                if (flags & 2)
                    posted += get<u32>(desc.get(), 16 * usize(d) + 8);
                if (!(flags & 1))
                    break;
                d = get<u16>(desc.get(), 16 * usize(d) + 14);
            }
            put<u32>(used.get(), 4 + 8 * usize(device_used_idx % qsize), head);
            put<u32>(used.get(), 8 + 8 * usize(device_used_idx % qsize), length < posted ? length : posted);
            ++device_used_idx;
            put<u16>(used.get(), 2, device_used_idx);
            break;
        }
        case 4:
            check_pop(queue->pop());
            break;
        case 5:
            put<u16>(used.get(), 4 + 8 * usize(qsize), in.take16());
            put<u16>(used.get(), 0, in.take16());
            (void)queue->should_notify();
            break;
        case 6: {
            u8 which = in.take8() % 3;
            u16 offset = in.take16();
            u8 value = in.take8();
            u8* ring = which == 0 ? desc.get() : which == 1 ? avail.get() : used.get();
            usize length = which == 0 ? desc_bytes : which == 1 ? avail_bytes : used_bytes;
            ring[offset % length] = value;
            break;
        }
        case 7:
            for (usize i = 0; i <= qsize; ++i) {
                if (!check_pop(queue->pop()))
                    break;
            }
            break;
        }
        if (queue->is_broken())
            was_broken = true;
        if (!was_broken) {
            FUZZ_CHECK(queue->outstanding() == outstanding.size(), "outstanding count disagrees with the model");
            FUZZ_CHECK(queue->free_descriptors() == qsize - used_descriptors, "free count disagrees with the model");
        }
    }
    return 0;
}
