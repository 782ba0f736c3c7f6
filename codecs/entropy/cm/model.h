// Building blocks of the cm model, all integer: the logistic domain (stretch / squash
// tables), adaptive probabilities (counters) and the logistic mixer that combines them. The
// binarisation and the contexts that use these are in value_model.h.
#pragma once
#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>

namespace lcz::cm {

// ---- logistic domain, integer only ----------------------------------------------------------
// stretch(p) = ln(p / (1 - p)) and squash = its inverse, in units of 1/256 (|x| <= 2047);
// probabilities in 16 bits. The table is 65536 / (1 + e^(-k/8)) for k = -64..64, rounded.
inline constexpr std::array<int32_t, 129> kSquashTable = {
    22,    25,    28,    32,    36,    41,    47,    53,    60,    68,    77,    87,    98,    111,   126,
    143,   162,   184,   208,   236,   267,   302,   342,   387,   439,   497,   562,   636,   720,   815,
    922,   1042,  1179,  1333,  1506,  1701,  1921,  2168,  2446,  2758,  3108,  3500,  3938,  4427,  4971,
    5577,  6249,  6992,  7812,  8714,  9702,  10782, 11955, 13226, 14595, 16062, 17625, 19282, 21025, 22849,
    24743, 26695, 28693, 30723, 32768, 34813, 36843, 38841, 40793, 42687, 44511, 46254, 47911, 49474, 50941,
    52310, 53581, 54754, 55834, 56822, 57724, 58544, 59287, 59959, 60565, 61109, 61598, 62036, 62428, 62778,
    63090, 63368, 63615, 63835, 64030, 64203, 64357, 64494, 64614, 64721, 64816, 64900, 64974, 65039, 65097,
    65149, 65194, 65234, 65269, 65300, 65328, 65352, 65374, 65393, 65410, 65425, 65438, 65449, 65459, 65468,
    65476, 65483, 65489, 65495, 65500, 65504, 65508, 65511, 65514};

// 16-bit probability of a logit x (1/256 units), linear between the table points.
inline int32_t squash(int32_t x) {
  if (x >= 2047) return kSquashTable[128];
  if (x <= -2047) return kSquashTable[0];
  const int32_t i = (x + 2048) >> 5, w = (x + 2048) & 31;
  return (kSquashTable[i] * (32 - w) + kSquashTable[i + 1] * w + 16) >> 5;
}

struct StretchTable {
  std::array<int16_t, 4096> t{};  // indexed by a 12-bit probability
  StretchTable() {
    // Inverse of squash: the smallest x whose squash reaches the probability.
    int32_t x = -2047;
    for (int32_t p = 0; p < 4096; ++p) {
      const int32_t p16 = p * 16 + 8;
      while (x < 2047 && squash(x) < p16) ++x;
      t[p] = static_cast<int16_t>(x);
    }
  }
};
inline const StretchTable kStretch;
inline int32_t stretch(uint32_t p16) { return kStretch.t[p16 >> 4]; }

// Every coded probability lies in [kPMin, 65536 - kPMin] (squash alone stays inside
// [22, 65514]): a decision costs at least -log2(1 - kPMin / 65536) bits, which bounds how
// many decisions a stream of n bytes can hold.
constexpr int32_t kPMin = 16;

// ---- adaptive probability --------------------------------------------------------------------
// P(1) in the high 22 bits, the number of updates seen (up to a limit) in the low 10: the
// rate starts at 1/1.5 and falls as 1/(n + 1.5), so a fresh context learns fast and an old
// one averages over about `limit` events.
struct RateTable {
  std::array<int32_t, 1024> r{};
  RateTable() {
    for (int n = 0; n < 1024; ++n) r[n] = 65536 * 2 / (2 * n + 3);
  }
};
inline const RateTable kRate;

using Counter = uint32_t;
constexpr Counter kCounterInit = uint32_t{1} << 31;  // p = 1/2, n = 0

inline uint32_t counter_p16(Counter c) { return c >> 16; }

[[gnu::always_inline]] inline void counter_update(Counter& c, int y, uint32_t limit) {
  const uint32_t n = c & 1023;
  const int32_t p = static_cast<int32_t>(c >> 10);
  const int32_t target = y ? (int32_t{1} << 22) - 1 : 0;
  if (n >= limit && limit == 255) {
    // A mature counter (most of them) at the limit the model uses: its rate 1/256.5 as the
    // shift by 8, no table, no 64-bit product.
    c = static_cast<uint32_t>(p + ((target - p) >> 8)) << 10 | n;
    return;
  }
  const int64_t np = p + ((int64_t{target - p} * kRate.r[n]) >> 16);
  c = static_cast<uint32_t>(np << 10) | (n + 1);
}

// ---- mixing ------------------------------------------------------------------------------
constexpr int32_t kWMax = 65536 * 64;  // weights lie in [-64, 64]

// One binary decision predicted by K counters: their stretched probabilities are weighted by
// the weight set w (16.16 fixed point), squashed, coded, and then the weights move along the
// gradient of the coding cost and every counter adapts.
// squash(x) for every x in [-2047, 2047], one load instead of an interpolation on the
// critical path of every decision.
struct SquashTable {
  std::array<uint16_t, 4095> t{};
  SquashTable() {
    for (int32_t x = -2047; x <= 2047; ++x) t[x + 2047] = static_cast<uint16_t>(squash(x));
  }
};
inline const SquashTable kSquash;

template <int K, class Coder>
inline int mix_code(Coder& coder, int y, Counter* const (&cs)[K], int32_t* w, int32_t lr, uint32_t limit) {
  int32_t st[K];
  int64_t dot = 0;
  for (int k = 0; k < K; ++k) {
    st[k] = stretch(counter_p16(*cs[k]));
    dot += int64_t{st[k]} * w[k];
  }
  // |dot| < K * 2^11 * 2^22: the logit fits in 32 bits before it is clamped.
  int32_t x = static_cast<int32_t>(dot >> 16);
  x = x < -2047 ? -2047 : x;
  x = x > 2047 ? 2047 : x;
  // squash stays inside [22, 65514], within [kPMin, 65536 - kPMin].
  const uint32_t p = kSquash.t[x + 2047];
  y = coder.bit(p, y);
  const int32_t err = ((y << 16) - static_cast<int32_t>(p)) >> 4;  // 12-bit
  const int32_t step = err * lr;  // |st * step| < 2^11 * 2^12 * 64: no overflow
  for (int k = 0; k < K; ++k) {
    // Bounded, so that no input, however hostile, can overflow a weight.
    int32_t nw = w[k] + ((st[k] * step) >> 14);
    nw = nw < -kWMax ? -kWMax : nw;
    w[k] = nw > kWMax ? kWMax : nw;
    counter_update(*cs[k], y, limit);
  }
  return y;
}

}  // namespace lcz::cm
