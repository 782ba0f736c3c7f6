#include "codecs/quantize/linear16_lattice.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "codecs/quantize/linear16.h"

namespace lcz {
namespace {

constexpr int32_t kLevels = 65535;

}  // namespace

int32_t linear16_zero_index(float min_val, float max_val) {
  if (!(max_val > min_val)) return 0;
  const double z = std::nearbyint(-static_cast<double>(min_val) / (static_cast<double>(max_val) - min_val) * kLevels);
  return static_cast<int32_t>(std::clamp(z, 0.0, static_cast<double>(kLevels)));
}

std::vector<float> linear16_range_maxima(float lo, float hi) {
  const float range = hi - lo;
  std::vector<float> maxima;
  float m = hi;
  for (int i = 0; i < 8; ++i) m = std::nextafter(m, -INFINITY);
  for (int i = 0; i < 17; ++i, m = std::nextafter(m, INFINITY))
    if (m > lo && std::bit_cast<uint32_t>(m - lo) == std::bit_cast<uint32_t>(range)) maxima.push_back(m);
  if (maxima.empty()) maxima.push_back(hi);  // hi itself always qualifies; kept for safety
  return maxima;
}

Linear16Originals::Linear16Originals(std::span<const float> values) : values_(values) {
  if (values.empty()) return;
  const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  if (!std::isfinite(*lo) || !std::isfinite(*hi) || !(*hi > *lo)) return;
  std::vector<uint16_t> u(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    u[i] = nearest_linear16_index(values[i], *lo, *hi);
    if (std::bit_cast<uint32_t>(linear16_release(u[i], *lo, *hi)) != std::bit_cast<uint32_t>(values[i])) return;
  }
  min_val_ = *lo;
  maxima_ = linear16_range_maxima(*lo, *hi);
  u_ = std::move(u);
}

Linear16Originals::Linear16Originals(std::span<const float> values, float min_val, float max_val, std::vector<uint16_t> u)
    : values_(values), min_val_(min_val), maxima_(linear16_range_maxima(min_val, max_val)), u_(std::move(u)) {}

std::optional<Linear16Lattice> fit_linear16_lattice(std::span<const float> values, double tolerance,
                                                    int32_t* indices) {
  if (values.empty()) return std::nullopt;
  const auto [lo_it, hi_it] = std::minmax_element(values.begin(), values.end());
  const double lo = *lo_it, hi = *hi_it;
  if (!std::isfinite(lo) || !std::isfinite(hi)) return std::nullopt;
  const Linear16Originals originals(values);
  // Lattice points sit at multiples of s; as lc0 decodes them (float32 roundings, five ways)
  // they move a little, so a value halfway between two can be more than tol from both. Start
  // at s = 2 tol and narrow s by what the widest decoded gap exceeds 2 tol, or by twice the
  // largest excess of a value over tol, until every value is within tol.
  double s = 2 * tolerance;
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
    for (size_t i = 0; i < values.size(); ++i) {
      const LatticeIndexer::Choice c = index(values[i], originals, i);
      if (c.k) {
        if (indices) indices[i] = *c.k;
        continue;
      }
      ok = false;
      if (std::isfinite(c.error)) excess = std::max(excess, c.error - tolerance);
    }
    if (ok) return lattice;
    double widest = 0;
    float previous = linear16_release(zero - ((zero / step) * step), lattice.min_val, lattice.max_val);
    for (int64_t u = zero - (zero / step) * step + step; u <= kLevels; u += step) {
      const float next = linear16_release(static_cast<int32_t>(u), lattice.min_val, lattice.max_val);
      widest = std::max(widest, static_cast<double>(next) - previous);
      previous = next;
    }
    s -= std::max({widest - 2 * tolerance, 2 * excess, 0.0}) + s * 0x1p-20;
  }
  return std::nullopt;
}

}  // namespace lcz
