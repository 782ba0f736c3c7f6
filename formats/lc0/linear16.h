// Lc0's two LINEAR16 decoders, in float32 exactly as Lc0 writes them: the one definition
// the net reader and the grid stage share. The project builds with -ffp-contract=off, so
// each stays a sequence of separately rounded operations (an FMA would change the bits).
#pragma once
#include <cmath>
#include <cstdint>

namespace lcz {

// Lc0 releases up to v0.32: v = u / 65535 * (max - min) + min.
inline float linear16_release(int32_t u, float min_val, float max_val) {
  return static_cast<float>(u) / 65535.0f * (max_val - min_val) + min_val;
}

// Lc0's development branch: t = u / 65535; v = min * (1 - t) + max * t.
inline float linear16_dev(int32_t u, float min_val, float max_val) {
  const float theta = static_cast<float>(u) / 65535.0f;
  return min_val * (1.0f - theta) + max_val * theta;
}

// The index whose release decode lies nearest to v (the lower one on a tie): bit-exact where v
// is on the grid. A range with max_val <= min_val decodes every index to about min_val: 0.
inline uint16_t nearest_linear16_index(float v, float min_val, float max_val) {
  if (!(max_val > min_val)) return 0;
  const double pos = (static_cast<double>(v) - min_val) / (static_cast<double>(max_val) - min_val) * 65535.0;
  const int32_t guess = static_cast<int32_t>(std::fmin(std::fmax(std::nearbyint(pos), 0.0), 65535.0));
  int32_t best = guess;
  double best_error = std::fabs(static_cast<double>(linear16_release(guess, min_val, max_val)) - v);
  for (int32_t u : {guess - 1, guess + 1}) {
    if (u < 0 || u > 65535) continue;
    const double error = std::fabs(static_cast<double>(linear16_release(u, min_val, max_val)) - v);
    if (error < best_error || (error == best_error && u < best)) best = u, best_error = error;
  }
  return static_cast<uint16_t>(best);
}

}  // namespace lcz
