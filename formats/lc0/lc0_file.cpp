#include "formats/lc0/lc0_file.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/unknown_field_set.h>

#include <algorithm>
#include <bit>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <stdexcept>

#include "codecs/core/error.h"
#include "codecs/core/little_endian.h"
#include "formats/float16.h"
#include "formats/gzip.h"
#include "formats/lc0/linear16.h"

namespace lcz {

static_assert(std::endian::native == std::endian::little,
              "Lc0 params and raw float32 are little-endian; a big-endian host needs byte swaps");

namespace {

using Layer = pblczero::Weights::Layer;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::UnknownField;
using google::protobuf::UnknownFieldSet;

// protobuf parses at most INT_MAX bytes.
constexpr size_t kMaxMessageBytes = INT_MAX;


const char* encoding_name(SourceEncoding::Kind kind) {
  switch (kind) {
    case SourceEncoding::Kind::linear16: return "LINEAR16";
    case SourceEncoding::Kind::float16: return "FLOAT16";
    case SourceEncoding::Kind::bfloat16: return "BFLOAT16";
    case SourceEncoding::Kind::float32: return "FLOAT32";
    case SourceEncoding::Kind::none: break;
  }
  return "none";
}

const char* wire_type_name(UnknownField::Type type) {
  switch (type) {
    case UnknownField::TYPE_VARINT: return "varint";
    case UnknownField::TYPE_FIXED32: return "fixed32";
    case UnknownField::TYPE_FIXED64: return "fixed64";
    case UnknownField::TYPE_LENGTH_DELIMITED: return "length-delimited";
    case UnknownField::TYPE_GROUP: return "group";
  }
  return "?";
}

std::string weights_path(const std::string& path) { return path.empty() ? "weights" : "weights." + path; }

[[noreturn]] void throw_unknown_field(const std::string& source, const Message& message,
                                      const std::string& path, const UnknownField& field) {
  throw_input(source + ": unknown field " + std::to_string(field.number()) + " (" +
              wire_type_name(field.type()) + ") in " + message.GetDescriptor()->full_name() + " at " +
              weights_path(path) + "; this schema does not know it, so its data would be lost");
}

// Walks the Weights tree in field-number order and turns every non-empty Layer into a tensor.
class LayerWalker {
 public:
  LayerWalker(const std::string& source, SourceEncoding::Kind default_encoding)
      : source_(source), default_encoding_(default_encoding) {}

  std::vector<Tensor> walk(const pblczero::Weights& weights) {
    visit_message(weights, "");
    return std::move(tensors_);
  }

 private:
  void visit_message(const Message& message, const std::string& path) {
    const auto* reflection = message.GetReflection();
    const UnknownFieldSet& unknown = reflection->GetUnknownFields(message);
    if (!unknown.empty()) throw_unknown_field(source_, message, path, unknown.field(0));

    std::vector<const FieldDescriptor*> fields;
    reflection->ListFields(message, &fields);  // set fields only, sorted by number
    for (const FieldDescriptor* field : fields) {
      if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;  // headcounts, map keys
      const std::string name = path.empty() ? field->name() : path + "." + field->name();
      if (field->is_repeated()) {
        for (int i = 0; i < reflection->FieldSize(message, field); ++i)
          visit_child(reflection->GetRepeatedMessage(message, field, i), name + "." + std::to_string(i));
      } else {
        visit_child(reflection->GetMessage(message, field), name);
      }
    }
  }

  void visit_child(const Message& child, const std::string& name) {
    if (child.GetDescriptor() == Layer::descriptor())
      add_layer(static_cast<const Layer&>(child), name);
    else
      visit_message(child, name);
  }

  void add_layer(const Layer& layer, const std::string& name) {
    const UnknownFieldSet& unknown = layer.GetReflection()->GetUnknownFields(layer);
    for (int i = 0; i < unknown.field_count(); ++i) {
      const UnknownField& field = unknown.field(i);
      // proto2 keeps an enum value it does not know as an unknown varint of that field.
      if (field.number() == Layer::kEncodingFieldNumber && field.type() == UnknownField::TYPE_VARINT)
        throw_input(source_ + ": tensor " + name + ": unknown encoding value " +
                    std::to_string(field.varint()) + " (known: 1 LINEAR16, 2 FLOAT16, 3 BFLOAT16, 4 FLOAT32)");
    }
    if (!unknown.empty()) throw_unknown_field(source_, layer, name, unknown.field(0));
    if (layer.params().empty()) return;  // absent layer that a writer emitted anyway
    if (tensors_.size() == kMaxLc0Tensors)
      throw_input(source_ + ": more than " + std::to_string(kMaxLc0Tensors) +
                  " weight tensors (Lc0 nets hold about a thousand); refused before a run of one call per tensor");

    Tensor tensor;
    tensor.name = name;
    tensor.source.kind = layer_encoding(layer);
    if (tensor.source.kind == SourceEncoding::Kind::linear16) check_linear16_range(layer, name);
    tensor.values = decode(layer, tensor.source.kind, name);
    if (tensor.source.kind == SourceEncoding::Kind::linear16) {
      tensor.source.min_val = layer.min_val();
      tensor.source.max_val = layer.max_val();
    }
    tensor.shape = shape_of(layer, tensor.values.size(), name);
    require_finite(tensor, source_);
    tensors_.push_back(std::move(tensor));
  }

  SourceEncoding::Kind layer_encoding(const Layer& layer) const {
    switch (layer.encoding()) {
      case Layer::LINEAR16: return SourceEncoding::Kind::linear16;
      case Layer::FLOAT16: return SourceEncoding::Kind::float16;
      case Layer::BFLOAT16: return SourceEncoding::Kind::bfloat16;
      case Layer::FLOAT32: return SourceEncoding::Kind::float32;
      case Layer::UNKNOWN_ENCODING: break;
    }
    return default_encoding_;
  }

  std::vector<float> decode(const Layer& layer, SourceEncoding::Kind kind, const std::string& name) const {
    const std::string& params = layer.params();
    const auto* bytes = reinterpret_cast<const uint8_t*>(params.data());
    const size_t element_size = kind == SourceEncoding::Kind::float32 ? 4 : 2;
    if (params.size() % element_size != 0)
      throw_input(source_ + ": tensor " + name + ": params is " + std::to_string(params.size()) +
                  " bytes, not a multiple of " + std::to_string(element_size) + " (" +
                  encoding_name(kind) + " elements)");
    std::vector<float> values(params.size() / element_size);
    switch (kind) {
      case SourceEncoding::Kind::linear16: {
        const float min_val = layer.min_val(), max_val = layer.max_val();
        for (size_t i = 0; i < values.size(); ++i)
          values[i] = linear16_release(load_le16(bytes + 2 * i), min_val, max_val);
        break;
      }
      case SourceEncoding::Kind::float16:
        for (size_t i = 0; i < values.size(); ++i) values[i] = half_to_float(load_le16(bytes + 2 * i));
        break;
      case SourceEncoding::Kind::bfloat16:
        for (size_t i = 0; i < values.size(); ++i) values[i] = bfloat16_to_float(load_le16(bytes + 2 * i));
        break;
      case SourceEncoding::Kind::float32:
        std::memcpy(values.data(), bytes, params.size());
        break;
      case SourceEncoding::Kind::none:
        throw_input(source_ + ": tensor " + name + ": no encoding");
    }
    return values;
  }

  std::vector<uint32_t> shape_of(const Layer& layer, size_t count, const std::string& name) const {
    if (layer.dims().empty()) return {static_cast<uint32_t>(count)};
    uint64_t product = 1;
    std::string dims_text;
    for (uint64_t d : layer.dims()) {
      if (d > UINT32_MAX)
        throw_input(source_ + ": tensor " + name + ": dims value " + std::to_string(d) +
                    " does not fit the 32 bits Lc0's schema gives it");
      product = d == 0 || product <= UINT64_MAX / d ? product * d : UINT64_MAX;
      if (!dims_text.empty()) dims_text += 'x';
      dims_text += std::to_string(d);
    }
    if (product != count)
      throw_input(source_ + ": tensor " + name + ": dims " + dims_text + " hold " + std::to_string(product) +
                  " elements but params hold " + std::to_string(count));
    return {layer.dims().begin(), layer.dims().end()};
  }

  // A LINEAR16 layer maps 0..65535 onto [min_val, max_val]: a range that is not finite, is
  // reversed or whose width overflows float32 decodes to nonsense (or NaN at index 0), so it
  // is refused by what it is.
  void check_linear16_range(const Layer& layer, const std::string& name) const {
    const float lo = layer.min_val(), hi = layer.max_val();
    auto text = [](float v) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(v));
      return std::string(buf);
    };
    const std::string what = source_ + ": tensor " + name + ": LINEAR16 range min_val " + text(lo) + ", max_val " + text(hi);
    if (!std::isfinite(lo) || !std::isfinite(hi)) throw_input(what + " is not finite");
    if (lo > hi) throw_input(what + ": min_val is greater than max_val");
    if (!std::isfinite(hi - lo)) throw_input(what + ": the width overflows float32");
  }

  const std::string& source_;
  SourceEncoding::Kind default_encoding_;
  std::vector<Tensor> tensors_;
};

// Net.format.weights_encoding, for layers without their own encoding: its only known value is
// LINEAR16, and unset (or UNKNOWN) also means LINEAR16; an out-of-range value is refused.
SourceEncoding::Kind default_encoding(const pblczero::Net& net, const std::string& source) {
  const pblczero::Format& format = net.format();
  const UnknownFieldSet& unknown = format.GetReflection()->GetUnknownFields(format);
  for (int i = 0; i < unknown.field_count(); ++i)
    if (unknown.field(i).number() == pblczero::Format::kWeightsEncodingFieldNumber)
      throw_input(source + ": unknown Net.format.weights_encoding value " +
                  std::to_string(unknown.field(i).varint()) + " (known: 1 LINEAR16)");
  return SourceEncoding::Kind::linear16;
}


}  // namespace

// ---- Element conversions ----



// ---- Reading ----


bool starts_with_lc0_magic(std::span<const uint8_t> bytes) {
  // tag (field 1, wire type fixed32) then 0x000001c0 little-endian
  static constexpr uint8_t kPrefix[] = {0x0d, 0xc0, 0x01, 0x00, 0x00};
  return bytes.size() >= sizeof kPrefix && std::equal(std::begin(kPrefix), std::end(kPrefix), bytes.begin());
}


pblczero::Net parse_lc0_net(std::span<const uint8_t> file_bytes, const std::string& source, size_t max_inflated_bytes) {
  const MaybeGzip file = gunzip_if_gzip(file_bytes, source, std::min(max_inflated_bytes, kMaxMessageBytes));
  const std::span<const uint8_t> message = file.message();
  if (message.size() > kMaxMessageBytes)
    throw_input(source + ": " + std::to_string(message.size()) + " bytes, more than protobuf can parse");
  pblczero::Net net;
  // Partial: Lc0's own parser does not insist on proto2 `required` (map keys); neither do we.
  if (!net.ParsePartialFromArray(message.data(), static_cast<int>(message.size())))
    throw_input(source + ": not an Lc0 net: " + (file.gzip ? "gzip content" : "content") +
                " does not parse as a pblczero.Net protobuf");
  if (!net.has_magic() || net.magic() != kLc0Magic)
    throw_input(source + ": not an Lc0 net: Net.magic is " +
                (net.has_magic() ? std::to_string(net.magic()) : std::string("missing")) + ", expected " +
                std::to_string(kLc0Magic) + " (0x1c0)");
  if (!net.has_weights())
    throw_input(source + (net.has_onnx_model() ? ": ONNX-model nets are not supported (no Net.weights)"
                                               : ": Lc0 net without weights (Net.weights missing)"));
  return net;
}

std::vector<Tensor> lc0_tensors(const pblczero::Net& net, const std::string& source) {
  return LayerWalker(source, default_encoding(net, source)).walk(net.weights());
}

Net read_lc0_net(std::span<const uint8_t> file_bytes, const std::filesystem::path& path, size_t max_inflated_bytes) {
  const std::string source = path.string();
  Net net;
  net.source = source;
  net.format = "lc0";
  net.tensors = lc0_tensors(parse_lc0_net(file_bytes, source, max_inflated_bytes), source);
  if (net.tensors.empty()) throw_input(source + ": Lc0 net without any weight tensor");
  return net;
}

// ---- Writing ----

std::string linear16_params(std::span<const float> values, float min_val, float max_val) {
  std::string params(values.size() * 2, '\0');
  for (size_t i = 0; i < values.size(); ++i) {
    const uint16_t u = nearest_linear16_index(values[i], min_val, max_val);
    params[2 * i] = static_cast<char>(u & 0xff);
    params[2 * i + 1] = static_cast<char>(u >> 8);
  }
  return params;
}

std::vector<float> as_lc0_decodes_linear16(std::span<const float> values, float min_val, float max_val) {
  std::vector<float> out(values.size());
  for (size_t i = 0; i < values.size(); ++i)
    out[i] = linear16_release(nearest_linear16_index(values[i], min_val, max_val), min_val, max_val);
  return out;
}

void write_lc0_layer(pblczero::Weights::Layer& layer, std::span<const float> values,
                     SourceEncoding::Kind encoding) {
  const char* stage = "lc0 layer writer";
  for (size_t i = 0; i < values.size(); ++i)
    if (!std::isfinite(values[i])) throw_refused(stage, "non-finite value at index " + std::to_string(i));
  std::string params;
  auto put_u16 = [&params](uint16_t u) {
    params.push_back(static_cast<char>(u & 0xff));
    params.push_back(static_cast<char>(u >> 8));
  };
  layer.clear_min_val();
  layer.clear_max_val();
  switch (encoding) {
    case SourceEncoding::Kind::linear16: {
      float min_val = 0, max_val = 0;
      if (!values.empty()) {
        const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
        min_val = *lo;
        max_val = *hi;
      }
      params = linear16_params(values, min_val, max_val);
      layer.set_min_val(min_val);
      layer.set_max_val(max_val);
      layer.set_encoding(Layer::LINEAR16);
      break;
    }
    case SourceEncoding::Kind::float16:
    case SourceEncoding::Kind::bfloat16: {
      const bool half = encoding == SourceEncoding::Kind::float16;
      for (size_t i = 0; i < values.size(); ++i) {
        const uint16_t u = half ? float_to_half(values[i]) : float_to_bfloat16(values[i]);
        if ((u & 0x7fff) == (half ? 0x7c00 : 0x7f80))
          throw_refused(stage, "value " + std::to_string(values[i]) + " at index " + std::to_string(i) +
                                   " overflows " + encoding_name(encoding));
        put_u16(u);
      }
      layer.set_encoding(half ? Layer::FLOAT16 : Layer::BFLOAT16);
      break;
    }
    case SourceEncoding::Kind::float32:
      params.assign(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float));
      layer.set_encoding(Layer::FLOAT32);
      break;
    case SourceEncoding::Kind::none:
      throw_refused(stage, "no encoding given");
  }
  layer.set_params(std::move(params));
}


void write_lc0_net_file(const std::filesystem::path& path, const pblczero::Net& net, bool gzip) {
  std::string serialized;
  if (!net.SerializePartialToString(&serialized))
    throw std::runtime_error(path.string() + ": cannot serialize the net (over 2 GiB?)");
  const std::span<const uint8_t> raw(reinterpret_cast<const uint8_t*>(serialized.data()), serialized.size());
  const std::vector<uint8_t> compressed = gzip ? gzip_compress(raw) : std::vector<uint8_t>{};
  const std::span<const uint8_t> out = gzip ? std::span<const uint8_t>(compressed) : raw;
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file.write(reinterpret_cast<const char*>(out.data()), static_cast<std::streamsize>(out.size()));
  file.close();
  if (!file) throw std::runtime_error(path.string() + ": cannot write file");
}

}  // namespace lcz
