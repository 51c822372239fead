// A listening socket (RFC 9293 §3.10.7.2 LISTEN): its bounded SYN backlog and accept queue.
// The half-open and accepted connections themselves live in the Stack's connection pool and
// point back here; Stack::on_segment_listen (listener.cpp) implements the LISTEN state.
#pragma once

#include "net/tcp/config.h"

namespace net::tcp {

struct Listener {
    bool in_use { false };
    u32 generation { 0 };
    Endpoint local;
    // Invariant: 1 <= backlog <= Config::max_accept_backlog, and accept_count <= backlog: the
    // Stack checks for room before a connection joins the accept queue.
    u32 backlog { 1 };
    // Connections of this listener in SYN-RECEIVED. Invariant: <= Config::syn_backlog.
    u32 syn_count { 0 };
    // Established connections waiting for accept().
    u32 accept_count { 0 };
    // Cookie ACKs are only checked within two cookie periods of the last cookie sent, so a
    // listener that never overflowed offers no 2^-24 guessing target at all.
    bool cookies_sent { false };
    Instant last_cookie;
};

} // namespace net::tcp
