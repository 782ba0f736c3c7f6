// The cm model's long-lag search (value_model.h): over the signs of the last kLagValues values,
// the lag in 16..kLagValues / 2 at which the signs of the last kLagValues / 2 values agree most
// often with those of the values that lag before them. Encoder and decoder both run it, every
// kLagEvery values, so its answer is part of the stream's format: every kernel below returns
// the same lag for the same signs.
#pragma once
#include <cstdint>

namespace lcz::cm {

constexpr uint32_t kLagValues = 4096;            // the values searched
constexpr uint32_t kLagWords = kLagValues / 64;  // their signs as bit sets, 64 values a word

// Which loop counts the agreements: `automatic` takes the AVX-512 one (VPOPCNTQ, 4 lags at a
// time; cpu_clones.h) where the CPU has it, else the portable one; `portable` always the
// portable one (for tests that compare the two).
enum class LagKernel { automatic, portable };

// pos, nz: the last kLagValues values' signs, oldest first: bit b of word j is value 64 j + b,
// set in pos where it is positive and in nz where it is not zero. Returns the lag whose sign
// agreement over the window has the largest z^2 = (agree - disagree)^2 / compared, in 1/64
// units (ties to the shorter lag), if that reaches min_z2_q6; else 0.
uint32_t find_sign_lag(const uint64_t (&pos)[kLagWords], const uint64_t (&nz)[kLagWords], int64_t min_z2_q6,
                       LagKernel kernel = LagKernel::automatic);

}  // namespace lcz::cm
