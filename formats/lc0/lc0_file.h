// Lc0 network files (gzip-compressed or plain protobuf pblczero.Net): reading every
// Weights.Layer into a tensor in file order, and writing layers and files back.
#pragma once
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "formats/float16.h"
#include "formats/gzip.h"
#include "formats/lc0/linear16.h"
#include "nets/net.h"
#include "lc0_net.pb.h"

namespace lcz {

inline constexpr uint32_t kLc0Magic = 0x1c0;  // Net.magic of every Lc0 net
// Lc0 nets hold a few hundred to about a thousand layers; a file of many more tiny layers
// (200,000 fit in 10 KB of gzip) would make a per-tensor run take hours. Refused by count.
inline constexpr size_t kMaxLc0Tensors = 32768;

// ---- Reading ----

// True when bytes start like a serialized Net: field 1 (magic, fixed32) = 0x1c0. Every
// protobuf writer emits field 1 first, so this detects plain .pb files without parsing them.
bool starts_with_lc0_magic(std::span<const uint8_t> bytes);

// protobuf parses at most this many bytes (INT_MAX): the default limit of an inflated net.
inline constexpr size_t kMaxLc0MessageBytes = 0x7fffffff;

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

// The one LINEAR16 encoder: the params of values on the range [min_val, max_val], the index
// of each value whose Lc0 release decode is nearest to it (bit-exact where the value lies on
// the grid).
std::string linear16_params(std::span<const float> values, float min_val, float max_val);

// The values as a released Lc0 decodes `linear16_params(values, min_val, max_val)`.
std::vector<float> as_lc0_decodes_linear16(std::span<const float> values, float min_val, float max_val);

// Fills layer.params / min_val / max_val / encoding from values in the given encoding
// (dims are left to the caller). LINEAR16 uses min/max of the data and linear16_params. Throws lcz::Error(codec) for NaN/Inf input,
// values that overflow FLOAT16/BFLOAT16, or Kind::none.
void write_lc0_layer(pblczero::Weights::Layer& layer, std::span<const float> values,
                     SourceEncoding::Kind encoding);

// Serializes net (as is: set magic yourself) to path, gzip-compressed when asked, as Lc0
// ships nets. Throws std::runtime_error when the file cannot be written.
void write_lc0_net_file(const std::filesystem::path& path, const pblczero::Net& net, bool gzip);

}  // namespace lcz
