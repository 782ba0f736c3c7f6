#include "codecs/quantize/rounding.h"

#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include "codecs/core/cpu_clones.h"
#include "codecs/core/error.h"

namespace lcz {

namespace {

// A step in a message: a power of two as "2^-60", else readable_number.
std::string readable_step(double step) {
  int e = 0;
  if (step > 0 && std::frexp(step, &e) == 0.5) return "2^" + std::to_string(e - 1);
  return readable_number(step);
}

}  // namespace

// On x86-64 with GCC a clone for AVX2 is picked at load time where the CPU has it: four
// conversions and products per instruction instead of two (grid decode of leela_grouped 0.349
// -> 0.313 ms, the rest is memory); the same values (IEEE double products rounded to float,
// nothing contracted).
LCZ_CLONES_FOR("avx2")
void dequantize_all(std::span<const int32_t> in, double step, float* out) {
  const int32_t* __restrict from = in.data();
  float* __restrict to = out;
  for (size_t i = 0; i < in.size(); ++i) to[i] = dequantize(from[i], step);
}

void quantize_to_step(std::span<const float> in, double step, bool round, double tolerance, const char* stage,
                      int32_t* out) {
  constexpr double kMax = std::numeric_limits<int32_t>::max();
  const double inv = 1.0 / step;
  // Branch-free main loop; the rare failure is explained by a second look at the culprit.
  // Rounding by adding and subtracting 1.5 * 2^52 (exact, ties to even, for |v| < 2^51)
  // and clamping with plain comparisons keeps the loop free of libm calls on baseline x86-64.
  constexpr double kRoundMagic = 0x1.8p52;
  auto clamp = [](double v, double limit) {
    v = v < limit ? v : limit;  // NaN -> limit: every conversion below stays defined
    return v > -limit ? v : -limit;
  };
  bool bad = false;
  if (round) {
    for (size_t i = 0; i < in.size(); ++i) {
      const double x = in[i];
      const double q = (clamp(x * inv, kMax) + kRoundMagic) - kRoundMagic;
      out[i] = static_cast<int32_t>(q);
      bad |= !(std::fabs(static_cast<double>(dequantize(out[i], step)) - x) <= tolerance);  // NaN/Inf fail here
    }
  } else {
    for (size_t i = 0; i < in.size(); ++i) {
      const double x = in[i];
      out[i] = static_cast<int32_t>(clamp(x * inv, kMax));  // conversion truncates toward zero
      bad |= !(std::fabs(static_cast<double>(dequantize(out[i], step)) - x) <= tolerance);
    }
  }
  if (!bad) return;
  // A value halfway between two grid points (or, truncating, just below the next one) is
  // tol from both in exact arithmetic; float32 rounding of the reconstruction can push the
  // chosen one past tol while the other neighbour holds it: that one is taken (the decoder
  // needs nothing new, it reconstructs whatever integer it is given).
  auto within = [&](int64_t q, double x) {
    return q >= -kMax && q <= kMax &&
           std::fabs(static_cast<double>(dequantize(static_cast<int32_t>(q), step)) - x) <= tolerance;
  };
  for (size_t i = 0; i < in.size(); ++i) {
    const double x = in[i];
    const std::string where = "value " + readable_number(x) + " at index " + std::to_string(i);
    if (!std::isfinite(x)) throw_refused_at(stage, i, where + " is not finite");
    if (std::fabs(x * inv) > kMax) throw_refused_at(stage, i, where + " needs more than 31 bits at step " + readable_step(step));
    if (within(out[i], x)) continue;
    const int64_t toward = x * inv > out[i] ? 1 : -1;  // the neighbour on x's side first
    if (within(int64_t{out[i]} + toward, x)) {
      out[i] += static_cast<int32_t>(toward);
    } else if (within(int64_t{out[i]} - toward, x)) {
      out[i] -= static_cast<int32_t>(toward);
    } else {
      throw_refused_at(stage, i, where + " cannot be reconstructed in float32 within the tolerance");
    }
  }
}

void predict_steps(std::span<const float> base, double step, bool round, int32_t* out) {
  constexpr double kMax = std::numeric_limits<int32_t>::max();
  const double inv = 1.0 / step;
  for (size_t i = 0; i < base.size(); ++i) {
    double q = static_cast<double>(base[i]) * inv;
    q = q < kMax ? q : kMax;  // NaN -> kMax, then below
    q = q > -kMax ? q : -kMax;
    out[i] = static_cast<int32_t>(round ? std::nearbyint(q) : q);
  }
}

}  // namespace lcz
