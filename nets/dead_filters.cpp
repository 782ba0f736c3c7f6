#include "nets/dead_filters.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "codecs/core/error.h"
#include "codecs/core/splitmix.h"

namespace lcz {
namespace {

constexpr size_t kBlock = 16;  // the short repeats' length (the measure)

enum Role : uint8_t { kPlain = 0, kDead = 1, kFaint = 2 };

// Uniform in [0, n), n >= 1 (the modulo bias is below 2^-40 for the sizes used here).
class SplitMix : public SplitMix64 {
 public:
  using SplitMix64::SplitMix64;
  uint64_t below(uint64_t n) { return next() % n; }
};

bool is_share(double s) { return s >= 0 && s <= 1; }  // false for NaN

// What the copies need to know of the values around them.
class Blocks {
 public:
  Blocks(std::vector<float>& values, const std::vector<uint8_t>& role, const NetLayout& layout,
         const DeadFilterOptions& o)
      : v_(values), role_(role), o_(o), small_(2 * o.step), nonzero_(o.step) {
    size_t at = 0;
    for (const TensorLayout& t : layout.tensors) {
      ends_.push_back(at + t.count);
      at += t.count;
    }
  }

  // The first value of the tensor holding [at, at + kBlock), or SIZE_MAX if it spans two.
  size_t tensor_start(size_t at) const {
    const auto it = std::upper_bound(ends_.begin(), ends_.end(), at);
    const size_t end = *it, start = it == ends_.begin() ? 0 : *(it - 1);
    return at + kBlock <= end ? start : SIZE_MAX;
  }

  bool all_role(size_t at, Role r) const {
    return std::all_of(role_.begin() + at, role_.begin() + at + kBlock, [r](uint8_t x) { return x == r; });
  }

  // Sources for a copy at `at`: their lags, k * lag_unit within the tensor, whose block is
  // faint, small and non-zero (small copies) or has a value beyond the small range (the others).
  std::vector<size_t> lags(size_t at, bool small) const {
    std::vector<size_t> out;
    const size_t start = tensor_start(at);
    if (start == SIZE_MAX) return out;
    for (size_t k = 1; k <= o_.max_lag_units; ++k) {
      const size_t lag = k * o_.lag_unit;
      if (at - start < lag) break;
      if (small ? all_role(at - lag, kFaint) && is_small_nonzero(at - lag) : is_large(at - lag)) out.push_back(lag);
    }
    return out;
  }

  bool is_large(size_t at) const {
    for (size_t i = at; i < at + kBlock; ++i)
      if (std::fabs(v_[i]) > small_) return true;
    return false;
  }

 private:
  bool is_small_nonzero(size_t at) const {
    bool nonzero = false;
    for (size_t i = at; i < at + kBlock; ++i) {
      const double a = std::fabs(v_[i]);
      if (a > small_) return false;
      nonzero |= a >= nonzero_;
    }
    return nonzero;
  }

  const std::vector<float>& v_;
  const std::vector<uint8_t>& role_;
  const DeadFilterOptions& o_;
  const double small_, nonzero_;
  std::vector<size_t> ends_;
};

struct Copy {
  size_t at = 0, lag = 0;
  bool operator<(const Copy& other) const { return at < other.at; }
};

// `count` copies at blocks of `candidates` with a source, visited in a random order.
void choose_copies(const std::vector<size_t>& candidates, size_t count, bool small, const Blocks& blocks,
                   SplitMix& rng, std::vector<Copy>& out) {
  std::vector<size_t> order = candidates;
  size_t made = 0;
  for (size_t i = 0; i < order.size() && made < count; ++i) {
    std::swap(order[i], order[i + rng.below(order.size() - i)]);
    const std::vector<size_t> lags = blocks.lags(order[i], small);
    if (lags.empty()) continue;
    out.push_back({order[i], lags[rng.below(lags.size())]});
    ++made;
  }
  if (made < count)
    throw std::invalid_argument("with_dead_filters: " + std::to_string(count) + (small ? " small" : " plain") +
                                " copies asked, only " + std::to_string(made) +
                                " blocks have a source at a structured lag (lower short_repeat_share" +
                                (small ? ", small_share or raise faint_share)" : ")"));
}

}  // namespace

std::vector<FilterSpan> filters_of(const NetLayout& layout, size_t filter) {
  if (filter == 0) throw std::invalid_argument("filters_of: filter must be at least 1");
  std::vector<FilterSpan> out;
  size_t at = 0;
  for (size_t t = 0; t < layout.tensors.size(); ++t) {
    const TensorLayout& tensor = layout.tensors[t];
    const size_t count = static_cast<size_t>(tensor.count);
    size_t slice = filter, slices = count / filter;
    if (tensor.shape.size() >= 2 && tensor.shape[0] > 0 && count % tensor.shape[0] == 0) {
      slices = tensor.shape[0];
      slice = count / slices;
      if (slice < kBlock) slices = 0;  // rows of a few values (an SE layer's) are not filters
    }
    for (size_t i = 0; i < slices; ++i) out.push_back({at + i * slice, slice, t});
    at += count;
  }
  return out;
}

std::vector<float> with_dead_filters(std::span<const float> values, const NetLayout& layout,
                                     const DeadFilterOptions& o) {
  if (!is_share(o.dead_share) || !is_share(o.faint_share) || !is_share(o.short_repeat_share) ||
      !is_share(o.small_share))
    throw std::invalid_argument("with_dead_filters: dead_share, faint_share, short_repeat_share and small_share must lie in 0..1");
  if (o.dead_share + o.faint_share > 1)
    throw std::invalid_argument("with_dead_filters: dead_share + faint_share must be at most 1");
  if (o.filter == 0 || o.max_lag_units == 0)
    throw std::invalid_argument("with_dead_filters: filter and max_lag_units must be at least 1");
  // Sources then are aligned blocks too: a copy never overwrites part of another's source.
  if (o.lag_unit == 0 || o.lag_unit % kBlock != 0)
    throw std::invalid_argument("with_dead_filters: lag_unit must be a positive multiple of 16");
  if (!(o.step > 0 && std::isfinite(o.step))) throw std::invalid_argument("with_dead_filters: step must be positive and finite");
  if (values.size() != layout.weight_count())
    throw std::invalid_argument("with_dead_filters: " + std::to_string(values.size()) + " values for a layout of " +
                                std::to_string(layout.weight_count()));

  std::vector<float> out(values.begin(), values.end());
  SplitMix rng(o.seed);

  // Dead and faint filters: the first entries of a partial Fisher-Yates shuffle of all filters.
  const std::vector<FilterSpan> filters = filters_of(layout, o.filter);
  const size_t f = filters.size();
  const size_t dead = std::min(f, static_cast<size_t>(std::llround(o.dead_share * static_cast<double>(f))));
  const size_t faint = std::min(f - dead, static_cast<size_t>(std::llround(o.faint_share * static_cast<double>(f))));
  std::vector<size_t> order(f);
  for (size_t i = 0; i < f; ++i) order[i] = i;
  for (size_t i = 0; i < dead + faint; ++i) std::swap(order[i], order[i + rng.below(f - i)]);
  std::vector<uint8_t> role(out.size(), kPlain);
  for (size_t i = 0; i < dead + faint; ++i) {
    const FilterSpan& s = filters[order[i]];
    const auto first = out.begin() + static_cast<std::ptrdiff_t>(s.offset), last = first + static_cast<std::ptrdiff_t>(s.count);
    std::fill(role.begin() + static_cast<std::ptrdiff_t>(s.offset), role.begin() + static_cast<std::ptrdiff_t>(s.offset + s.count),
              i < dead ? kDead : kFaint);
    if (i < dead) {
      std::fill(first, last, 0.0f);
      continue;
    }
    double largest = 0;
    for (auto it = first; it != last; ++it) largest = std::max(largest, std::fabs(static_cast<double>(*it)));
    if (largest == 0) continue;
    const double scale = 2 * o.step / largest;
    const float bound = static_cast<float>(2 * o.step);  // a power of two times step: exact
    for (auto it = first; it != last; ++it) *it = std::clamp(static_cast<float>(*it * scale), -bound, bound);
  }

  // Short repeats: blocks aligned at multiples of 16, wholly faint (small copies) or wholly
  // outside dead and faint filters with a large value (the others: live weights are copied
  // over, never a stretch of zeros or near-zeros the source net has).
  const size_t copies = static_cast<size_t>(std::llround(o.short_repeat_share * static_cast<double>(out.size()) / kBlock));
  const size_t small = static_cast<size_t>(std::llround(o.small_share * static_cast<double>(copies)));
  const Blocks blocks(out, role, layout, o);
  std::vector<size_t> faint_blocks, plain_blocks;
  for (size_t at = 0; at + kBlock <= out.size(); at += kBlock) {
    if (blocks.all_role(at, kFaint)) faint_blocks.push_back(at);
    else if (blocks.all_role(at, kPlain) && blocks.is_large(at)) plain_blocks.push_back(at);
  }
  std::vector<Copy> chosen;
  choose_copies(faint_blocks, small, true, blocks, rng, chosen);
  choose_copies(plain_blocks, copies - small, false, blocks, rng, chosen);
  // In increasing position: a source (earlier) is final before it is copied. A source keeps
  // its kind when it is itself a copy target (a faint small non-zero block is only replaced by
  // another, a large one by another), so each copy is of the kind it was chosen as.
  std::sort(chosen.begin(), chosen.end());
  for (const Copy& c : chosen) std::copy_n(out.begin() + static_cast<std::ptrdiff_t>(c.at - c.lag), kBlock, out.begin() + static_cast<std::ptrdiff_t>(c.at));
  return out;
}

Net dead_filter_net(const Net& net, const DeadFilterOptions& options, const std::string& name) {
  return made_net(net, with_dead_filters(concatenated(net), layout_of(net), options), name, "dead filters");
}

}  // namespace lcz
