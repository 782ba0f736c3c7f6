// A net in memory: an ordered list of named tensors of float32 weights. Readers for each file
// format live beside this file; read_net() picks one by the file's content.
#pragma once
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace lcz {

// How a tensor was stored in its source file, where the format says so.
struct SourceEncoding {
  enum class Kind { none, linear16, float16, bfloat16, float32 };
  Kind kind = Kind::none;
  float min_val = 0, max_val = 0;  // LINEAR16 range
};

struct Tensor {
  std::string name;               // path in the source, e.g. "residual.3.conv1.weights"
  std::vector<uint32_t> shape;    // Lc0 `dims` where present, else {values.size()}
  std::vector<float> values;
  SourceEncoding source;
};

struct Net {
  std::string source;             // file path, or "target - base" for a delta
  std::string format;             // "lc0", "onnx", "f32", "npy", "delta"
  std::vector<Tensor> tensors;

  uint64_t weight_count() const;
};

// What both sides of a codec know about a net besides its values: names, shapes, element
// counts and source encodings, in tensor order. A decoder rebuilds a Net from a layout and
// the decoded values; it never needs the original net.
struct TensorLayout {
  std::string name;
  std::vector<uint32_t> shape;
  uint64_t count = 0;             // elements
  SourceEncoding source;
};

struct NetLayout {
  std::string format;             // "lc0", "onnx", "f32", "npy", "delta"
  std::vector<TensorLayout> tensors;

  uint64_t weight_count() const;
};

NetLayout layout_of(const Net& net);

enum class NetFormat { detect, lc0, f32, npy, onnx };

// Reads a net file. The format given wins; detect goes by the extension (.onnx/.onnx.gz ->
// onnx, .pb.gz/.gz/.pb -> lc0, .npy -> npy, .f32/.bin/.hex/.raw -> raw little-endian float32) and only for any other
// name by content (gzip or the Lc0 magic -> lc0, "\x93NUMPY" -> npy); the reader then checks
// the content. Throws lcz::Error(kind input) naming the file and what is wrong (not a regular
// file, too large, not gzip, truncated, unknown encoding, size not a multiple of 4, no
// weights, NaN/Inf weights, ...).
Net read_net(const std::filesystem::path& path, NetFormat format = NetFormat::detect);
// The same from bytes already read; `path` names the source in messages and, under detect,
// its extension decides the reader.
Net read_net_bytes(std::span<const uint8_t> bytes, const std::filesystem::path& path, NetFormat format = NetFormat::detect);
// read_net's first step: the bytes of a net file, unparsed, under the size limit of its format
// (an Lc0 or ONNX file at most 2 GiB, refused unread); for callers that need the bytes too (SHA-256).
std::vector<uint8_t> read_net_file(const std::filesystem::path& path, NetFormat format = NetFormat::detect);
// detect as read_net does it (the extension, else the content); throws lcz::Error(input)
// when nothing matches.
NetFormat detect_net_format(std::span<const uint8_t> bytes, const std::filesystem::path& path);

// For each tensor of `layout`, the index of its counterpart in `base` (same element count),
// or -1: by name where the two nets share tensor names, else by position (raw .f32 and .npy
// tensors are named after their files, so two versions of one net differ in name only).
std::vector<int64_t> base_counterparts(const NetLayout& layout, const Net& base);

// target - base, tensor by tensor in float32; shapes must match, and names too unless both
// nets are single tensors named after their files (f32, npy).
Net delta_net(const Net& base, const Net& target);

// All weights concatenated in tensor order.
std::vector<float> concatenated(const Net& net);

// For the readers. The whole file; throws lcz::Error(input) naming it if it cannot be read.
std::vector<uint8_t> read_file_bytes(const std::filesystem::path& path);

// Throws lcz::Error(input) naming the source, the tensor and the index of the first NaN/Inf:
// no codec is asked to bound the error of a value that has none.
void require_finite(const Tensor& tensor, const std::string& source);

// A net of one float32 tensor named after the file, from little-endian bytes (checked finite).
Net single_tensor_net(std::span<const uint8_t> le_floats, std::vector<uint32_t> shape,
                      const std::filesystem::path& path, const std::string& format);

}  // namespace lcz
