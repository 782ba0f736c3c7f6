// Lc0's LINEAR16 decoders, in float32 exactly as lc0 builds compute them: the one definition
// the net reader, the grid stage and the container's checks share. The project builds with
// -ffp-contract=off, so each is a sequence of separately rounded operations; the fused
// variants (what GCC makes of lc0's source under -march=native) call std::fma explicitly.
#pragma once
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>

namespace lcz {

// u / 65535 in float32 for every index u of the grid, the quotient rounded once as lc0's
// float32 division rounds it (computed at compile time, where GCC rounds float arithmetic as
// IEEE 754 does at run time; a test compares every entry with a run-time division). The loops
// that decode or check whole layers then load a quotient instead of dividing per value.
struct Linear16Fractions {
  std::array<float, 65536> of{};
  constexpr Linear16Fractions() {
    for (int32_t u = 0; u < 65536; ++u) of[static_cast<size_t>(u)] = static_cast<float>(u) / 65535.0f;
  }
};
inline constexpr Linear16Fractions kLinear16Fractions;

// static_cast<float>(u) / 65535.0f, from the table for the indices of a grid.
inline float linear16_fraction(int32_t u) {
  return static_cast<uint32_t>(u) <= 65535u ? kLinear16Fractions.of[static_cast<uint32_t>(u)]
                                            : static_cast<float>(u) / 65535.0f;
}

// Lc0 releases up to v0.32: v = u / 65535 * (max - min) + min.
inline float linear16_release(int32_t u, float min_val, float max_val) {
  return linear16_fraction(u) * (max_val - min_val) + min_val;
}

// Lc0's development branch: t = u / 65535; v = min * (1 - t) + max * t.
inline float linear16_dev(int32_t u, float min_val, float max_val) {
  const float theta = linear16_fraction(u);
  return min_val * (1.0f - theta) + max_val * theta;
}

// Every way an lc0 build decodes LINEAR16 (issue 14): the release formula as written and as
// GCC fuses it under -march=native (lc0's meson default), and the development branch's
// formula as written and with each of the two contractions GCC may pick for it. The bound
// of a written net is checked under all of them.
enum class Linear16Decoder : uint8_t { release, release_fma, dev, dev_fma_max, dev_fma_min };
inline constexpr std::array<Linear16Decoder, 5> kLc0Linear16Decoders = {
    Linear16Decoder::release, Linear16Decoder::release_fma, Linear16Decoder::dev, Linear16Decoder::dev_fma_max,
    Linear16Decoder::dev_fma_min};

// A short name for messages: "v0.31 t*(max-min)+min", ...
constexpr const char* linear16_decoder_name(Linear16Decoder decoder) {
  switch (decoder) {
    case Linear16Decoder::release: return "v0.31 t*(max-min)+min";
    case Linear16Decoder::release_fma: return "v0.31 fma(t,max-min,min)";
    case Linear16Decoder::dev: return "v0.33 min*(1-t)+max*t";
    case Linear16Decoder::dev_fma_max: return "v0.33 fma(max,t,min*(1-t))";
    case Linear16Decoder::dev_fma_min: return "v0.33 fma(min,1-t,max*t)";
  }
  return "?";
}
// The five names joined, for lczip info and reports.
constexpr const char* lc0_linear16_decoders_text() {
  return "v0.31 t*(max-min)+min, v0.31 fma(t,max-min,min), v0.33 min*(1-t)+max*t, v0.33 fma(max,t,min*(1-t)), "
         "v0.33 fma(min,1-t,max*t) (t = u/65535, float32)";
}

inline float linear16_decode(Linear16Decoder decoder, int32_t u, float min_val, float max_val) {
  const float t = linear16_fraction(u);
  switch (decoder) {
    case Linear16Decoder::release: return t * (max_val - min_val) + min_val;
    case Linear16Decoder::release_fma: return std::fma(t, max_val - min_val, min_val);
    case Linear16Decoder::dev: return min_val * (1.0f - t) + max_val * t;
    case Linear16Decoder::dev_fma_max: return std::fma(max_val, t, min_val * (1.0f - t));
    case Linear16Decoder::dev_fma_min: return std::fma(min_val, 1.0f - t, max_val * t);
  }
  return NAN;
}

// The five decodes of index u on [min_val, max_val], in kLc0Linear16Decoders order.
using Linear16Readings = std::array<float, kLc0Linear16Decoders.size()>;
inline Linear16Readings linear16_readings(int32_t u, float min_val, float max_val) {
  Linear16Readings r;
  for (size_t d = 0; d < r.size(); ++d) r[d] = linear16_decode(kLc0Linear16Decoders[d], u, min_val, max_val);
  return r;
}

// The largest |reading - reference| over the five decoders, and which decoder gives it; a NaN
// reading is an infinite error.
struct Linear16Worst {
  double error = 0;
  size_t decoder = 0;  // index into kLc0Linear16Decoders
};
inline Linear16Worst linear16_worst(const Linear16Readings& got, const Linear16Readings& reference) {
  Linear16Worst w;
  for (size_t d = 0; d < got.size(); ++d) {
    const double e = std::fabs(static_cast<double>(got[d]) - static_cast<double>(reference[d]));
    if (!(e <= w.error)) w = {std::isnan(e) ? HUGE_VAL : e, d};
  }
  return w;
}

// A bound on how far any of the five decoders' reading of an index of [min_val, max_val] lies
// from the release formula's: each is within 7.01 half-ulps (2^-24 relative) of the largest
// magnitude of the range from the exact value (at most four float32 roundings, each of a
// quantity no larger than twice that magnitude), so two readings within 15 of each other.
// |D(w, out) - D(u, src)| <= |release(w, out) - release(u, src)| + spread(out) + spread(src):
// where that is within tol, no decoder needs to be asked.
inline double linear16_reading_spread(float min_val, float max_val) {
  return 15 * 0x1p-24 * std::fmax(std::fabs(static_cast<double>(min_val)), std::fabs(static_cast<double>(max_val)));
}

// 65535 / (max_val - min_val): what linear16_position multiplies by.
inline double linear16_scale(float min_val, float max_val) {
  return 65535.0 / (static_cast<double>(max_val) - min_val);
}

// Where v lies on a range with max_val > min_val, in index units, clamped to [0, 65535] (NaN:
// 65535): within one index of the nearest (a multiply by the loop-invariant `scale`, which the
// compiler hoists; callers settle the last index or bound by it).
inline double linear16_position(float v, float min_val, double scale) {
  double pos = (static_cast<double>(v) - min_val) * scale;
  pos = pos < 65535.0 ? pos : 65535.0;  // NaN -> 65535
  return pos > 0.0 ? pos : 0.0;
}

// v's position rounded to the nearest index (ties to even, no libm): nearest_linear16_index's
// first guess, which is the answer wherever v is on the grid and that index is the lowest that
// decodes to v. `scale` is linear16_scale(min_val, max_val).
inline int32_t linear16_nearest_guess(float v, float min_val, double scale) {
  return static_cast<int32_t>((linear16_position(v, min_val, scale) + 0x1.8p52) - 0x1.8p52);
}

// The index whose release decode lies nearest to v (the lower one on a tie): bit-exact where v
// is on the grid. A range with max_val <= min_val decodes every index to about min_val: 0.
inline uint16_t nearest_linear16_index(float v, float min_val, float max_val) {
  if (!(max_val > min_val)) return 0;
  const int32_t guess = linear16_nearest_guess(v, min_val, linear16_scale(min_val, max_val));
  const float at_guess = linear16_release(guess, min_val, max_val);
  // The common case, v on the grid: guess is the answer unless the index below decodes to v
  // too (a range too narrow for its magnitude), which the general search settles.
  if (at_guess == v && (guess == 0 || linear16_release(guess - 1, min_val, max_val) != v)) return static_cast<uint16_t>(guess);
  int32_t best = guess;
  double best_error = std::fabs(static_cast<double>(at_guess) - v);
  for (int32_t u : {guess - 1, guess + 1}) {
    if (u < 0 || u > 65535) continue;
    const double error = std::fabs(static_cast<double>(linear16_release(u, min_val, max_val)) - v);
    if (error < best_error || (error == best_error && u < best)) best = u, best_error = error;
  }
  return static_cast<uint16_t>(best);
}

// The release decode of an index within one of the nearest to v (0 for a range with
// max_val <= min_val): an upper bound on how far the nearest one's decode lies from v, at the
// cost of one decode. `scale` is linear16_scale(min_val, max_val).
inline float linear16_near_release(float v, float min_val, float max_val, double scale) {
  if (!(max_val > min_val)) return linear16_release(0, min_val, max_val);
  return linear16_release(static_cast<int32_t>(linear16_position(v, min_val, scale) + 0.5), min_val, max_val);
}

// Whether the index nearest each of `values` reads back (release formula) within `tolerance`
// of it, settled the quick way where it can be: some index within the tolerance proves the
// nearest one is. Branch-free over the values. False does not mean "farther", only "ask
// nearest_linear16_index value by value"; always false for a range with max_val <= min_val.
inline bool linear16_all_read_back_within(std::span<const float> values, float min_val, float max_val, double tolerance) {
  if (!(max_val > min_val)) return false;
  const double scale = linear16_scale(min_val, max_val);
  size_t within = 0;
  for (const float v : values)
    within += std::fabs(static_cast<double>(linear16_near_release(v, min_val, max_val, scale)) - v) <= tolerance;
  return within == values.size();
}

}  // namespace lcz
