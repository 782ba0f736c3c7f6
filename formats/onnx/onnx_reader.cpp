#include "formats/onnx/onnx_reader.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <algorithm>
#include <bit>
#include <climits>
#include <cstring>
#include <unordered_set>

#include "codecs/core/error.h"
#include "formats/float16.h"
#include "formats/gzip.h"

namespace lcz {

static_assert(std::endian::native == std::endian::little, "ONNX raw_data is little-endian");

namespace {

// What the container holds of a tensor (container.cpp): rank 1..16, names of 1..4096 bytes.
constexpr size_t kMaxRank = 16;
constexpr size_t kMaxNameBytes = 4096;

const char* type_name(int data_type) {
  switch (data_type) {
    case kOnnxFloat: return "FLOAT";
    case kOnnxFloat16: return "FLOAT16";
    case kOnnxBfloat16: return "BFLOAT16";
  }
  return "?";
}

// A name as it appears in messages: printable ASCII kept, anything else as \xHH, cut at 200.
std::string printable(const std::string& name) {
  std::string out;
  for (size_t i = 0; i < name.size() && i < 200; ++i) {
    const auto c = static_cast<unsigned char>(name[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  if (name.size() > 200) out += "...";
  return out;
}

std::string external_location(const lczonnx::Tensor& t) {
  for (const auto& entry : t.external_data())
    if (entry.key() == "location") return "'" + printable(entry.value()) + "'";
  return "a file it does not name";
}

// Checks one weight initializer and decodes its values.
class InitializerReader {
 public:
  InitializerReader(const lczonnx::Tensor& t, size_t index, const std::string& source)
      : t_(t), what_(source + ": initializer ") {
    what_ += t.name().empty() ? std::string("number ") + std::to_string(index) : printable(t.name());
  }

  Tensor read() const {
    if (t_.has_segment()) fail("is a segment of a larger tensor (TensorProto.segment), which this reader does not join");
    Tensor tensor;
    tensor.name = t_.name();
    if (tensor.name.empty()) fail("has no name");
    if (tensor.name.size() > kMaxNameBytes)
      fail("has a name of " + std::to_string(tensor.name.size()) + " bytes (at most " + std::to_string(kMaxNameBytes) + ")");
    const uint64_t count = element_count(tensor.shape);
    switch (t_.data_type()) {
      case kOnnxFloat:
        tensor.source.kind = SourceEncoding::Kind::float32;
        tensor.values = float32_values(count);
        break;
      case kOnnxFloat16:
      case kOnnxBfloat16:
        tensor.source.kind = t_.data_type() == kOnnxFloat16 ? SourceEncoding::Kind::float16 : SourceEncoding::Kind::bfloat16;
        tensor.values = half_values(count);
        break;
      default: fail("is not a float tensor");
    }
    return tensor;
  }

  [[noreturn]] void fail(const std::string& what) const { throw_input(what_ + ": " + what); }

 private:
  // The product of dims, each in 0 .. 2^32 - 1; the shape as the container stores it (a
  // scalar, rank 0, as one element of shape [1]).
  uint64_t element_count(std::vector<uint32_t>& shape) const {
    if (static_cast<size_t>(t_.dims_size()) > kMaxRank)
      fail("has " + std::to_string(t_.dims_size()) + " dims (at most " + std::to_string(kMaxRank) + ")");
    uint64_t product = 1;
    for (int64_t d : t_.dims()) {
      if (d < 0 || d > int64_t{UINT32_MAX})
        fail("dims value " + std::to_string(d) + (d < 0 ? " is negative" : " is above 2^32 - 1"));
      shape.push_back(static_cast<uint32_t>(d));
      product = d == 0 || product <= UINT64_MAX / static_cast<uint64_t>(d) ? product * static_cast<uint64_t>(d) : UINT64_MAX;
    }
    if (shape.empty()) shape.push_back(1);
    return product;
  }

  std::string dims_text() const {
    std::string text = "[";
    for (int i = 0; i < t_.dims_size(); ++i) {
      if (i) text += ',';
      text += std::to_string(t_.dims(i));
    }
    return text + "]";
  }

  [[noreturn]] void count_mismatch(uint64_t count, const std::string& held) const {
    fail("dims " + dims_text() + " hold " + std::to_string(count) + " elements but " + held);
  }

  // Data in a field that this type does not use, or in two fields, would be lost: refused.
  void require_only(const char* own_field) const {
    const std::pair<int, const char*> fields[] = {
        {t_.float_data_size(), "float_data"}, {t_.int32_data_size(), "int32_data"}, {t_.string_data_size(), "string_data"},
        {t_.int64_data_size(), "int64_data"}, {t_.double_data_size(), "double_data"}, {t_.uint64_data_size(), "uint64_data"}};
    for (const auto& [size, field] : fields) {
      if (size == 0) continue;
      if (std::strcmp(field, own_field) != 0) fail(std::string("a ") + type_name(t_.data_type()) + " tensor with data in " + field);
      if (t_.has_raw_data()) fail(std::string("data in both raw_data and ") + field);
    }
  }

  std::vector<float> float32_values(uint64_t count) const {
    require_only("float_data");
    std::vector<float> values;
    if (t_.has_raw_data()) {
      const std::string& raw = t_.raw_data();
      if (raw.size() % 4 != 0 || raw.size() / 4 != count)
        count_mismatch(count, "raw_data is " + std::to_string(raw.size()) + " bytes (4 per FLOAT element)");
      values.resize(raw.size() / 4);
      std::memcpy(values.data(), raw.data(), raw.size());
    } else {
      if (static_cast<uint64_t>(t_.float_data_size()) != count)
        count_mismatch(count, "float_data holds " + std::to_string(t_.float_data_size()));
      values.assign(t_.float_data().begin(), t_.float_data().end());
    }
    return values;
  }

  std::vector<float> half_values(uint64_t count) const {
    require_only("int32_data");
    const bool half = t_.data_type() == kOnnxFloat16;
    auto widen = [half](uint16_t bits) { return half ? half_to_float(bits) : bfloat16_to_float(bits); };
    std::vector<float> values;
    if (t_.has_raw_data()) {
      const std::string& raw = t_.raw_data();
      if (raw.size() % 2 != 0 || raw.size() / 2 != count)
        count_mismatch(count, "raw_data is " + std::to_string(raw.size()) + " bytes (2 per " + type_name(t_.data_type()) + " element)");
      values.resize(raw.size() / 2);
      const auto* p = reinterpret_cast<const uint8_t*>(raw.data());
      for (size_t i = 0; i < values.size(); ++i) values[i] = widen(static_cast<uint16_t>(p[2 * i] | (p[2 * i + 1] << 8)));
    } else {
      // ONNX stores 16-bit floats in int32_data one per element, the bits in the low half.
      if (static_cast<uint64_t>(t_.int32_data_size()) != count)
        count_mismatch(count, "int32_data holds " + std::to_string(t_.int32_data_size()));
      values.resize(count);
      for (size_t i = 0; i < values.size(); ++i) {
        const int32_t bits = t_.int32_data(static_cast<int>(i));
        if (bits < 0 || bits > 0xffff)
          fail("int32_data[" + std::to_string(i) + "] = " + std::to_string(bits) + " is not 16 bits of a " + type_name(t_.data_type()));
        values[i] = widen(static_cast<uint16_t>(bits));
      }
    }
    return values;
  }

  const lczonnx::Tensor& t_;
  std::string what_;
};

uint64_t dims_product(const lczonnx::Tensor& t) {
  uint64_t product = 1;
  for (int64_t d : t.dims()) {
    if (d <= 0) return d == 0 ? 0 : 1;  // negative: not empty, onnx_tensors refuses it
    product = product <= UINT64_MAX / static_cast<uint64_t>(d) ? product * static_cast<uint64_t>(d) : UINT64_MAX;
  }
  return product;
}

}  // namespace

bool is_onnx_weight(const lczonnx::Tensor& t) {
  const int type = t.data_type();
  return (type == kOnnxFloat || type == kOnnxFloat16 || type == kOnnxBfloat16) && dims_product(t) > 0;
}

lczonnx::Model parse_onnx_model(std::span<const uint8_t> file_bytes, const std::string& source, size_t max_inflated_bytes) {
  const MaybeGzip file = gunzip_if_gzip(file_bytes, source, std::min(max_inflated_bytes, kMaxOnnxModelBytes));
  const std::span<const uint8_t> message = file.message();
  if (message.size() > kMaxOnnxModelBytes)
    throw_input(source + ": " + std::to_string(message.size()) + " bytes, more than protobuf can parse (2 GiB)");
  const std::string what = file.gzip ? "gzip content" : "content";
  lczonnx::Model model;
  if (!model.ParseFromArray(message.data(), static_cast<int>(message.size())))
    throw_input(source + ": not an ONNX model: the " + what + " does not parse as an onnx.ModelProto protobuf" +
                " (truncated or another format)");
  if (!model.has_ir_version() || !model.has_graph())
    throw_input(source + ": not an ONNX model: the " + what + " parses as protobuf but has no " +
                (model.has_ir_version() ? "graph" : "ir_version"));
  return model;
}

std::vector<Tensor> onnx_tensors(const lczonnx::Model& model, const std::string& source) {
  const lczonnx::Graph& graph = model.graph();
  if (graph.sparse_initializer_size() > 0) {
    const auto& sparse = graph.sparse_initializer(0);
    throw_input(source + ": sparse initializer " + printable(sparse.values().name()) +
                ": sparse initializers (graph.sparse_initializer) are not supported");
  }
  std::vector<Tensor> tensors;
  std::unordered_set<std::string> names;
  for (int i = 0; i < graph.initializer_size(); ++i) {
    const lczonnx::Tensor& t = graph.initializer(i);
    const InitializerReader reader(t, static_cast<size_t>(i), source);
    // Any initializer: a model that needs another file to load is not one this file rebuilds.
    if (t.data_location() == kOnnxExternal)
      reader.fail("its data is in another file (data_location EXTERNAL, location " + external_location(t) +
                  "); give the model with its data inside (onnx.save_model(..., save_as_external_data=False))");
    if (t.data_location() != 0) reader.fail("unknown data_location " + std::to_string(t.data_location()));
    if (!is_onnx_weight(t)) {
      for (int64_t d : t.dims())
        if (d < 0) reader.fail("dims value " + std::to_string(d) + " is negative");
      continue;
    }
    if (tensors.size() == kMaxOnnxTensors)
      throw_input(source + ": more than " + std::to_string(kMaxOnnxTensors) + " float initializers; refused before a run of one call per tensor");
    Tensor tensor = reader.read();
    if (!names.insert(tensor.name).second) reader.fail("a second initializer of this name");
    require_finite(tensor, source);
    tensors.push_back(std::move(tensor));
  }
  return tensors;
}

std::string onnx_skeleton(lczonnx::Model skeleton) {
  for (lczonnx::Tensor& t : *skeleton.mutable_graph()->mutable_initializer()) {
    if (!is_onnx_weight(t)) continue;
    if (t.has_raw_data()) t.set_raw_data("");  // present: the writer stores the data raw again
    t.clear_float_data();
    t.clear_int32_data();
  }
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    if (!skeleton.SerializeToCodedStream(&coded)) throw Error(ErrorKind::codec, "cannot serialize the ONNX skeleton");
  }
  return out;
}

Net read_onnx_net(std::span<const uint8_t> file_bytes, const std::filesystem::path& path, size_t max_inflated_bytes) {
  const std::string source = path.string();
  Net net;
  net.source = source;
  net.format = "onnx";
  net.tensors = onnx_tensors(parse_onnx_model(file_bytes, source, max_inflated_bytes), source);
  if (net.tensors.empty()) throw_input(source + ": ONNX model without any float initializer (no weights to compress)");
  return net;
}

}  // namespace lcz
