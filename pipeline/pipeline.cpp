#include "pipeline/pipeline.h"

#include <cstdio>

#include "codecs/core/byte_io.h"
#include "codecs/core/zigzag.h"

namespace lcz {

Pipeline::Pipeline(const PipelineSpec& spec, const StageContext& context) : spec_(spec), context_(context) {
  for (const auto& s : spec.stages) stages_.push_back(s.descriptor->make(s.params, context));
}

// Stages [first, last) forward. A stage that refuses element k while the count is still the
// input's (quantize, zigzag, delta keep element k at k) is reported with weight(k).
Stream Pipeline::encode_range(Stream s, size_t first, size_t last, const std::span<const float>* base,
                              const WeightName& weight) const {
  const size_t count = element_count(s);
  for (size_t i = first; i < last; ++i) {
    try {
      s = i == 0 && base ? stages_[i]->encode_against(s, *base) : stages_[i]->encode(s);
    } catch (const Error& e) {
      if (!weight || !e.element() || element_count(s) != count) throw;
      throw Error(e.kind(), where() + ": " + weight(*e.element()) + ": " + e.what());
    }
  }
  return s;
}

// Inverses of stages [first, last), last one first.
Stream Pipeline::decode_range(Stream s, size_t first, size_t last, const std::span<const float>* base) const {
  for (size_t i = last; i-- > first;) s = i == 0 && base ? stages_[i]->decode_against(s, *base) : stages_[i]->decode(s);
  return s;
}

Stream Pipeline::decode_tensor(Stream s, size_t last, const std::span<const float>* base,
                               std::optional<CodedLattice>* lattice) const {
  s = decode_range(std::move(s), 1, last);
  if (lattice) *lattice = stages_[0]->coded_lattice(s);
  return decode_range(std::move(s), 0, 1, base);
}

namespace {

std::string weight_text(std::span<const float> values, uint64_t k) {
  char value[32];
  std::snprintf(value, sizeof value, "%.9g", k < values.size() ? static_cast<double>(values[k]) : 0.0);
  return "weight " + std::to_string(k) + " (" + value + ")";
}

// Element k of tensors[first..]'s concatenation, as "tensor NAME, weight J (VALUE)".
Pipeline::WeightName weights_of(const Pipeline::Values& tensors, std::span<const std::string> names, size_t first,
                                size_t count) {
  return [&tensors, names, first, count](uint64_t k) {
    for (size_t i = first; i < first + count; ++i) {
      if (k < tensors[i].size()) {
        std::string text = "tensor ";  // built by appends: g++ 12 warns (-Wrestrict) on "#" + to_string(i)
        if (i < names.size()) {
          text += names[i];
        } else {
          text += '#';
          text += std::to_string(i);
        }
        text += ", ";
        text += weight_text(tensors[i], k);
        return text;
      }
      k -= tensors[i].size();
    }
    return std::string("weight past the end");
  };
}

}  // namespace

Bytes Pipeline::encode(const F32& weights) const {
  Stream s = encode_range(weights, 0, stages_.size(), nullptr, [&weights](uint64_t k) { return weight_text(weights, k); });
  if (!std::holds_alternative<Bytes>(s)) throw Error(ErrorKind::codec, where() + " did not encode to bytes");
  return std::get<Bytes>(std::move(s));
}

F32 Pipeline::decode(const Bytes& bytes) const {
  Stream s = decode_range(bytes, 0, stages_.size());
  if (!std::holds_alternative<F32>(s)) throw Error(ErrorKind::codec, where() + " did not decode to f32");
  return std::get<F32>(std::move(s));
}

namespace {

F32 concatenated(const Pipeline::Values& bases) {
  size_t n = 0;
  for (const auto& b : bases) n += b.size();
  F32 all;
  all.reserve(n);
  for (const auto& b : bases) all.insert(all.end(), b.begin(), b.end());
  return all;
}

const std::span<const float>* base_of(const Pipeline::Bases* bases, size_t i) { return bases ? &(*bases)[i] : nullptr; }

void check_bases(const Pipeline::Bases* bases, size_t tensors, const std::string& where) {
  if (bases && bases->size() != tensors)
    throw Error(ErrorKind::codec, where + ": " + std::to_string(bases->size()) + " bases for " + std::to_string(tensors) +
                                      " tensors");
}

void check_count(const F32& values, const TensorLayout& t, const std::string& where) {
  if (values.size() != t.count)
    throw Error(ErrorKind::codec, where + " decoded " + std::to_string(values.size()) + " weights for tensor " + t.name +
                                      ", expected " + std::to_string(t.count));
}

}  // namespace

Bytes Pipeline::encode_split(const Values& tensors, const Bases* bases, std::span<const std::string> names) const {
  const size_t n = spec_.tensor_stages;
  Bytes out;
  ByteWriter w(out);
  Stream joined = empty_stream(spec_.stages[n - 1].descriptor->output);
  for (size_t i = 0; i < tensors.size(); ++i) {
    Stream part = encode_range(F32(tensors[i].begin(), tensors[i].end()), 0, n, base_of(bases, i),
                               weights_of(tensors, names, i, 1));
    w.varint(zigzag64(static_cast<int64_t>(element_count(part)) - static_cast<int64_t>(tensors[i].size())));
    append(joined, part);
  }
  // The rest still sees one element per weight when the first stages kept the counts.
  size_t weights = 0;
  for (const auto& t : tensors) weights += t.size();
  const bool aligned = element_count(joined) == weights;
  Stream coded = encode_range(std::move(joined), n, stages_.size(), nullptr,
                              aligned ? weights_of(tensors, names, 0, tensors.size()) : WeightName());
  if (!std::holds_alternative<Bytes>(coded)) throw Error(ErrorKind::codec, where() + " did not encode to bytes");
  w.bytes(std::get<Bytes>(coded));
  return out;
}

std::vector<F32> Pipeline::decode_split(std::span<const uint8_t> bytes, std::span<const TensorLayout> layout,
                                        const Bases* bases, Lattices* lattices) const {
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
    Stream part = decode_tensor(slice(joined, at, at + counts[i]), n, base_of(bases, i), lattices ? &(*lattices)[i] : nullptr);
    at += counts[i];
    if (!std::holds_alternative<F32>(part)) throw Error(ErrorKind::codec, where() + " did not decode to f32");
    out.push_back(std::get<F32>(std::move(part)));
    check_count(out.back(), layout[i], where());
  }
  return out;
}

Bytes Pipeline::encode_tensors(std::span<const Tensor> tensors, const Bases* bases) const {
  Values values;
  std::vector<std::string> names;
  values.reserve(tensors.size());
  names.reserve(tensors.size());
  for (const Tensor& t : tensors) {
    values.emplace_back(t.values);
    names.push_back(t.name);
  }
  return encode_named(values, bases, names);
}

Bytes Pipeline::encode_values(const Values& tensors, const Bases* bases) const { return encode_named(tensors, bases, {}); }

Bytes Pipeline::encode_named(const Values& tensors, const Bases* bases, std::span<const std::string> names) const {
  check_bases(bases, tensors.size(), where());
  if (spec_.tensor_stages > 0) return encode_split(tensors, bases, names);
  if (spec_.granularity == Granularity::net) {
    const F32 base = bases ? concatenated(*bases) : F32{};
    const std::span<const float> base_span(base);
    Stream s = encode_range(concatenated(tensors), 0, stages_.size(), bases ? &base_span : nullptr,
                            weights_of(tensors, names, 0, tensors.size()));
    if (!std::holds_alternative<Bytes>(s)) throw Error(ErrorKind::codec, where() + " did not encode to bytes");
    return std::get<Bytes>(std::move(s));
  }
  Bytes out;
  ByteWriter w(out);
  for (size_t i = 0; i < tensors.size(); ++i) {
    Stream s = encode_range(F32(tensors[i].begin(), tensors[i].end()), 0, stages_.size(), base_of(bases, i),
                            weights_of(tensors, names, i, 1));
    if (!std::holds_alternative<Bytes>(s)) throw Error(ErrorKind::codec, where() + " did not encode to bytes");
    w.varint(std::get<Bytes>(s).size());
    w.bytes(std::get<Bytes>(s));
  }
  return out;
}

std::vector<F32> Pipeline::decode_tensors(std::span<const uint8_t> bytes, std::span<const TensorLayout> layout,
                                          const Bases* bases, Lattices* lattices) const {
  check_bases(bases, layout.size(), where());
  if (lattices) lattices->assign(layout.size(), std::nullopt);
  if (spec_.tensor_stages > 0) return decode_split(bytes, layout, bases, lattices);
  std::vector<F32> out;
  out.reserve(layout.size());
  auto decode_one = [&](Bytes in, const std::span<const float>* base, std::optional<CodedLattice>* lattice) {
    Stream s = decode_tensor(std::move(in), stages_.size(), base, lattice);
    if (!std::holds_alternative<F32>(s)) throw Error(ErrorKind::codec, where() + " did not decode to f32");
    return std::get<F32>(std::move(s));
  };
  if (spec_.granularity == Granularity::net) {
    const F32 base = bases ? concatenated(*bases) : F32{};
    const std::span<const float> base_span(base);
    F32 all = decode_one(Bytes(bytes.begin(), bytes.end()), bases ? &base_span : nullptr, nullptr);
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
  for (size_t i = 0; i < layout.size(); ++i) {
    const uint64_t n = r.count(r.remaining(), "tensor byte length");
    auto span = r.bytes(n);
    out.push_back(decode_one(Bytes(span.begin(), span.end()), base_of(bases, i), lattices ? &(*lattices)[i] : nullptr));
    check_count(out.back(), layout[i], where());
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
