#include "codecs/entropy/cm/lag_search.h"

#include <array>
#include <bit>
#include <utility>

#include "codecs/core/cpu_clones.h"

#ifdef LCZ_AVX512_KERNELS
#include <immintrin.h>
#endif

namespace lcz::cm {

namespace {

constexpr uint32_t kWin = kLagValues / 2, kWords = kWin / 64;  // the window: the last half
// The values `lag` before the window start at bit from = kLagValues - kWin - lag of the
// signs; lags below 16 are left to the model's short contexts.
constexpr uint32_t kMaxFrom = kLagValues - kWin - 16;
constexpr int kFinalists = 8;  // lags scored on the whole window

// z^2 = (agree - disagree)^2 / compared in 1/64 units; only agreement counts.
int64_t z2_q6(int64_t agree, int64_t compared) {
  const int64_t d = 2 * agree - compared;
  return d > 0 ? d * d * 64 / compared : 0;
}

// The kFinalists best lags of the first round, best first (ties to the shorter lag: a strict
// order, so the order in which lags are offered does not matter).
class Finalists {
 public:
  struct Entry {
    int64_t z2 = -1;
    uint32_t lag = 0;
  };

  void offer(uint32_t lag, int64_t agree, int64_t compared) {
    Entry* slot = &best_[kFinalists - 1];
    // Most lags fall below the last finalist: that is settled without the division, as for an
    // integer bar z, floor(q) < z exactly when q < z.
    const int64_t d = 2 * agree - compared;
    if (slot->z2 > 0 && (d <= 0 || d * d * 64 < slot->z2 * compared)) return;
    const Entry e{z2_q6(agree, compared), lag};
    if (e.z2 < slot->z2 || (e.z2 == slot->z2 && e.lag > slot->lag)) return;
    *slot = e;
    for (; slot != best_.data() && (slot->z2 > slot[-1].z2 || (slot->z2 == slot[-1].z2 && slot->lag < slot[-1].lag));
         --slot)
      std::swap(*slot, slot[-1]);
  }
  const std::array<Entry, kFinalists>& entries() const { return best_; }
  int64_t bar() const { return best_[kFinalists - 1].z2; }

 private:
  std::array<Entry, kFinalists> best_{};
};

// The signs shifted right by r bits (r < 64): word j of the copy holds bits 64 j + r ..
// 64 j + r + 63 of the original, for j < kLagWords - 1.
[[gnu::always_inline]] inline void shift_signs(const uint64_t* pos, const uint64_t* nz, uint32_t r, uint64_t* sp, uint64_t* sn) {
  for (uint32_t j = 0; j + 1 < kLagWords; ++j) {
    sp[j] = r ? (pos[j] >> r) | (pos[j + 1] << (64 - r)) : pos[j];
    sn[j] = r ? (nz[j] >> r) | (nz[j + 1] << (64 - r)) : nz[j];
  }
}

// Agreements of the window's words first_word.. with the shifted signs from word j0 on.
[[gnu::always_inline]] inline std::pair<int64_t, int64_t> count_agreement(const uint64_t* pos, const uint64_t* nz, const uint64_t* sp,
                                            const uint64_t* sn, uint32_t j0, uint32_t first_word) {
  int64_t agree = 0, compared = 0;
  for (uint32_t j = first_word; j < kWords; ++j) {
    const uint64_t both = nz[kWords + j] & sn[j0 + j];
    agree += std::popcount(~(pos[kWords + j] ^ sp[j0 + j]) & both);
    compared += std::popcount(both);
  }
  return {agree, compared};
}

// First round, portable: every lag on the last half of the window. Lags are taken by the bit
// offset r = from % 64: the signs shifted by r once, then every lag with that offset reads
// whole words of them. Mostly popcounts: a clone with the POPCNT instruction is picked at
// load time where the CPU has it.
LCZ_CLONES_FOR("popcnt")
void first_round_portable(const uint64_t* pos, const uint64_t* nz, Finalists& finalists) {
  uint64_t sp[kLagWords], sn[kLagWords];
  for (uint32_t r = 0; r < 64; ++r) {
    shift_signs(pos, nz, r, sp, sn);
    for (uint32_t from = r; from <= kMaxFrom; from += 64) {
      const auto [agree, compared] = count_agreement(pos, nz, sp, sn, from / 64, kWords / 2);
      finalists.offer(kLagValues - kWin - from, agree, compared);
    }
  }
}

// Second round: the finalists on the whole window; the best z^2 and its lag.
LCZ_CLONES_FOR("popcnt")
std::pair<int64_t, uint32_t> second_round(const uint64_t* pos, const uint64_t* nz, const Finalists& finalists) {
  int64_t best = 0;
  uint32_t best_lag = 0;
  uint64_t sp[kLagWords], sn[kLagWords];
  for (const Finalists::Entry& f : finalists.entries()) {
    if (f.z2 <= 0) continue;
    const uint32_t from = kLagValues - kWin - f.lag;
    shift_signs(pos, nz, from % 64, sp, sn);
    const auto [agree, compared] = count_agreement(pos, nz, sp, sn, from / 64, 0);
    const int64_t z = z2_q6(agree, compared);
    if (z > best || (z == best && f.lag < best_lag)) best = z, best_lag = f.lag;
  }
  return {best, best_lag};
}

#ifdef LCZ_AVX512_KERNELS
// Words w[0..3] of the signs shifted right by `right` bits (`left` = 64 - right; a shift by
// 64 gives 0).
[[LCZ_AVX512_TARGET]] inline __m256i shifted_words(const uint64_t* w, __m128i right, __m128i left) {
  return _mm256_or_si256(_mm256_srl_epi64(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(w)), right),
                         _mm256_sll_epi64(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + 1)), left));
}

// First round, AVX-512: the same counts, 4 lags of one offset at a time, one per 64-bit lane
// (lane k: word j0 + k of the shifted signs against the window's word, broadcast).
[[LCZ_AVX512_TARGET]] void first_round_avx512(const uint64_t* pos, const uint64_t* nz, Finalists& finalists) {
  constexpr uint32_t kLanes = 4;
  constexpr uint32_t kGroups = (kMaxFrom / 64 + kLanes) / kLanes;
  // Loads reach word kLanes kGroups - 1 + kWords - 1; the words past the shifted ones are 0
  // and count nothing (their lags are not offered anyway).
  alignas(32) uint64_t sp[kLanes * kGroups + kWords] = {}, sn[kLanes * kGroups + kWords] = {};
  static_assert(kLanes * kGroups + kWords >= kLagWords - 1);
  alignas(32) int64_t agree[kLanes], compared[kLanes];
  for (uint32_t r = 0; r < 64; ++r) {
    // shift_signs, 4 words at a time (written out: the compiler's own copy for r = 0 took
    // 512-bit moves). A shift by 64 gives 0.
    const __m128i right = _mm_cvtsi32_si128(static_cast<int>(r)), left = _mm_cvtsi32_si128(static_cast<int>(64 - r));
    uint32_t w = 0;
    for (; w + kLanes < kLagWords; w += kLanes) {
      _mm256_store_si256(reinterpret_cast<__m256i*>(sp + w), shifted_words(pos + w, right, left));
      _mm256_store_si256(reinterpret_cast<__m256i*>(sn + w), shifted_words(nz + w, right, left));
    }
    for (; w + 1 < kLagWords; ++w) {
      sp[w] = r ? (pos[w] >> r) | (pos[w + 1] << (64 - r)) : pos[w];
      sn[w] = r ? (nz[w] >> r) | (nz[w + 1] << (64 - r)) : nz[w];
    }
    for (uint32_t g = 0; g < kGroups; ++g) {
      __m256i a = _mm256_setzero_si256(), c = _mm256_setzero_si256();
      for (uint32_t j = kWords / 2; j < kWords; ++j) {
        const __m256i s = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(sp + kLanes * g + j));
        const __m256i n = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(sn + kLanes * g + j));
        const __m256i both = _mm256_and_si256(n, _mm256_set1_epi64x(static_cast<long long>(nz[kWords + j])));
        // 0x82: ~(window ^ shifted) & both, the positions where both are nonzero and agree.
        const __m256i same =
            _mm256_ternarylogic_epi64(_mm256_set1_epi64x(static_cast<long long>(pos[kWords + j])), s, both, 0x82);
        a = _mm256_add_epi64(a, _mm256_popcnt_epi64(same));
        c = _mm256_add_epi64(c, _mm256_popcnt_epi64(both));
      }
      // Only lags that may pass the last finalist are offered: d = agree - disagree > 0 and
      // d^2 64 >= bar * compared (the bar only rises, so this test is never stricter than
      // offer's own).
      const int64_t bar = finalists.bar();
      uint32_t offered = (1u << kLanes) - 1;
      if (bar > 0) {
        const __m256i d = _mm256_sub_epi64(_mm256_add_epi64(a, a), c);
        const __m256i lhs = _mm256_slli_epi64(_mm256_mullo_epi64(d, d), 6);
        const __m256i rhs = _mm256_mullo_epi64(_mm256_set1_epi64x(bar), c);
        offered = _mm256_cmpgt_epi64_mask(d, _mm256_setzero_si256()) & _mm256_cmpge_epi64_mask(lhs, rhs);
      }
      if (offered == 0) continue;
      _mm256_store_si256(reinterpret_cast<__m256i*>(agree), a);
      _mm256_store_si256(reinterpret_cast<__m256i*>(compared), c);
      for (; offered != 0; offered &= offered - 1) {
        const uint32_t k = static_cast<uint32_t>(std::countr_zero(offered));
        const uint32_t from = r + 64 * (kLanes * g + k);
        if (from <= kMaxFrom) finalists.offer(kLagValues - kWin - from, agree[k], compared[k]);
      }
    }
  }
}
#endif

}  // namespace

uint32_t find_sign_lag(const uint64_t (&pos)[kLagWords], const uint64_t (&nz)[kLagWords], int64_t min_z2_q6,
                       LagKernel kernel) {
  // Two rounds: every lag on the last half of the window, then the finalists on all of it (a
  // lag significant on the whole window is far ahead on half of it too).
  Finalists finalists;
#ifdef LCZ_AVX512_KERNELS
  if (kernel == LagKernel::automatic && cpu_has_avx512_kernels())
    first_round_avx512(pos, nz, finalists);
  else
#endif
    first_round_portable(pos, nz, finalists);
  (void)kernel;
  const auto [best, best_lag] = second_round(pos, nz, finalists);
  return best >= min_z2_q6 ? best_lag : 0;
}

}  // namespace lcz::cm
