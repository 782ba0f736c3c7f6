// Zigzag: signed integers to unsigned ones by magnitude, 0, -1, 1, -2, 2 -> 0, 1, 2, 3, 4.
// The one definition of the zigzag stage, the rans stage's packed blocks and tables, and the
// pipeline's per-tensor count header.
#pragma once
#include <cstdint>

namespace lcz {

inline uint32_t zigzag32(int32_t v) {
  const uint32_t u = static_cast<uint32_t>(v);
  return (u << 1) ^ (0u - (u >> 31));
}
inline int32_t unzigzag32(uint32_t z) { return static_cast<int32_t>((z >> 1) ^ (0u - (z & 1))); }

inline uint64_t zigzag64(int64_t v) {
  const uint64_t u = static_cast<uint64_t>(v);
  return (u << 1) ^ (0ull - (u >> 63));
}
inline int64_t unzigzag64(uint64_t z) { return static_cast<int64_t>((z >> 1) ^ (0ull - (z & 1))); }

// |v| as an unsigned: INT_MIN gives 2^31 (branch-free: signs of weights are unpredictable).
inline uint32_t magnitude(int32_t v) {
  const uint32_t s = static_cast<uint32_t>(v >> 31);
  return (static_cast<uint32_t>(v) ^ s) - s;
}

}  // namespace lcz
