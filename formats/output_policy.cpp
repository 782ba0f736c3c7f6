#include "formats/output_policy.h"

#include "codecs/core/max_error.h"
#include "formats/float16.h"

namespace lcz {

OutputChoice as_decoded(const Tensor& original, const F32& decoded) {
  OutputChoice choice;
  choice.output.kind = SourceEncoding::Kind::float32;
  choice.max_error = max_abs_error(original.values, decoded, &choice.worst);
  return choice;
}

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

}  // namespace lcz
