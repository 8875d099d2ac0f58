#include "tools/app/standard_streams.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace ccl::app {

bool GuardStandardStreams() {
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    // The lowest free descriptor is `fd` itself: those below it are open.
    const int taken = ::open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY);
    if (taken == fd) continue;
    if (taken < 0) return false;
    const bool moved = ::dup2(taken, fd) == fd;
    ::close(taken);
    if (!moved) return false;
  }
  return true;
}

}  // namespace ccl::app
