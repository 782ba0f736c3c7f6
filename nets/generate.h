// Synthetic nets at the user's size: tensors that follow the shapes and value statistics of
// a real net, scaled to any number of weights (harness gen --like NET --weights N).
//
// Shapes: each tensor keeps its row length (the product of all dims but the first) and its
// first dim is scaled by N / (weights of the real net), at least 1; the largest tensor (and,
// for the last few weights, the largest one-dimensional tensor, else the largest tensor made
// flat) absorbs the rounding so the total is exactly N.
//
// Values, per tensor, modelled from the data: the tensor is cut into segments (its rows; a
// one-dimensional tensor into runs of n/256 values, 64..65536), and each generated segment
// follows one real segment, taken in a shuffled order:
//  - the exact empirical distribution of the segment's magnitudes, separately for negative and
//    non-negative values: every generated value is one of the real values (so LINEAR16 grids,
//    denormals and exact zeros survive),
//  - the segment's fraction of negatives and sign persistence, as a two-state Markov chain
//    (transition counts of the segment, smoothed toward the tensor's),
//  - the lag-1 rank correlation of neighbouring magnitudes, through a Gaussian AR(1) copula.
// Not preserved: anything across rows, channels or tensors (a coder's channel lag or copy
// model finds less to exploit than in a real net), longer-range patterns, and exact repeats
// (no run of values is copied). Deterministic for a seed: each tensor has its own stream.
#pragma once
#include <cstdint>
#include <filesystem>
#include <vector>

#include "files/atomic_file.h"
#include "nets/net.h"

namespace lcz {

// The generated net's layout: names, scaled shapes and counts summing to exactly `weights`.
// Throws lcz::Error(input) when weights is below the tensor count or above 2^31.
NetLayout scaled_layout(const Net& like, uint64_t weights);

// What gen learns from one real tensor.
class TensorModel {
 public:
  explicit TensorModel(const Tensor& real);
  // `count` values of a tensor like the real one; the same (seed, count) gives the same values.
  std::vector<float> generate(uint64_t count, uint64_t seed) const;

  double magnitude_correlation() const { return rho_; }  // of the Gaussian copula, -0.99..0.99
  size_t segments() const { return segments_.size(); }

 private:
  struct Segment {
    std::vector<float> negative, non_negative;  // sorted magnitudes of each sign
    size_t length = 0;
    double p_neg_after_neg = 0.5, p_neg_after_pos = 0.5, p_neg_start = 0.5;
  };
  std::vector<Segment> segments_;
  double rho_ = 0;
};

// The whole net in memory (for tests and small sizes).
Net generate_like(const Net& like, uint64_t weights, uint64_t seed);

// Raw little-endian float32, tensor after tensor, written to out and committed (it appears
// whole or not at all): memory stays at about one tensor. Throws lcz::Error(input) if the file
// cannot be written.
void write_generated_f32(const Net& like, uint64_t weights, uint64_t seed, AtomicFile& out);

}  // namespace lcz
