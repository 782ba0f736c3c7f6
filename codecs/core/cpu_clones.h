// A function marked LCZ_CLONES_FOR("target") is compiled twice, for CPUs with `target` (a GCC
// target such as "avx2", "popcnt" or "arch=x86-64-v3") and for any x86-64, and the one to run
// is picked at load time (GCC's target_clones). Both compute the same values: a clone only lets
// the compiler use wider or newer instructions. Elsewhere (clang, other CPUs) it is built once.
#pragma once

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define LCZ_CLONES_FOR(target) [[gnu::target_clones(target, "default")]]
#else
#define LCZ_CLONES_FOR(target)
#endif

// Kernels for CPUs with AVX-512 (VL, DQ, CD, VPOPCNTDQ) and BMI2, chosen at run time: a kernel
// is marked [[LCZ_AVX512_TARGET]], built where LCZ_AVX512_KERNELS is defined, and called only
// where cpu_has_avx512_kernels(); each has a portable twin that computes the same values (its
// tests compare the two). They use 256-bit vectors only: after 512-bit instructions a core may
// run at a lower clock for a while, and the scalar code around a kernel would pay for it (so
// GCC is also told not to widen them itself).
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define LCZ_AVX512_KERNELS 1
#if defined(__clang__)
#define LCZ_AVX512_TARGET gnu::target("avx2,bmi2,avx512f,avx512vl,avx512dq,avx512cd,avx512vpopcntdq")
#else
#define LCZ_AVX512_TARGET \
  gnu::target("avx2,bmi2,avx512f,avx512vl,avx512dq,avx512cd,avx512vpopcntdq,prefer-vector-width=256")
#endif
#endif

namespace lcz {

inline bool cpu_has_avx512_kernels() {
#ifdef LCZ_AVX512_KERNELS
  static const bool has = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi2") &&
                          __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
                          __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512cd") &&
                          __builtin_cpu_supports("avx512vpopcntdq");
  return has;
#else
  return false;
#endif
}

}  // namespace lcz
