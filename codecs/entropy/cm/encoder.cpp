// The cm encoder: header, the sequences of exact repeats, then every literal through the
// shared model (value_model.h).
#include <bit>
#include <memory>

#include "codecs/core/byte_io.h"
#include "codecs/core/zigzag.h"
#include "codecs/core/error.h"
#include "codecs/entropy/match/sequences.h"
#include "codecs/entropy/cm/arith_encoder.h"
#include "codecs/entropy/cm/format.h"
#include "codecs/entropy/cm/raw_bits.h"
#include "codecs/entropy/match/match_find.h"

namespace lcz::cm {

namespace {

constexpr float kMatchMargin = 64;  // bits

// Whether the match model (scaled and noisy copies of earlier runs) is worth coding these
// literals with. Where they hold no such copies its chance matches cost 7-19 % of cm's time
// and gain nothing (README, "This VM against the 2026-12-01 reference machine"). Its gain is
// estimated with its own dynamics (ValueModel::match_gain, which on every net of best.json
// gave 1.3-2x what the model really saves), and the model is kept when that reaches 1/512 of
// the literals' size (bit width + 1 each): a stream gives up about 0.2 % at most for the speed,
// below issue 16's 0.3 % allowance. Costs 7-11 % of the encode; only the encoder decides.
constexpr int64_t kMatchGainShare = 512;

bool match_model_pays(std::span<const int32_t> literals) {
  int64_t size_bits = 0;
  for (const int32_t v : literals) {
    // bit width + 1 = 64 - clz(2m + 1): never a zero operand, so no branch on zeros.
    size_bits += 64 - __builtin_clzll(2 * uint64_t{magnitude(v)} + 1);
  }
  const int64_t needed = size_bits * 16 / kMatchGainShare;  // in 1/16 bits, as the gain
  return ValueModel::match_gain(literals, needed) >= needed;
}

}  // namespace

Bytes encode(const I32& values, const ModelParams& given, std::span<const uint8_t> context) {
  if (context.size() > values.size())
    throw Error(ErrorKind::codec, "cm: a context of " + std::to_string(context.size()) + " bytes for " +
                                      std::to_string(values.size()) + " values");
  ModelParams params = given;
  params.base_context = !context.empty();
  // In a base context the literals are residuals from the base, whose structure the context
  // bytes already carry: there the short-repeat model measured a loss (0.8% on the ONNX
  // fine-tune against its base), so it is left off.
  params.repeat = given.repeat && !params.base_context;
  // Exact and negated repeats go out as sequences, as in the rans stage: the model codes
  // only the literals between them. The model codes literals well below the finder's order-0
  // estimate, so a match must clear a wider margin here than for rans: short runs of cheap
  // values stay with the model.
  std::vector<match::Sequence> sequences;
  if (params.match) sequences = match::find_matches(values, kMatchMargin);
  match::LiteralReader reader(values, sequences);
  std::vector<int32_t> literals(reader.count());
  reader.read(literals.data(), literals.size());
  // The match model is kept where it pays for its time (the header says which).
  params.match = params.match && match_model_pays(literals);
  Bytes out;
  ByteWriter w(out);
  w.u8(kFormatVersion);
  w.u8(static_cast<uint8_t>(params.mantissa_bits | (params.match ? 4 : 0) | (params.base_context ? 8 : 0) |
                                    (params.repeat ? 16 : 0) | (params.zero ? 32 : 0) | (params.raw_bits ? 64 : 0)));
  w.u8(static_cast<uint8_t>(params.period));
  w.varint(values.size());
  match::write_sequence_section(sequences, w);
  if (literals.empty()) return out;
  auto model = std::make_unique<ValueModel>(params, literals.size(), literals.data(), nullptr);
  auto code_all = [&](auto& coder) {
    if (params.base_context) {
      const std::vector<uint8_t> ctx = match::literal_contexts(sequences, context, values.size());
      for (size_t i = 0; i < literals.size(); ++i) model->code(coder, literals[i], ctx[i]);
    } else {
      for (int32_t v : literals) model->code(coder, v);
    }
    coder.finish();
  };
  if (!params.raw_bits) {
    out.reserve(out.size() + literals.size() + 64);
    ArithEncoder coder(out);
    code_all(coder);
    return out;
  }
  Bytes coded, raw;
  coded.reserve(literals.size() / 2 + 64);
  raw.reserve(literals.size() + 64);
  RawBitsEncoder coder(coded, raw);
  code_all(coder);
  w.varint(coded.size());
  out.insert(out.end(), coded.begin(), coded.end());
  out.insert(out.end(), raw.begin(), raw.end());
  return out;
}

}  // namespace lcz::cm
