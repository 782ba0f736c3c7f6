#include "codecs/quantize/linear16_lattice.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <memory>
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

#include "formats/lc0/linear16.h"

namespace lcz {
namespace {

constexpr int32_t kLevels = 65535;

}  // namespace

int32_t linear16_zero_index(float min_val, float max_val) {
  if (!(max_val > min_val)) return 0;
  const double z = std::nearbyint(-static_cast<double>(min_val) / (static_cast<double>(max_val) - min_val) * kLevels);
  return static_cast<int32_t>(std::clamp(z, 0.0, static_cast<double>(kLevels)));
}

namespace {

// Floats in order as integers (-0 and +0 both 0), and back.
int64_t ordered(float f) {
  const int32_t i = std::bit_cast<int32_t>(f);
  return i >= 0 ? i : -static_cast<int64_t>(i & 0x7fffffff);
}
float from_ordered(int64_t k) {
  return k >= 0 ? std::bit_cast<float>(static_cast<int32_t>(k))
                : std::bit_cast<float>(static_cast<uint32_t>(-k) | 0x80000000u);
}

}  // namespace

std::array<float, 2> linear16_range_maxima(float lo, float hi, std::span<const float> values,
                                           std::span<const uint16_t> u) {
  // The release formula with the range already subtracted: t * r + lo.
  auto reproduces = [&](float r) {
    for (size_t i = 0; i < values.size(); ++i)
      if (std::bit_cast<uint32_t>(linear16_fraction(u[i]) * r + lo) != std::bit_cast<uint32_t>(values[i]))
        return false;
    return true;
  };
  // fl(M - lo) is monotone in M: the M giving one r form an interval, found by bisection
  // over the floats in order (within 2^26 floats of hi, finite).
  const int64_t centre = ordered(hi), limit = ordered(std::numeric_limits<float>::max());
  const int64_t lowest = std::max(centre - (int64_t{1} << 26), -limit);
  const int64_t highest = std::min(centre + (int64_t{1} << 26), limit);
  auto first_at_least = [&](float r) {  // the smallest M with fl(M - lo) >= r
    int64_t a = lowest, b = highest;
    while (a < b) {
      const int64_t m = a + (b - a) / 2;
      if (from_ordered(m) - lo >= r) b = m;
      else a = m + 1;
    }
    return a;
  };
  std::array<float, 2> ends = {hi, hi};
  const float range = hi - lo;
  float r = range;
  for (int i = 0; i < 3; ++i) r = std::nextafter(r, -INFINITY);
  for (int i = 0; i < 7; ++i, r = std::nextafter(r, INFINITY)) {
    if (!(r > 0) || !reproduces(r)) continue;
    const int64_t first = first_at_least(r), past = first_at_least(std::nextafter(r, INFINITY));
    if (first >= past) continue;  // no float M gives exactly r
    ends[0] = std::min(ends[0], from_ordered(first));
    ends[1] = std::max(ends[1], from_ordered(past - 1));
  }
  return ends;
}

namespace {

// Whether value v is bit for bit the release decode of `guess` on [lo, hi] (width = hi - lo)
// and no lower index decodes to it: then guess is what nearest_linear16_index gives.
inline bool is_grid_index(float v, int32_t guess, float lo, float width) {
  const float at = kLinear16Fractions.of[static_cast<uint32_t>(guess)] * width + lo;
  const float below = kLinear16Fractions.of[static_cast<uint32_t>(guess > 0 ? guess - 1 : 0)] * width + lo;
  return std::bit_cast<uint32_t>(at) == std::bit_cast<uint32_t>(v) && (guess == 0 || below != v);
}

#if defined(__x86_64__) && defined(__GNUC__)
// linear16_nearest_guess and is_grid_index for 8 values per step, with AVX2: the same operations (IEEE double
// and float arithmetic, each rounded on its own; min and max as linear16_position's ternaries,
// the table loads as gathers). Writes the guesses of values[0, n - n % 8) to u and returns how
// many of those values it did not settle.
[[gnu::target("avx2")]] size_t grid_guesses_avx2(const float* values, size_t n, float lo, float width, double scale,
                                                 uint16_t* u) {
  const __m256d lo_d = _mm256_set1_pd(static_cast<double>(lo)), scale_d = _mm256_set1_pd(scale);
  const __m256d top = _mm256_set1_pd(65535.0), magic = _mm256_set1_pd(0x1.8p52);
  const __m256 lo_f = _mm256_set1_ps(lo), width_f = _mm256_set1_ps(width);
  const float* const table = kLinear16Fractions.of.data();
  size_t unsettled = 0;
  for (size_t i = 0; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(values + i);
    __m128i half[2];
    for (int h = 0; h < 2; ++h) {
      __m256d pos = _mm256_mul_pd(_mm256_sub_pd(_mm256_cvtps_pd(h ? _mm256_extractf128_ps(v, 1) : _mm256_castps256_ps128(v)), lo_d), scale_d);
      pos = _mm256_min_pd(pos, top);                    // pos < 65535 ? pos : 65535 (NaN -> 65535)
      pos = _mm256_max_pd(pos, _mm256_setzero_pd());    // pos > 0 ? pos : 0
      half[h] = _mm256_cvttpd_epi32(_mm256_sub_pd(_mm256_add_pd(pos, magic), magic));
    }
    const __m256i guess = _mm256_set_m128i(half[1], half[0]);
    const __m256i below_index = _mm256_max_epi32(_mm256_sub_epi32(guess, _mm256_set1_epi32(1)), _mm256_setzero_si256());
    const __m256 at = _mm256_add_ps(_mm256_mul_ps(_mm256_i32gather_ps(table, guess, 4), width_f), lo_f);
    const __m256 below = _mm256_add_ps(_mm256_mul_ps(_mm256_i32gather_ps(table, below_index, 4), width_f), lo_f);
    const __m256i same_bits = _mm256_cmpeq_epi32(_mm256_castps_si256(at), _mm256_castps_si256(v));
    const __m256i lowest = _mm256_or_si256(_mm256_cmpeq_epi32(guess, _mm256_setzero_si256()),
                                           _mm256_castps_si256(_mm256_cmp_ps(below, v, _CMP_NEQ_UQ)));
    const int settled = _mm256_movemask_ps(_mm256_castsi256_ps(_mm256_and_si256(same_bits, lowest)));
    unsettled += static_cast<size_t>(8 - std::popcount(static_cast<unsigned>(settled)));
    // Indices are in [0, 65535]: the unsigned saturating pack keeps them, lanes in order after
    // the permute.
    const __m256i packed = _mm256_permute4x64_epi64(_mm256_packus_epi32(guess, guess), 0x08);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(u + i), _mm256_castsi256_si128(packed));
  }
  return unsettled;
}
#endif

// The grid index of every value, where all of them lie bit for bit on the release-formula grid
// of [lo, hi] (hi > lo): nearest_linear16_index value by value. Its common case (the rounded
// position is the index and decodes to the value) is settled for all of them first, 8 at a time
// where the CPU has AVX2; the others are asked one by one. False where some value is not on
// the grid.
bool release_grid_indices(std::span<const float> values, float lo, float hi, uint16_t* u) {
  const double scale = linear16_scale(lo, hi);
  const float width = hi - lo;
  const size_t n = values.size();
  size_t done = 0, unsettled = 0;
#if defined(__x86_64__) && defined(__GNUC__)
  if (__builtin_cpu_supports("avx2")) {
    unsettled = grid_guesses_avx2(values.data(), n, lo, width, scale, u);
    done = n - n % 8;
  }
#endif
  for (size_t i = done; i < n; ++i) {
    u[i] = static_cast<uint16_t>(linear16_nearest_guess(values[i], lo, scale));
    unsettled += !is_grid_index(values[i], u[i], lo, width);
  }
  for (size_t i = 0; unsettled > 0 && i < n; ++i) {
    if (is_grid_index(values[i], u[i], lo, width)) continue;
    --unsettled;
    u[i] = nearest_linear16_index(values[i], lo, hi);
    if (std::bit_cast<uint32_t>(linear16_release(u[i], lo, hi)) != std::bit_cast<uint32_t>(values[i])) return false;
  }
  return true;
}

double reading_spread_of(float min_val, const std::array<float, 2>& maxima) {
  return linear16_reading_spread(min_val, maxima[0]) + linear16_reading_spread(min_val, maxima[1]);
}

}  // namespace

Linear16Originals::Linear16Originals(std::span<const float> values)
    : Linear16Originals(values, value_range(values, LargestTie::last)) {}

Linear16Originals::Linear16Originals(std::span<const float> values, const ValueRange& range) : values_(values) {
  if (values.empty()) return;
  const float lo = range.lo, hi = range.hi;
  if (!std::isfinite(lo) || !std::isfinite(hi) || !(hi > lo)) return;
  std::vector<uint16_t> u(values.size());
  if (!release_grid_indices(values, lo, hi, u.data())) return;
  min_val_ = lo;
  maxima_ = linear16_range_maxima(lo, hi, values, u);
  u_ = std::move(u);
  spread_ = reading_spread_of(min_val_, maxima_);
}

Linear16Originals::Linear16Originals(std::span<const float> values, float min_val, float max_val,
                                     std::vector<uint16_t> u)
    : values_(values),
      min_val_(min_val),
      maxima_(linear16_range_maxima(min_val, max_val, values, u)),
      u_(std::move(u)),
      spread_(reading_spread_of(min_val_, maxima_)) {}

std::optional<Linear16Lattice> fit_linear16_lattice(std::span<const float> values, double tolerance,
                                                    int32_t* indices) {
  if (values.empty()) return std::nullopt;
  const ValueRange range = value_range(values, LargestTie::last);
  const double lo = range.lo, hi = range.hi;
  if (!std::isfinite(lo) || !std::isfinite(hi)) return std::nullopt;
  const Linear16Originals originals(values, range);
  // Lattice points sit at multiples of s; as lc0 decodes them (float32 roundings, five ways)
  // they move a little, so a value halfway between two can be more than tol from both. Start
  // at s = 2 tol and narrow s by what the widest decoded gap exceeds 2 tol, or by twice the
  // largest excess of a value over tol, until every value is within tol.
  double s = 2 * tolerance;
  constexpr size_t kMemoFrom = 4096;
  constexpr int32_t kFailed = std::numeric_limits<int32_t>::min();  // no lattice index is that far out (|k| < 1e6)
  // On a grid a value is its grid index, and so is its choice: a large layer (most of a net's
  // weights, over far fewer distinct indices) settles each distinct index once per attempt,
  // through one value that has it (which one and in what order change nothing: the choice, the
  // bound's verdict and the largest excess are the same), and hands the choices to the values
  // once, after the attempt that holds.
  const bool memo = originals.on_grid() && values.size() >= kMemoFrom && values.size() <= UINT32_MAX;
  // `known` is not zero-filled first (256 KiB per layer fitted): every grid index a value has is
  // settled before it is read.
  std::vector<uint32_t> holders;  // one value of each distinct grid index, by index
  std::unique_ptr<int32_t[]> known;  // per grid index: its lattice index in this attempt, or kFailed
  if (memo) {
    known = std::make_unique_for_overwrite<int32_t[]>(size_t{kLevels} + 1);
    // Stores only, no load waiting on an earlier store: the last value of each index holds it.
    std::vector<uint8_t> seen(size_t{kLevels} + 1, 0);
    const std::unique_ptr<uint32_t[]> holder = std::make_unique_for_overwrite<uint32_t[]>(size_t{kLevels} + 1);
    for (size_t i = 0; i < values.size(); ++i) {
      const uint16_t u = originals.grid_index(i);
      seen[u] = 1;
      holder[u] = static_cast<uint32_t>(i);
    }
    for (size_t u = 0; u <= kLevels; ++u)
      if (seen[u]) holders.push_back(holder[u]);
  }
  for (int attempt = 0; attempt < 16; ++attempt) {
    const double a = std::floor(lo / s), b = std::ceil(hi / s);
    const double spans = std::max(b - a, 1.0);
    if (spans > kLevels) return std::nullopt;
    const int32_t step = static_cast<int32_t>(std::floor(kLevels / spans));
    const Linear16Lattice lattice{static_cast<float>(a * s), static_cast<float>(a * s + kLevels * s / step), step};
    if (!(lattice.max_val > lattice.min_val)) return std::nullopt;
    const LatticeIndexer index(lattice, tolerance);
    const int32_t zero = index.zero();
    bool ok = true;
    double excess = 0;
    auto settle = [&](size_t i) {  // value i's lattice index, or kFailed (then in ok and excess)
      int32_t k = 0;
      double error = HUGE_VAL;
      if (index.choose(values[i], originals, i, k, error)) return k;
      ok = false;
      if (std::isfinite(error)) excess = std::max(excess, error - tolerance);
      return kFailed;
    };
    if (memo) {
      for (const uint32_t i : holders) known[originals.grid_index(i)] = settle(i);
      if (ok && indices)
        for (size_t i = 0; i < values.size(); ++i) indices[i] = known[originals.grid_index(i)];
    } else {
      for (size_t i = 0; i < values.size(); ++i) {
        const int32_t k = settle(i);
        if (indices && k != kFailed) indices[i] = k;
      }
    }
    if (ok) return lattice;
    // The widest gap between neighbouring lattice points as decoded: decoded points only grow
    // with the index, so every gap is >= 0 and the largest is the same in any order; four
    // running maxima, so that no chain of comparisons waits on the one before.
    auto at = [&](int64_t u) { return linear16_release(static_cast<int32_t>(u), lattice.min_val, lattice.max_val); };
    double w0 = 0, w1 = 0, w2 = 0, w3 = 0;
    int64_t u = zero - (zero / step) * step;
    float previous = at(u);
    for (u += step; u + 3 * int64_t{step} <= kLevels; u += 4 * int64_t{step}) {
      const float a = at(u), b = at(u + step), c = at(u + 2 * int64_t{step}), d = at(u + 3 * int64_t{step});
      w0 = std::max(w0, static_cast<double>(a) - previous);
      w1 = std::max(w1, static_cast<double>(b) - a);
      w2 = std::max(w2, static_cast<double>(c) - b);
      w3 = std::max(w3, static_cast<double>(d) - c);
      previous = d;
    }
    for (; u <= kLevels; u += step) {
      const float next = at(u);
      w0 = std::max(w0, static_cast<double>(next) - previous);
      previous = next;
    }
    const double widest = std::max({w0, w1, w2, w3});
    s -= std::max({widest - 2 * tolerance, 2 * excess, 0.0}) + s * 0x1p-20;
  }
  return std::nullopt;
}

}  // namespace lcz
