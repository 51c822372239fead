// SimLink (see sim_link.h).
#include "net/tcp/testing/sim_link.h"

#include <algorithm>
#include <memory>

namespace net::tcp::testing {

SimLink::SimLink(const Config& config, u64 seed) : m_rng(seed)
{
    for (int i = 0; i < 2; ++i) {
        u8 secret[16];
        for (auto& b : secret)
            b = u8(m_rng());
        m_stacks[i] = std::make_unique<Stack>(config, secret);
        m_sides[i].link = this;
        m_sides[i].index = i;
    }
}

void SimLink::Side::send(const FourTuple& tuple, const wire::TcpRepr& repr, lib::ReadonlyBytes payload)
{
    link->transmit(index, tuple, repr, payload);
}

void SimLink::transmit(int from, const FourTuple& tuple, const wire::TcpRepr& repr, lib::ReadonlyBytes payload)
{
    ++m_stats.sent;
    InFlight f { m_now + latency, 0, 1 - from, std::vector<u8>(repr.buffer_len()), tuple.local.address, tuple.remote.address };
    lib::ByteWriter writer(lib::Bytes(f.bytes.data(), f.bytes.size()));
    repr.emit(writer, payload, f.src, f.dst);
    if (uniform() < impairments.loss) {
        ++m_stats.lost;
        return;
    }
    if (uniform() < impairments.corrupt) {
        // One flipped byte: the Internet checksum always detects a single-byte change.
        ++m_stats.corrupted;
        std::uniform_int_distribution<size_t> at(0, f.bytes.size() - 1);
        std::uniform_int_distribution<int> mask(1, 255);
        f.bytes[at(m_rng)] ^= u8(mask(m_rng));
        f.order = ~0ull; // marks it for the corrupted_accepted check
    }
    if (uniform() < impairments.reorder) {
        ++m_stats.reordered;
        f.at = f.at + Duration { u64(uniform() * double(reorder_delay.micros)) + 1 };
    }
    if (uniform() < impairments.duplicate) {
        ++m_stats.duplicated;
        enqueue(f);
    }
    enqueue(std::move(f));
}

void SimLink::enqueue(InFlight f)
{
    bool corrupted = f.order == ~0ull;
    f.order = (m_order++ << 1) | (corrupted ? 1 : 0);
    m_queue.push_back(std::move(f));
}

void SimLink::deliver(const InFlight& f)
{
    lib::ReadonlyBytes bytes(f.bytes.data(), f.bytes.size());
    auto view = wire::TcpView::checked(bytes);
    if (view.is_error()) {
        ++m_stats.rejected;
        return;
    }
    auto repr = wire::TcpRepr::parse(view.value(), f.src, f.dst);
    if (repr.is_error()) {
        ++m_stats.rejected;
        return;
    }
    if (f.order & 1)
        ++m_stats.corrupted_accepted;
    ++m_stats.delivered;
    const wire::TcpRepr& r = repr.value();
    FourTuple tuple { { f.dst, r.dst_port }, { f.src, r.src_port } };
    m_stacks[f.to]->on_segment(tuple, r, view.value().payload(), m_now, m_sides[f.to]);
}

bool SimLink::run(const std::function<bool()>& done, Instant until, const std::function<void()>& app)
{
    if (app)
        app();
    while (!done()) {
        Instant next = std::min(m_stacks[0]->next_deadline(), m_stacks[1]->next_deadline());
        for (const auto& f : m_queue)
            next = std::min(next, f.at);
        if (next == Instant::never() || next > until)
            break;
        m_now = std::max(m_now, next);
        // Deliver everything due, oldest first (ties in send order).
        std::vector<InFlight> due;
        auto split = std::stable_partition(m_queue.begin(), m_queue.end(), [&](const InFlight& f) { return f.at > m_now; });
        due.assign(std::make_move_iterator(split), std::make_move_iterator(m_queue.end()));
        m_queue.erase(split, m_queue.end());
        std::sort(due.begin(), due.end(), [](const InFlight& a, const InFlight& b) {
            return a.at != b.at ? a.at < b.at : a.order < b.order;
        });
        for (const auto& f : due)
            deliver(f);
        if (app)
            app();
        for (int i = 0; i < 2; ++i)
            m_stacks[i]->poll(m_now, m_sides[i]);
        if (app)
            app();
    }
    return done();
}

} // namespace net::tcp::testing
