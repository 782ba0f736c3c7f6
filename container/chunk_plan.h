// How compress cuts a net into chunks, and what a chunk's pieces of tensors look like to a
// pipeline: the container's coding units.
#pragma once
#include <cstdint>
#include <vector>

#include "container/container.h"

namespace lcz {

// A chunk's decoders may produce at most this much (every intermediate stream of a pipeline
// holds at most a few bytes per weight): a corrupt stream cannot make them allocate more.
inline uint64_t decode_limit(uint64_t weights) { return 16 * weights + (uint64_t{1} << 20); }

struct ChunkPlan {
  uint64_t first = 0, count = 0;  // weights of the net
};

// Chunks of about chunk_weights weights (0: one chunk), balanced: the net is cut into
// n = ceil(total / chunk_weights) chunks aimed at total / n weights each, so that no chunk is a
// small remainder (threads share the work evenly whatever the net's size). With split_tensors a
// chunk ends after exactly its share, inside a tensor if need be (a raw .f32 is one big
// tensor); without, chunks end at tensor boundaries (the format's output policy and the grid
// stage must see a whole tensor: NetFileFormat::whole_tensors).
std::vector<ChunkPlan> plan_chunks(const NetLayout& layout, uint64_t chunk_weights, bool split_tensors);

// The layout a pipeline sees for a chunk: whole tensors as they are, a piece of a tensor as a
// flat tensor of the piece's length.
std::vector<TensorLayout> piece_layouts(const NetLayout& layout, const std::vector<TensorPiece>& pieces);

}  // namespace lcz
