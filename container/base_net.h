// A base net that a target is coded against (the client has the same file), and which of its
// values each chunk is coded against.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "container/container.h"
#include "pipeline/pipeline.h"

namespace lcz {

struct BaseNet {
  Net net;
  std::array<uint8_t, 32> sha256{};  // of the base file's bytes
};
// Any format, detected as read_source_net does.
BaseNet read_base_net(std::span<const uint8_t> bytes, const std::string& name);

// The base values of each piece (the same weights of the tensor's counterpart in the base,
// `match` as base_counterparts() gives it); nullopt when a piece's tensor has none. A whole
// tensor brings its shape from `layout` (the quantizer may fit a prediction per channel).
std::optional<Pipeline::Bases> bases_for(const BaseNet& base, const std::vector<int64_t>& match, const NetLayout& layout,
                                         const std::vector<TensorPiece>& pieces);

}  // namespace lcz
