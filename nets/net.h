// A net in memory: an ordered list of named tensors of float32 weights, whatever file it came
// from. Reading and writing files is formats/ (formats/format.h).
#pragma once
#include <bit>
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

// The same kind and range, bit for bit.
inline bool same_encoding(const SourceEncoding& a, const SourceEncoding& b) {
  return a.kind == b.kind && std::bit_cast<uint32_t>(a.min_val) == std::bit_cast<uint32_t>(b.min_val) &&
         std::bit_cast<uint32_t>(a.max_val) == std::bit_cast<uint32_t>(b.max_val);
}

struct Tensor {
  std::string name;               // path in the source, e.g. "residual.3.conv1.weights"
  std::vector<uint32_t> shape;    // Lc0 `dims` where present, else {values.size()}
  std::vector<float> values;
  SourceEncoding source;
};

struct Net {
  std::string source;             // file path, or "target - base" for a delta
  std::string format;             // the file format's name (formats/format.h), or "delta"
  std::vector<Tensor> tensors;
  // One tensor named after its file (a headerless or single-array format): its name says
  // nothing, so two versions of the net are matched by position.
  bool named_by_file = false;

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
  std::string format;             // as Net::format
  std::vector<TensorLayout> tensors;

  uint64_t weight_count() const;
};

NetLayout layout_of(const Net& net);

// For each tensor of `layout`, the index of its counterpart in `base` (same element count),
// or -1: by name where the two nets share tensor names, else by position (raw .f32 and .npy
// tensors are named after their files, so two versions of one net differ in name only).
std::vector<int64_t> base_counterparts(const NetLayout& layout, const Net& base);

// target - base, tensor by tensor in float32; shapes must match, and names too unless both
// nets are named_by_file.
Net delta_net(const Net& base, const Net& target);

// All weights concatenated in tensor order.
std::vector<float> concatenated(const Net& net);

// The largest raw float32 or .npy file: 2^32 - 1 values, plus a header.
inline constexpr uint64_t kMaxRawFileBytes = (uint64_t{1} << 34) + (uint64_t{1} << 20);

// The whole file, at most kMaxRawFileBytes; throws lcz::Error(input) naming it if it cannot be read.
std::vector<uint8_t> read_file_bytes(const std::filesystem::path& path);

// Throws lcz::Error(input) naming the source, the tensor and the index of the first NaN/Inf:
// no codec is asked to bound the error of a value that has none.
void require_finite(const Tensor& tensor, const std::string& source);

// A net of one float32 tensor named after the file (named_by_file), from little-endian bytes
// (checked finite).
Net single_tensor_net(std::span<const uint8_t> le_floats, std::vector<uint32_t> shape,
                      const std::filesystem::path& path, const std::string& format);

// A net made by code from `from`'s weights (test data: nets/repeats.h, nets/dead_filters.h):
// one float32 tensor `name` holding `values`, its source "<from's> with <made_with>". Throws
// lcz::Error(input) for more than 2^32-1 values.
Net made_net(const Net& from, std::vector<float> values, const std::string& name, const std::string& made_with);

}  // namespace lcz
