// Lc0 network files (gzip-compressed or plain protobuf pblczero.Net): reading every
// Weights.Layer into a tensor in file order, and writing layers and files back.
#pragma once
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "nets/net.h"
#include "lc0_net.pb.h"

namespace lcz {

inline constexpr uint32_t kLc0Magic = 0x1c0;  // Net.magic of every Lc0 net
// Lc0 nets hold a few hundred to about a thousand layers; a file of many more tiny layers
// (200,000 fit in 10 KB of gzip) would make a per-tensor run take hours. Refused by count.
inline constexpr size_t kMaxLc0Tensors = 32768;

// ---- Element conversions, bit-exact as Lc0 decodes them ----

// LINEAR16 as Lc0 releases v0.31/v0.32 decode it, in float32 without fused multiply-add:
// u / 65535.0f * (max_val - min_val) + min_val.
float linear16_to_float(uint16_t u, float min_val, float max_val);
float half_to_float(uint16_t half);        // IEEE binary16, exact (subnormals, Inf, NaN)
float bfloat16_to_float(uint16_t bf16);    // the upper 16 bits of a binary32
uint16_t float_to_half(float value);       // round to nearest even; overflow gives Inf
uint16_t float_to_bfloat16(float value);   // round to nearest even; overflow gives Inf

// ---- Reading ----

bool is_gzip(std::span<const uint8_t> bytes);
// True when bytes start like a serialized Net: field 1 (magic, fixed32) = 0x1c0. Every
// protobuf writer emits field 1 first, so this detects plain .pb files without parsing them.
bool starts_with_lc0_magic(std::span<const uint8_t> bytes);

// protobuf parses at most this many bytes (INT_MAX): the default limit of an inflated net.
inline constexpr size_t kMaxLc0MessageBytes = 0x7fffffff;

// Whole gzip stream (all members); throws lcz::Error(input) naming source when it is not
// gzip, is corrupt or truncated, or inflates past max_bytes. The limit is checked as the data
// streams: no buffer grows past it, and the result is allocated once, at its exact size.
std::vector<uint8_t> gunzip(std::span<const uint8_t> compressed, const std::string& source,
                            size_t max_bytes = kMaxLc0MessageBytes);

// The file's message (gunzipped first when it is gzip, up to max_inflated_bytes). Checks the
// magic and that it carries Weights (not an ONNX model).
pblczero::Net parse_lc0_net(std::span<const uint8_t> file_bytes, const std::string& source,
                            size_t max_inflated_bytes = kMaxLc0MessageBytes);

// Every non-empty Weights.Layer below net.weights, in field-number order (the order protobuf
// writes them), named by its path: "input.weights", "residual.3.se.w1", "encoder.0.mha.q_w".
// Throws on unknown fields anywhere below Weights, unknown encodings, sizes that are not a
// whole number of elements, dims that do not match, and NaN/Inf values.
std::vector<Tensor> lc0_tensors(const pblczero::Net& net, const std::string& source);

Net read_lc0_net(std::span<const uint8_t> file_bytes, const std::filesystem::path& path,
                 size_t max_inflated_bytes = kMaxLc0MessageBytes);

// ---- Writing ----

// Fills layer.params / min_val / max_val / encoding from values in the given encoding
// (dims are left to the caller). LINEAR16 uses min/max of the data and
// u = round((v - min) / (max - min) * 65535). Throws lcz::Error(codec) for NaN/Inf input,
// values that overflow FLOAT16/BFLOAT16, or Kind::none.
void write_lc0_layer(pblczero::Weights::Layer& layer, std::span<const float> values,
                     SourceEncoding::Kind encoding);

// A single gzip member, default level, no file name or time stamp (same bytes every run).
// level: zlib's 1 (fastest) .. 9; -1 its default (6).
std::vector<uint8_t> gzip_compress(std::span<const uint8_t> bytes, int level = -1);

// Serializes net (as is: set magic yourself) to path, gzip-compressed when asked, as Lc0
// ships nets. Throws std::runtime_error when the file cannot be written.
void write_lc0_net_file(const std::filesystem::path& path, const pblczero::Net& net, bool gzip);

}  // namespace lcz
