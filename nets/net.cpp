#include "nets/net.h"

#include <algorithm>
#include <cstring>
#include <cctype>
#include <cmath>
#include <unordered_map>

#include "codecs/core/error.h"
#include "files/input_file.h"

namespace lcz {
namespace {

std::string shape_text(const std::vector<uint32_t>& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) text += ',';
    text += std::to_string(shape[i]);
  }
  return text + "]";
}

}  // namespace

uint64_t Net::weight_count() const {
  uint64_t count = 0;
  for (const Tensor& t : tensors) count += t.values.size();
  return count;
}

uint64_t NetLayout::weight_count() const {
  uint64_t count = 0;
  for (const TensorLayout& t : tensors) count += t.count;
  return count;
}

NetLayout layout_of(const Net& net) {
  NetLayout layout{.format = net.format, .tensors = {}};
  layout.tensors.reserve(net.tensors.size());
  for (const Tensor& t : net.tensors) layout.tensors.push_back({t.name, t.shape, t.values.size(), t.source});
  return layout;
}

std::vector<uint8_t> read_file_bytes(const std::filesystem::path& path) {
  return read_regular_file(path, kMaxRawFileBytes, ErrorKind::input);
}

void require_finite(const Tensor& tensor, const std::string& source) {
  const auto bad = std::find_if(tensor.values.begin(), tensor.values.end(), [](float v) { return !std::isfinite(v); });
  if (bad == tensor.values.end()) return;
  throw_input(source + ": tensor " + tensor.name + ": " + (std::isnan(*bad) ? "NaN" : "Inf") + " at index " +
              std::to_string(bad - tensor.values.begin()) + "; error bounds need finite weights");
}

std::vector<int64_t> base_counterparts(const NetLayout& layout, const Net& base) {
  std::vector<int64_t> match(layout.tensors.size(), -1);
  std::unordered_map<std::string, size_t> by_name;
  for (size_t i = 0; i < base.tensors.size(); ++i) by_name.emplace(base.tensors[i].name, i);
  bool shared_names = false;
  for (const auto& t : layout.tensors) shared_names = shared_names || by_name.count(t.name);
  for (size_t i = 0; i < layout.tensors.size(); ++i) {
    const int64_t j = shared_names ? (by_name.count(layout.tensors[i].name) ? static_cast<int64_t>(by_name[layout.tensors[i].name]) : -1)
                                   : (i < base.tensors.size() ? static_cast<int64_t>(i) : -1);
    if (j >= 0 && base.tensors[static_cast<size_t>(j)].values.size() == layout.tensors[i].count) match[i] = j;
  }
  return match;
}

Net delta_net(const Net& base, const Net& target) {
  const std::string what = "delta '" + target.source + "' - '" + base.source + "'";
  if (base.tensors.size() != target.tensors.size())
    throw_input(what + ": " + std::to_string(target.tensors.size()) + " tensors vs " +
                std::to_string(base.tensors.size()));
  Net delta;
  delta.source = target.source + " - " + base.source;
  delta.format = "delta";
  delta.tensors.reserve(base.tensors.size());
  // A net of one tensor named after its file: two such files (v1.f32, v2.f32) are compared
  // by shape, not by a name that only repeats the file name.
  const bool compare_names = !(base.named_by_file && target.named_by_file);
  for (size_t i = 0; i < base.tensors.size(); ++i) {
    const Tensor& b = base.tensors[i];
    const Tensor& t = target.tensors[i];
    if (compare_names && b.name != t.name)
      throw_input(what + ": tensor " + std::to_string(i) + " is '" + t.name + "' vs '" + b.name + "'");
    if (b.shape != t.shape || b.values.size() != t.values.size())
      throw_input(what + ": tensor " + t.name + " has shape " + shape_text(t.shape) + " vs " + shape_text(b.shape));
    Tensor d;
    d.name = t.name;
    d.shape = t.shape;
    d.values.resize(t.values.size());
    for (size_t j = 0; j < d.values.size(); ++j) d.values[j] = t.values[j] - b.values[j];
    require_finite(d, delta.source);  // finite inputs can still overflow to Inf
    delta.tensors.push_back(std::move(d));
  }
  return delta;
}

std::vector<float> concatenated(const Net& net) {
  std::vector<float> all;
  all.reserve(net.weight_count());
  for (const Tensor& t : net.tensors) all.insert(all.end(), t.values.begin(), t.values.end());
  return all;
}

Net single_tensor_net(std::span<const uint8_t> le_floats, std::vector<uint32_t> shape,
                      const std::filesystem::path& path, const std::string& format) {
  if (le_floats.empty()) throw_input(path.string() + ": no weights (an empty tensor; nothing to compress)");
  Tensor tensor;
  tensor.name = path.stem().string();
  tensor.shape = std::move(shape);
  tensor.values.resize(le_floats.size() / sizeof(float));
  std::memcpy(tensor.values.data(), le_floats.data(), tensor.values.size() * sizeof(float));
  tensor.source.kind = SourceEncoding::Kind::float32;
  require_finite(tensor, path.string());
  Net net;
  net.source = path.string();
  net.format = format;
  net.named_by_file = true;
  net.tensors.push_back(std::move(tensor));
  return net;
}

Net made_net(const Net& from, std::vector<float> values, const std::string& name, const std::string& made_with) {
  if (values.size() > UINT32_MAX)
    throw_input(from.source + ": more than 2^32-1 weights for one tensor with " + made_with);
  Tensor t;
  t.name = name;
  t.shape = {static_cast<uint32_t>(values.size())};
  t.values = std::move(values);
  t.source.kind = SourceEncoding::Kind::float32;
  Net made{.source = from.source + " with " + made_with, .format = "f32", .tensors = {}};
  made.tensors.push_back(std::move(t));
  return made;
}

}  // namespace lcz
