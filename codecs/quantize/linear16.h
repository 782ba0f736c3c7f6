// Lc0's two LINEAR16 decoders, in float32 exactly as Lc0 writes them: the one definition
// the net reader and the grid stage share. The project builds with -ffp-contract=off, so
// each stays a sequence of separately rounded operations (an FMA would change the bits).
#pragma once
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

}  // namespace lcz
