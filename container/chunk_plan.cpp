#include "container/chunk_plan.h"

namespace lcz {

std::vector<ChunkPlan> plan_chunks(const NetLayout& layout, uint64_t chunk_weights, bool split_tensors) {
  std::vector<ChunkPlan> plan;
  const uint64_t total = layout.weight_count();
  if (total == 0) return plan;
  if (chunk_weights == 0) return {{0, total}};
  const uint64_t n = (total - 1) / chunk_weights + 1;
  // The k-th of the n ideal boundaries: k * total / n (the product in 128 bits).
  auto boundary = [&](uint64_t k) { return static_cast<uint64_t>(static_cast<unsigned __int128>(total) * k / n); };
  if (split_tensors) {
    for (uint64_t k = 0; k < n; ++k) plan.push_back({boundary(k), boundary(k + 1) - boundary(k)});
    return plan;
  }
  // A chunk ends after the tensor that reaches the next ideal boundary.
  uint64_t at = 0;
  for (const auto& t : layout.tensors) {
    if (t.count == 0) continue;
    if (plan.empty() || at >= boundary(plan.size())) plan.push_back({at, 0});
    plan.back().count += t.count;
    at += t.count;
  }
  return plan;
}

std::vector<TensorLayout> piece_layouts(const NetLayout& layout, const std::vector<TensorPiece>& pieces) {
  std::vector<TensorLayout> out;
  for (const auto& p : pieces) {
    if (p.whole(layout)) {
      out.push_back(layout.tensors[p.tensor]);
      continue;
    }
    TensorLayout t = layout.tensors[p.tensor];
    t.count = p.end - p.begin;
    t.shape = {static_cast<uint32_t>(t.count)};
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace lcz
