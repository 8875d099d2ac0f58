// Options of the sockets ledgerd serves on (tools/server/socket_options.h).
#include "tools/server/socket_options.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace ccl::ledgerd {

Status EndWhenDataUnacknowledged(int fd, uint32_t ms) {
  const unsigned int value = ms;
  if (::setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &value, sizeof(value)) != 0) {
    return Status::IOError(std::string("setsockopt TCP_USER_TIMEOUT: ") + std::strerror(errno));
  }
  return Status::OK();
}

}  // namespace ccl::ledgerd
