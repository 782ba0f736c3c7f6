#include "harness/pipeline/pipeline.h"

#include "codecs/core/byte_io.h"

namespace lcz {

Pipeline::Pipeline(const PipelineSpec& spec, const StageContext& context) : spec_(spec) {
  for (const auto& s : spec.stages) stages_.push_back(s.descriptor->make(s.params, context));
}

Bytes Pipeline::encode(const F32& weights) const {
  Stream s = weights;
  for (const auto& stage : stages_) s = stage->encode(s);
  return std::get<Bytes>(std::move(s));
}

F32 Pipeline::decode(const Bytes& bytes) const {
  Stream s = bytes;
  for (auto it = stages_.rbegin(); it != stages_.rend(); ++it) s = (*it)->decode(s);
  if (!std::holds_alternative<F32>(s)) throw Error(ErrorKind::codec, "pipeline '" + spec_.name + "' did not decode to f32");
  return std::get<F32>(std::move(s));
}

Bytes Pipeline::encode_net(const Net& net) const {
  if (spec_.granularity == Granularity::net) return encode(concatenated(net));
  Bytes out;
  ByteWriter w(out);
  for (const auto& t : net.tensors) {
    Bytes b = encode(t.values);
    w.varint(b.size());
    w.bytes(b);
  }
  return out;
}

Net Pipeline::decode_net(const Bytes& bytes, const Net& layout) const {
  Net net;
  net.source = layout.source;
  net.format = layout.format;
  const std::string where = "pipeline '" + spec_.name + "'";
  if (spec_.granularity == Granularity::net) {
    F32 all = decode(bytes);
    if (all.size() != layout.weight_count())
      throw Error(ErrorKind::codec, where + " decoded " + std::to_string(all.size()) + " weights, the net has " +
                                        std::to_string(layout.weight_count()));
    size_t at = 0;
    for (const auto& t : layout.tensors) {
      net.tensors.push_back({t.name, t.shape, F32(all.begin() + at, all.begin() + at + t.values.size()), t.source});
      at += t.values.size();
    }
    return net;
  }
  ByteReader r(bytes, where);
  for (const auto& t : layout.tensors) {
    uint64_t n = r.count(r.remaining(), "tensor byte length");
    auto span = r.bytes(n);
    F32 values = decode(Bytes(span.begin(), span.end()));
    if (values.size() != t.values.size())
      throw Error(ErrorKind::codec, where + " decoded " + std::to_string(values.size()) + " weights for tensor " + t.name +
                                        ", expected " + std::to_string(t.values.size()));
    net.tensors.push_back({t.name, t.shape, std::move(values), t.source});
  }
  r.expect_end();
  return net;
}

}  // namespace lcz
