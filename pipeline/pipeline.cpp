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
Stream Pipeline::encode_range(Stream s, size_t first, size_t last, const BaseTensor* base, Bytes* side,
                              std::span<const uint8_t> context, const WeightName& weight) const {
  const size_t count = element_count(s);
  std::vector<uint8_t> own_context;
  for (size_t i = first; i < last; ++i) {
    try {
      if (i == 0 && base) {
        s = stages_[0]->encode_against(s, *base, *side);
        if (context.empty() && last > 1 && context_to_stage1()) {
          append_context(own_context, 0, *base, *side);  // aligned to the end: after any header
          context = own_context;
        }
      } else if (i == 1 && !context.empty()) {
        s = stages_[1]->encode_in_context(s, context);
      } else {
        s = stages_[i]->encode(s);
      }
    } catch (const Error& e) {
      if (!weight || !e.element() || element_count(s) != count) throw;
      throw Error(e.kind(), where() + ": " + weight(*e.element()) + ": " + e.what());
    }
  }
  return s;
}

// Inverses of stages [first, last), last one first.
Stream Pipeline::decode_range(Stream s, size_t first, size_t last, const BaseTensor* base, std::span<const uint8_t> side,
                              std::span<const uint8_t> context) const {
  std::vector<uint8_t> own_context;
  if (context.empty() && base && first == 0 && last > 1 && context_to_stage1()) {
    // The coder aligns a context to the end of its input: the values come after any header.
    append_context(own_context, 0, *base, side);
    context = own_context;
  }
  for (size_t i = last; i-- > first;) {
    if (i == 0 && base) s = stages_[0]->decode_against(s, *base, side);
    else if (i == 1 && !context.empty()) s = stages_[1]->decode_in_context(s, context);
    else s = stages_[i]->decode(s);
  }
  return s;
}

void Pipeline::append_context(std::vector<uint8_t>& context, size_t header, const BaseTensor& base,
                              std::span<const uint8_t> side) const {
  const size_t at = context.size();
  context.resize(at + header + base.values.size(), 0);
  stages_[0]->base_context(base, side, context.data() + at + header);
}

Stream Pipeline::decode_tensor(Stream s, size_t last, const BaseTensor* base, std::span<const uint8_t> side,
                               std::span<const uint8_t> context, std::optional<CodedLattice>* lattice) const {
  std::vector<uint8_t> own_context;
  if (context.empty() && base && !side.empty() && last > 1 && context_to_stage1()) {
    append_context(own_context, 0, *base, side);  // aligned to the end: after any header
    context = own_context;
  }
  s = decode_range(std::move(s), 1, last, nullptr, {}, context);
  if (lattice) *lattice = stages_[0]->coded_lattice(s, base ? side : std::span<const uint8_t>());
  return decode_range(std::move(s), 0, 1, base, side, {});
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
  Stream s = encode_range(weights, 0, stages_.size(), nullptr, nullptr, {},
                          [&weights](uint64_t k) { return weight_text(weights, k); });
  if (!std::holds_alternative<Bytes>(s)) throw Error(ErrorKind::codec, where() + " did not encode to bytes");
  return std::get<Bytes>(std::move(s));
}

F32 Pipeline::decode(const Bytes& bytes) const {
  Stream s = decode_range(bytes, 0, stages_.size(), nullptr, {}, {});
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

const BaseTensor* base_of(const Pipeline::Bases* bases, size_t i) { return bases ? &(*bases)[i] : nullptr; }

F32 concatenated_values(const Pipeline::Bases& bases) {
  Pipeline::Values values;
  for (const auto& b : bases) values.push_back(b.values);
  return concatenated(values);
}

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

Bytes Pipeline::encode_split(const Values& tensors, const Bases* bases, std::span<const std::string> names,
                             size_t* used_base) const {
  const size_t n = spec_.tensor_stages;
  Bytes out;
  ByteWriter w(out);
  Stream joined = empty_stream(spec_.stages[n - 1].descriptor->output);
  // The coder after the per-tensor stages gets the base context when the quantizer runs alone
  // per tensor: then the joined stream is the quantizer's output, element for element.
  const bool with_context = bases && n == 1 && context_to_stage1();
  std::vector<uint8_t> context;
  for (size_t i = 0; i < tensors.size(); ++i) {
    Bytes side;
    Stream part = encode_range(F32(tensors[i].begin(), tensors[i].end()), 0, n, base_of(bases, i), &side, {},
                               weights_of(tensors, names, i, 1));
    w.varint(zigzag64(static_cast<int64_t>(element_count(part)) - static_cast<int64_t>(tensors[i].size())));
    if (bases) {
      w.varint(side.size());
      w.bytes(side);
      if (used_base) *used_base += stages_[0]->side_uses_base(side);
    }
    if (with_context) append_context(context, element_count(part) - tensors[i].size(), (*bases)[i], side);
    append(joined, part);
  }
  // The rest still sees one element per weight when the first stages kept the counts.
  size_t weights = 0;
  for (const auto& t : tensors) weights += t.size();
  const bool aligned = element_count(joined) == weights;
  Stream coded = encode_range(std::move(joined), n, stages_.size(), nullptr, nullptr, context,
                              aligned ? weights_of(tensors, names, 0, tensors.size()) : WeightName());
  if (!std::holds_alternative<Bytes>(coded)) throw Error(ErrorKind::codec, where() + " did not encode to bytes");
  w.bytes(std::get<Bytes>(coded));
  return out;
}

std::vector<F32> Pipeline::decode_split(std::span<const uint8_t> bytes, std::span<const TensorLayout> layout,
                                        const Bases* bases, Lattices* lattices, BaseFraming framing) const {
  const size_t n = spec_.tensor_stages;
  ByteReader r(bytes, where());
  std::vector<uint64_t> counts;
  std::vector<std::span<const uint8_t>> sides_of(layout.size());
  const bool sides = bases && framing == BaseFraming::given;
  const bool with_context = sides && n == 1 && context_to_stage1();
  std::vector<uint8_t> context;
  uint64_t total = 0;
  for (size_t i = 0; i < layout.size(); ++i) {
    const TensorLayout& t = layout[i];
    const size_t at = r.offset();
    const int64_t count = static_cast<int64_t>(t.count) + unzigzag64(r.varint());
    if (count < 0 || count > (int64_t{1} << 40)) r.fail(at, "element count of tensor " + t.name + " out of range");
    counts.push_back(static_cast<uint64_t>(count));
    total += counts.back();
    if (sides) {
      sides_of[i] = r.bytes(r.count(r.remaining(), "side record length"));
      if (with_context) {
        if (counts[i] < t.count) r.fail(at, "tensor " + t.name + " has fewer elements than weights");
        if (counts[i] - t.count > kMaxContextHeader)
          r.fail(at, "tensor " + t.name + " has " + std::to_string(counts[i] - t.count) +
                         " header values; a quantizer beside a base context writes at most " +
                         std::to_string(kMaxContextHeader));
        append_context(context, counts[i] - t.count, (*bases)[i], sides_of[i]);
      }
    }
  }
  Stream joined = decode_range(Bytes(bytes.begin() + r.offset(), bytes.end()), n, stages_.size(), nullptr, {}, context);
  if (type_of(joined) != spec_.stages[n - 1].descriptor->output || element_count(joined) != total)
    throw Error(ErrorKind::codec, where() + ": the per-tensor stream has " + std::to_string(element_count(joined)) +
                                      " elements, the header says " + std::to_string(total));
  std::vector<F32> out;
  out.reserve(layout.size());
  uint64_t at = 0;
  for (size_t i = 0; i < layout.size(); ++i) {
    Stream part = decode_tensor(slice(joined, at, at + counts[i]), n, base_of(bases, i), sides_of[i], {},
                                lattices ? &(*lattices)[i] : nullptr);
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

Bytes Pipeline::encode_values(const Values& tensors, const Bases* bases, size_t* used_base) const {
  return encode_named(tensors, bases, {}, used_base);
}

Bytes Pipeline::encode_named(const Values& tensors, const Bases* bases, std::span<const std::string> names,
                             size_t* used_base) const {
  check_bases(bases, tensors.size(), where());
  if (used_base) *used_base = 0;
  if (spec_.tensor_stages > 0) return encode_split(tensors, bases, names, used_base);
  Bytes out;
  ByteWriter w(out);
  // Against a base, each coded unit is preceded by the first stage's side record.
  auto encode_unit = [&](F32 values, const BaseTensor* base, const WeightName& weight) {
    Bytes side;
    Stream s = encode_range(std::move(values), 0, stages_.size(), base, &side, {}, weight);
    if (!std::holds_alternative<Bytes>(s)) throw Error(ErrorKind::codec, where() + " did not encode to bytes");
    if (base) {
      w.varint(side.size());
      w.bytes(side);
      if (used_base) *used_base += stages_[0]->side_uses_base(side);
    }
    return std::get<Bytes>(std::move(s));
  };
  if (spec_.granularity == Granularity::net) {
    const F32 base = bases ? concatenated_values(*bases) : F32{};
    const BaseTensor base_tensor(base);
    w.bytes(encode_unit(concatenated(tensors), bases ? &base_tensor : nullptr, weights_of(tensors, names, 0, tensors.size())));
    return out;
  }
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Bytes coded = encode_unit(F32(tensors[i].begin(), tensors[i].end()), base_of(bases, i), weights_of(tensors, names, i, 1));
    w.varint(coded.size());
    w.bytes(coded);
  }
  return out;
}

std::vector<F32> Pipeline::decode_tensors(std::span<const uint8_t> bytes, std::span<const TensorLayout> layout,
                                          const Bases* bases, Lattices* lattices, BaseFraming framing) const {
  check_bases(bases, layout.size(), where());
  if (lattices) lattices->assign(layout.size(), std::nullopt);
  if (spec_.tensor_stages > 0) return decode_split(bytes, layout, bases, lattices, framing);
  std::vector<F32> out;
  out.reserve(layout.size());
  ByteReader r(bytes, where());
  auto decode_unit = [&](std::span<const uint8_t> in, const BaseTensor* base, std::span<const uint8_t> side,
                         std::optional<CodedLattice>* lattice) {
    Stream s = decode_tensor(Bytes(in.begin(), in.end()), stages_.size(), base, side, {}, lattice);
    if (!std::holds_alternative<F32>(s)) throw Error(ErrorKind::codec, where() + " did not decode to f32");
    return std::get<F32>(std::move(s));
  };
  auto side_of = [&](const BaseTensor* base) {
    return base && framing == BaseFraming::given ? r.bytes(r.count(r.remaining(), "side record length"))
                                                 : std::span<const uint8_t>();
  };
  if (spec_.granularity == Granularity::net) {
    const F32 base = bases ? concatenated_values(*bases) : F32{};
    const BaseTensor base_tensor(base);
    const BaseTensor* b = bases ? &base_tensor : nullptr;
    const auto side = side_of(b);
    F32 all = decode_unit(r.bytes(r.remaining()), b, side, nullptr);
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
  for (size_t i = 0; i < layout.size(); ++i) {
    const auto side = side_of(base_of(bases, i));
    const uint64_t n = r.count(r.remaining(), "tensor byte length");
    out.push_back(decode_unit(r.bytes(n), base_of(bases, i), side, lattices ? &(*lattices)[i] : nullptr));
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
