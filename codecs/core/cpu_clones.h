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
