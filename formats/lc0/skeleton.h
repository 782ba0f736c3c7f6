// An Lc0 net without its weights: the pblczero.Net with every Weights.Layer's params,
// min_val and max_val cleared, everything else (magic, license, min_version, format,
// training_params, dims, encodings, headcounts, unknown-to-weights fields) kept. A container
// stores it so that decompression rebuilds the whole file, not only the tensors.
#pragma once
#include <span>
#include <string>
#include <vector>

#include "nets/net.h"
#include "lc0_net.pb.h"

namespace lcz {

// Serialized deterministically (same net, same bytes).
std::string lc0_skeleton(const pblczero::Net& net);

// The net again: each tensor (by its path name, as lc0_tensors() names them) written into its
// Layer in the encoding given (LINEAR16 on the range given; the indices are the nearest, see
// nearest_linear16_index). Throws lcz::Error(input) when the skeleton does not parse, and
// lcz::Error(codec) when a tensor has no layer of its name or its dims differ.
pblczero::Net rebuild_lc0_net(const std::string& skeleton, std::span<const Tensor> tensors,
                              std::span<const SourceEncoding> encodings, const std::string& source);

}  // namespace lcz
