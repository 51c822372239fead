// Tests for the split virtqueue against a scripted device, honest and hostile (virtio 1.2 §2.7).
#include "kernel/drivers/virtio/virtqueue.h"

#include <cstring>
#include <gtest/gtest.h>
#include <memory>
#include <vector>

namespace kernel::drivers::virtio {
namespace {

using Dir = Segment::Direction;

// Ring memory and a device that reads the avail ring and writes the used ring like QEMU would,
// or writes whatever a test tells it to.
struct Rig {
    explicit Rig(u16 size, bool event_idx = false) : size(size)
    {
        desc.assign(descriptor_table_bytes(size) + 16, 0);
        avail.assign(avail_ring_bytes(size) + 16, 0);
        used.assign(used_ring_bytes(size) + 16, 0);
        queue = std::make_unique<Virtqueue>();
        queue->init(size, RingMemory { { aligned(desc), descriptor_table_bytes(size) }, { aligned(avail), avail_ring_bytes(size) },
                              { aligned(used), used_ring_bytes(size) } },
            event_idx);
    }
    static u8* aligned(std::vector<u8>& v) { return reinterpret_cast<u8*>((reinterpret_cast<uptr>(v.data()) + 15) & ~uptr(15)); }
    template<typename T> T get(std::vector<u8>& v, usize at)
    {
        T x;
        memcpy(&x, aligned(v) + at, sizeof x);
        return x;
    }
    template<typename T> void put(std::vector<u8>& v, usize at, T x) { memcpy(aligned(v) + at, &x, sizeof x); }

    u16 avail_idx() { return get<u16>(avail, 2); }
    u16 avail_head(u16 i) { return get<u16>(avail, 4 + 2 * (i % size)); }
    u64 desc_addr(u16 d) { return get<u64>(desc, 16 * d); }
    u32 desc_len(u16 d) { return get<u32>(desc, 16 * d + 8); }
    u16 desc_flags(u16 d) { return get<u16>(desc, 16 * d + 12); }
    u16 desc_next(u16 d) { return get<u16>(desc, 16 * d + 14); }
    void complete(u32 id, u32 len)
    {
        put<u32>(used, 4 + 8 * (used_idx % size), id);
        put<u32>(used, 8 + 8 * (used_idx % size), len);
        ++used_idx;
        put<u16>(used, 2, used_idx);
    }
    // Completes the next published head with `len`.
    void complete_next(u32 len) { complete(avail_head(consumed++), len); }

    u16 size;
    std::vector<u8> desc, avail, used;
    std::unique_ptr<Virtqueue> queue;
    u16 used_idx { 0 };
    u16 consumed { 0 };
};

Segment rx(u64 addr, u32 len) { return { addr, len, Dir::DeviceWrites }; }
Segment tx(u64 addr, u32 len) { return { addr, len, Dir::DeviceReads }; }

TEST(Virtqueue, PostPublishesChainAndPopReturnsCookie)
{
    Rig r(8);
    Segment chain[] = { tx(0x1000, 12), rx(0x2000, 100), rx(0x3000, 50) };
    ASSERT_TRUE(r.queue->post(chain, 42).is_ok());
    EXPECT_EQ(r.avail_idx(), 1);
    u16 head = r.avail_head(0);
    EXPECT_EQ(r.desc_addr(head), 0x1000u);
    EXPECT_EQ(r.desc_flags(head), 1);
    u16 second = r.desc_next(head);
    EXPECT_EQ(r.desc_flags(second), 3);
    u16 third = r.desc_next(second);
    EXPECT_EQ(r.desc_flags(third), 2);
    EXPECT_EQ(r.desc_len(third), 50u);
    EXPECT_EQ(r.queue->free_descriptors(), 5);

    auto none = r.queue->pop();
    ASSERT_TRUE(none.is_ok());
    EXPECT_FALSE(none.value().has_value());
    r.complete_next(150);
    auto done = r.queue->pop();
    ASSERT_TRUE(done.is_ok() && done.value().has_value());
    EXPECT_EQ(done.value().value().cookie, 42u);
    EXPECT_EQ(done.value().value().length, 150u);
    EXPECT_EQ(r.queue->free_descriptors(), 8);
    EXPECT_EQ(r.queue->outstanding(), 0);
}

TEST(Virtqueue, RejectsBadChains)
{
    Rig r(4);
    EXPECT_EQ(r.queue->post({}, 1).error(), QueueError::BadChain);
    Segment zero[] = { rx(0x1000, 0) };
    EXPECT_EQ(r.queue->post(zero, 1).error(), QueueError::BadChain);
    Segment order[] = { rx(0x1000, 4), tx(0x2000, 4) };
    EXPECT_EQ(r.queue->post(order, 1).error(), QueueError::BadChain);
    Segment too_long[] = { tx(1, 1), tx(2, 1), tx(3, 1), tx(4, 1), tx(5, 1) };
    EXPECT_EQ(r.queue->post(too_long, 1).error(), QueueError::BadChain);
    Segment three[] = { tx(1, 1), tx(2, 1), tx(3, 1) };
    ASSERT_TRUE(r.queue->post(three, 1).is_ok());
    Segment two[] = { tx(1, 1), tx(2, 1) };
    EXPECT_EQ(r.queue->post(two, 2).error(), QueueError::Full);
    EXPECT_EQ(r.avail_idx(), 1);
}

// virtio 1.2 §2.7.5.2: no chain over 2^32 bytes in total, readable bytes included (found by
// proofs/kernel/drivers/virtio/virtqueue.cpp: post() bounded only the writable bytes).
TEST(Virtqueue, RejectsChainsOver4GiB)
{
    Rig r(4);
    Segment huge[] = { tx(0x1000, 0xfc4408dd), rx(0x2000, 0xfc058e9a) };
    EXPECT_EQ(r.queue->post(huge, 1).error(), QueueError::BadChain);
    Segment readable[] = { tx(0x1000, 0x80000000), tx(0x2000, 0x80000001) };
    EXPECT_EQ(r.queue->post(readable, 1).error(), QueueError::BadChain);
    Segment exactly[] = { tx(0x1000, 0x80000000), tx(0x2000, 0x80000000) };
    EXPECT_TRUE(r.queue->post(exactly, 1).is_ok());
    EXPECT_EQ(r.avail_idx(), 1);
}

TEST(Virtqueue, WrapsAroundManyTimes)
{
    Rig r(4);
    u64 next_cookie = 0, expect = 0;
    for (int round = 0; round < 70000; ++round) {
        while (r.queue->free_descriptors() > 0) {
            Segment s[] = { rx(0x1000, 64) };
            ASSERT_TRUE(r.queue->post(s, next_cookie++).is_ok());
        }
        r.complete_next(64);
        auto done = r.queue->pop();
        ASSERT_TRUE(done.is_ok() && done.value().has_value());
        EXPECT_EQ(done.value().value().cookie, expect++);
    }
    EXPECT_FALSE(r.queue->is_broken());
}

TEST(Virtqueue, IdOutOfRangeBreaksTheQueue)
{
    Rig r(8);
    Segment s[] = { rx(0x1000, 64) };
    ASSERT_TRUE(r.queue->post(s, 1).is_ok());
    r.complete(8, 10);
    EXPECT_EQ(r.queue->pop().error(), QueueError::Broken);
    EXPECT_EQ(r.queue->violation().kind, Violation::Kind::IdOutOfRange);
    EXPECT_EQ(r.queue->violation().id, 8u);
    // Sticky: nothing works afterwards, even an honest answer.
    EXPECT_EQ(r.queue->post(s, 2).error(), QueueError::Broken);
    EXPECT_EQ(r.queue->pop().error(), QueueError::Broken);
    EXPECT_FALSE(r.queue->should_notify());
}

TEST(Virtqueue, IdNotOutstandingBreaksTheQueue)
{
    Rig r(8);
    Segment s[] = { tx(0x1000, 12), rx(0x1000, 64) };
    ASSERT_TRUE(r.queue->post(s, 1).is_ok());
    u16 head = r.avail_head(0);
    // The second descriptor of the chain is not a head.
    r.complete(r.desc_next(head), 0);
    EXPECT_EQ(r.queue->pop().error(), QueueError::Broken);
    EXPECT_EQ(r.queue->violation().kind, Violation::Kind::IdNotOutstanding);
}

TEST(Virtqueue, DuplicateCompletionBreaksTheQueue)
{
    Rig r(8);
    Segment s[] = { rx(0x1000, 64) };
    ASSERT_TRUE(r.queue->post(s, 1).is_ok());
    ASSERT_TRUE(r.queue->post(s, 2).is_ok());
    u16 head = r.avail_head(0);
    r.complete(head, 1);
    r.complete(head, 1);
    auto first = r.queue->pop();
    ASSERT_TRUE(first.is_ok() && first.value().has_value());
    EXPECT_EQ(r.queue->pop().error(), QueueError::Broken);
    EXPECT_EQ(r.queue->violation().kind, Violation::Kind::IdNotOutstanding);
}

TEST(Virtqueue, LengthBeyondPostedBreaksTheQueue)
{
    Rig r(8);
    Segment s[] = { tx(0x1000, 12), rx(0x2000, 64) };
    ASSERT_TRUE(r.queue->post(s, 1).is_ok());
    r.complete_next(65);
    EXPECT_EQ(r.queue->pop().error(), QueueError::Broken);
    EXPECT_EQ(r.queue->violation().kind, Violation::Kind::LengthTooLarge);
    EXPECT_EQ(r.queue->violation().length, 65u);
    EXPECT_EQ(r.queue->violation().posted, 64u);
}

TEST(Virtqueue, ReadOnlyBufferMustReportZero)
{
    Rig r(8);
    Segment s[] = { tx(0x1000, 1514) };
    ASSERT_TRUE(r.queue->post(s, 1).is_ok());
    r.complete_next(1);
    EXPECT_EQ(r.queue->pop().error(), QueueError::Broken);
}

TEST(Virtqueue, IndexJumpBreaksTheQueue)
{
    Rig r(8);
    Segment s[] = { rx(0x1000, 64) };
    ASSERT_TRUE(r.queue->post(s, 1).is_ok());
    ASSERT_TRUE(r.queue->post(s, 2).is_ok());
    r.put<u16>(r.used, 2, 3); // three completions for two buffers
    EXPECT_EQ(r.queue->pop().error(), QueueError::Broken);
    EXPECT_EQ(r.queue->violation().kind, Violation::Kind::IndexJump);
}

TEST(Virtqueue, IndexGoingBackwardsBreaksTheQueue)
{
    Rig r(8);
    Segment s[] = { rx(0x1000, 64) };
    ASSERT_TRUE(r.queue->post(s, 1).is_ok());
    r.complete_next(4);
    ASSERT_TRUE(r.queue->pop().is_ok());
    r.put<u16>(r.used, 2, 0);
    EXPECT_EQ(r.queue->pop().error(), QueueError::Broken);
}

TEST(Virtqueue, DeviceOverwritingDescriptorsCannotRedirectCompletions)
{
    Rig r(4);
    Segment s[] = { tx(0x1000, 12), rx(0x2000, 64) };
    ASSERT_TRUE(r.queue->post(s, 7).is_ok());
    // The device scribbles over the descriptor table: a loop, huge lengths.
    for (usize i = 0; i < descriptor_table_bytes(4); ++i)
        r.aligned(r.desc)[i] = 0xff;
    for (u16 d = 0; d < 4; ++d)
        r.put<u16>(r.desc, 16 * d + 14, d);
    r.complete_next(64);
    auto done = r.queue->pop();
    ASSERT_TRUE(done.is_ok() && done.value().has_value());
    EXPECT_EQ(done.value().value().cookie, 7u);
    EXPECT_EQ(r.queue->free_descriptors(), 4);
    // The free list is intact: four single descriptors fit.
    Segment one[] = { rx(0x1000, 1) };
    for (int i = 0; i < 4; ++i)
        EXPECT_TRUE(r.queue->post(one, u64(i)).is_ok());
}

TEST(Virtqueue, NotificationSuppression)
{
    Rig plain(8);
    Segment s[] = { rx(0x1000, 64) };
    ASSERT_TRUE(plain.queue->post(s, 1).is_ok());
    EXPECT_TRUE(plain.queue->should_notify());
    EXPECT_FALSE(plain.queue->should_notify()); // nothing new
    plain.put<u16>(plain.used, 0, 1);           // VIRTQ_USED_F_NO_NOTIFY
    ASSERT_TRUE(plain.queue->post(s, 2).is_ok());
    EXPECT_FALSE(plain.queue->should_notify());

    Rig ev(8, true);
    // avail_event = 0: the device wants to hear when entry 0 is published.
    ASSERT_TRUE(ev.queue->post(s, 1).is_ok());
    EXPECT_TRUE(ev.queue->should_notify());
    ASSERT_TRUE(ev.queue->post(s, 2).is_ok());
    EXPECT_FALSE(ev.queue->should_notify()); // avail_event still 0: already told
    ev.put<u16>(ev.used, 4 + 8 * 8, 2);
    ASSERT_TRUE(ev.queue->post(s, 3).is_ok());
    EXPECT_TRUE(ev.queue->should_notify());
    // used_event follows the driver's consumption.
    ev.complete_next(1);
    ASSERT_TRUE(ev.queue->pop().is_ok());
    EXPECT_EQ(ev.get<u16>(ev.avail, 4 + 2 * 8), 1);
}

TEST(Virtqueue, ForcedBreak)
{
    Rig r(2);
    r.queue->set_broken(Violation::Kind::Forced);
    EXPECT_TRUE(r.queue->is_broken());
    Segment s[] = { rx(0x1000, 64) };
    EXPECT_EQ(r.queue->post(s, 1).error(), QueueError::Broken);
}

} // namespace
} // namespace kernel::drivers::virtio
