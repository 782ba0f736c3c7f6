#include "formats/output_policy.h"

#include <algorithm>
#include <cmath>

#include "codecs/core/max_error.h"
#include "formats/float16.h"

namespace lcz {

OutputChoice as_decoded(const Tensor& original, const F32& decoded) {
  OutputChoice choice;
  choice.output.kind = SourceEncoding::Kind::float32;
  choice.max_error = max_abs_error(original.values, decoded, &choice.worst);
  return choice;
}

OutputChoice choose_as_decoded(const Tensor& original, const F32& decoded, double, const std::optional<CodedLattice>&) {
  return as_decoded(original, decoded);
}

F32 loaded_as_decoded(const F32& decoded, const SourceEncoding&) { return decoded; }

F32 round_trip_16(std::span<const float> values, SourceEncoding::Kind kind) {
  F32 out(values.size());
  for (size_t i = 0; i < values.size(); ++i)
    out[i] = kind == SourceEncoding::Kind::float16 ? half_to_float(float_to_half(values[i]))
                                                   : bfloat16_to_float(float_to_bfloat16(values[i]));
  return out;
}

OutputChoice keep_16bit_or_float32(const Tensor& original, const F32& decoded, double tolerance) {
  const auto kind = original.source.kind;
  size_t worst = 0;
  const double e = max_abs_error(original.values, round_trip_16(decoded, kind), &worst);
  if (e <= tolerance) return {{kind, 0, 0}, e, worst, ""};
  OutputChoice choice = as_decoded(original, decoded);
  choice.warning = "tensor " + original.name + " is written as FLOAT32: in its source encoding the error would be " +
                   std::to_string(e / tolerance) + " x the tolerance";
  return choice;
}

F32 loaded_ieee(const F32& decoded, const SourceEncoding& output) {
  if (output.kind == SourceEncoding::Kind::float16 || output.kind == SourceEncoding::Kind::bfloat16)
    return round_trip_16(decoded, output.kind);
  return decoded;
}

LoadedError ieee_loaded_error(const Tensor& original, std::span<const float> decoded, const SourceEncoding& output) {
  LoadedError e;
  const F32 loaded = loaded_ieee(F32(decoded.begin(), decoded.end()), output);
  e.max_error = max_abs_error(original.values, loaded, &e.worst);
  if (std::isnan(e.max_error) || original.values.size() != decoded.size()) e.max_error = HUGE_VAL;
  return e;
}

const char* encoding_kind_name(SourceEncoding::Kind kind) {
  switch (kind) {
    case SourceEncoding::Kind::none: return "none";
    case SourceEncoding::Kind::linear16: return "LINEAR16";
    case SourceEncoding::Kind::float16: return "FLOAT16";
    case SourceEncoding::Kind::bfloat16: return "BFLOAT16";
    case SourceEncoding::Kind::float32: return "FLOAT32";
  }
  return "?";
}

std::string ieee_contradiction(const TensorLayout& layout, const SourceEncoding& output, std::span<const float> decoded,
                               double tolerance, std::initializer_list<SourceEncoding::Kind> allowed) {
  if (std::find(allowed.begin(), allowed.end(), output.kind) == allowed.end())
    return "tensor " + layout.name + " of source encoding " + encoding_kind_name(layout.source.kind) +
           " is to be written as " + encoding_kind_name(output.kind) + ", which its source does not allow";
  if (output.kind != SourceEncoding::Kind::float16 && output.kind != SourceEncoding::Kind::bfloat16) return "";
  const F32 rounded = round_trip_16(decoded, output.kind);
  for (size_t i = 0; i < decoded.size(); ++i)
    if (!(std::fabs(static_cast<double>(rounded[i]) - decoded[i]) <= tolerance))
      return "tensor " + layout.name + ", weight " + std::to_string(i) + ": its decoded value " + std::to_string(decoded[i]) +
             " written as " + encoding_kind_name(output.kind) + " reads back " +
             std::to_string(std::fabs(static_cast<double>(rounded[i]) - decoded[i]) / tolerance) + " x the tolerance away";
  return "";
}

std::string as_decoded_contradiction(const TensorLayout& layout, const SourceEncoding& output, std::span<const float> decoded,
                                     double tolerance) {
  using K = SourceEncoding::Kind;
  if (layout.source.kind != K::none && layout.source.kind != K::float32)
    return "tensor " + layout.name + " of a format without encodings claims source encoding " +
           encoding_kind_name(layout.source.kind);
  return ieee_contradiction(layout, output, decoded, tolerance, {K::none, K::float32});
}

}  // namespace lcz
