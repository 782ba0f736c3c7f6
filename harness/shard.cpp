#include "harness/shard.h"

#include <charconv>

#include "codecs/core/error.h"

namespace lcz {

Shard parse_shard(const std::string& text) {
  const auto bad = [&](const std::string& why) -> Shard { throw_config("--shard " + text + ": " + why); };
  const size_t slash = text.find('/');
  if (slash == std::string::npos) return bad("expected i/n, e.g. 0/4");
  Shard s;
  const char* begin = text.data();
  const char* end = begin + text.size();
  auto [p1, e1] = std::from_chars(begin, begin + slash, s.index);
  auto [p2, e2] = std::from_chars(begin + slash + 1, end, s.count);
  if (e1 != std::errc() || p1 != begin + slash || e2 != std::errc() || p2 != end)
    return bad("expected two whole numbers i/n, e.g. 0/4");
  if (s.count < 1 || s.count > 100000) return bad("n must be in 1..100000");
  if (s.index >= s.count) return bad("i must be in 0..n-1");
  return s;
}

std::vector<Job> shard_jobs(size_t datasets, size_t pipelines, const Shard& shard) {
  std::vector<Job> jobs;
  const size_t per_dataset = pipelines + 1;
  for (size_t n = shard.index; n < job_count(datasets, pipelines); n += shard.count)
    jobs.push_back({n, n / per_dataset, n % per_dataset});
  return jobs;
}

}  // namespace lcz
