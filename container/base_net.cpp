#include "container/base_net.h"

#include "nets/sha256.h"

namespace lcz {

BaseNet read_base_net(std::span<const uint8_t> bytes, const std::string& name) {
  BaseNet b;
  b.net = read_source_net(bytes, name).net;
  const std::string hex = sha256_hex(bytes);
  for (size_t i = 0; i < 32; ++i) b.sha256[i] = static_cast<uint8_t>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
  return b;
}

std::optional<Pipeline::Bases> bases_for(const BaseNet& base, const std::vector<int64_t>& match, const NetLayout& layout,
                                         const std::vector<TensorPiece>& pieces) {
  Pipeline::Bases bases;
  for (const auto& p : pieces) {
    if (match[p.tensor] < 0) return std::nullopt;
    const auto& values = base.net.tensors[static_cast<size_t>(match[p.tensor])].values;
    const std::span<const float> piece(values.data() + p.begin, p.end - p.begin);
    if (p.whole(layout)) bases.emplace_back(piece, layout.tensors[p.tensor].shape);
    else bases.emplace_back(piece);
  }
  return bases;
}

}  // namespace lcz
