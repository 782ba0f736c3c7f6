// A coarse lattice inside an Lc0 LINEAR16 grid: every `step`-th index of the grid [min_val,
// max_val], counted from the grid's index of zero. Writing a layer as LINEAR16 keeps it exact
// on its grid; a lattice makes the coded integers as coarse as the tolerance allows while
// every value stays on a grid that a released lc0 reads. Shared by the grid stage (which codes
// lattice indices) and the lczip writer (which must write the layer on the same grid).
#pragma once
#include <cstdint>
#include <optional>
#include <span>

namespace lcz {

struct Linear16Lattice {
  float min_val = 0, max_val = 0;  // the LINEAR16 range written to the file
  int32_t step = 1;                // lattice spacing in grid indices, >= 1
};

// The grid index of zero: round(-min / (max - min) * 65535) clamped to [0, 65535].
int32_t linear16_zero_index(float min_val, float max_val);

// The lattice index k (grid index zero + k * step) whose value, as Lc0 releases decode it,
// is nearest to v; nullopt if no lattice index lies within `tolerance` of v.
std::optional<int32_t> nearest_lattice_index(float v, const Linear16Lattice& lattice, int32_t zero, double tolerance);

// A new LINEAR16 range for values that lie on no grid coarse enough: its lattice points sit
// near multiples of s (zero among them), s as close to 2 tol as float32 rounding in Lc0's
// decode allows, and the range is as narrow as covering the values permits. Every value's
// nearest lattice index is checked to decode within tol (release formula); nullopt when the
// values span more than 65535 lattice steps or no s is found.
// A function of the values and tol only: compress computes it again to know the range.
std::optional<Linear16Lattice> fit_linear16_lattice(std::span<const float> values, double tolerance);

}  // namespace lcz
