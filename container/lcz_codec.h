// Compressing a net into an .lcz container and back, with the registered stages of one
// pipeline. The net is cut into balanced chunks (container/chunk_plan.h; whole tensors where
// the format asks for them), each chunk is coded on its own, so chunks run in parallel and the
// bytes are the same for any thread count. compress() decodes what it wrote and refuses to
// return a container that breaks the tolerance, measured on the net as the user will load the
// file that decompress writes (the format's output policy, formats/format.h).
// container/output_file.h writes that file.
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "codecs/core/stream.h"
#include "container/base_net.h"
#include "container/container.h"
#include "formats/format.h"
#include "nets/net.h"
#include "pipeline/spec.h"
#include "pipeline/verify.h"

namespace lcz {

using ProgressFn = std::function<void(const std::string&)>;

// The largest chunk asked for: a net of W weights is cut into n = ceil(W / this) chunks of
// about W / n weights (whole tensors where the format asks, else cut anywhere), so no chunk
// is a small remainder. The strong coder (cm) learns within a chunk: against the whole net as
// one stream (harness rows), 2^19 costs 0.05-0.19 % on the shared nets, header included
// (README, "lczip on these nets"); parallel work needs chunks: 48 on a net of 25 M weights.
inline constexpr uint64_t kDefaultChunkWeights = uint64_t{1} << 19;

struct CompressOptions {
  PipelineSpec pipeline;
  double tolerance = 0x1p-17;
  unsigned threads = 1;
  uint64_t chunk_weights = kDefaultChunkWeights;  // 0: the whole net is one chunk
  const BaseNet* base = nullptr;
  ProgressFn progress;                            // called as chunks finish, may be empty
};

struct CompressResult {
  Bytes file;
  Verification as_loaded;         // of the net decompress writes, against the source
  uint64_t payload_bytes = 0;     // all chunk payloads; the rest of the file is the header
  size_t chunks_against_base = 0;
};

// Throws lcz::Error: codec when a stage refuses the data, verify when the decoded net (as it
// will be loaded) breaks the tolerance, input for a base that does not fit the net.
CompressResult compress(const SourceNet& source, const CompressOptions& options);

struct DecompressResult {
  ContainerHeader header;
  Net net;                        // the decoded tensors, before writing
};

// Checks every checksum, decodes every chunk (in parallel), compares each tensor with its
// recorded XXH64, and refuses (lcz::Error input) a file that contradicts itself: an output
// encoding the source encoding does not allow, or decoded values that its output encoding
// would not give back within the tolerance (the format's contradiction). A container coded
// against a base needs that base (its SHA-256 must match).
DecompressResult decompress(std::span<const uint8_t> file, const std::string& source, const BaseNet* base,
                            unsigned threads, const ProgressFn& progress = {}, const ContainerReadOptions& read = {});

}  // namespace lcz
