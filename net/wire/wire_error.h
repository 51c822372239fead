// Why a received frame was dropped. Every parser in net/wire reports one of these; the interface
// counts drops by reason (smoltcp's error style: small enums, no strings).
#pragma once

#include "lib/string_view.h"

namespace net::wire {

enum class WireError : u8 {
    Truncated,       // fewer bytes than the header (or a length field) requires
    BadLength,       // a length field that is impossible (too small, or larger than the buffer)
    BadChecksum,     // checksum does not verify (never returned in BULWARK_FUZZING builds)
    BadVersion,      // wrong IP version, ARP hardware/protocol type, DHCP op/magic, ...
    BadOption,       // an option that overruns its header, has an illegal length, or repeats
    BadFlags,        // an illegal flag combination (e.g. TCP SYN+FIN, SYN+RST)
    BadAddress,      // a source address that may not appear on the wire (broadcast/multicast source)
    Unsupported,     // well-formed but not handled (e.g. an IPv4 fragment, an unknown ICMP type)
};

constexpr lib::StringView wire_error_name(WireError e)
{
    switch (e) {
    case WireError::Truncated:
        return "truncated";
    case WireError::BadLength:
        return "bad length";
    case WireError::BadChecksum:
        return "bad checksum";
    case WireError::BadVersion:
        return "bad version/type";
    case WireError::BadOption:
        return "bad option";
    case WireError::BadFlags:
        return "bad flags";
    case WireError::BadAddress:
        return "bad address";
    case WireError::Unsupported:
        return "unsupported";
    }
    return "?";
}

inline constexpr usize wire_error_count = 8;

} // namespace net::wire
