// User-space link impairment (see impair.h). xorshift64* keeps runs reproducible from the seed.
#include "net/host/impair.h"

#include <cstdlib>
#include <sstream>

namespace net::host {

bool ImpairConfig::parse(const std::string& text, ImpairConfig& out, std::string& error)
{
    ImpairConfig config;
    std::stringstream items(text);
    std::string item;
    while (std::getline(items, item, ',')) {
        auto eq = item.find('=');
        if (eq == std::string::npos) {
            error = "impairment item '" + item + "' is not key=value";
            return false;
        }
        std::string key = item.substr(0, eq);
        std::string value = item.substr(eq + 1);
        char* end = nullptr;
        double number = std::strtod(value.c_str(), &end);
        if (value.empty() || *end != '\0' || number < 0) {
            error = "impairment value '" + value + "' for '" + key + "' is not a non-negative number";
            return false;
        }
        if (key == "seed") {
            config.seed = uint64_t(number);
            continue;
        }
        if (number > 100) {
            error = "impairment '" + key + "' is a percentage; " + value + " is over 100";
            return false;
        }
        if (key == "loss")
            config.loss = number / 100;
        else if (key == "duplicate")
            config.duplicate = number / 100;
        else if (key == "reorder")
            config.reorder = number / 100;
        else {
            error = "unknown impairment '" + key + "' (expected loss, duplicate, reorder, seed)";
            return false;
        }
    }
    out = config;
    return true;
}

double Impairment::next_unit()
{
    m_state ^= m_state >> 12;
    m_state ^= m_state << 25;
    m_state ^= m_state >> 27;
    return double((m_state * 0x2545F4914F6CDD1Dull) >> 11) / double(1ull << 53);
}

void Impairment::push(lib::ReadonlyBytes frame)
{
    if (next_unit() < m_config.loss) {
        ++m_dropped;
        return;
    }
    bool duplicate = next_unit() < m_config.duplicate;
    if (!m_holding && next_unit() < m_config.reorder) {
        m_held.assign(frame.begin(), frame.end());
        m_holding = true;
        ++m_reordered;
        if (duplicate) {
            ++m_duplicated;
            m_deliver(frame);
        }
        return;
    }
    m_deliver(frame);
    if (duplicate) {
        ++m_duplicated;
        m_deliver(frame);
    }
    flush();
}

void Impairment::flush()
{
    if (!m_holding)
        return;
    m_holding = false;
    m_deliver(lib::ReadonlyBytes(m_held.data(), m_held.size()));
}

} // namespace net::host
