// SIGINT, SIGTERM and SIGHUP (Ctrl-C, kill, `timeout`, a closed terminal) end a tool as the
// README says: every temporary file it has open is removed and it exits with 128 + the signal
// (130, 143, 129), leaving nothing behind. An AtomicFile registers its temporary name for as
// long as one exists (an unnamed O_TMPFILE file needs nothing: the kernel drops it).
#pragma once
#include <string>

namespace lcz {

// Installs the handlers (except for a signal ignored when the process started, which stays
// ignored: nohup); called first in main by every tool.
void clean_up_on_signals();

// While alive, `path` is removed if one of those signals ends the process. The handler only
// unlinks and exits (both async-signal-safe); it may run on any thread.
class RemovedOnSignal {
 public:
  explicit RemovedOnSignal(const std::string& path);
  ~RemovedOnSignal();
  RemovedOnSignal(const RemovedOnSignal&) = delete;
  RemovedOnSignal& operator=(const RemovedOnSignal&) = delete;

 private:
  int slot_;
};

}  // namespace lcz
