// SocketError -> errno: the Linux x86-64 values (asm-generic/errno-base.h, asm-generic/errno.h).
#include "net/socket/socket_error.h"

#include <cerrno>
#include <cstring>
#include <gtest/gtest.h>
#include <set>

using namespace net::socket;

TEST(SocketError, MapsToLinuxErrnoValues)
{
    // Spelled as numbers, not <cerrno> names, so the test pins the ABI even on a host whose libc
    // disagrees; the host's names are checked against them below where they exist.
    struct Row {
        SocketError error;
        int value;
        const char* name;
    } rows[] = {
        { SocketError::WouldBlock, 11, "EAGAIN" },
        { SocketError::BadDescriptor, 9, "EBADF" },
        { SocketError::InvalidArgument, 22, "EINVAL" },
        { SocketError::TooManyOpenFiles, 24, "EMFILE" },
        { SocketError::BrokenPipe, 32, "EPIPE" },
        { SocketError::DestinationAddressRequired, 89, "EDESTADDRREQ" },
        { SocketError::MessageTooLong, 90, "EMSGSIZE" },
        { SocketError::ProtocolOptionUnavailable, 92, "ENOPROTOOPT" },
        { SocketError::OperationNotSupported, 95, "EOPNOTSUPP" },
        { SocketError::AddressFamilyNotSupported, 97, "EAFNOSUPPORT" },
        { SocketError::AddressInUse, 98, "EADDRINUSE" },
        { SocketError::AddressNotAvailable, 99, "EADDRNOTAVAIL" },
        { SocketError::NetworkUnreachable, 101, "ENETUNREACH" },
        { SocketError::ConnectionAborted, 103, "ECONNABORTED" },
        { SocketError::ConnectionReset, 104, "ECONNRESET" },
        { SocketError::NoBufferSpace, 105, "ENOBUFS" },
        { SocketError::AlreadyConnected, 106, "EISCONN" },
        { SocketError::NotConnected, 107, "ENOTCONN" },
        { SocketError::TimedOut, 110, "ETIMEDOUT" },
        { SocketError::ConnectionRefused, 111, "ECONNREFUSED" },
        { SocketError::AlreadyInProgress, 114, "EALREADY" },
        { SocketError::InProgress, 115, "EINPROGRESS" },
    };
    ASSERT_EQ(std::size(rows), socket_error_count);
    std::set<int> seen;
    for (const Row& r : rows) {
        EXPECT_EQ(to_errno(r.error), r.value) << r.name;
        EXPECT_STREQ(socket_error_name(r.error), r.name);
        EXPECT_TRUE(seen.insert(r.value).second) << r.name << " shares its errno";
    }
#if defined(__linux__) && defined(__x86_64__)
    EXPECT_EQ(to_errno(SocketError::WouldBlock), EAGAIN);
    EXPECT_EQ(to_errno(SocketError::InProgress), EINPROGRESS);
    EXPECT_EQ(to_errno(SocketError::AlreadyInProgress), EALREADY);
    EXPECT_EQ(to_errno(SocketError::ConnectionRefused), ECONNREFUSED);
    EXPECT_EQ(to_errno(SocketError::ConnectionReset), ECONNRESET);
    EXPECT_EQ(to_errno(SocketError::TooManyOpenFiles), EMFILE);
    EXPECT_EQ(to_errno(SocketError::AddressInUse), EADDRINUSE);
    EXPECT_EQ(to_errno(SocketError::NotConnected), ENOTCONN);
    EXPECT_EQ(to_errno(SocketError::OperationNotSupported), EOPNOTSUPP);
#endif
}

TEST(SocketError, ConstantExpression)
{
    static_assert(to_errno(SocketError::WouldBlock) == 11);
    static_assert(to_errno(SocketError::InProgress) == 115);
    SUCCEED();
}
