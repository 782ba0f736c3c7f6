#include "formats/lc0/lc0_loaded.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "formats/float16.h"
#include "formats/output_policy.h"

namespace lcz {
namespace {

float in_kind(float v, SourceEncoding::Kind kind) {
  switch (kind) {
    case SourceEncoding::Kind::float16: return half_to_float(float_to_half(v));
    case SourceEncoding::Kind::bfloat16: return bfloat16_to_float(float_to_bfloat16(v));
    default: return v;
  }
}

}  // namespace

Lc0Readings::Stored Lc0Readings::stored(size_t i) const {
  if (encoding_.kind != SourceEncoding::Kind::linear16) return {-1, in_kind(values_[i], encoding_.kind)};
  const int32_t u = nearest_linear16_index(values_[i], encoding_.min_val, encoding_.max_val);
  return {u, linear16_release(u, encoding_.min_val, encoding_.max_val)};
}

float Lc0Readings::near_release(size_t i) const {
  if (encoding_.kind != SourceEncoding::Kind::linear16) return in_kind(values_[i], encoding_.kind);
  return linear16_near_release(values_[i], encoding_.min_val, encoding_.max_val, scale_);
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

LoadedError lc0_loaded_error(const Tensor& original, std::span<const float> decoded, const SourceEncoding& output,
                             double limit) {
  double worst_error = 0;
  size_t worst = 0, decoder = 0;
  const Lc0Readings was(original.values, original.source), is(decoded, output);
  const double spread = was.spread() + is.spread();
  // Written in the encoding it came in, a weight decoded to its own bits is stored and read
  // as it was: no error under any decoder (the quick bound below cannot say so, being above
  // zero by the spreads; a layer coded exactly would take the slow path at every weight).
  const bool as_stored = same_encoding(original.source, output);
  for (size_t i = 0; i < original.values.size() && i < decoded.size(); ++i) {
    if (as_stored && std::bit_cast<uint32_t>(original.values[i]) == std::bit_cast<uint32_t>(decoded[i])) continue;
    // No decoder can read weight i worse than the release formula's error plus the spreads:
    // where that stays at or below the worst so far, the five readings cannot raise it. The
    // release error is first bounded the cheap way, through the values themselves (each
    // nearest index reads back at least as close to its value as near_release does).
    const double o = original.values[i], d = decoded[i];
    const double bound = std::fabs(was.near_release(i) - o) + std::fabs(o - d) + std::fabs(is.near_release(i) - d);
    if (bound + spread <= worst_error) continue;
    const Lc0Readings::Stored a = was.stored(i), b = is.stored(i);
    const double release = std::fabs(static_cast<double>(b.release) - a.release);
    if (release + spread <= worst_error) continue;
    const Linear16Worst w = linear16_worst(is.readings(b), was.readings(a));
    if (w.error > worst_error) worst_error = w.error, worst = i, decoder = w.decoder;
    if (w.error == HUGE_VAL || w.error > limit) break;
  }
  if (original.values.size() != decoded.size()) worst_error = HUGE_VAL;
  const bool linear16 = original.source.kind == SourceEncoding::Kind::linear16 || output.kind == SourceEncoding::Kind::linear16;
  return {worst_error, worst, linear16 ? linear16_decoder_name(kLc0Linear16Decoders[decoder]) : ""};
}

std::string lc0_contradiction(const TensorLayout& layout, const SourceEncoding& output, std::span<const float> decoded,
                              double tolerance) {
  using K = SourceEncoding::Kind;
  switch (layout.source.kind) {
    case K::linear16: break;
    case K::float16:
    case K::bfloat16: return ieee_contradiction(layout, output, decoded, tolerance, {layout.source.kind, K::float32});
    case K::float32:
    case K::none: return ieee_contradiction(layout, output, decoded, tolerance, {K::float32});
  }
  if (output.kind != K::linear16) return ieee_contradiction(layout, output, decoded, tolerance, {K::linear16});
  const Lc0Readings written(decoded, output);
  // Block by block: a block settled the quick way is done; only the others are asked value by
  // value (so one value off the quick path costs its block, not the rest of the tensor).
  constexpr size_t kBlock = 256;
  for (size_t begin = 0; begin < decoded.size(); begin += kBlock) {
    const size_t end = std::min(begin + kBlock, decoded.size());
    if (linear16_all_read_back_within(decoded.subspan(begin, end - begin), output.min_val, output.max_val, tolerance))
      continue;
    for (size_t i = begin; i < end; ++i) {
      const double e = std::fabs(static_cast<double>(written.stored(i).release) - decoded[i]);
      if (!(e <= tolerance))
        return "tensor " + layout.name + ", weight " + std::to_string(i) + ": its decoded value " +
               std::to_string(decoded[i]) + " written as LINEAR16 [" + std::to_string(output.min_val) + ", " +
               std::to_string(output.max_val) + "] reads back " + std::to_string(e / tolerance) + " x the tolerance away";
    }
  }
  return "";
}

}  // namespace lcz
