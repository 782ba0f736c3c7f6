#include "container/lc0_loaded.h"

#include <cmath>

#include "nets/lc0_reader.h"

namespace lcz {
namespace {

float in_kind(float v, SourceEncoding::Kind kind) {
  switch (kind) {
    case SourceEncoding::Kind::float16: return half_to_float(float_to_half(v));
    case SourceEncoding::Kind::bfloat16: return bfloat16_to_float(float_to_bfloat16(v));
    default: return v;
  }
}

const char* kind_name(SourceEncoding::Kind kind) {
  switch (kind) {
    case SourceEncoding::Kind::none: return "none";
    case SourceEncoding::Kind::linear16: return "LINEAR16";
    case SourceEncoding::Kind::float16: return "FLOAT16";
    case SourceEncoding::Kind::bfloat16: return "BFLOAT16";
    case SourceEncoding::Kind::float32: return "FLOAT32";
  }
  return "?";
}

}  // namespace

Lc0Readings::Stored Lc0Readings::stored(size_t i) const {
  if (encoding_.kind != SourceEncoding::Kind::linear16) return {-1, in_kind(values_[i], encoding_.kind)};
  const int32_t u = nearest_linear16_index(values_[i], encoding_.min_val, encoding_.max_val);
  return {u, linear16_release(u, encoding_.min_val, encoding_.max_val)};
}

Linear16Readings Lc0Readings::readings(const Stored& s) const {
  if (s.u >= 0) return linear16_readings(s.u, encoding_.min_val, encoding_.max_val);
  Linear16Readings r;
  r.fill(s.release);
  return r;
}

double Lc0Readings::spread() const {
  return encoding_.kind == SourceEncoding::Kind::linear16 ? linear16_reading_spread(encoding_.min_val, encoding_.max_val)
                                                           : 0;
}

LoadedError loaded_error(std::span<const float> original, const SourceEncoding& source, std::span<const float> decoded,
                         const SourceEncoding& output, double limit) {
  LoadedError worst;
  const Lc0Readings was(original, source), is(decoded, output);
  const double spread = was.spread() + is.spread();
  for (size_t i = 0; i < original.size() && i < decoded.size(); ++i) {
    // No decoder can read weight i worse than the release formula's error plus the spreads:
    // where that stays at or below the worst so far, the five readings cannot raise it.
    const Lc0Readings::Stored a = was.stored(i), b = is.stored(i);
    const double release = std::fabs(static_cast<double>(b.release) - a.release);
    if (release + spread <= worst.max_error) continue;
    const Linear16Worst w = linear16_worst(is.readings(b), was.readings(a));
    if (w.error > worst.max_error) worst = {w.error, i, w.decoder};
    if (w.error == HUGE_VAL || w.error > limit) break;
  }
  if (original.size() != decoded.size()) worst.max_error = HUGE_VAL;
  return worst;
}

bool output_kind_allowed(SourceFormat format, SourceEncoding::Kind source, SourceEncoding::Kind output) {
  using K = SourceEncoding::Kind;
  if (format != SourceFormat::lc0)  // raw float32 and .npy are written as they decode
    return (source == K::none || source == K::float32) && (output == K::none || output == K::float32);
  switch (source) {
    case K::linear16: return output == K::linear16;
    case K::float16:
    case K::bfloat16: return output == source || output == K::float32;
    case K::float32:
    case K::none: return output == K::float32;
  }
  return false;
}

std::string output_contradiction(SourceFormat format, const TensorLayout& layout, const SourceEncoding& output,
                                 std::span<const float> decoded, double tolerance) {
  if (!output_kind_allowed(format, layout.source.kind, output.kind))
    return std::string("tensor ") + layout.name + " of source encoding " + kind_name(layout.source.kind) +
           " is to be written as " + kind_name(output.kind) + ", which its source does not allow";
  if (output.kind != SourceEncoding::Kind::linear16 && output.kind != SourceEncoding::Kind::float16 &&
      output.kind != SourceEncoding::Kind::bfloat16)
    return "";
  const Lc0Readings written(decoded, output);
  for (size_t i = 0; i < decoded.size(); ++i) {
    const double e = std::fabs(static_cast<double>(written.stored(i).release) - decoded[i]);
    if (!(e <= tolerance)) {
      std::string range;
      if (output.kind == SourceEncoding::Kind::linear16)
        range = " [" + std::to_string(output.min_val) + ", " + std::to_string(output.max_val) + "]";
      return "tensor " + layout.name + ", weight " + std::to_string(i) + ": its decoded value " + std::to_string(decoded[i]) +
             " written as " + kind_name(output.kind) + range + " reads back " + std::to_string(e / tolerance) +
             " x the tolerance away";
    }
  }
  return "";
}

}  // namespace lcz
