// Names of the socket layer's errors, as the errno symbols they stand for.
#include "net/socket/socket_error.h"

namespace net::socket {

const char* socket_error_name(SocketError error)
{
    switch (error) {
    case SocketError::WouldBlock: return "EAGAIN";
    case SocketError::BadDescriptor: return "EBADF";
    case SocketError::InvalidArgument: return "EINVAL";
    case SocketError::TooManyOpenFiles: return "EMFILE";
    case SocketError::BrokenPipe: return "EPIPE";
    case SocketError::DestinationAddressRequired: return "EDESTADDRREQ";
    case SocketError::MessageTooLong: return "EMSGSIZE";
    case SocketError::ProtocolOptionUnavailable: return "ENOPROTOOPT";
    case SocketError::OperationNotSupported: return "EOPNOTSUPP";
    case SocketError::AddressFamilyNotSupported: return "EAFNOSUPPORT";
    case SocketError::AddressInUse: return "EADDRINUSE";
    case SocketError::AddressNotAvailable: return "EADDRNOTAVAIL";
    case SocketError::NetworkUnreachable: return "ENETUNREACH";
    case SocketError::ConnectionAborted: return "ECONNABORTED";
    case SocketError::ConnectionReset: return "ECONNRESET";
    case SocketError::NoBufferSpace: return "ENOBUFS";
    case SocketError::AlreadyConnected: return "EISCONN";
    case SocketError::NotConnected: return "ENOTCONN";
    case SocketError::TimedOut: return "ETIMEDOUT";
    case SocketError::ConnectionRefused: return "ECONNREFUSED";
    case SocketError::AlreadyInProgress: return "EALREADY";
    case SocketError::InProgress: return "EINPROGRESS";
    }
    return "?";
}

} // namespace net::socket
