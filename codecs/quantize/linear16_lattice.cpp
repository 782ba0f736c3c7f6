#include "codecs/quantize/linear16_lattice.h"

#include <algorithm>
#include <cmath>

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

std::optional<Linear16Lattice> fit_linear16_lattice(std::span<const float> values, double tolerance,
                                                    int32_t* indices) {
  if (values.empty()) return std::nullopt;
  const auto [lo_it, hi_it] = std::minmax_element(values.begin(), values.end());
  const double lo = *lo_it, hi = *hi_it;
  if (!std::isfinite(lo) || !std::isfinite(hi)) return std::nullopt;
  // Lattice points sit at multiples of s; as Lc0 decodes them (three float32 roundings) they
  // move a little, so the widest gap between neighbours can exceed s. Start at s = 2 tol and
  // narrow s by what the widest decoded gap exceeds 2 tol until every value is within tol.
  double s = 2 * tolerance;
  for (int attempt = 0; attempt < 8; ++attempt) {
    const double a = std::floor(lo / s), b = std::ceil(hi / s);
    const double spans = std::max(b - a, 1.0);
    if (spans > kLevels) return std::nullopt;
    const int32_t step = static_cast<int32_t>(std::floor(kLevels / spans));
    const Linear16Lattice lattice{static_cast<float>(a * s), static_cast<float>(a * s + kLevels * s / step), step};
    if (!(lattice.max_val > lattice.min_val)) return std::nullopt;
    const LatticeIndexer index(lattice, tolerance);
    const int32_t zero = index.zero();
    bool ok = true;
    for (size_t i = 0; i < values.size() && ok; ++i) {
      const std::optional<int32_t> k = index(values[i]);
      ok = k.has_value();
      if (ok && indices) indices[i] = *k;
    }
    if (ok) return lattice;
    double widest = 0;
    float previous = linear16_release(zero - ((zero / step) * step), lattice.min_val, lattice.max_val);
    for (int64_t u = zero - (zero / step) * step + step; u <= kLevels; u += step) {
      const float next = linear16_release(static_cast<int32_t>(u), lattice.min_val, lattice.max_val);
      widest = std::max(widest, static_cast<double>(next) - previous);
      previous = next;
    }
    s -= std::max(widest - 2 * tolerance, 0.0) + s * 0x1p-20;
  }
  return std::nullopt;
}

}  // namespace lcz
