// A coarse lattice inside an Lc0 LINEAR16 grid: every `step`-th index of the grid [min_val,
// max_val], counted from the grid's index of zero. Writing a layer as LINEAR16 keeps it exact
// on its grid; a lattice makes the coded integers as coarse as the tolerance allows while
// every value stays on a grid that lc0 reads. Used by the grid stage, which codes lattice
// indices and hands the lattice over in its header (Stage::coded_lattice).
//
// "Within the tolerance" means: under each of lc0's LINEAR16 decoders (kLc0Linear16Decoders),
// the lattice value as that decoder reads it lies within tol of the original as the same
// decoder reads it (Linear16Originals).
#pragma once
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "codecs/quantize/value_range.h"
#include "formats/lc0/linear16.h"

namespace lcz {

struct Linear16Lattice {
  float min_val = 0, max_val = 0;  // the LINEAR16 range written to the file
  int32_t step = 1;                // lattice spacing in grid indices, >= 1
};

// The grid index of zero: round(-min / (max - min) * 65535) clamped to [0, 65535].
int32_t linear16_zero_index(float min_val, float max_val);

// The smallest and largest max_val M a LINEAR16 range [lo, M] may have had for the indices u
// to decode (release formula) to exactly `values`. The release formulas depend on M only
// through fl(M - lo), the development formulas on M itself, and a layer's file stores an M
// that the values cannot pin down (its largest value is fl(fl(M - lo) + lo), not M): many M
// decode to the same values. Every decoder is monotone in M, so the two ends bound what any
// of them reads. `hi` is the largest value; lo the smallest, at index 0.
std::array<float, 2> linear16_range_maxima(float lo, float hi, std::span<const float> values,
                                           std::span<const uint16_t> u);

// What each LINEAR16 decoder reads for each original value. Values that lie bit for bit on
// the release-formula grid of their own range [min, max] (an Lc0 layer as the net reader
// decodes it) are that grid's indices, read each decoder's way from every range they may have
// come from (linear16_range_maxima); any other value (raw float32 data) is itself whatever
// the decoder. error() is the worst over decoders and ranges.
class Linear16Originals {
 public:
  // Finds the values' grid, if they lie on one. range: value_range(values, LargestTie::last),
  // where the caller has it already.
  explicit Linear16Originals(std::span<const float> values);
  Linear16Originals(std::span<const float> values, const ValueRange& range);
  // The values are the indices `u` of the grid [min_val, max_val] (release formula).
  Linear16Originals(std::span<const float> values, float min_val, float max_val, std::vector<uint16_t> u);

  bool on_grid() const { return !u_.empty(); }
  // Value i's index on the values' own grid (on_grid() only): equal indices, equal values.
  uint16_t grid_index(size_t i) const { return u_[i]; }
  float value(size_t i) const { return values_[i]; }
  // linear16_reading_spread of the ranges the values may come from; 0 off a grid.
  double spread() const { return spread_; }

  // The worst |reading - original| of `got` (one reading per decoder) against value i.
  double error(size_t i, const Linear16Readings& got) const {
    if (u_.empty()) {
      Linear16Readings r;
      r.fill(values_[i]);
      return linear16_worst(got, r).error;
    }
    double worst = 0;
    for (float max_val : maxima_)
      worst = std::max(worst, linear16_worst(got, linear16_readings(u_[i], min_val_, max_val)).error);
    return worst;
  }
  // The same for grid index w of the values' own range, read from the same range as value i.
  double error_on_own_grid(size_t i, int32_t w) const {
    double worst = 0;
    for (float max_val : maxima_)
      worst = std::max(worst, linear16_worst(linear16_readings(w, min_val_, max_val),
                                             linear16_readings(u_[i], min_val_, max_val))
                                  .error);
    return worst;
  }

 private:
  std::span<const float> values_;
  float min_val_ = 0;
  std::array<float, 2> maxima_{};
  std::vector<uint16_t> u_;  // empty: not on a grid
  double spread_ = 0;        // set with u_ (LatticeIndexer asks for it once per index it tries)
};

// A lattice index k (grid index zero + k * step) whose value lies within `tolerance` of the
// original under every decoder: the one at v's rounded position, else the nearer neighbour
// that does. `error` is the worst error over the decoders of the best of these three.
class LatticeIndexer {
 public:
  struct Choice {
    std::optional<int32_t> k;  // nullopt: none of the three holds the bound
    double error = HUGE_VAL;
  };

  LatticeIndexer(const Linear16Lattice& lattice, double tolerance)
      : l_(lattice),
        zero_(linear16_zero_index(lattice.min_val, lattice.max_val)),
        scale_(65535.0 / (static_cast<double>(lattice.max_val) - lattice.min_val) / lattice.step),
        offset_(static_cast<double>(zero_) / lattice.step),
        spread_(linear16_reading_spread(lattice.min_val, lattice.max_val)),
        tolerance_(tolerance) {}

  int32_t zero() const { return zero_; }

  // The index for value i of `originals`, whose float32 value is v.
  Choice operator()(float v, const Linear16Originals& originals, size_t i) const {
    int32_t k = 0;
    double error = HUGE_VAL;
    if (choose(v, originals, i, k, error)) return {k, error};
    return {std::nullopt, error};
  }

  // The same in scalars: true with k set where one of the three holds the bound; error as
  // Choice's. (fit_linear16_lattice's loop: a Choice returned there went through memory and
  // stalled on store forwarding, a sixth of the fit's time.)
  [[gnu::always_inline]] bool choose(float v, const Linear16Originals& originals, size_t i, int32_t& k,
                                     double& error) const {
    const double exact = (static_cast<double>(v) - l_.min_val) * scale_ - offset_;
    // Nearest, ties to even, as std::nearbyint in the default rounding mode but without a libm
    // call: exact for |x| < 2^51; anything larger (or NaN) is out of range anyway.
    if (!(std::fabs(exact) < 0x1p51)) return false;
    const double k0 = (exact + 0x1.8p52) - 0x1.8p52;
    if (!(std::fabs(k0) < 1e6)) return false;
    k = static_cast<int32_t>(k0);
    const double here = error_of(k, originals, i);
    if (here <= tolerance_) return error = here, true;
    // The neighbour on v's side of the rounded point first: it is the nearer one.
    const int32_t first = exact < k0 ? k - 1 : k + 1, second = exact < k0 ? k + 1 : k - 1;
    const double e1 = error_of(first, originals, i);
    if (e1 <= tolerance_) return k = first, error = e1, true;
    const double e2 = error_of(second, originals, i);
    if (e2 <= tolerance_) return k = second, error = e2, true;
    error = std::min({here, e1, e2});
    return false;
  }

 private:
  // The worst error over the decoders; where the release formula's error plus both spreads
  // is within tol, that sum (an upper bound) instead: no decoder can break the bound there.
  double error_of(int32_t k, const Linear16Originals& originals, size_t i) const {
    const int64_t u = int64_t{zero_} + int64_t{k} * l_.step;
    if (u < 0 || u > 65535) return HUGE_VAL;
    const float moved = linear16_release(static_cast<int32_t>(u), l_.min_val, l_.max_val);
    const double release = std::fabs(static_cast<double>(moved) - originals.value(i));
    const double bound = release + spread_ + originals.spread();
    if (bound <= tolerance_) return bound;
    return originals.error(i, linear16_readings(static_cast<int32_t>(u), l_.min_val, l_.max_val));
  }

  Linear16Lattice l_;
  int32_t zero_;
  double scale_, offset_, spread_, tolerance_;
};

// A new LINEAR16 range for values that lie on no grid coarse enough: its lattice points sit
// near multiples of s (zero among them), s as close to 2 tol as float32 rounding in lc0's
// decoders allows, and the range is as narrow as covering the values permits. Every value's
// lattice index is checked within tol under every decoder (LatticeIndexer); nullopt when the
// values span more than 65535 lattice steps or no s is found.
// A function of the values and tol only. The grid stage records the range in its header
// (Stage::coded_lattice reads it back), so the Lc0 writer uses the same grid.
// With `indices`, the lattice index of every value is written there (values.size() of them).
std::optional<Linear16Lattice> fit_linear16_lattice(std::span<const float> values, double tolerance,
                                                    int32_t* indices = nullptr);

}  // namespace lcz
