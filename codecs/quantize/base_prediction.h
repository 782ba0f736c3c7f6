// Coding a quantizer's integers given a base (Stage::encode_against), shared by the quantize
// and grid stages: the prediction of each integer from the base value at its place, the
// record that describes it (the stage's side record), the context bytes it gives the entropy
// coder, and the encoder's choice among coding alone, as a plain residual and as a residual
// from a fitted per-channel prediction.
//
// Why a fitted prediction: a fine-tuned net differs from its base by more than noise. Where
// a layer was frozen but the batch-norm it was folded with moved, every output channel c is
// scaled: target ~ base * (1 + e_c) (+ o_c). Fitting e_c and o_c per channel and coding the
// residual from that prediction leaves the rounding noise. The channel axis is not assumed:
// every axis of the tensor's shape (and one channel for the whole tensor) is tried, and the
// cheapest by an estimate of the coded size is kept.
//
// Record (little-endian, varints as in byte_io.h):
//   u8 mode: 0 alone (the integers as without a base), 1 residual (minus the base's own
//            integers), 2 predicted (minus the integers of the fitted prediction)
//   mode 2:  varint channels C (>= 1), varint inner (>= 1): value i is in channel (i / inner) % C,
//            C * inner divides the value count;
//            u8 scale shift s (0..62), u8 offset shift t (0..62, bit 7: offsets present),
//            C varints zigzag(k_c), then (offsets present) C varints zigzag(j_c)
// Prediction of value i from base value b in channel c, in the stage's index space
// (IndexSpace: position = a * v + c0): position = (a * b) * (1 + k_c 2^-s) + (c0 + j_c 2^-t),
// evaluated in double (no contraction), its integer as IndexSpace::index gives it.
#pragma once
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "codecs/core/byte_io.h"
#include "codecs/core/stage.h"

namespace lcz {

// A quantizer's integers in value space: value v sits at position a * v + c0 (quantize at a
// step: a = 1/step; a LINEAR16 grid: its index minus the index of zero, over the lattice
// step); its integer is the position rounded (to nearest, or toward zero), clamped to [lo, hi].
struct IndexSpace {
  double a = 1, c0 = 0;
  bool nearest = true;
  double lo = -2147483647.0, hi = 2147483647.0;

  int32_t index(double position) const { return nearest ? index_as<true>(position) : index_as<false>(position); }
  // index() with `nearest` known at compile time (a loop over values vectorizes).
  template <bool kNearest>
  int32_t index_as(double position) const {
    // Clamped first (NaN -> hi), then rounded without libm: adding and subtracting 1.5 * 2^52
    // rounds to nearest (ties to even) below 2^51; lo and hi are integers, so the order of
    // clamping and rounding does not matter.
    double k = position < hi ? position : hi;
    k = k > lo ? k : lo;
    return kNearest ? static_cast<int32_t>((k + 0x1.8p52) - 0x1.8p52) : static_cast<int32_t>(k);
  }
};

struct BasePrediction {
  enum class Mode : uint8_t { alone = 0, residual = 1, predicted = 2 };
  Mode mode = Mode::alone;
  uint64_t channels = 1, inner = 1;
  int scale_shift = 0, offset_shift = 0;
  std::vector<int64_t> scale, offset;  // per channel; offset empty: none
};

void write_prediction(const BasePrediction& p, ByteWriter& w);
// Reads a record for a tensor of n values and checks it; lcz::Error(codec) via r.
BasePrediction read_prediction(ByteReader& r, uint64_t n);

// The base's integers under the record (alone and residual: the base's own).
void predicted_indices(const BasePrediction& p, std::span<const float> base, const IndexSpace& space, int32_t* out);

// Context byte of each value, 1..kBaseContexts - 1, from its predicted position: the
// magnitude class of the predicted integer, where the position lies between two integers
// (which way a small residual goes), and its sign. A tensor coded alone gets 0 (none): the
// coder codes it as without a base.
constexpr int kBaseContexts = 241;
void prediction_contexts(const BasePrediction& p, std::span<const float> base, const IndexSpace& space, uint8_t* out);

// The encoder's choice for the integers `own` (the stage's, without a base): the mode (and
// fit) whose residual costs least by an estimate of an adaptive coder's bits in the contexts
// above, record included. `residual` receives the values to code (own minus the prediction,
// wrapping; own itself for alone).
BasePrediction choose_prediction(std::span<const int32_t> own, const BaseTensor& base, const IndexSpace& space,
                                 std::vector<int32_t>& residual);

}  // namespace lcz
