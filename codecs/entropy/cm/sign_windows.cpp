#include "codecs/entropy/cm/sign_windows.h"

#include <bit>

#include "codecs/core/cpu_clones.h"

#ifdef LCZ_AVX512_KERNELS
#include <immintrin.h>
#endif

namespace lcz::cm {

namespace {

int sign_of(int32_t v) { return v == 0 ? 0 : v < 0 ? 2 : 1; }

// Inlined where called, so that a clone's POPCNT counts the nonzero values.
[[gnu::always_inline]] inline uint64_t window_entry(uint64_t window, int table_shift) {
  constexpr uint64_t kLow = 0x5555555555555555ull;
  if (std::popcount((window | (window >> 1)) & kLow) < kSignWindowMinNonzero) return kNoSignWindow;
  const SignWindowHash h = sign_window_hash(window);
  return (h.hash >> table_shift) << 32 | h.check;
}

// The window before position `from`: the signs of the kSignWindow values before it (zeros
// before the first value).
uint64_t window_before(std::span<const int32_t> values, size_t from) {
  uint64_t window = 0;
  for (size_t j = from >= kSignWindow ? from - kSignWindow : 0; j < from; ++j)
    window = next_sign_window(window, sign_of(values[j]));
  return window;
}

LCZ_CLONES_FOR("popcnt")
void sign_windows_portable(std::span<const int32_t> values, size_t from, size_t to, int table_shift, uint64_t* out) {
  uint64_t window = window_before(values, from);
  for (size_t i = from; i < to; ++i) {
    window = next_sign_window(window, sign_of(values[i]));
    out[i - from] = window_entry(window, table_shift);
  }
}

#ifdef LCZ_AVX512_KERNELS
// Four windows: lane k is the one shifted right by shifts[k] from `signs` (see below).
[[LCZ_AVX512_TARGET]] inline __m256i four_entries(__m256i signs, __m256i shifts, __m128i table_shift) {
  const __m256i low = _mm256_set1_epi64x(0x5555555555555555ll);
  const __m256i w =
      _mm256_and_si256(_mm256_srlv_epi64(signs, shifts), _mm256_set1_epi64x(static_cast<long long>(kSignWindowMask)));
  // As sign_window_hash, per lane.
  const __m256i nz = _mm256_and_si256(_mm256_or_si256(w, _mm256_srli_epi64(w, 1)), low);
  const __mmask8 enough =
      _mm256_cmpge_epi64_mask(_mm256_popcnt_epi64(nz), _mm256_set1_epi64x(kSignWindowMinNonzero));
  const __m256i last = _mm256_and_si256(nz, _mm256_sub_epi64(_mm256_setzero_si256(), nz));
  const __mmask8 flip = _mm256_test_epi64_mask(w, _mm256_slli_epi64(last, 1));
  const __m256i swapped = _mm256_or_si256(_mm256_slli_epi64(_mm256_and_si256(w, low), 1),
                                          _mm256_and_si256(_mm256_srli_epi64(w, 1), low));
  const __m256i canonical = _mm256_mask_blend_epi64(flip, w, swapped);
  const __m256i hash =
      _mm256_mullo_epi64(canonical, _mm256_set1_epi64x(static_cast<long long>(kSignWindowMultiplier)));
  const __m256i check = _mm256_or_si256(_mm256_and_si256(hash, _mm256_set1_epi64x(0xFFFFFFFCll)),
                                        _mm256_mask_mov_epi64(_mm256_set1_epi64x(2), flip, _mm256_set1_epi64x(3)));
  const __m256i entry = _mm256_or_si256(_mm256_slli_epi64(_mm256_srl_epi64(hash, table_shift), 32), check);
  return _mm256_mask_mov_epi64(_mm256_set1_epi64x(-1), enough, entry);
}

// 8 positions at a time. `signs` holds the 2-bit signs of the 31 values p - 23 .. p + 7, value
// p + 7 in the low bits: the window ending at p + k is it shifted right by 2 (7 - k) bits.
// The 8 new signs come from two compares of the values reversed, whose masks BMI2's PDEP
// spreads into the even (positive) and odd (negative) bits.
[[LCZ_AVX512_TARGET]] void sign_windows_avx512(std::span<const int32_t> values, size_t from, size_t to, int table_shift,
                                               uint64_t* out) {
  constexpr uint64_t kBefore = (uint64_t{1} << (2 * (kSignWindow - 1))) - 1;  // 23 values' signs
  uint64_t before = window_before(values, from) & kBefore;
  const __m256i reverse = _mm256_setr_epi32(7, 6, 5, 4, 3, 2, 1, 0);
  const __m256i shifts_lo = _mm256_setr_epi64x(14, 12, 10, 8), shifts_hi = _mm256_setr_epi64x(6, 4, 2, 0);
  const __m128i shift = _mm_cvtsi32_si128(table_shift);
  size_t i = from;
  for (; i + 8 <= to; i += 8) {
    const __m256i v =
        _mm256_permutevar8x32_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(values.data() + i)), reverse);
    const __m256i zero = _mm256_setzero_si256();
    const auto positive = static_cast<uint32_t>(_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpgt_epi32(v, zero))));
    const auto negative = static_cast<uint32_t>(_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpgt_epi32(zero, v))));
    const uint64_t signs = before << 16 | _pdep_u32(positive, 0x5555u) | _pdep_u32(negative, 0xAAAAu);
    const __m256i all = _mm256_set1_epi64x(static_cast<long long>(signs));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + (i - from)), four_entries(all, shifts_lo, shift));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + (i - from) + 4), four_entries(all, shifts_hi, shift));
    before = signs & kBefore;
  }
  if (i < to) sign_windows_portable(values, i, to, table_shift, out + (i - from));
}
#endif

}  // namespace

void sign_windows(std::span<const int32_t> values, size_t from, size_t to, int table_shift, uint64_t* out,
                  SignWindowKernel kernel) {
#ifdef LCZ_AVX512_KERNELS
  if (kernel == SignWindowKernel::automatic && cpu_has_avx512_kernels()) {
    sign_windows_avx512(values, from, to, table_shift, out);
    return;
  }
#endif
  (void)kernel;
  sign_windows_portable(values, from, to, table_shift, out);
}

}  // namespace lcz::cm
