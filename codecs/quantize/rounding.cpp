#include "codecs/quantize/rounding.h"

#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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
    size_t i = 0;
#if defined(__SSE2__)
    // The loop below, two values per instruction: minpd and maxpd are the clamp's selects
    // exactly (NaN to the limit), cvttpd2dq the truncation of an integral double, cvtpd2ps
    // the rounding to float: the same integers and the same verdict.
    const __m128d inv2 = _mm_set1_pd(inv), step2 = _mm_set1_pd(step), tol2 = _mm_set1_pd(tolerance);
    const __m128d max2 = _mm_set1_pd(kMax), min2 = _mm_set1_pd(-kMax), magic2 = _mm_set1_pd(kRoundMagic);
    const __m128d abs_mask = _mm_castsi128_pd(_mm_set1_epi64x(0x7fffffffffffffffll));
    int all_within = 3;
    for (; i + 2 <= in.size(); i += 2) {
      const __m128d x = _mm_cvtps_pd(_mm_castsi128_ps(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(&in[i]))));
      const __m128d t = _mm_max_pd(_mm_min_pd(_mm_mul_pd(x, inv2), max2), min2);
      const __m128d q = _mm_sub_pd(_mm_add_pd(t, magic2), magic2);
      const __m128i k = _mm_cvttpd_epi32(q);
      _mm_storel_epi64(reinterpret_cast<__m128i*>(&out[i]), k);
      const __m128d back = _mm_cvtps_pd(_mm_cvtpd_ps(_mm_mul_pd(_mm_cvtepi32_pd(k), step2)));
      all_within &= _mm_movemask_pd(_mm_cmple_pd(_mm_and_pd(_mm_sub_pd(back, x), abs_mask), tol2));
    }
    bad = all_within != 3;
#endif
    for (; i < in.size(); ++i) {
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
