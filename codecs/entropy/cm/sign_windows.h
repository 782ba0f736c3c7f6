// The cm match model's sign windows (value_model.h). A match is found through the signs of the
// last kSignWindow values, 2 bits each (0 zero, 1 positive, 2 negative; the newest in the low
// bits), hashed up to a global sign flip so that a negated copy meets its original. The model
// hashes one window per value as it goes; the encoder's estimate of the model's gain
// (ValueModel::match_gain) takes them a block at a time from sign_windows().
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>

namespace lcz::cm {

constexpr int kSignWindow = 24;            // values whose signs are hashed
constexpr int kSignWindowMinNonzero = 12;  // ... of which at least this many nonzero, or no lookup
constexpr uint64_t kSignWindowMask = (uint64_t{1} << (2 * kSignWindow)) - 1;

// The window's signs with the next value's sign (0, 1 or 2) added.
inline uint64_t next_sign_window(uint64_t window, int sign) {
  return ((window << 2) | static_cast<uint64_t>(sign)) & kSignWindowMask;
}

constexpr uint64_t kSignWindowMultiplier = 0x9E3779B97F4A7C15ull;  // of the hash

struct SignWindowHash {
  uint64_t hash;   // its top bits index the table
  uint32_t check;  // bit 1 set (0 marks an empty slot), bit 0 the flip
};

// The window negated if its last nonzero value is negative, then hashed.
inline SignWindowHash sign_window_hash(uint64_t window) {
  constexpr uint64_t kLow = 0x5555555555555555ull;
  const uint64_t nz = (window | (window >> 1)) & kLow;
  const uint64_t last = nz & (0 - nz);
  const uint32_t flip = (window & (last << 1)) != 0;
  // A select by mask, not a branch: the flip is a sign, as often one way as the other (a
  // mispredicted branch here was a third of match_gain's time).
  const uint64_t flip_mask = 0 - uint64_t{flip};
  const uint64_t canonical = ((((window & kLow) << 1) | ((window >> 1) & kLow)) & flip_mask) | (window & ~flip_mask);
  const uint64_t hash = canonical * kSignWindowMultiplier;
  return {hash, (static_cast<uint32_t>(hash) & ~3u) | 2u | flip};
}

// Which loop sign_windows() runs: `automatic` the AVX-512 one (8 windows at a time;
// cpu_clones.h) where the CPU has it, else the portable one; `portable` always the portable
// one (for tests).
enum class SignWindowKernel { automatic, portable };

// No lookup: fewer than kSignWindowMinNonzero of the window's values are nonzero.
constexpr uint64_t kNoSignWindow = ~uint64_t{0};

// For each position i in [from, to) of values, out[i - from] = the window of the signs of
// values i - kSignWindow + 1 .. i (zeros before the first value) as
// (hash >> table_shift) << 32 | check, or kNoSignWindow. table_shift > 32.
void sign_windows(std::span<const int32_t> values, size_t from, size_t to, int table_shift, uint64_t* out,
                  SignWindowKernel kernel = SignWindowKernel::automatic);

}  // namespace lcz::cm
