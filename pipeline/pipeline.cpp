#include "pipeline/pipeline.h"

#include <cstdio>

#include "codecs/core/byte_io.h"

namespace lcz {

Pipeline::Pipeline(const PipelineSpec& spec, const StageContext& context) : spec_(spec), context_(context) {
  for (const auto& s : spec.stages) stages_.push_back(s.descriptor->make(s.params, context));
}

// Stages [first, last) forward. With `weight`, element k of the input is the weight that
// weight(k) names: a stage that refuses element k while the count is still the input's
// (quantize, zigzag, delta keep element k at k) is reported with that weight and tensor.
Stream Pipeline::encode_range(Stream s, size_t first, size_t last, const WeightName& weight) const {
  const size_t count = element_count(s);
  for (size_t i = first; i < last; ++i) {
    try {
      s = stages_[i]->encode(s);
    } catch (const Error& e) {
      if (!weight || !e.element() || element_count(s) != count) throw;
      throw Error(e.kind(), where() + ": " + weight(*e.element()) + ": " + e.what());
    }
  }
  return s;
}

namespace {

std::string weight_text(const F32& values, uint64_t k) {
  char value[32];
  std::snprintf(value, sizeof value, "%.9g", k < values.size() ? static_cast<double>(values[k]) : 0.0);
  return "weight " + std::to_string(k) + " (" + value + ")";
}

// Element k of the tensors' concatenation, as "tensor NAME, weight J (VALUE)".
Pipeline::WeightName weights_of(std::span<const Tensor> tensors) {
  return [tensors](uint64_t k) {
    for (const Tensor& t : tensors) {
      if (k < t.values.size()) return "tensor " + t.name + ", " + weight_text(t.values, k);
      k -= t.values.size();
    }
    return std::string("weight past the end");
  };
}

}  // namespace

// Inverses of stages [first, last), last one first.
Stream Pipeline::decode_range(Stream s, size_t first, size_t last) const {
  for (size_t i = last; i-- > first;) s = stages_[i]->decode(s);
  return s;
}

Bytes Pipeline::encode(const F32& weights) const {
  return encode_named(weights, [&weights](uint64_t k) { return weight_text(weights, k); });
}

Bytes Pipeline::encode_named(const F32& weights, const WeightName& weight) const {
  Stream s = encode_range(weights, 0, stages_.size(), weight);
  if (!std::holds_alternative<Bytes>(s)) throw Error(ErrorKind::codec, where() + " did not encode to bytes");
  return std::get<Bytes>(std::move(s));
}

F32 Pipeline::decode(const Bytes& bytes) const {
  Stream s = decode_range(bytes, 0, stages_.size());
  if (!std::holds_alternative<F32>(s)) throw Error(ErrorKind::codec, where() + " did not decode to f32");
  return std::get<F32>(std::move(s));
}

namespace {

uint64_t zigzag64(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
int64_t unzigzag64(uint64_t u) { return static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1); }

F32 concatenated(std::span<const Tensor> tensors) {
  size_t n = 0;
  for (const Tensor& t : tensors) n += t.values.size();
  F32 all;
  all.reserve(n);
  for (const Tensor& t : tensors) all.insert(all.end(), t.values.begin(), t.values.end());
  return all;
}

void check_count(const F32& values, const TensorLayout& t, const std::string& where) {
  if (values.size() != t.count)
    throw Error(ErrorKind::codec, where + " decoded " + std::to_string(values.size()) + " weights for tensor " + t.name +
                                      ", expected " + std::to_string(t.count));
}

}  // namespace

Bytes Pipeline::encode_split(std::span<const Tensor> tensors) const {
  const size_t n = spec_.tensor_stages;
  Bytes out;
  ByteWriter w(out);
  Stream joined = empty_stream(spec_.stages[n - 1].descriptor->output);
  for (const auto& t : tensors) {
    Stream part = encode_range(t.values, 0, n, weights_of(std::span<const Tensor>(&t, 1)));
    w.varint(zigzag64(static_cast<int64_t>(element_count(part)) - static_cast<int64_t>(t.values.size())));
    append(joined, part);
  }
  // The rest still sees one element per weight when the first stages kept the counts.
  size_t weights = 0;
  for (const auto& t : tensors) weights += t.values.size();
  const bool aligned = element_count(joined) == weights;
  Stream coded = encode_range(std::move(joined), n, stages_.size(), aligned ? weights_of(tensors) : WeightName());
  if (!std::holds_alternative<Bytes>(coded)) throw Error(ErrorKind::codec, where() + " did not encode to bytes");
  w.bytes(std::get<Bytes>(coded));
  return out;
}

std::vector<F32> Pipeline::decode_split(std::span<const uint8_t> bytes, std::span<const TensorLayout> layout) const {
  const size_t n = spec_.tensor_stages;
  ByteReader r(bytes, where());
  std::vector<uint64_t> counts;
  uint64_t total = 0;
  for (const auto& t : layout) {
    const size_t at = r.offset();
    const int64_t count = static_cast<int64_t>(t.count) + unzigzag64(r.varint());
    if (count < 0 || count > (int64_t{1} << 40)) r.fail(at, "element count of tensor " + t.name + " out of range");
    counts.push_back(static_cast<uint64_t>(count));
    total += counts.back();
  }
  Stream joined = decode_range(Bytes(bytes.begin() + r.offset(), bytes.end()), n, stages_.size());
  if (type_of(joined) != spec_.stages[n - 1].descriptor->output || element_count(joined) != total)
    throw Error(ErrorKind::codec, where() + ": the per-tensor stream has " + std::to_string(element_count(joined)) +
                                      " elements, the header says " + std::to_string(total));
  std::vector<F32> out;
  out.reserve(layout.size());
  uint64_t at = 0;
  for (size_t i = 0; i < layout.size(); ++i) {
    Stream part = decode_range(slice(joined, at, at + counts[i]), 0, n);
    at += counts[i];
    if (!std::holds_alternative<F32>(part)) throw Error(ErrorKind::codec, where() + " did not decode to f32");
    out.push_back(std::get<F32>(std::move(part)));
    check_count(out.back(), layout[i], where());
  }
  return out;
}

Bytes Pipeline::encode_tensors(std::span<const Tensor> tensors) const {
  if (spec_.tensor_stages > 0) return encode_split(tensors);
  if (spec_.granularity == Granularity::net) return encode_named(concatenated(tensors), weights_of(tensors));
  Bytes out;
  ByteWriter w(out);
  for (const auto& t : tensors) {
    Bytes b = encode_named(t.values, weights_of(std::span<const Tensor>(&t, 1)));
    w.varint(b.size());
    w.bytes(b);
  }
  return out;
}

std::vector<F32> Pipeline::decode_tensors(std::span<const uint8_t> bytes, std::span<const TensorLayout> layout) const {
  if (spec_.tensor_stages > 0) return decode_split(bytes, layout);
  std::vector<F32> out;
  out.reserve(layout.size());
  if (spec_.granularity == Granularity::net) {
    F32 all = decode(Bytes(bytes.begin(), bytes.end()));
    uint64_t expected = 0;
    for (const auto& t : layout) expected += t.count;
    if (all.size() != expected)
      throw Error(ErrorKind::codec, where() + " decoded " + std::to_string(all.size()) + " weights, expected " +
                                        std::to_string(expected));
    size_t at = 0;
    for (const auto& t : layout) {
      out.emplace_back(all.begin() + at, all.begin() + at + t.count);
      at += t.count;
    }
    return out;
  }
  ByteReader r(bytes, where());
  for (const auto& t : layout) {
    const uint64_t n = r.count(r.remaining(), "tensor byte length");
    auto span = r.bytes(n);
    out.push_back(decode(Bytes(span.begin(), span.end())));
    check_count(out.back(), t, where());
  }
  r.expect_end();
  return out;
}

Net Pipeline::decode_net(std::span<const uint8_t> bytes, const NetLayout& layout) const {
  return assemble_net(layout, decode_tensors(bytes, layout.tensors));
}

Net assemble_net(const NetLayout& layout, std::vector<F32> values) {
  if (values.size() != layout.tensors.size())
    throw Error(ErrorKind::codec, std::to_string(values.size()) + " decoded tensors for a layout of " +
                                      std::to_string(layout.tensors.size()));
  Net net;
  net.format = layout.format;
  net.tensors.reserve(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    const TensorLayout& t = layout.tensors[i];
    check_count(values[i], t, "decoder");
    net.tensors.push_back({t.name, t.shape, std::move(values[i]), t.source});
  }
  return net;
}

}  // namespace lcz
