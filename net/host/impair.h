// A lossy link in user space: drops, duplicates and reorders frames with given probabilities,
// deterministically from a seed. Used when the kernel has no `tc netem` (sch_netem), and for
// impairing both directions of a TAP link (netem on a TAP only shapes Linux's transmit side).
#pragma once

#include "lib/span.h"

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

namespace net::host {

struct ImpairConfig {
    double loss { 0 };      // probability in [0, 1]
    double duplicate { 0 };
    double reorder { 0 };   // probability that a frame is held back and sent after the next one
    uint64_t seed { 1 };
    bool active() const { return loss > 0 || duplicate > 0 || reorder > 0; }

    // Parses "loss=5,reorder=10,duplicate=1,seed=7" (percentages). False with a message on error.
    static bool parse(const std::string& text, ImpairConfig& out, std::string& error);
};

class Impairment {
public:
    using Deliver = std::function<void(lib::ReadonlyBytes)>;
    Impairment(const ImpairConfig& config, Deliver deliver) : m_config(config), m_deliver(std::move(deliver)), m_state(config.seed | 1) { }

    // Passes `frame` through the impairment; zero, one or two frames reach `deliver`, possibly
    // after a held-back earlier frame.
    void push(lib::ReadonlyBytes frame);
    // Releases a held-back frame (call when the link goes idle so nothing is held forever).
    void flush();

    uint64_t dropped() const { return m_dropped; }
    uint64_t duplicated() const { return m_duplicated; }
    uint64_t reordered() const { return m_reordered; }

private:
    double next_unit();

    ImpairConfig m_config;
    Deliver m_deliver;
    uint64_t m_state;
    std::vector<uint8_t> m_held;
    bool m_holding { false };
    uint64_t m_dropped { 0 }, m_duplicated { 0 }, m_reordered { 0 };
};

} // namespace net::host
