#include "formats/lc0/skeleton.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <climits>
#include <map>

#include "codecs/core/error.h"
#include "formats/lc0/linear16.h"
#include "formats/lc0/lc0_file.h"

namespace lcz {
namespace {

using Layer = pblczero::Weights::Layer;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// Visits every Layer below `message` with the path name lc0_tensors() gives it
// ("residual.3.conv1.weights"): set fields in field-number order, repeated ones by index.
template <class Visit>
void for_each_layer(Message& message, const std::string& path, const Visit& visit) {
  const auto* reflection = message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const FieldDescriptor* field : fields) {
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
    const std::string name = path.empty() ? field->name() : path + "." + field->name();
    auto visit_child = [&](Message& child, const std::string& child_name) {
      if (child.GetDescriptor() == Layer::descriptor())
        visit(static_cast<Layer&>(child), child_name);
      else
        for_each_layer(child, child_name, visit);
    };
    if (field->is_repeated()) {
      for (int i = 0; i < reflection->FieldSize(message, field); ++i)
        visit_child(*reflection->MutableRepeatedMessage(&message, field, i), name + "." + std::to_string(i));
    } else {
      visit_child(*reflection->MutableMessage(&message, field), name);
    }
  }
}

std::string serialize_deterministic(const pblczero::Net& net) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    if (!net.SerializePartialToCodedStream(&coded)) throw Error(ErrorKind::codec, "cannot serialize the Lc0 net");
  }
  return out;
}

Layer::Encoding layer_encoding_of(SourceEncoding::Kind kind) {
  switch (kind) {
    case SourceEncoding::Kind::linear16: return Layer::LINEAR16;
    case SourceEncoding::Kind::float16: return Layer::FLOAT16;
    case SourceEncoding::Kind::bfloat16: return Layer::BFLOAT16;
    case SourceEncoding::Kind::float32: return Layer::FLOAT32;
    case SourceEncoding::Kind::none: break;
  }
  return Layer::UNKNOWN_ENCODING;
}

}  // namespace

std::string lc0_skeleton(const pblczero::Net& net) {
  pblczero::Net skeleton = net;
  for_each_layer(*skeleton.mutable_weights(), "", [](Layer& layer, const std::string&) {
    layer.clear_params();
    layer.clear_min_val();
    layer.clear_max_val();
  });
  return serialize_deterministic(skeleton);
}

pblczero::Net rebuild_lc0_net(const std::string& skeleton, std::span<const Tensor> tensors,
                              std::span<const SourceEncoding> encodings, const std::string& source) {
  if (tensors.size() != encodings.size())
    throw Error(ErrorKind::codec, "rebuild_lc0_net: " + std::to_string(encodings.size()) + " encodings for " +
                                      std::to_string(tensors.size()) + " tensors");
  if (skeleton.size() > INT_MAX) throw_input(source + ": the Lc0 skeleton is larger than protobuf can parse");
  pblczero::Net net;
  if (!net.ParsePartialFromString(skeleton) || !net.has_weights())
    throw_input(source + ": the stored Lc0 net skeleton does not parse as a pblczero.Net with weights");
  std::map<std::string, size_t> by_name;
  for (size_t i = 0; i < tensors.size(); ++i)
    if (!by_name.emplace(tensors[i].name, i).second)
      throw Error(ErrorKind::codec, source + ": tensor name " + tensors[i].name + " appears twice");
  std::vector<bool> written(tensors.size(), false);
  for_each_layer(*net.mutable_weights(), "", [&](Layer& layer, const std::string& name) {
    auto it = by_name.find(name);
    if (it == by_name.end()) return;  // a layer that was empty in the source
    const Tensor& t = tensors[it->second];
    const SourceEncoding& e = encodings[it->second];
    if (layer.dims_size() > 0 && !std::equal(layer.dims().begin(), layer.dims().end(), t.shape.begin(), t.shape.end()))
      throw Error(ErrorKind::codec, source + ": tensor " + name + " has other dims than its layer in the skeleton");
    const Layer::Encoding before = layer.has_encoding() ? layer.encoding() : Layer::UNKNOWN_ENCODING;
    if (e.kind == SourceEncoding::Kind::linear16) {
      layer.set_params(linear16_params(t.values, e.min_val, e.max_val));
      layer.set_min_val(e.min_val);
      layer.set_max_val(e.max_val);
    } else {
      write_lc0_layer(layer, t.values, e.kind);
    }
    // Keep the source's encoding field as it was (absent means the net-wide LINEAR16) unless
    // the layer is now written in another encoding.
    const Layer::Encoding wanted = layer_encoding_of(e.kind);
    if (before == Layer::UNKNOWN_ENCODING && wanted == Layer::LINEAR16) layer.clear_encoding();
    else layer.set_encoding(wanted);
    written[it->second] = true;
  });
  for (size_t i = 0; i < tensors.size(); ++i)
    if (!written[i]) throw Error(ErrorKind::codec, source + ": the skeleton has no layer for tensor " + tensors[i].name);
  return net;
}

}  // namespace lcz
