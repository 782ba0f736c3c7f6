// The .lcz container: everything a decoder needs to rebuild a net from its compressed bytes
// with the registered stages, and nothing else. docs/format.md describes it field by field;
// the order below is the order on disk.
//
//   magic            8 bytes  89 4C 43 5A 0D 0A 1A 0A  ("\x89LCZ\r\n\x1a\n")
//   major, minor     u16le each (a reader refuses a newer major version)
//   header length H  u64le
//   header           H bytes: u8 coding (0 stored, 1 the registered zstd stage at level 19),
//                    varint length of the fields, the fields (coded)
//   header checksum  u64le    XXH64 (seed 0) of every byte before it
//   payloads         one per chunk, back to back, in chunk order; nothing after the last
//
//   fields:
//     varint+bytes   pipeline, JSON with every stage parameter spelled out
//     u64le          tolerance (IEEE-754 double bits)
//     u8             source format (SourceFormat in formats/format.h: 1 f32, 2 npy, 3 lc0, 4 onnx)
//     varint+bytes   source file name (informational)
//     u8             flags: bit 0 = coded against a base net
//     32 bytes       SHA-256 of the base net file (only with flag bit 0)
//     varint         chunk weights: the coding unit the writer aimed at (informational)
//     varint+bytes   skeleton: the source file without its weights, as its format defines
//                    it (lc0: the pblczero.Net without any weight payload; onnx: the
//                    ModelProto without the float initializers' data); empty for
//                    formats without one (f32, npy)
//     varint         tensor count T, then T tensors:
//       varint+bytes name; varint rank; rank x varint dims; varint element count
//       u8 + f32le + f32le   source encoding (kind, min_val, max_val)
//       u8           output encoding kind: 255 = the same as the source encoding, else the
//                    kind followed by f32le min_val, f32le max_val
//     varint         chunk count C, then C chunks:
//       varint weights in the chunk (>= 1): the next weights of the net, tensors taken in
//              order; a chunk may end inside a tensor (then the rest is in the next chunks)
//       u8 mode (0 coded alone, 1 coded against the base)
//       varint payload bytes; u64le XXH64 of the payload (from version 1.1 preceded by the
//              chunk index and first weight, u64le each: a chunk read in another place fails)
//       u64le XXH64 of the chunk's decoded float32 values (little-endian, in net order)
//
// Strings are UTF-8 without a terminator; varints are LEB128 (7 bits a byte, low first).
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "codecs/core/stream.h"
#include "formats/format.h"
#include "nets/net.h"

namespace lcz {

inline constexpr std::array<uint8_t, 8> kContainerMagic = {0x89, 'L', 'C', 'Z', 0x0d, 0x0a, 0x1a, 0x0a};
inline constexpr uint16_t kContainerMajor = 1;
// 1.1: each payload checksum binds the chunk's place (its index and first weight), and
// compress checked the bound under every LINEAR16 decoder lc0 uses. 1.0 files still read.
inline constexpr uint16_t kContainerMinor = 1;

// The format's name ("lc0") of a container id, or "?".
const char* source_format_name(SourceFormat f);

// against_base: format 1.0's coding against a base (each tensor's integers minus the base's,
// no side records); given_base: coded given the base (side records, base contexts: see
// docs/format.md), what compress writes. Both decode.
enum class ChunkMode : uint8_t { alone = 0, against_base = 1, given_base = 2 };
inline bool needs_base(ChunkMode m) { return m != ChunkMode::alone; }

struct ContainerTensor {
  TensorLayout layout;            // name, shape, element count, source encoding
  SourceEncoding output;          // how decompress writes it
};

struct ContainerChunk {
  uint64_t weight_count = 0;
  ChunkMode mode = ChunkMode::alone;
  uint64_t payload_bytes = 0;
  uint64_t payload_xxh64 = 0;
  uint64_t values_xxh64 = 0;      // of the decoded float32 values of its weights
  // Derived when reading, not stored:
  uint64_t first_weight = 0;      // in the net's weights, tensors taken in order
  uint64_t payload_offset = 0;    // from the start of the file
};

struct ContainerHeader {
  uint16_t major = kContainerMajor, minor = kContainerMinor;
  nlohmann::json pipeline;        // resolved_json() of the pipeline spec
  double tolerance = 0x1p-17;
  SourceFormat source_format = SourceFormat::f32;
  std::string source_name;
  std::optional<std::array<uint8_t, 32>> base_sha256;
  uint64_t chunk_weights = 0;
  std::string skeleton;           // the source file without its weights (the format's own bytes)
  std::vector<ContainerTensor> tensors;
  std::vector<ContainerChunk> chunks;

  NetLayout layout() const;
  uint64_t weight_count() const;
};

// Weights [begin, end) of one tensor: what a chunk holds of it.
struct TensorPiece {
  size_t tensor = 0;
  uint64_t begin = 0, end = 0;
  bool whole(const NetLayout& layout) const { return begin == 0 && end == layout.tensors[tensor].count; }
};
// The pieces of weights [first, first + count) of the net, tensors taken in order.
std::vector<TensorPiece> pieces_of(const NetLayout& layout, uint64_t first, uint64_t count);

uint64_t xxh64(std::span<const uint8_t> bytes);
// The payload checksum a chunk entry stores: XXH64 of the payload, from version 1.1 of
// u64le(chunk index), u64le(first weight) and the payload.
uint64_t payload_checksum(std::span<const uint8_t> payload, size_t chunk, uint64_t first_weight, uint16_t minor);
uint64_t xxh64_of_values(std::span<const F32> tensors);  // streaming, in order

// The whole file: header, checksum, payloads (payloads[i] belongs to chunks[i]; the chunk's
// payload_bytes and payload_xxh64 are filled in from it). Each payload is released once it
// is copied into the file, so the two are not held twice.
// keep_payload_checksums: the chunks' own payload_xxh64 are written as they are, not computed
// (only to forge a container in tests: a chunk moved with its checksum).
Bytes write_container(ContainerHeader header, std::vector<Bytes> payloads, bool keep_payload_checksums = false);

// The most weights a reader decodes unless told otherwise (lczip --max-weights): 2^30, 4 GiB
// of float32, ten times the largest Lc0 nets; decoding holds about twice that.
inline constexpr uint64_t kDefaultMaxWeights = uint64_t{1} << 30;
// The most any reader accepts (2^40): the limit for reading a header only (lczip info).
inline constexpr uint64_t kMaxWeightsCeiling = uint64_t{1} << 40;

struct ContainerReadOptions {
  // Header, payload and decoded-values checksums; off only to fuzz what lies behind them.
  bool verify_checksums = true;
  // A net of more weights is refused before anything is decoded, so that a small hostile file
  // cannot claim (and make the decoder allocate) more memory than the machine has.
  uint64_t max_weights = kDefaultMaxWeights;
};

// Parses and checks the header: magic, version, checksum, every length, count and offset
// (tensor element counts match their dims, chunks cover the tensors, payloads end exactly at
// the end of the file). Throws lcz::Error(input) naming `source`, the field and its offset.
ContainerHeader read_container_header(std::span<const uint8_t> file, const std::string& source,
                                      const ContainerReadOptions& options = {});

// The payload of chunk i, its XXH64 checked (unless `verify` is false); lcz::Error(input)
// naming the chunk on mismatch.
std::span<const uint8_t> chunk_payload(std::span<const uint8_t> file, const ContainerHeader& header, size_t chunk,
                                       const std::string& source, bool verify = true);

}  // namespace lcz
