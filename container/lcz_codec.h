// Compressing a net into an .lcz container and back, with the registered stages of one
// pipeline. The net is cut into balanced chunks (see kDefaultChunkWeights), whole Lc0 layers,
// each chunk is coded on its own, so chunks run in parallel and the bytes are the same for
// any thread count. compress() decodes what it wrote and refuses to return a container that
// breaks the tolerance, measured on the net as the user will load it (for an Lc0 source: every
// layer as a released lc0 decodes the LINEAR16 file that decompress writes).
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "codecs/core/stream.h"
#include "container/container.h"
#include "nets/net.h"
#include "pipeline/spec.h"
#include "pipeline/verify.h"

namespace lcz {

// A net as read from its file, with what is needed to write it back.
struct SourceNet {
  Net net;
  SourceFormat format = SourceFormat::f32;
  std::string name;               // file name, for messages and the container
  std::string lc0_skeleton;       // lc0 sources: the Net message without weights
};

// Reads a net file's bytes (lc0 .pb/.pb.gz, .npy, raw .f32). `name` is used in messages and
// to pick raw float32 by extension under NetFormat::detect.
SourceNet read_source_net(std::span<const uint8_t> bytes, const std::string& name, NetFormat format = NetFormat::detect);

// A base net that a target is coded against: the client has the same file.
struct BaseNet {
  Net net;
  std::array<uint8_t, 32> sha256{};  // of the base file's bytes
};
BaseNet read_base_net(std::span<const uint8_t> bytes, const std::string& name);

using ProgressFn = std::function<void(const std::string&)>;

// The largest chunk asked for: a net of W weights is cut into n = ceil(W / this) chunks of
// about W / n weights (Lc0 layers whole, a raw .f32 or .npy tensor cut anywhere), so no chunk
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
// would not give back within the tolerance (output_contradiction). A container coded against a base needs that base (its SHA-256 must match).
DecompressResult decompress(std::span<const uint8_t> file, const std::string& source, const BaseNet* base,
                            unsigned threads, const ProgressFn& progress = {}, const ContainerReadOptions& read = {});

// The file decompress writes: for an lc0 source the rebuilt net, gzip-compressed; raw
// float32 or .npy otherwise. write_output_file hands it to `sink` in pieces and releases each
// tensor once written (it consumes `decoded`); output_file_bytes returns it whole.
using ByteSink = std::function<void(std::span<const uint8_t>)>;
void write_output_file(DecompressResult decoded, const ByteSink& sink);
Bytes output_file_bytes(const DecompressResult& decoded);

// The values a user gets when loading that file: for LINEAR16 layers as a released lc0
// decodes them, otherwise the decoded values themselves.
Net as_loaded(const DecompressResult& decoded);

// The net decompress writes, as it is loaded, against the original net file: names, shapes
// and counts must match, and every weight is compared under every LINEAR16 decoder lc0 uses
// (each decoder reading the original's own encoding and the written one); worst_decoder
// names the decoder of the worst weight where the written tensor is LINEAR16.
Verification verify_as_loaded(const SourceNet& original, const DecompressResult& decoded);

}  // namespace lcz
