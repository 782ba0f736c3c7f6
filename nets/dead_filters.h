// Test data with dead filters and short structured repeats, made by code: a real net's
// weights with the structure trained nets leave behind (measured on the shared nets, README
// "Dead-filter nets"):
//   - dead filters: whole output filters that are exactly zero (a ReLU channel that never fires,
//     a plane nothing reads: maia-1900's policy conv has 7 of its 80 filters at zero, biases too);
//   - faint filters: whole filters whose weights sit within +-2 quantization steps (weights of
//     an input that is nearly dead decay to noise; most of maia's value-head dense layer);
//   - short exact repeats: 16-value blocks equal to the block a whole number of board planes
//     (64 squares) earlier in the same tensor: the same square in another channel; in faint
//     filters they are blocks of small values, elsewhere of ordinary weights.
// No file of it is committed; it is rebuilt from a shared net and a seed.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "nets/net.h"

namespace lcz {

struct DeadFilterOptions {
  double dead_share = 0.2;           // fraction of the filters set to zero, 0..1
  double faint_share = 0.05;         // fraction of the filters scaled into +-2 steps, 0..1 (with dead_share at most 1)
  double short_repeat_share = 0.02;  // fraction of the weights in copied 16-value blocks, 0..1
  double small_share = 0.45;         // fraction of those copies made inside faint filters, 0..1
  size_t filter = 576;               // values per filter where a tensor has no shape (576: 3x3 over 64 channels)
  size_t lag_unit = 64;              // copies come from k * lag_unit values earlier (64: one 8x8 board plane; a multiple of 16) ...
  size_t max_lag_units = 32;         // ... for k in 1..max_lag_units (32 planes: the value head's input)
  double step = 0x1p-16;             // the quantization step "small" is measured in (2 * tolerance)
  uint64_t seed = 1;
};

// One filter: `count` values from `offset` in the tensors' concatenation, inside one tensor.
struct FilterSpan {
  size_t offset = 0, count = 0;
  size_t tensor = 0;
};

// The filters of a net's tensors, in order: a tensor of rank >= 2 has one per slice along its
// first axis (an output channel of a conv (out, in, k, k), a row of a matrix), when the slice
// holds at least 16 values; a tensor without a shape (rank <= 1) is cut into whole blocks of
// `filter` values, its tail left out. Offsets are into the concatenation of the tensors.
std::vector<FilterSpan> filters_of(const NetLayout& layout, size_t filter);

// values (the tensors of `layout` concatenated) with, from a generator seeded by options.seed
// (own generator, no std distribution: the result depends only on the arguments):
//   1. round(dead_share * F) of the F filters set to 0;
//   2. round(faint_share * F) other filters scaled by 2 * step / (their largest |value|), so
//      that every value lies within +-2 steps;
//   3. copies = round(short_repeat_share * values / 16) 16-value blocks, aligned at multiples
//      of 16 of the concatenation, replaced by the block lag = k * lag_unit values earlier in
//      the same tensor (1 <= k <= max_lag_units): round(small_share * copies) of them inside
//      faint filters, copied from faint blocks within +-2 steps that have a value of at least
//      one step; the others at blocks outside dead and faint filters with a value beyond 2
//      steps, copied from such blocks (so a copy never is of zeros nor fills in the source
//      net's own zero stretches, and small copies are exactly the ones asked for).
//      Copies are made in increasing position, so a source may itself be a copy.
// Throws std::invalid_argument for a share outside 0..1, dead_share + faint_share > 1, a zero
// filter or max_lag_units, a lag_unit that is not a positive multiple of 16, a step that is
// not positive and finite, values that do not match the layout, or more copies than the net
// has blocks with a source at a structured lag.
std::vector<float> with_dead_filters(std::span<const float> values, const NetLayout& layout,
                                     const DeadFilterOptions& options);

// A dead-filter net: one float32 tensor named `name` holding every weight of `net` in order,
// changed as above. Throws lcz::Error(input) for more than 2^32-1 weights.
Net dead_filter_net(const Net& net, const DeadFilterOptions& options, const std::string& name);

}  // namespace lcz
