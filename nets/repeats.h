// Test data with repeats, made by code: a real net's weights with a share of their blocks
// replaced by exact copies or negations of earlier stretches, as tied, mirrored or copied
// layers leave them in some real models. The coders' match paths are measured on such data
// (no file of it is committed; it is rebuilt from a shared net and a seed).
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "nets/net.h"

namespace lcz {

struct RepeatOptions {
  double share = 0.1;         // fraction of the blocks (after the first) that are replaced, 0..1
  size_t block = 576;         // values per block (576: one output filter of a 3x3 conv over 64 channels)
  double negate_share = 0.5;  // fraction of the replaced blocks that are negated copies, 0..1
  uint64_t seed = 1;
};

// values cut into blocks of `block` values (the last may be shorter and is never replaced);
// round(share * (blocks - 1)) of blocks 1.. are chosen at random, and each chosen block b,
// in increasing order, becomes a copy of the `block` values that start `lag` values before
// it, lag uniform in [block, b * block] (so the source is any earlier stretch, aligned or
// not, and may itself be a copy), negated for round(negate_share * chosen) of them. The
// result depends only on the arguments (own generator, no std distribution). Throws
// std::invalid_argument for block == 0 or a share outside 0..1.
std::vector<float> with_repeats(std::span<const float> values, const RepeatOptions& options);

// A repeat net: one float32 tensor named `name` holding every weight of `net` in order, with
// repeats put in. Throws lcz::Error(input) for more than 2^32-1 weights.
Net repeat_net(const Net& net, const RepeatOptions& options, const std::string& name);

}  // namespace lcz
