#include "codecs/entropy/cm/crude_size.h"

#include <algorithm>

#include "codecs/core/cpu_clones.h"

#ifdef LCZ_AVX512_KERNELS
#include <immintrin.h>
#endif

namespace lcz::cm {

namespace {

int64_t crude_size_portable(std::span<const int32_t> values) {
  int64_t bits = 0;
  for (const int32_t v : values) bits += crude_bits(v);
  return bits;
}

#ifdef LCZ_AVX512_KERNELS
// 8 values at a time: bit width of |v| + 1 = 33 - lzcnt(|v|) in 32 bits (|INT32_MIN| is 2^31
// there, of width 32). Lanes sum in 32 bits over at most 2^24 steps (33 * 2^24 < 2^32).
[[LCZ_AVX512_TARGET]] int64_t crude_size_avx512(std::span<const int32_t> values) {
  const int32_t* v = values.data();
  const size_t n = values.size();
  int64_t bits = 0;
  size_t i = 0;
  while (i + 8 <= n) {
    const size_t end = i + std::min<size_t>((n - i) / 8, size_t{1} << 24) * 8;
    __m256i sum = _mm256_setzero_si256();
    for (; i < end; i += 8) {
      const __m256i m = _mm256_abs_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(v + i)));
      sum = _mm256_add_epi32(sum, _mm256_sub_epi32(_mm256_set1_epi32(33), _mm256_lzcnt_epi32(m)));
    }
    alignas(32) uint32_t lanes[8];
    _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), sum);
    for (const uint32_t lane : lanes) bits += lane;
  }
  return bits + crude_size_portable(values.subspan(i));
}
#endif

}  // namespace

int64_t crude_size_bits(std::span<const int32_t> values, CrudeSizeKernel kernel) {
#ifdef LCZ_AVX512_KERNELS
  if (kernel == CrudeSizeKernel::automatic && cpu_has_avx512_kernels()) return crude_size_avx512(values);
#endif
  (void)kernel;
  return crude_size_portable(values);
}

}  // namespace lcz::cm
