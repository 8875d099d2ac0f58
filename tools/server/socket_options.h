// Options of the sockets ledgerd serves on. Internal to ccl_server.
#pragma once

#include <cstdint>

#include "events/base/status.h"

namespace ccl::ledgerd {

// Makes the kernel end the TCP connection on `fd` when data it sent stays
// unacknowledged by the peer for `ms` milliseconds (TCP_USER_TIMEOUT, RFC
// 5482), instead of retransmitting for many minutes: a peer whose host
// vanished without a FIN or a reset then fails the next write on the
// socket. 0 restores the system's default. An IOError names the system's
// error. REQUIRES: fd a TCP socket.
Status EndWhenDataUnacknowledged(int fd, uint32_t ms);

}  // namespace ccl::ledgerd
