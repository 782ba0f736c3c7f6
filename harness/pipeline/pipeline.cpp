#include "harness/pipeline/pipeline.h"

#include "codecs/core/byte_io.h"

namespace lcz {

Pipeline::Pipeline(const PipelineSpec& spec, const StageContext& context) : spec_(spec) {
  for (const auto& s : spec.stages) stages_.push_back(s.descriptor->make(s.params, context));
}

// Stages [first, last) forward.
Stream Pipeline::encode_range(Stream s, size_t first, size_t last) const {
  for (size_t i = first; i < last; ++i) s = stages_[i]->encode(s);
  return s;
}

// Inverses of stages [first, last), last one first.
Stream Pipeline::decode_range(Stream s, size_t first, size_t last) const {
  for (size_t i = last; i-- > first;) s = stages_[i]->decode(s);
  return s;
}

Bytes Pipeline::encode(const F32& weights) const { return std::get<Bytes>(encode_range(weights, 0, stages_.size())); }

F32 Pipeline::decode(const Bytes& bytes) const {
  Stream s = decode_range(bytes, 0, stages_.size());
  if (!std::holds_alternative<F32>(s)) throw Error(ErrorKind::codec, "pipeline '" + spec_.name + "' did not decode to f32");
  return std::get<F32>(std::move(s));
}

namespace {
uint64_t zigzag64(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
int64_t unzigzag64(uint64_t u) { return static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1); }
}  // namespace

Bytes Pipeline::encode_split(const Net& net) const {
  const size_t n = spec_.tensor_stages;
  Bytes out;
  ByteWriter w(out);
  Stream joined = empty_stream(spec_.stages[n - 1].descriptor->output);
  for (const auto& t : net.tensors) {
    Stream part = encode_range(t.values, 0, n);
    w.varint(zigzag64(static_cast<int64_t>(element_count(part)) - static_cast<int64_t>(t.values.size())));
    append(joined, part);
  }
  w.bytes(std::get<Bytes>(encode_range(std::move(joined), n, stages_.size())));
  return out;
}

Net Pipeline::decode_split(const Bytes& bytes, const Net& layout) const {
  const size_t n = spec_.tensor_stages;
  const std::string where = "pipeline '" + spec_.name + "'";
  ByteReader r(bytes, where);
  std::vector<uint64_t> counts;
  uint64_t total = 0;
  for (const auto& t : layout.tensors) {
    const size_t at = r.offset();
    const int64_t count = static_cast<int64_t>(t.values.size()) + unzigzag64(r.varint());
    if (count < 0 || count > (int64_t{1} << 40)) r.fail(at, "element count of tensor " + t.name + " out of range");
    counts.push_back(static_cast<uint64_t>(count));
    total += counts.back();
  }
  Stream joined = decode_range(Bytes(bytes.begin() + r.offset(), bytes.end()), n, stages_.size());
  if (type_of(joined) != spec_.stages[n - 1].descriptor->output || element_count(joined) != total)
    throw Error(ErrorKind::codec, where + ": the per-tensor stream has " + std::to_string(element_count(joined)) +
                                      " elements, the header says " + std::to_string(total));
  Net net{.source = layout.source, .format = layout.format};
  uint64_t at = 0;
  for (size_t i = 0; i < layout.tensors.size(); ++i) {
    const Tensor& t = layout.tensors[i];
    Stream part = decode_range(slice(joined, at, at + counts[i]), 0, n);
    at += counts[i];
    if (type_of(part) != StreamType::f32 || element_count(part) != t.values.size())
      throw Error(ErrorKind::codec, where + " decoded " + std::to_string(element_count(part)) + " weights for tensor " +
                                        t.name + ", expected " + std::to_string(t.values.size()));
    net.tensors.push_back({t.name, t.shape, std::get<F32>(std::move(part)), t.source});
  }
  return net;
}

Bytes Pipeline::encode_net(const Net& net) const {
  if (spec_.tensor_stages > 0) return encode_split(net);
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
  if (spec_.tensor_stages > 0) return decode_split(bytes, layout);
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
