// The neighbour cache for IPv4 over Ethernet (RFC 826; RFC 1122 §2.3.2): a fixed table that never
// grows, entries that expire, bounded retries for unresolved addresses, and at most one pending
// frame per unresolved address (RFC 1122 §2.3.2.2 "SHOULD save at least one").
#pragma once

#include "lib/optional.h"
#include "net/iface/counters.h"
#include "net/iface/device.h"
#include "net/time.h"
#include "net/wire/address.h"

namespace net::iface {

struct ArpConfig {
    // Hard bound on entries, complete and incomplete together.
    usize capacity { 64 };
    // Frames that may wait for resolution at once (each max_frame_len bytes, allocated up front).
    usize pending_slots { 16 };
    Duration entry_lifetime { Duration::from_secs(60) };
    Duration retry_interval { Duration::from_secs(1) };
    // ARP requests sent for an unresolved address before it is given up (RFC 1122 §2.3.2.1).
    u8 max_requests { 3 };
};

class ArpCache {
public:
    enum class Learn : u8 {
        UpdateOnly,     // only refresh an entry that already exists (RFC 826 merge_flag)
        InsertOrUpdate, // also create one: the packet was addressed to us (RFC 826)
    };
    enum class Queued : u8 {
        SendRequest, // a new unresolved entry: send the first ARP request now
        Waiting,     // a request is already outstanding
    };

    // Allocates the table and the pending slots: the only allocation the cache ever makes.
    // Precondition: capacity >= 1, max_requests >= 1.
    ArpCache(const ArpConfig& config, Counters& counters);
    ~ArpCache();
    ArpCache(const ArpCache&) = delete;
    ArpCache& operator=(const ArpCache&) = delete;

    // The hardware address of a complete entry that has not expired.
    lib::Optional<wire::EthernetAddress> lookup(wire::Ipv4Address ip, Instant now) const;

    struct Learned {
        // False when mode was UpdateOnly and there was no entry for ip: nothing was learned.
        bool stored { false };
        // When this resolved an incomplete entry holding a pending frame: that frame (its
        // destination MAC not yet filled in), whose slot is now free. The span stays valid until
        // the next queue() call, so the caller transmits it at once. Otherwise empty.
        lib::Bytes pending;
    };
    // Records ip -> mac.
    Learned learn(wire::Ipv4Address ip, wire::EthernetAddress mac, Learn mode, Instant now);

    // Keeps `frame` until `ip` resolves, replacing (and counting) an older frame for the same ip.
    // When the table is full the oldest entry is evicted. Precondition: frame.size() <=
    // max_frame_len and lookup(ip, now) is empty.
    Queued queue(wire::Ipv4Address ip, lib::ReadonlyBytes frame, Instant now);

    // Expires complete entries, and for unresolved ones whose retry time has come either calls
    // send_request(ip) again or, after max_requests, gives up and drops the pending frame.
    template<typename SendRequest> void poll(Instant now, SendRequest&& send_request)
    {
        for (usize i = 0; i < m_config.capacity; ++i) {
            if (poll_entry(i, now))
                send_request(m_entries[i].ip);
        }
    }

    Instant next_deadline() const;
    // Entries in use, complete or not. Invariant: size() <= capacity.
    usize size() const;
    usize capacity() const { return m_config.capacity; }

private:
    enum class State : u8 { Free, Incomplete, Complete };
    struct Entry {
        State state { State::Free };
        wire::Ipv4Address ip;
        wire::EthernetAddress mac;
        // When the entry was created or last learned: the eviction order.
        Instant updated;
        // Complete: when it expires. Incomplete: when to retry or give up.
        Instant deadline;
        u8 requests_sent { 0 };
        // Invariant: pending_slot < pending_slots, or -1; a slot belongs to at most one entry.
        i32 pending_slot { -1 };
        u16 pending_len { 0 };
    };

    Entry* find(wire::Ipv4Address ip);
    const Entry* find(wire::Ipv4Address ip) const;
    // A free entry, evicting the oldest one when none is free.
    Entry& allocate(wire::Ipv4Address ip, Instant now);
    void drop_pending(Entry& entry, DropReason reason);
    i32 allocate_slot();
    lib::Bytes slot(i32 index) const;
    // Returns true when an ARP request should be (re)sent for entry i.
    bool poll_entry(usize i, Instant now);

    ArpConfig m_config;
    Counters& m_counters;
    // Invariant: m_config.capacity entries and m_config.pending_slots * max_frame_len bytes,
    // allocated in the constructor and never resized.
    Entry* m_entries;
    u8* m_pending;
    bool* m_slot_used;
};

} // namespace net::iface
