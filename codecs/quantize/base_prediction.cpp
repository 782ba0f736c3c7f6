
#include "codecs/quantize/base_prediction.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <string>

#include "codecs/core/cpu_clones.h"
#include "codecs/quantize/rounding.h"

namespace lcz {
namespace {

constexpr int kMaxShift = 62;
constexpr uint8_t kHasOffsets = 0x80;
constexpr int kOffsetShift = 2;  // offsets in quarters of an integer: their rounding moves a prediction by 1/8 at most
constexpr uint64_t kMaxChannels = uint64_t{1} << 24;
constexpr int kClasses = 15;     // magnitude classes of a predicted integer in the context (the last one open)
constexpr int kFractions = 8;    // where a position lies between two integers

uint64_t zigzag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
int64_t unzigzag(uint64_t u) { return static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1); }

// Where the prediction puts each base value in the index space: (a * b) * factor_c + add_c
// (alone and residual: one channel with factor 1 and add c0, which is a * b + c0 exactly).
class Positions {
 public:
  Positions(const BasePrediction& p, std::span<const float> base, const IndexSpace& s) : base_(base), a_(s.a) {
    if (p.mode != BasePrediction::Mode::predicted) {
      factor_ = {1.0};
      add_ = {s.c0};
      inner_ = std::max<size_t>(base.size(), 1);
      return;
    }
    channels_ = p.channels;
    inner_ = p.inner;
    const double fs = std::ldexp(1.0, -p.scale_shift), ft = std::ldexp(1.0, -p.offset_shift);
    for (uint64_t c = 0; c < channels_; ++c) {
      factor_.push_back(1.0 + static_cast<double>(p.scale[c]) * fs);
      add_.push_back(s.c0 + (p.offset.empty() ? 0.0 : static_cast<double>(p.offset[c]) * ft));
    }
  }
  // The rule of base_prediction.h, evaluated in this order (no contraction).
  static double position(double a, float b, double factor, double add) {
    return (a * static_cast<double>(b)) * factor + add;
  }
  uint64_t channel_of(size_t i) const { return channels_ == 1 ? 0 : (i / inner_) % channels_; }
  // The position of value i, in channel c (channel_of(i)).
  double at(size_t i, uint64_t c) const { return position(a_, base_[i], factor_[c], add_[c]); }
  // f(base, begin, end, a, factor, add) for each run of values of one channel, in order: value
  // i of the run is at position(a, base[i], factor, add).
  template <class F>
  void each_run(F&& f) const {
    const size_t n = base_.size();
    for (size_t o = 0; o < n; o += channels_ * inner_)
      for (size_t c = 0; c < channels_; ++c) {
        const size_t begin = o + c * inner_;
        f(base_.data(), begin, std::min(n, begin + inner_), a_, factor_[c], add_[c]);
      }
  }
  // f(i, position) for every value, in order.
  template <class F>
  void each(F&& f) const {
    each_run([&f](const float* base, size_t begin, size_t end, double a, double fc, double ac) {
      for (size_t i = begin; i < end; ++i) f(i, position(a, base[i], fc, ac));
    });
  }

 private:
  std::span<const float> base_;
  double a_;
  size_t channels_ = 1, inner_ = 1;
  std::vector<double> factor_, add_;
};

// Branch-free (it runs once per value in the decoder, and vectorizes): the class
// bit_width(|r|) is read off the exponent of |r| + 1/2, which is exact for integers below 2^31.
template <bool kNearest>
[[gnu::always_inline]] inline uint8_t context_of(double position) {
  const bool inside = (position > -2147483647.0) & (position < 2147483647.0);
  const double p = inside ? position : 0.0;  // NaN, far out: none
  // (trunc: what converting to an integer and back gives, inside; -0 for (-1, 0) changes nothing below.)
  const double r = kNearest ? (p + 0x1.8p52) - 0x1.8p52 : std::trunc(p);
  // nearest: p - r in [-1/2, 1/2]; toward zero: in (-1, 1).
  const double frac = kNearest ? p - r + 0.5 : (p - r + 1) * 0.5;
  const int32_t f = static_cast<int32_t>(frac * kFractions);  // frac >= 0
  const int32_t fb = f < kFractions - 1 ? f : kFractions - 1;
  const int32_t e = static_cast<int32_t>(std::bit_cast<uint64_t>(std::fabs(r) + 0.5) >> 52) - 1022;
  const int32_t cls = e < kClasses - 1 ? e : kClasses - 1;
  const int32_t negative = p < 0;
  return static_cast<uint8_t>(1 + ((cls * kFractions + fb) * 2 + negative));
}
uint8_t context_of(double position, const IndexSpace& s) {
  return s.nearest ? context_of<true>(position) : context_of<false>(position);
}

// Estimated bits of coding v in contexts ctx with an adaptive coder: per context (the base
// context and the previous value's class, which both coders also see) the empirical entropy
// of the magnitude classes plus what learning them costs (half a log2 of the context's count
// per class seen), and the sign and the bits below the leading one raw.
class CostEstimate {
 public:
  static constexpr int kPrevious = 8;  // classes of the previous value, the last one open
  static constexpr int kRows = kBaseContexts * kPrevious;
  static constexpr uint64_t kTabled = 4096;  // counts of a sample (kSample) are looked up

  // scale: values stood for by each of the n (a sample of n * scale values).
  double bits(const int32_t* v, const uint8_t* ctx, size_t n, double scale) {
    hist_.resize(kRows * 33);
    for (int c : used_) std::fill_n(&hist_[c * 33], 33, 0u);
    used_.clear();
    double raw = 0;
    int previous = 0;
    for (size_t i = 0; i < n; ++i) {
      const uint32_t m = v[i] < 0 ? 0u - static_cast<uint32_t>(v[i]) : static_cast<uint32_t>(v[i]);
      const int t = std::bit_width(m);
      const int row = ctx[i] * kPrevious + previous;
      if (!seen_[row]) seen_[row] = true, used_.push_back(row);
      ++hist_[row * 33 + t];
      raw += t;  // t - 1 bits and the sign
      previous = std::min(t, kPrevious - 1);
    }
    double bits = raw * scale;
    for (int c : used_) {
      seen_[c] = false;
      const uint32_t* h = &hist_[c * 33];
      uint64_t total = 0;
      int classes = 0;
      for (int t = 0; t < 33; ++t) total += h[t], classes += h[t] > 0;
      const double lt = log2_of(total);
      for (int t = 0; t < 33; ++t)
        if (h[t]) bits += scale * h[t] * (lt - log2_of(h[t]));
      bits += 0.5 * classes * std::log2(scale * static_cast<double>(total) + 1);
    }
    return bits;
  }

 private:
  // std::log2 of a count: the same double whether looked up or computed.
  double log2_of(uint64_t k) const {
    return k <= kTabled ? log2_table_[k] : std::log2(static_cast<double>(k));
  }
  static std::vector<double> make_log2_table() {
    std::vector<double> t(kTabled + 1, 0.0);
    for (uint64_t k = 1; k <= kTabled; ++k) t[k] = std::log2(static_cast<double>(k));
    return t;
  }
  inline static const std::vector<double> log2_table_ = make_log2_table();
  std::vector<uint32_t> hist_;
  std::vector<int> used_;
  std::vector<bool> seen_ = std::vector<bool>(kRows);
};

// Values, contexts and estimated bits of coding `own` under prediction p.
struct Trial {
  BasePrediction p;
  double bits = 0;
};

// Candidates are compared on a sample of the values (whole tensors up to kSample values): the
// estimate needs the shape of the residual's distribution, not every value.
constexpr size_t kSample = 4096;

class Chooser {
 public:
  Chooser(std::span<const int32_t> own, std::span<const float> base, const IndexSpace& s)
      : own_(own), base_(base), s_(s) {
    const size_t n = own.size();
    const size_t m = std::min(n, kSample);
    sample_.resize(m);
    // One value from each of m equal stretches, at a position that varies from stretch to
    // stretch: a fixed stride would alias with the tensor's layout (a 3x3 kernel every 9).
    for (size_t k = 0; k < m; ++k) {
      const size_t begin = static_cast<size_t>(static_cast<unsigned __int128>(k) * n / m);
      const size_t end = static_cast<size_t>(static_cast<unsigned __int128>(k + 1) * n / m);
      const uint64_t h = (k + 1) * 0x9E3779B97F4A7C15ull;
      sample_[k] = begin + static_cast<size_t>((h >> 32) % (end - begin));
    }
    values_.resize(m);
    ctx_.resize(m);
  }

  double cost(const BasePrediction& p) {
    const Positions positions(p, base_, s_);
    const bool alone = p.mode == BasePrediction::Mode::alone;
    // The samples' channels, kept while the layout stays (the fits of one layout are tried in a row).
    if (sample_channel_.empty() || channels_ != p.channels || inner_ != p.inner) {
      channels_ = p.channels;
      inner_ = p.inner;
      sample_channel_.resize(sample_.size());
      for (size_t k = 0; k < sample_.size(); ++k) sample_channel_[k] = positions.channel_of(sample_[k]);
    }
    for (size_t k = 0; k < sample_.size(); ++k) {
      const size_t i = sample_[k];
      const double pos = positions.at(i, sample_channel_[k]);
      ctx_[k] = alone ? 0 : context_of(pos, s_);
      values_[k] = alone ? own_[i] : wrap_sub(own_[i], s_.index(pos));
    }
    Bytes record;
    ByteWriter w(record);
    write_prediction(p, w);
    const double scale = static_cast<double>(own_.size()) / static_cast<double>(std::max<size_t>(sample_.size(), 1));
    return estimate_.bits(values_.data(), ctx_.data(), values_.size(), scale) + 8.0 * static_cast<double>(record.size());
  }

  // The values to code under p: own minus the prediction (alone: own).
  void residual(const BasePrediction& p, std::vector<int32_t>& out) const {
    out.resize(own_.size());
    const bool alone = p.mode == BasePrediction::Mode::alone;
    Positions(p, base_, s_).each([&](size_t i, double pos) { out[i] = alone ? own_[i] : wrap_sub(own_[i], s_.index(pos)); });
  }

  // Sums for a least-squares fit, per channel, of y = own - (a*b + c0) against z = a*b (and
  // 1, with offsets): over the sample, or over every value.
  struct Sums {
    double zz = 0, z = 0, zy = 0, y = 0, n = 0;
    void add(double zi, double yi) { zz += zi * zi, z += zi, zy += zi * yi, y += yi, n += 1; }
  };
  std::vector<Sums> sums(uint64_t channels, uint64_t inner, bool sampled) const {
    std::vector<Sums> out(channels);
    auto add = [&](size_t i, uint64_t c) {
      const double z = s_.a * static_cast<double>(base_[i]);
      out[c].add(z, static_cast<double>(own_[i]) - (z + s_.c0));
    };
    if (sampled) {
      for (size_t i : sample_) add(i, (i / inner) % channels);
      return out;
    }
    const size_t n = own_.size();
    for (size_t o = 0; o < n; o += channels * inner)
      for (uint64_t c = 0; c < channels; ++c)
        for (size_t i = o + c * inner; i < o + (c + 1) * inner; ++i) add(i, c);
    return out;
  }

  static BasePrediction fit(const std::vector<Sums>& sums, uint64_t inner, bool offsets, int scale_shift) {
    BasePrediction p;
    p.mode = BasePrediction::Mode::predicted;
    p.channels = sums.size();
    p.inner = inner;
    p.scale_shift = scale_shift;
    p.offset_shift = offsets ? kOffsetShift : 0;
    const double limit = 0x1p53;
    auto quantized = [&](double v, int shift) {
      const double q = std::nearbyint(std::ldexp(v, shift));
      return static_cast<int64_t>(std::isfinite(q) ? std::clamp(q, -limit, limit) : 0.0);
    };
    for (const Sums& sc : sums) {
      double e = 0, off = 0;
      if (offsets) {
        const double det = sc.zz * sc.n - sc.z * sc.z;
        if (det > 1e-9 * sc.zz * sc.n) {
          e = (sc.zy * sc.n - sc.z * sc.y) / det;
          off = (sc.zz * sc.y - sc.z * sc.zy) / det;
        } else if (sc.n > 0) {
          off = sc.y / sc.n;
        }
        p.offset.push_back(quantized(off, kOffsetShift));
      } else if (sc.zz > 0) {
        e = sc.zy / sc.zz;
      }
      p.scale.push_back(quantized(e, scale_shift));
    }
    return p;
  }

 private:
  std::span<const int32_t> own_;
  std::span<const float> base_;
  IndexSpace s_;
  std::vector<size_t> sample_;
  uint64_t channels_ = 0, inner_ = 0;     // the layout of sample_channel_
  std::vector<uint64_t> sample_channel_;  // each sample's channel in it
  std::vector<int32_t> values_;
  std::vector<uint8_t> ctx_;
  CostEstimate estimate_;
};

}  // namespace

void write_prediction(const BasePrediction& p, ByteWriter& w) {
  w.u8(static_cast<uint8_t>(p.mode));
  if (p.mode != BasePrediction::Mode::predicted) return;
  w.varint(p.channels);
  w.varint(p.inner);
  w.u8(static_cast<uint8_t>(p.scale_shift));
  w.u8(static_cast<uint8_t>(p.offset_shift | (p.offset.empty() ? 0 : kHasOffsets)));
  for (int64_t k : p.scale) w.varint(zigzag(k));
  for (int64_t j : p.offset) w.varint(zigzag(j));
}

BasePrediction read_prediction(ByteReader& r, uint64_t n) {
  BasePrediction p;
  const size_t at = r.offset();
  const uint8_t mode = r.u8();
  if (mode > static_cast<uint8_t>(BasePrediction::Mode::predicted)) r.fail(at, "unknown base mode " + std::to_string(mode));
  p.mode = static_cast<BasePrediction::Mode>(mode);
  if (p.mode != BasePrediction::Mode::predicted) return p;
  const size_t channels_at = r.offset();
  p.channels = r.varint();
  p.inner = r.varint();
  if (p.channels < 1 || p.channels > kMaxChannels || p.inner < 1 || p.inner > n || p.channels > n / p.inner ||
      n % (p.channels * p.inner) != 0)
    r.fail(channels_at, std::to_string(p.channels) + " channels of " + std::to_string(p.inner) + " do not divide " +
                            std::to_string(n) + " values");
  const size_t shift_at = r.offset();
  p.scale_shift = r.u8();
  const uint8_t t = r.u8();
  p.offset_shift = t & ~kHasOffsets;
  if (p.scale_shift > kMaxShift || p.offset_shift > kMaxShift) r.fail(shift_at, "prediction shift out of range");
  if (r.remaining() / ((t & kHasOffsets) ? 2 : 1) < p.channels) r.fail(shift_at, "prediction record cut off");
  p.scale.resize(p.channels);
  for (auto& k : p.scale) k = unzigzag(r.varint());
  if (t & kHasOffsets) {
    p.offset.resize(p.channels);
    for (auto& j : p.offset) j = unzigzag(r.varint());
  }
  return p;
}

// The two loops of the decoder over every value, written for the vectorizer: on x86-64 with
// GCC a clone for AVX2 is picked at load time where the CPU has it (the same bytes either way:
// IEEE operations, not contracted; base_prediction.cpp is built with -fno-trapping-math, without
// which GCC does not vectorize a comparison of doubles). 865,571 contexts: 2.9 -> 1.1 ms.
LCZ_CLONES_FOR("avx2")
void predicted_indices(const BasePrediction& p, std::span<const float> base, const IndexSpace& space, int32_t* out) {
  const IndexSpace s = space;
  Positions(p, base, space).each_run([out, s](const float* b, size_t begin, size_t end, double a, double fc, double ac) {
    if (s.nearest)
      for (size_t i = begin; i < end; ++i) out[i] = s.index_as<true>(Positions::position(a, b[i], fc, ac));
    else
      for (size_t i = begin; i < end; ++i) out[i] = s.index_as<false>(Positions::position(a, b[i], fc, ac));
  });
}

LCZ_CLONES_FOR("avx2")
void prediction_contexts(const BasePrediction& p, std::span<const float> base, const IndexSpace& space, uint8_t* out) {
  if (p.mode == BasePrediction::Mode::alone) {
    std::fill(out, out + base.size(), uint8_t{0});
    return;
  }
  const bool nearest = space.nearest;
  Positions(p, base, space).each_run([out, nearest](const float* b, size_t begin, size_t end, double a, double fc, double ac) {
    if (nearest)
      for (size_t i = begin; i < end; ++i) out[i] = context_of<true>(Positions::position(a, b[i], fc, ac));
    else
      for (size_t i = begin; i < end; ++i) out[i] = context_of<false>(Positions::position(a, b[i], fc, ac));
  });
}

BasePrediction choose_prediction(std::span<const int32_t> own, const BaseTensor& base, const IndexSpace& space,
                                 std::vector<int32_t>& residual) {
  const size_t n = own.size();
  Chooser chooser(own, base.values, space);
  BasePrediction best;  // alone
  double best_bits = chooser.cost(best);
  auto consider = [&](const BasePrediction& p) {
    const double bits = chooser.cost(p);
    if (bits < best_bits) best = p, best_bits = bits;
    return bits;
  };
  consider({.mode = BasePrediction::Mode::residual});
  // A fit needs a few values per channel; the channels are the axes of the shape, or the
  // whole tensor when there is no shape.
  std::vector<std::pair<uint64_t, uint64_t>> layouts = {{1, n}};
  uint64_t product = 1;
  for (uint32_t d : base.shape) product *= d;
  if (product == n && base.shape.size() > 1) {
    uint64_t inner = n;
    for (uint32_t d : base.shape) {
      inner /= d;
      if (d >= 2 && d <= kMaxChannels && n / d >= 4) layouts.push_back({d, inner});
    }
  }
  double max_z = 0;
  for (float b : base.values) max_z = std::max(max_z, std::fabs(space.a * static_cast<double>(b)));
  if (n >= 4 && std::isfinite(max_z) && max_z > 0) {
    // A factor k 2^-s moves the largest prediction by up to max_z 2^-s / 2: s0 keeps that
    // under a quarter of an integer; coarser factors cost fewer record bits, tried below.
    const int s0 = std::clamp(static_cast<int>(std::ceil(std::log2(max_z))) + 1, 0, kMaxShift);
    // The layout is chosen on the sample, with offsets; the fit of the chosen one is redone
    // on every value, with and without offsets and at coarser factors.
    uint64_t channels = 0, inner = 0;
    double fitted_bits = INFINITY;
    for (const auto& [c, in] : layouts) {
      const double bits = chooser.cost(Chooser::fit(chooser.sums(c, in, /*sampled=*/true), in, /*offsets=*/true, s0));
      if (bits < fitted_bits) channels = c, inner = in, fitted_bits = bits;
    }
    if (channels > 0) {
      const auto sums = chooser.sums(channels, inner, /*sampled=*/false);
      consider(Chooser::fit(sums, inner, /*offsets=*/true, s0));
      consider(Chooser::fit(sums, inner, /*offsets=*/false, s0));
      const bool offsets = best.mode == BasePrediction::Mode::predicted ? !best.offset.empty() : true;
      for (int ds : {2, 4}) consider(Chooser::fit(sums, inner, offsets, std::max(0, s0 - ds)));
    }
  }
  chooser.residual(best, residual);
  return best;
}

}  // namespace lcz
