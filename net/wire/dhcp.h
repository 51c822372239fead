// DHCP client messages (RFC 2131 §2–§4, options from RFC 2132) over the BOOTP layout (RFC 951):
// a checked view, an option walk, the repr a client needs, and emit.
#pragma once

#include "lib/byte_writer.h"
#include "lib/optional.h"
#include "lib/result.h"
#include "net/wire/address.h"
#include "net/wire/wire_error.h"

namespace net::wire {

namespace dhcp {

inline constexpr u16 server_port = 67;
inline constexpr u16 client_port = 68;
inline constexpr u8 op_request = 1;  // BOOTREQUEST
inline constexpr u8 op_reply = 2;    // BOOTREPLY
inline constexpr u8 htype_ethernet = 1;
inline constexpr u8 hlen_ethernet = 6;
inline constexpr u16 flag_broadcast = 0x8000;
inline constexpr u32 magic_cookie = 0x63825363;
inline constexpr usize fixed_len = 236;       // op .. file
inline constexpr usize options_offset = 240;  // fixed part + magic cookie
// RFC 951's BOOTP message is 300 bytes; RFC 1542 §2.1 lets relays and servers drop anything
// shorter, so emit() pads with zeros up to this length.
inline constexpr usize min_message_len = 300;
inline constexpr usize dns_servers_max = 3;
inline constexpr usize parameter_request_max = 16;

namespace field {
inline constexpr lib::Field op { 0, 1 };
inline constexpr lib::Field htype { 1, 1 };
inline constexpr lib::Field hlen { 2, 1 };
inline constexpr lib::Field hops { 3, 1 };
inline constexpr lib::Field xid { 4, 4 };
inline constexpr lib::Field secs { 8, 2 };
inline constexpr lib::Field flags { 10, 2 };
inline constexpr lib::Field ciaddr { 12, 4 };
inline constexpr lib::Field yiaddr { 16, 4 };
inline constexpr lib::Field siaddr { 20, 4 };
inline constexpr lib::Field giaddr { 24, 4 };
inline constexpr lib::Field chaddr { 28, 16 };
inline constexpr lib::Field sname { 44, 64 };
inline constexpr lib::Field file { 108, 128 };
inline constexpr lib::Field magic { 236, 4 };
} // namespace field

namespace option {
inline constexpr u8 pad = 0;
inline constexpr u8 subnet_mask = 1;
inline constexpr u8 router = 3;
inline constexpr u8 dns_servers = 6;
inline constexpr u8 requested_ip = 50;
inline constexpr u8 lease_time = 51;
inline constexpr u8 overload = 52;
inline constexpr u8 message_type = 53;
inline constexpr u8 server_identifier = 54;
inline constexpr u8 parameter_request_list = 55;
inline constexpr u8 renewal_time = 58;
inline constexpr u8 rebinding_time = 59;
inline constexpr u8 client_identifier = 61;
inline constexpr u8 end = 255;
} // namespace option

} // namespace dhcp

// Option 53 (RFC 2132 §9.6).
enum class DhcpMessageType : u8 {
    Discover = 1,
    Offer = 2,
    Request = 3,
    Decline = 4,
    Ack = 5,
    Nak = 6,
    Release = 7,
    Inform = 8,
};

// The BOOTP op a message of this type travels with: OFFER, ACK and NAK come from servers.
constexpr u8 dhcp_op_for(DhcpMessageType type)
{
    bool reply = type == DhcpMessageType::Offer || type == DhcpMessageType::Ack || type == DhcpMessageType::Nak;
    return reply ? dhcp::op_reply : dhcp::op_request;
}

// One option as it appears in the options area; `data` excludes the code and length bytes and lies
// inside the area the reader was given.
struct DhcpRawOption {
    u8 code { 0 };
    lib::ReadonlyBytes data;
};

// Walks a DHCP options area (RFC 2132 §2). The only code that reads option length bytes.
class DhcpOptionReader {
public:
    explicit DhcpOptionReader(lib::ReadonlyBytes area) : m_area(area) { }

    // The next option (Pad included, with empty data), or nullopt at the End option. After
    // nullopt or an error the reader is finished and keeps returning nullopt.
    // Fails with: Truncated (the area ends before an End option),
    //             BadOption (a length byte is missing or the data runs past the area).
    lib::Result<lib::Optional<DhcpRawOption>, WireError> next();
    // Bytes consumed so far; strictly increases with every option returned.
    usize offset() const { return m_offset; }

private:
    lib::ReadonlyBytes m_area;
    // Invariant: m_offset <= m_area.size(). next() either returns an option and advances m_offset
    // by at least 1 (Pad: 1; others: 2 + length, which fits), or finishes the walk (m_done). So an
    // area of n bytes yields at most n options and the walk never leaves it.
    usize m_offset { 0 };
    bool m_done { false };
};

// A message whose fixed part has been checked: at least 240 bytes, the magic cookie, op 1 or 2,
// Ethernet hardware type and length.
class DhcpView {
public:
    // Fails with: Truncated (shorter than 240 bytes),
    //             BadVersion (wrong magic cookie, op not 1 or 2, htype not 1, hlen not 6).
    static lib::Result<DhcpView, WireError> checked(lib::ReadonlyBytes message);

    u8 op() const { return m_bytes[dhcp::field::op.offset]; }
    u8 hops() const { return m_bytes[dhcp::field::hops.offset]; }
    u32 transaction_id() const { return lib::load_be32(m_bytes, dhcp::field::xid); }
    u16 secs() const { return lib::load_be16(m_bytes, dhcp::field::secs); }
    u16 flags() const { return lib::load_be16(m_bytes, dhcp::field::flags); }
    bool broadcast() const { return (flags() & dhcp::flag_broadcast) != 0; }
    Ipv4Address client_ip() const { return Ipv4Address::from_bytes(m_bytes, dhcp::field::ciaddr.offset); }
    Ipv4Address your_ip() const { return Ipv4Address::from_bytes(m_bytes, dhcp::field::yiaddr.offset); }
    Ipv4Address server_ip() const { return Ipv4Address::from_bytes(m_bytes, dhcp::field::siaddr.offset); }
    Ipv4Address relay_ip() const { return Ipv4Address::from_bytes(m_bytes, dhcp::field::giaddr.offset); }
    // The first hlen (= 6) bytes of chaddr.
    EthernetAddress client_hardware_address() const
    {
        return EthernetAddress::from_bytes(m_bytes, dhcp::field::chaddr.offset);
    }
    lib::ReadonlyBytes options() const { return m_bytes.slice(dhcp::options_offset); }
    lib::ReadonlyBytes bytes() const { return m_bytes; }

private:
    explicit DhcpView(lib::ReadonlyBytes bytes) : m_bytes(bytes) { }
    // Invariant: m_bytes.size() >= 240 (established by checked()).
    lib::ReadonlyBytes m_bytes;
};

// What a DHCP client sends and needs from replies. Not represented: hops, giaddr, sname and file
// (option overload, code 52, is not supported: its option is skipped and sname/file are never
// read), and options other than those below.
struct DhcpRepr {
    DhcpMessageType message_type { DhcpMessageType::Discover };
    u32 transaction_id { 0 };
    u16 secs { 0 };
    bool broadcast { false };
    EthernetAddress client_hardware_address;
    Ipv4Address client_ip;  // ciaddr
    Ipv4Address your_ip;    // yiaddr
    Ipv4Address server_ip;  // siaddr ("next server")
    lib::Optional<Ipv4Address> server_identifier;  // 54
    lib::Optional<Ipv4Address> requested_ip;       // 50
    lib::Optional<Ipv4Address> subnet_mask;        // 1, contiguous
    lib::Optional<Ipv4Address> router;             // 3, the first listed
    // Invariant: dns_count <= 3; entries past it are neither compared nor emitted.
    u8 dns_count { 0 };
    Ipv4Address dns_servers[dhcp::dns_servers_max] {};  // 6, the first three listed
    lib::Optional<u32> lease_time;      // 51, seconds
    lib::Optional<u32> renewal_time;    // 58, T1
    lib::Optional<u32> rebinding_time;  // 59, T2
    // Invariant: parameter_request_count <= 16; entries past it are neither compared nor emitted.
    u8 parameter_request_count { 0 };
    u8 parameter_request_list[dhcp::parameter_request_max] {};  // 55, the first sixteen
    // Option 61 holding hardware type 1 followed by chaddr (RFC 2132 §9.14), the identifier
    // clients conventionally send. Any other client identifier is ignored on parse.
    bool client_identifier { false };

    // Rules: the message type is required; an op that disagrees with it is BadOption; fixed-size
    // options must have their exact size; address lists (3, 6) a non-zero multiple of 4; the
    // subnet mask must be contiguous; a known option that appears twice is BadOption (RFC 3396
    // concatenation is not supported); unknown options are skipped by their length.
    // Fails with: Truncated (no End option), BadOption (the rules above),
    //             Unsupported (a message type other than 1..8).
    static lib::Result<DhcpRepr, WireError> parse(const DhcpView& view);

    // True for what parse() can return: counts within their arrays, a known message type, a
    // contiguous subnet mask. emit() VERIFYs it.
    bool is_valid() const;
    // 240 + options (53, 61, 50, 54, 1, 3, 6, 51, 58, 59, 55, End in that order), at least 300.
    // Precondition: is_valid().
    usize buffer_len() const;
    // Writes exactly buffer_len() bytes at the writer's position: op from the message type, htype
    // 1, hlen 6, hops 0, giaddr/sname/file zero, the options, then zero padding.
    // Precondition: is_valid(), writer.remaining() >= buffer_len().
    void emit(lib::ByteWriter& writer) const;
    bool operator==(const DhcpRepr& other) const;
};

// The per-option step and the End check of DhcpRepr::parse, separate so that
// proofs/net/wire/dhcp.cpp can verify each from any state (a whole walk of a 1232-byte options area
// is too many paths to run).
namespace dhcp::detail {
// Applies one option the walk returned: an unknown code is skipped; a known code already in `seen`
// (bit `code`) is BadOption; otherwise its bit is added to `seen` and the option decoded into `out`.
// Fails with: BadOption, Unsupported (DhcpRepr::parse's rules).
// Precondition: out's fixed-part fields (chaddr) are already filled in.
lib::Result<void, WireError> apply_option(DhcpRepr& out, u64& seen, const DhcpRawOption& raw);
// At the End option: the message type was seen and agrees with the BOOTP op.
// Fails with: BadOption.
lib::Result<void, WireError> check_complete(const DhcpRepr& repr, u64 seen, u8 op);
} // namespace dhcp::detail

} // namespace net::wire
