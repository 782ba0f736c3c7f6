#include "files/interrupt.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace lcz {
namespace {

constexpr int kSlots = 64;
std::atomic<const char*> g_paths[kSlots];
static_assert(std::atomic<const char*>::is_always_lock_free);

// Names are kept until exit, never freed: a handler running on another thread may still be
// reading one that was just unregistered.
std::mutex g_names_mutex;
std::vector<std::unique_ptr<char[]>>& kept_names() {
  static std::vector<std::unique_ptr<char[]>> names;
  return names;
}

extern "C" void remove_and_exit(int sig) {
  for (auto& slot : g_paths)
    if (const char* p = slot.load()) ::unlink(p);
  ::_exit(128 + sig);
}

}  // namespace

void clean_up_on_signals() {
  struct sigaction sa {};
  sa.sa_handler = remove_and_exit;
  sigfillset(&sa.sa_mask);  // one handler at a time
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    // A signal ignored when the tool started stays ignored (`nohup`, a background job of a
    // shell without job control), as the user asked.
    struct sigaction old {};
    if (::sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;
    ::sigaction(sig, &sa, nullptr);
  }
  // A file size limit (ulimit -f) makes a write fail with EFBIG, reported and cleaned up like
  // a full disk, rather than kill the process and leave the temporary file.
  ::signal(SIGXFSZ, SIG_IGN);
}

RemovedOnSignal::RemovedOnSignal(const std::string& path) {
  const char* name;
  {
    std::lock_guard lock(g_names_mutex);
    auto copy = std::make_unique<char[]>(path.size() + 1);
    std::memcpy(copy.get(), path.c_str(), path.size() + 1);
    name = copy.get();
    kept_names().push_back(std::move(copy));
  }
  for (slot_ = 0; slot_ < kSlots; ++slot_) {
    const char* empty = nullptr;
    if (g_paths[slot_].compare_exchange_strong(empty, name)) return;
  }
  throw std::length_error("more than 64 temporary files open at once");
}

RemovedOnSignal::~RemovedOnSignal() { g_paths[slot_].store(nullptr); }

}  // namespace lcz
