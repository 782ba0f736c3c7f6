// The smallest and largest of a tensor's floats, as std::minmax_element finds them, in one
// pass over 8 independent lanes: no branch on the data, so the compiler vectorises it (several
// times faster on a large layer; the grid stage takes the range of every tensor, and the
// LINEAR16 lattice fit twice more).
//
// The same floats as minmax_element: of equal values the one in a given position (the first
// smallest; the first or the last largest, as asked), which matters only for -0 against +0, so
// a range ending at zero takes the sign of that zero from a second look. Any NaN or infinity
// makes the values go through std::minmax_element itself (and `finite` false).
#pragma once
#include <algorithm>
#include <bit>
#include <cstdint>
#include <span>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace lcz {

struct ValueRange {
  float lo = 0, hi = 0;
  bool finite = true;
};

enum class LargestTie { first, last };

inline ValueRange value_range(std::span<const float> values, LargestTie tie) {
  if (values.empty()) return {};
  constexpr size_t kLanes = 8;
  float lo[kLanes], hi[kLanes];
  uint32_t special[kLanes] = {};  // exponent all ones: infinite or NaN
  std::fill_n(lo, kLanes, values[0]);
  std::fill_n(hi, kLanes, values[0]);
  const size_t whole = values.size() / kLanes * kLanes;
#if defined(__SSE2__)
  // minps and maxps are these selects exactly: (v < lo ? v : lo), (v > hi ? v : hi).
  __m128 lo0 = _mm_set1_ps(values[0]), lo1 = lo0, hi0 = lo0, hi1 = lo0;
  __m128i special0 = _mm_setzero_si128(), special1 = special0;
  const __m128i exponent = _mm_set1_epi32(0x7f800000);
  for (size_t i = 0; i < whole; i += kLanes) {
    const __m128 v0 = _mm_loadu_ps(&values[i]), v1 = _mm_loadu_ps(&values[i + 4]);
    lo0 = _mm_min_ps(v0, lo0), lo1 = _mm_min_ps(v1, lo1);
    hi0 = _mm_max_ps(v0, hi0), hi1 = _mm_max_ps(v1, hi1);
    special0 = _mm_or_si128(special0, _mm_cmpeq_epi32(_mm_and_si128(_mm_castps_si128(v0), exponent), exponent));
    special1 = _mm_or_si128(special1, _mm_cmpeq_epi32(_mm_and_si128(_mm_castps_si128(v1), exponent), exponent));
  }
  _mm_storeu_ps(lo, lo0), _mm_storeu_ps(lo + 4, lo1), _mm_storeu_ps(hi, hi0), _mm_storeu_ps(hi + 4, hi1);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(special), special0);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(special + 4), special1);
#else
  for (size_t i = 0; i < whole; i += kLanes) {
    for (size_t k = 0; k < kLanes; ++k) {
      const float v = values[i + k];
      lo[k] = v < lo[k] ? v : lo[k];
      hi[k] = v > hi[k] ? v : hi[k];
      special[k] |= static_cast<uint32_t>((std::bit_cast<uint32_t>(v) & 0x7f800000u) == 0x7f800000u);
    }
  }
#endif
  for (size_t i = whole; i < values.size(); ++i) {
    const float v = values[i];
    lo[0] = v < lo[0] ? v : lo[0];
    hi[0] = v > hi[0] ? v : hi[0];
    special[0] |= static_cast<uint32_t>((std::bit_cast<uint32_t>(v) & 0x7f800000u) == 0x7f800000u);
  }
  ValueRange r{lo[0], hi[0], true};
  for (size_t k = 0; k < kLanes; ++k) {
    r.lo = lo[k] < r.lo ? lo[k] : r.lo;
    r.hi = hi[k] > r.hi ? hi[k] : r.hi;
    r.finite = r.finite && special[k] == 0;
  }
  if (!r.finite) {
    const auto [lo_it, hi_it] = std::minmax_element(values.begin(), values.end());
    return {*lo_it, *hi_it, false};
  }
  // Equal values differ only as -0 and +0: a range ending at zero takes the zero minmax_element
  // would give.
  auto is_zero = [](float v) { return v == 0.0f; };
  if (r.lo == 0.0f) r.lo = *std::find_if(values.begin(), values.end(), is_zero);
  if (r.hi == 0.0f) {
    r.hi = tie == LargestTie::first ? *std::find_if(values.begin(), values.end(), is_zero)
                                    : *std::find_if(values.rbegin(), values.rend(), is_zero);
  }
  return r;
}

}  // namespace lcz
