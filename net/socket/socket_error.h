// Socket-layer errors: one value per errno the Linux socket calls return for the same situation
// (values from asm-generic/errno-base.h and asm-generic/errno.h, x86-64), so sys/ can hand them
// straight back to the application.
#pragma once

#include "lib/types.h"

namespace net::socket {

enum class SocketError : u8 {
    WouldBlock,                // EAGAIN: nothing to read, no room to write, no connection queued
    BadDescriptor,             // EBADF: a stale or unknown SocketId
    InvalidArgument,           // EINVAL: bind twice, accept on a non-listener, listen when connected
    TooManyOpenFiles,          // EMFILE: the socket table is full
    BrokenPipe,                // EPIPE: send after shutdown, or on a never-connected stream
    DestinationAddressRequired,// EDESTADDRREQ: send() without an address on a datagram socket
    MessageTooLong,            // EMSGSIZE: a datagram larger than one frame
    ProtocolOptionUnavailable, // ENOPROTOOPT: TCP_NODELAY on a datagram socket
    OperationNotSupported,     // EOPNOTSUPP: listen/accept on a datagram socket
    AddressFamilyNotSupported, // EAFNOSUPPORT: for sys/'s decoder (this layer speaks IPv4 only)
    AddressInUse,              // EADDRINUSE
    AddressNotAvailable,       // EADDRNOTAVAIL: not our address, or the four-tuple is taken
    NetworkUnreachable,        // ENETUNREACH: no route, or no address yet
    ConnectionAborted,         // ECONNABORTED: connect() again after a failure already reported
    ConnectionReset,           // ECONNRESET
    NoBufferSpace,             // ENOBUFS: a pool of the TCP or UDP layer is exhausted
    AlreadyConnected,          // EISCONN
    NotConnected,              // ENOTCONN
    TimedOut,                  // ETIMEDOUT
    ConnectionRefused,         // ECONNREFUSED
    AlreadyInProgress,         // EALREADY: connect() while a connect is in progress
    InProgress,                // EINPROGRESS: a non-blocking connect() has started
};

inline constexpr usize socket_error_count = usize(SocketError::InProgress) + 1;

// The Linux x86-64 errno for `error` (positive; sys/ negates it).
constexpr int to_errno(SocketError error)
{
    switch (error) {
    case SocketError::WouldBlock: return 11;
    case SocketError::BadDescriptor: return 9;
    case SocketError::InvalidArgument: return 22;
    case SocketError::TooManyOpenFiles: return 24;
    case SocketError::BrokenPipe: return 32;
    case SocketError::DestinationAddressRequired: return 89;
    case SocketError::MessageTooLong: return 90;
    case SocketError::ProtocolOptionUnavailable: return 92;
    case SocketError::OperationNotSupported: return 95;
    case SocketError::AddressFamilyNotSupported: return 97;
    case SocketError::AddressInUse: return 98;
    case SocketError::AddressNotAvailable: return 99;
    case SocketError::NetworkUnreachable: return 101;
    case SocketError::ConnectionAborted: return 103;
    case SocketError::ConnectionReset: return 104;
    case SocketError::NoBufferSpace: return 105;
    case SocketError::AlreadyConnected: return 106;
    case SocketError::NotConnected: return 107;
    case SocketError::TimedOut: return 110;
    case SocketError::ConnectionRefused: return 111;
    case SocketError::AlreadyInProgress: return 114;
    case SocketError::InProgress: return 115;
    }
    return 22;
}

// The errno's symbolic name ("EAGAIN"), for logs and test output.
const char* socket_error_name(SocketError);

} // namespace net::socket
