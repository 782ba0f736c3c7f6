#include "nets/generate.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numbers>
#include <numeric>

#include "codecs/core/error.h"
#include "codecs/core/splitmix.h"

namespace lcz {

namespace {

// splitmix64 (the same numbers on every platform) with the distributions generation needs.
class Random : public SplitMix64 {
 public:
  using SplitMix64::SplitMix64;
  double normal() {  // Box-Muller
    const double u = 1.0 - uniform(), v = uniform();
    return std::sqrt(-2.0 * std::log(u)) * std::cos(2.0 * std::numbers::pi * v);
  }
  size_t below(size_t n) { return static_cast<size_t>(uniform() * static_cast<double>(n)); }
};

uint64_t tensor_seed(uint64_t seed, uint64_t index) { return Random(seed ^ (index * 0xd1b54a32d192ed03ULL)).next(); }

constexpr uint64_t kMaxWeights = uint64_t{1} << 31;

size_t row_length(const Tensor& t) {
  if (t.shape.size() < 2) return 1;
  size_t n = 1;
  for (size_t i = 1; i < t.shape.size(); ++i) n *= t.shape[i];
  return n ? n : 1;
}

// Rank (0..n-1, ties by position) of each value's magnitude within [begin, end).
std::vector<double> magnitude_ranks(const std::vector<float>& v, size_t begin, size_t end) {
  std::vector<size_t> order(end - begin);
  std::iota(order.begin(), order.end(), begin);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return std::fabs(v[a]) < std::fabs(v[b]); });
  std::vector<double> rank(end - begin);
  for (size_t r = 0; r < order.size(); ++r) rank[order[r] - begin] = static_cast<double>(r);
  return rank;
}

}  // namespace

NetLayout scaled_layout(const Net& like, uint64_t weights) {
  const uint64_t real = like.weight_count();
  if (like.tensors.empty() || real == 0) throw_input(like.source + ": the net has no weights to model");
  if (weights < like.tensors.size())
    throw_input("--weights " + std::to_string(weights) + ": at least one weight per tensor is needed (" +
                std::to_string(like.tensors.size()) + " tensors)");
  if (weights > kMaxWeights) throw_input("--weights " + std::to_string(weights) + ": at most 2^31 weights");
  const double f = static_cast<double>(weights) / static_cast<double>(real);
  NetLayout layout{.format = "f32", .tensors = {}};
  uint64_t total = 0;
  for (const Tensor& t : like.tensors) {
    const size_t row = row_length(t);
    const uint64_t rows = std::max<uint64_t>(1, std::llround(static_cast<double>(t.values.size() / row) * f));
    std::vector<uint32_t> shape = t.shape.size() < 2 ? std::vector<uint32_t>{} : t.shape;
    if (shape.empty()) shape = {static_cast<uint32_t>(rows)};
    else shape[0] = static_cast<uint32_t>(rows);
    layout.tensors.push_back({t.name, shape, rows * row, {}});
    total += rows * row;
  }
  auto largest = [&](bool flat_only) {
    long best = -1;
    for (size_t i = 0; i < layout.tensors.size(); ++i)
      if ((!flat_only || layout.tensors[i].shape.size() == 1) &&
          (best < 0 || layout.tensors[i].count > layout.tensors[best].count))
        best = static_cast<long>(i);
    return best;
  };
  // Whole rows first, on the largest tensor; the last few weights on a flat tensor.
  TensorLayout& big = layout.tensors[largest(false)];
  const uint64_t row = big.count / big.shape[0];
  const int64_t rows_change = (static_cast<int64_t>(weights) - static_cast<int64_t>(total)) / static_cast<int64_t>(row);
  if (rows_change != 0 && static_cast<int64_t>(big.shape[0]) + rows_change >= 1) {
    big.shape[0] = static_cast<uint32_t>(static_cast<int64_t>(big.shape[0]) + rows_change);
    total = total - big.count + big.shape[0] * row;
    big.count = big.shape[0] * row;
  }
  if (total != weights) {
    const long flat = largest(true);
    const int64_t missing = static_cast<int64_t>(weights) - static_cast<int64_t>(total);
    const long pick = flat >= 0 && static_cast<int64_t>(layout.tensors[flat].count) + missing >= 1 ? flat : largest(false);
    TensorLayout& t = layout.tensors[pick];
    const int64_t count = static_cast<int64_t>(t.count) + missing;
    if (count >= 1) {
      t.count = static_cast<uint64_t>(count);
      t.shape = {static_cast<uint32_t>(count)};
      return layout;
    }
    // So few weights that whole rows do not fit: every tensor flat, sized in proportion
    // (largest remainders), at least one weight each.
    uint64_t given = 0;
    std::vector<std::pair<double, size_t>> remainders;
    for (size_t i = 0; i < layout.tensors.size(); ++i) {
      const double share = static_cast<double>(like.tensors[i].values.size()) * f;
      const uint64_t n = std::max<uint64_t>(1, static_cast<uint64_t>(share));
      layout.tensors[i].count = n;
      given += n;
      remainders.push_back({share - std::floor(share), i});
    }
    std::stable_sort(remainders.begin(), remainders.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    for (size_t k = 0; given < weights; k = (k + 1) % remainders.size(), ++given) ++layout.tensors[remainders[k].second].count;
    for (size_t k = 0; given > weights; k = (k + 1) % layout.tensors.size())
      if (layout.tensors[k].count > 1) --layout.tensors[k].count, --given;
    for (auto& tl : layout.tensors) tl.shape = {static_cast<uint32_t>(tl.count)};
  }
  return layout;
}

TensorModel::TensorModel(const Tensor& real) {
  const std::vector<float>& v = real.values;
  const size_t n = v.size();
  if (n == 0) throw_input("tensor " + real.name + ": no values to model");
  const size_t seg = real.shape.size() >= 2 ? row_length(real) : std::clamp<size_t>(n / 256, 64, 65536);
  auto negative = [&](size_t i) { return std::signbit(v[i]) && v[i] != 0; };
  // Sign transitions of each segment (after a negative: to negative, total; after a
  // non-negative: likewise), and of the whole tensor: the prior the segments are smoothed toward.
  struct Transitions { double neg_neg = 0, after_neg = 0, pos_neg = 0, after_pos = 0; };
  std::vector<Transitions> counts;
  Transitions all;
  double rank_products = 0, pairs = 0;  // for the Spearman correlation of neighbouring magnitudes
  for (size_t begin = 0; begin < n; begin += seg) {
    const size_t end = std::min(n, begin + seg);
    Segment s;
    s.length = end - begin;
    Transitions c;
    size_t negatives = 0;
    for (size_t i = begin; i < end; ++i) {
      (negative(i) ? s.negative : s.non_negative).push_back(std::fabs(v[i]));
      negatives += negative(i);
      if (i == begin) continue;
      if (negative(i - 1)) {
        c.after_neg += 1;
        c.neg_neg += negative(i);
      } else {
        c.after_pos += 1;
        c.pos_neg += negative(i);
      }
    }
    std::sort(s.negative.begin(), s.negative.end());
    std::sort(s.non_negative.begin(), s.non_negative.end());
    s.p_neg_start = static_cast<double>(negatives) / static_cast<double>(s.length);
    if (s.length > 1) {
      const std::vector<double> rank = magnitude_ranks(v, begin, end);
      const double mean = (static_cast<double>(s.length) - 1) / 2;
      double products = 0, squares = 0;
      for (size_t i = 0; i < s.length; ++i) squares += (rank[i] - mean) * (rank[i] - mean);
      for (size_t i = 1; i < s.length; ++i) products += (rank[i - 1] - mean) * (rank[i] - mean);
      // Weighted by the pairs in the segment: a tensor-wide Spearman correlation of neighbours.
      rank_products += products / squares * static_cast<double>(s.length);
      pairs += static_cast<double>(s.length - 1);
    }
    all.neg_neg += c.neg_neg, all.after_neg += c.after_neg, all.pos_neg += c.pos_neg, all.after_pos += c.after_pos;
    counts.push_back(c);
    segments_.push_back(std::move(s));
  }
  const double prior_nn = (all.neg_neg + 1) / (all.after_neg + 2), prior_pn = (all.pos_neg + 1) / (all.after_pos + 2);
  constexpr double k = 8;  // pseudo-transitions of the tensor-wide chain in each segment
  for (size_t i = 0; i < segments_.size(); ++i) {
    segments_[i].p_neg_after_neg = (counts[i].neg_neg + k * prior_nn) / (counts[i].after_neg + k);
    segments_[i].p_neg_after_pos = (counts[i].pos_neg + k * prior_pn) / (counts[i].after_pos + k);
  }
  // Spearman's rho, then the correlation of a Gaussian pair that has it.
  const double spearman = pairs > 0 ? std::clamp(rank_products / pairs, -1.0, 1.0) : 0;
  rho_ = std::clamp(2 * std::sin(std::numbers::pi * spearman / 6), -0.99, 0.99);
}

std::vector<float> TensorModel::generate(uint64_t count, uint64_t seed) const {
  Random rng(seed);
  std::vector<size_t> order(segments_.size());
  std::iota(order.begin(), order.end(), 0);
  std::vector<float> out;
  out.reserve(count);
  const double innovation = std::sqrt(1 - rho_ * rho_);
  size_t next = order.size();
  while (out.size() < count) {
    if (next == order.size()) {  // every real segment once, in a new order, then again
      for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
      next = 0;
    }
    const Segment& s = segments_[order[next++]];
    double z = rng.normal();
    bool negative = rng.uniform() < s.p_neg_start;
    for (size_t i = 0; i < s.length && out.size() < count; ++i) {
      if (i > 0) {
        z = rho_ * z + innovation * rng.normal();
        negative = rng.uniform() < (negative ? s.p_neg_after_neg : s.p_neg_after_pos);
      }
      const std::vector<float>* pool = negative ? &s.negative : &s.non_negative;
      if (pool->empty()) pool = negative ? &s.non_negative : &s.negative;
      negative = pool == &s.negative;
      const double u = 0.5 * std::erfc(-z / std::numbers::sqrt2);  // the copula: Phi(z), uniform on [0, 1]
      const size_t k = std::min(pool->size() - 1, static_cast<size_t>(u * static_cast<double>(pool->size())));
      out.push_back(negative ? -(*pool)[k] : (*pool)[k]);
    }
  }
  return out;
}

Net generate_like(const Net& like, uint64_t weights, uint64_t seed) {
  const NetLayout layout = scaled_layout(like, weights);
  Net net;
  net.source = "generated like " + like.source;
  net.format = "f32";
  for (size_t i = 0; i < layout.tensors.size(); ++i) {
    const TensorLayout& t = layout.tensors[i];
    net.tensors.push_back({t.name, t.shape, TensorModel(like.tensors[i]).generate(t.count, tensor_seed(seed, i)), {}});
  }
  return net;
}

void write_generated_f32(const Net& like, uint64_t weights, uint64_t seed, const std::filesystem::path& path) {
  const NetLayout layout = scaled_layout(like, weights);
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary);
    if (!out) throw_input(tmp.string() + ": cannot create");
    for (size_t i = 0; i < layout.tensors.size() && out; ++i) {
      const std::vector<float> values = TensorModel(like.tensors[i]).generate(layout.tensors[i].count, tensor_seed(seed, i));
      out.write(reinterpret_cast<const char*>(values.data()), static_cast<std::streamsize>(values.size() * sizeof(float)));
    }
    out.close();
    if (!out) {
      std::error_code ec;
      std::filesystem::remove(tmp, ec);
      throw_input(path.string() + ": write failed");
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw_input("cannot rename " + tmp.string() + " to " + path.string() + ": " + ec.message());
}

}  // namespace lcz
