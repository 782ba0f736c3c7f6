// The values and context of tests/golden/rans-v3-context.bin (a rans stream of version 3 coded
// in a base context by the encoder of 27d7ee3, whose blocks use mode 2): residuals whose size
// follows the class in their context byte, from a portable generator.
#pragma once
#include <cstdint>
#include <vector>

#include "codecs/core/splitmix.h"

namespace lcz::test {

inline void rans_v3_residual(std::vector<int32_t>& values, std::vector<uint8_t>& context) {
  SplitMix64 rng(2026);
  const size_t n = 20000;
  values.assign(n, 0);
  context.assign(n, 0);
  for (size_t i = 0; i < n; ++i) {
    const uint32_t cls = static_cast<uint32_t>(rng.next() % 15), frac = static_cast<uint32_t>(rng.next() % 8);
    context[i] = static_cast<uint8_t>(1 + (cls * 8 + frac) * 2 + (rng.next() & 1));
    const int32_t magnitude = static_cast<int32_t>(rng.uniform() * static_cast<double>(1u << (cls / 2)));
    values[i] = rng.next() & 1 ? magnitude : -magnitude;
  }
}

}  // namespace lcz::test
