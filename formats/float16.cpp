#include "formats/float16.h"

#include <bit>
#include <cmath>

namespace lcz {

float half_to_float(uint16_t half) {
  const uint32_t sign = uint32_t{half & 0x8000u} << 16;
  const uint32_t exponent = (half >> 10) & 0x1f;
  const uint32_t mantissa = half & 0x3ff;
  if (exponent == 0) {
    // Zero or subnormal: mantissa * 2^-24 is exact in float32.
    const float magnitude = static_cast<float>(mantissa) * 0x1p-24f;
    return std::bit_cast<float>(sign | std::bit_cast<uint32_t>(magnitude));
  }
  if (exponent == 31) return std::bit_cast<float>(sign | 0x7f800000u | (mantissa << 13));
  return std::bit_cast<float>(sign | ((exponent + 127 - 15) << 23) | (mantissa << 13));
}

float bfloat16_to_float(uint16_t bf16) { return std::bit_cast<float>(uint32_t{bf16} << 16); }

uint16_t float_to_half(float value) {
  const uint32_t bits = std::bit_cast<uint32_t>(value);
  const auto sign = static_cast<uint16_t>((bits >> 16) & 0x8000);
  const uint32_t magnitude = bits & 0x7fffffff;
  if (magnitude > 0x7f800000) return sign | 0x7e00 | static_cast<uint16_t>((magnitude >> 13) & 0x3ff);  // NaN
  if (magnitude >= 0x477ff000) return sign | 0x7c00;  // >= 65520 rounds to Inf
  if (magnitude >= 0x38800000) {                      // normal half (>= 2^-14)
    const uint32_t rounded = magnitude + 0xfff + ((magnitude >> 13) & 1);
    return sign | static_cast<uint16_t>((rounded - ((127u - 15) << 23)) >> 13);
  }
  // Subnormal half: scaling by 2^24 is exact, nearbyint rounds to nearest even (1024 = 2^-14).
  const float scaled = std::bit_cast<float>(magnitude) * 0x1p24f;
  return sign | static_cast<uint16_t>(std::nearbyint(scaled));
}

uint16_t float_to_bfloat16(float value) {
  const uint32_t bits = std::bit_cast<uint32_t>(value);
  if ((bits & 0x7fffffff) > 0x7f800000) return static_cast<uint16_t>((bits >> 16) | 0x40);  // quiet NaN
  return static_cast<uint16_t>((bits + 0x7fff + ((bits >> 16) & 1)) >> 16);
}

}  // namespace lcz
