#include "nets/repeats.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "codecs/core/error.h"
#include "codecs/core/splitmix.h"

namespace lcz {
namespace {

// Uniform in [0, n), n >= 1 (the modulo bias is below 2^-40 for the sizes used here).
class SplitMix : public SplitMix64 {
 public:
  using SplitMix64::SplitMix64;
  uint64_t below(uint64_t n) { return next() % n; }
};

}  // namespace

std::vector<float> with_repeats(std::span<const float> values, const RepeatOptions& o) {
  if (o.block == 0) throw std::invalid_argument("with_repeats: block must be at least 1");
  if (!(o.share >= 0 && o.share <= 1) || !(o.negate_share >= 0 && o.negate_share <= 1))
    throw std::invalid_argument("with_repeats: share and negate_share must lie in 0..1");
  std::vector<float> out(values.begin(), values.end());
  const size_t full = values.size() / o.block;  // whole blocks; only these can be replaced
  if (full < 2) return out;
  const size_t candidates = full - 1;
  const size_t chosen = static_cast<size_t>(std::llround(o.share * static_cast<double>(candidates)));
  const size_t negated = static_cast<size_t>(std::llround(o.negate_share * static_cast<double>(chosen)));

  SplitMix rng(o.seed);
  // The first `chosen` entries of a partial Fisher-Yates shuffle of blocks 1..full-1.
  std::vector<size_t> blocks(candidates);
  for (size_t i = 0; i < candidates; ++i) blocks[i] = i + 1;
  for (size_t i = 0; i < chosen; ++i) std::swap(blocks[i], blocks[i + rng.below(candidates - i)]);
  // Which of them are negated: the first `negated` of a second shuffle of their ranks.
  std::vector<uint8_t> negate(chosen, 0);
  std::fill(negate.begin(), negate.begin() + static_cast<std::ptrdiff_t>(negated), 1);
  for (size_t i = chosen; i > 1; --i) std::swap(negate[i - 1], negate[rng.below(i)]);
  std::vector<std::pair<size_t, uint8_t>> order(chosen);
  for (size_t i = 0; i < chosen; ++i) order[i] = {blocks[i], negate[i]};
  std::sort(order.begin(), order.end());

  for (const auto& [b, neg] : order) {
    const size_t at = b * o.block;
    const size_t lag = o.block + rng.below(at - o.block + 1);  // in [block, at]
    const size_t from = at - lag;
    for (size_t i = 0; i < o.block; ++i) out[at + i] = neg ? -out[from + i] : out[from + i];
  }
  return out;
}

Net repeat_net(const Net& net, const RepeatOptions& options, const std::string& name) {
  return made_net(net, with_repeats(concatenated(net), options), name, "repeats");
}

}  // namespace lcz
