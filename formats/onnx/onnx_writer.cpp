#include "formats/onnx/onnx_writer.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <cmath>
#include <cstring>

#include "codecs/core/error.h"
#include "formats/onnx/onnx_reader.h"
#include "formats/float16.h"
#include "formats/gzip.h"

namespace lcz {
namespace {

int data_type_of(SourceEncoding::Kind kind) {
  switch (kind) {
    case SourceEncoding::Kind::float32: return kOnnxFloat;
    case SourceEncoding::Kind::float16: return kOnnxFloat16;
    case SourceEncoding::Kind::bfloat16: return kOnnxBfloat16;
    case SourceEncoding::Kind::linear16:
    case SourceEncoding::Kind::none: break;
  }
  return -1;
}

uint64_t element_count(const lczonnx::Tensor& t) {
  uint64_t product = 1;
  for (int64_t d : t.dims()) product *= static_cast<uint64_t>(d);  // checked by the reader and by the caller's count
  return product;
}

// Values into an initializer of its own type, in the field the source used (raw_data when the
// skeleton kept it present, else float_data / int32_data).
void fill(lczonnx::Tensor& t, std::span<const float> values, const std::string& what) {
  for (size_t i = 0; i < values.size(); ++i)
    if (!std::isfinite(values[i])) throw Error(ErrorKind::codec, what + ": value at index " + std::to_string(i) + " is not finite");
  if (t.data_type() == kOnnxFloat) {
    if (t.has_raw_data())
      t.set_raw_data(std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float)));
    else
      t.mutable_float_data()->Assign(values.begin(), values.end());
    return;
  }
  const bool half = t.data_type() == kOnnxFloat16;
  std::vector<uint16_t> bits(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    bits[i] = half ? float_to_half(values[i]) : float_to_bfloat16(values[i]);
    if ((bits[i] & 0x7fff) == (half ? 0x7c00 : 0x7f80))
      throw Error(ErrorKind::codec, what + ": value " + std::to_string(values[i]) + " at index " + std::to_string(i) +
                                        " overflows " + (half ? "FLOAT16" : "BFLOAT16"));
  }
  if (t.has_raw_data()) {
    std::string raw(2 * bits.size(), '\0');
    for (size_t i = 0; i < bits.size(); ++i) {
      raw[2 * i] = static_cast<char>(bits[i] & 0xff);
      raw[2 * i + 1] = static_cast<char>(bits[i] >> 8);
    }
    t.set_raw_data(std::move(raw));
  } else {
    t.mutable_int32_data()->Reserve(static_cast<int>(bits.size()));
    for (uint16_t b : bits) t.add_int32_data(b);
  }
}

}  // namespace

std::string rebuild_onnx_model(const std::string& skeleton, std::span<const Tensor> tensors,
                               std::span<const SourceEncoding> encodings, const std::string& source) {
  if (encodings.size() != tensors.size())
    throw Error(ErrorKind::codec, source + ": " + std::to_string(tensors.size()) + " tensors but " +
                                      std::to_string(encodings.size()) + " output encodings");
  lczonnx::Model model;
  if (!model.ParseFromString(skeleton) || !model.has_graph())
    throw_input(source + ": the stored ONNX skeleton does not parse as an onnx.ModelProto");
  size_t next = 0;
  for (lczonnx::Tensor& t : *model.mutable_graph()->mutable_initializer()) {
    if (!is_onnx_weight(t)) continue;
    const std::string what = source + ": initializer " + t.name();
    if (next == tensors.size()) throw Error(ErrorKind::codec, what + ": the skeleton has more float initializers than the tensors given");
    const Tensor& tensor = tensors[next];
    if (tensor.name != t.name())
      throw Error(ErrorKind::codec, what + ": tensor " + std::to_string(next) + " is named '" + tensor.name + "'");
    if (tensor.values.size() != element_count(t))
      throw Error(ErrorKind::codec, what + ": its dims hold " + std::to_string(element_count(t)) + " elements, the tensor " +
                                        std::to_string(tensor.values.size()));
    if (data_type_of(encodings[next].kind) != t.data_type())
      throw Error(ErrorKind::codec, what + ": cannot be written in another type than its own (data_type " +
                                        std::to_string(t.data_type()) + "): the graph's nodes expect that type");
    fill(t, tensor.values, what);
    ++next;
  }
  if (next != tensors.size())
    throw Error(ErrorKind::codec, source + ": " + std::to_string(tensors.size()) + " tensors but the skeleton has " +
                                      std::to_string(next) + " float initializers");
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    if (!model.SerializeToCodedStream(&coded))
      throw Error(ErrorKind::codec, source + ": cannot serialize the ONNX model (over 2 GiB?)");
  }
  return out;
}

lczonnx::Tensor onnx_initializer(const std::string& name, const std::vector<int64_t>& dims, std::span<const float> values,
                                 SourceEncoding::Kind kind, bool raw) {
  lczonnx::Tensor t;
  for (int64_t d : dims) t.add_dims(d);
  const int type = data_type_of(kind);
  if (type < 0) throw Error(ErrorKind::codec, "initializer " + name + ": ONNX has no LINEAR16 (or unset) type");
  t.set_data_type(type);
  t.set_name(name);
  if (raw) t.set_raw_data("");
  fill(t, values, "initializer " + name);
  return t;
}

std::vector<uint8_t> onnx_file_bytes(const std::string& serialized_model, bool gzip) {
  const std::span<const uint8_t> raw(reinterpret_cast<const uint8_t*>(serialized_model.data()), serialized_model.size());
  if (gzip) return gzip_compress(raw, 1);
  return {raw.begin(), raw.end()};
}

}  // namespace lcz
