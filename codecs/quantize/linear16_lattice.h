// A coarse lattice inside an Lc0 LINEAR16 grid: every `step`-th index of the grid [min_val,
// max_val], counted from the grid's index of zero. Writing a layer as LINEAR16 keeps it exact
// on its grid; a lattice makes the coded integers as coarse as the tolerance allows while
// every value stays on a grid that a released lc0 reads. Used by the grid stage, which codes
// lattice indices and hands the lattice over in its header (Stage::coded_lattice).
#pragma once
#include <cmath>
#include <cstdint>
#include <optional>
#include <span>

#include "formats/lc0/linear16.h"

namespace lcz {

struct Linear16Lattice {
  float min_val = 0, max_val = 0;  // the LINEAR16 range written to the file
  int32_t step = 1;                // lattice spacing in grid indices, >= 1
};

// The grid index of zero: round(-min / (max - min) * 65535) clamped to [0, 65535].
int32_t linear16_zero_index(float min_val, float max_val);

// A lattice index k (grid index zero + k * step) whose value, as Lc0 releases decode it, lies
// within `tolerance` of v: the one at v's rounded position, else the nearer neighbour that
// does; nullopt if none does.
class LatticeIndexer {
 public:
  LatticeIndexer(const Linear16Lattice& lattice, double tolerance)
      : l_(lattice),
        zero_(linear16_zero_index(lattice.min_val, lattice.max_val)),
        scale_(65535.0 / (static_cast<double>(lattice.max_val) - lattice.min_val) / lattice.step),
        offset_(static_cast<double>(zero_) / lattice.step),
        tolerance_(tolerance) {}

  int32_t zero() const { return zero_; }

  std::optional<int32_t> operator()(float v) const {
    const double k0 = std::nearbyint((static_cast<double>(v) - l_.min_val) * scale_ - offset_);
    if (!(std::fabs(k0) < 1e6)) return std::nullopt;
    const int32_t k = static_cast<int32_t>(k0);
    if (error_of(k, v) <= tolerance_) return k;
    const double below = error_of(k - 1, v), above = error_of(k + 1, v);
    if (below <= tolerance_ && below <= above) return k - 1;
    if (above <= tolerance_) return k + 1;
    return std::nullopt;
  }

 private:
  double error_of(int32_t k, float v) const {
    const int64_t u = int64_t{zero_} + int64_t{k} * l_.step;
    if (u < 0 || u > 65535) return HUGE_VAL;
    return std::fabs(static_cast<double>(linear16_release(static_cast<int32_t>(u), l_.min_val, l_.max_val)) - v);
  }

  Linear16Lattice l_;
  int32_t zero_;
  double scale_, offset_, tolerance_;
};

// A new LINEAR16 range for values that lie on no grid coarse enough: its lattice points sit
// near multiples of s (zero among them), s as close to 2 tol as float32 rounding in Lc0's
// decode allows, and the range is as narrow as covering the values permits. Every value's
// nearest lattice index is checked to decode within tol (release formula); nullopt when the
// values span more than 65535 lattice steps or no s is found.
// A function of the values and tol only. The grid stage records the range in its header
// (Stage::coded_lattice reads it back), so the Lc0 writer uses the same grid.
// With `indices`, the lattice index of every value is written there (values.size() of them).
std::optional<Linear16Lattice> fit_linear16_lattice(std::span<const float> values, double tolerance,
                                                    int32_t* indices = nullptr);

}  // namespace lcz
