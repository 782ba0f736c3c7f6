#include "files/standard_streams.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace lcz {
namespace {
bool closed_at_start[3] = {false, false, false};
}

void reserve_standard_streams() {
  for (int fd = 0; fd < 3; ++fd) {
    if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    // The lowest free number is taken: fd itself, as the ones below it are open by now.
    const int got = ::open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
    if (got >= 0 && got != fd) {
      ::dup2(got, fd);
      ::close(got);
    }
    closed_at_start[fd] = true;
  }
}

bool standard_stream_was_closed(int fd) { return fd >= 0 && fd < 3 && closed_at_start[fd]; }

}  // namespace lcz
