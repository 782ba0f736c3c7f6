// Runs f(0) .. f(n-1) on up to `threads` threads. Work is handed out in index order and every
// result is written by index, so the outcome never depends on the thread count. If calls
// throw, the exception of the lowest index is rethrown after every thread has stopped.
#pragma once
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <thread>
#include <vector>

namespace lcz {

template <class F>
void parallel_for(size_t n, unsigned threads, const F& f) {
  std::vector<std::exception_ptr> errors(n);
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i; (i = next.fetch_add(1)) < n;) {
      try {
        f(i);
      } catch (...) {
        errors[i] = std::current_exception();
        next.store(n);  // stop handing out work; what runs finishes
      }
    }
  };
  const unsigned count = static_cast<unsigned>(std::min<size_t>(std::max(threads, 1u), n));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < count; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace lcz
