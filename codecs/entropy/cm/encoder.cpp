// The cm encoder: header, the sequences of exact repeats, then every literal through the
// shared model (value_model.h).
#include <algorithm>
#include <bit>
#include <memory>

#include "codecs/core/byte_io.h"
#include "codecs/core/cpu_clones.h"
#include "codecs/core/zigzag.h"
#include "codecs/core/error.h"
#include "codecs/entropy/match/sequences.h"
#include "codecs/entropy/cm/arith_encoder.h"
#include "codecs/entropy/cm/crude_size.h"
#include "codecs/entropy/cm/format.h"
#include "codecs/entropy/cm/raw_bits.h"
#include "codecs/entropy/match/match_find.h"

namespace lcz::cm {

namespace {

constexpr float kMatchMargin = 64;  // bits

// The literals' size on a crude estimate, bit width + 1 each, in 1/16 bits: what the two
// optional models below must save 1/kModelGainShare of to be kept. Keeping a model that saves
// less gives up at most about 0.2 % of a stream for the model's time, below issue 16's 0.3 %
// allowance.
constexpr int64_t kModelGainShare = 512;

int64_t literal_size_q4(std::span<const int32_t> literals) { return crude_size_bits(literals) * 16; }

// Whether the match model (scaled and noisy copies of earlier runs) is worth coding these
// literals with. Where they hold no such copies its chance matches cost 7-19 % of cm's time
// and gain nothing (README, "This VM against the 2026-12-01 reference machine"). Its gain is
// estimated with its own dynamics (ValueModel::match_gain, which on every net of best.json
// gave 1.3-2x what the model really saves). Costs 3-5 % of the encode where it runs to the end
// (the maia nets); only the encoder decides (header flag).
LCZ_CLONES_FOR("arch=x86-64-v3")
[[gnu::flatten]] bool match_model_pays(std::span<const int32_t> literals, int64_t needed_q4) {
  return ValueModel::match_gain(literals, needed_q4) >= needed_q4;
}

// Whether the short-repeat model (value_model.h) is worth coding these literals with. It costs
// 4-6 % of the time of both coding and decoding, and where no short exact repeats recur it
// gains nothing or loses a little (on the shared nets -0.03 % to +0.015 % of the stream); on
// the dead-filter nets, where 16-value blocks recur, it saves 1.3-1.4 %. Running its dynamics
// to find out would cost about what the model costs, so this is a sample: every kSampleEvery-th
// block of kBlock literals, in which every value that repeats the one after an earlier
// occurrence of the 4 values before it, as the model would predict, counts its bit width + 1
// (zeros not: the model does not flag them). Repeats at lags within a block (the same plane of
// another channel, 64-1,088 values in the nets issue 16 describes) are found in full; a block
// also finds an earlier sampled block's values. Kept where the sample, scaled to the stream,
// reaches the same 1/512 of its size as the match model must save: on best.json the
// dead-filter nets estimate 7-8x that, the shared nets 0.15-0.6x.
LCZ_CLONES_FOR("arch=x86-64-v3")
bool repeat_model_pays(std::span<const int32_t> literals, int64_t needed_q4) {
  constexpr size_t kBlock = 4096, kSampleEvery = 4, kKey = 4;
  const size_t n = literals.size();
  if (n <= kKey) return false;
  size_t sampled = 0;
  for (size_t start = 0; start < n; start += kBlock * kSampleEvery) sampled += std::min(kBlock, n - start);
  // needed * sampled / n without overflow (needed < 2^40, sampled < 2^32).
  const int64_t needed_in_sample = static_cast<int64_t>(static_cast<__int128>(needed_q4) * sampled / n);
  const int table_bits = std::clamp(static_cast<int>(std::bit_width(sampled)), 6, 14);
  std::vector<uint64_t> table(size_t{1} << table_bits, 0);  // check << 32 | position after the 4 values
  int64_t saved_q4 = 0;
  for (size_t start = 0; start < n; start += kBlock * kSampleEvery) {
    const size_t end = std::min(start + kBlock, n);
    size_t next = 0;  // while a repeat lasts: the position whose value the next one should be
    for (size_t i = std::max(start, kKey); i < end; ++i) {
      const int32_t v = literals[i];
      if (next != 0) {
        if (literals[next] == v) {
          saved_q4 += v == 0 ? 0 : 16 * crude_bits(v);
          ++next;
        } else {
          next = 0;
        }
      }
      uint64_t key = static_cast<uint32_t>(literals[i - 4]);
      for (size_t k = 3; k >= 1; --k) key = key * 0x9E3779B97F4A7C15ull + static_cast<uint32_t>(literals[i - k]);
      key = (key ^ (key >> 29)) * 0xBF58476D1CE4E5B9ull;
      const size_t slot = key >> (64 - table_bits);
      const uint32_t check = static_cast<uint32_t>(key) | 1u;  // nonzero: 0 marks an empty slot
      const uint64_t entry = table[slot];
      const size_t found = static_cast<uint32_t>(entry);
      // As in the model, a repeat starts once the value after the 4 is the same there too.
      if (next == 0 && (entry >> 32) == check && literals[found] == v) next = found + 1;
      table[slot] = uint64_t{check} << 32 | static_cast<uint32_t>(i);
    }
    if (saved_q4 > 0 && saved_q4 >= needed_in_sample) return true;
  }
  return false;
}

// Every literal through the model, then the coder's end. ctx: the literals' base contexts, or
// empty. The loop that all of the encoder's time is in: compiled for x86-64-v3 as well, picked
// where the CPU has it (the same bytes: the model is integer-only), which measured 3 % faster.
template <class Coder>
[[gnu::always_inline]] inline void code_all(ValueModel& model, Coder& coder, std::span<const int32_t> literals,
                                            std::span<const uint8_t> ctx) {
  if (!ctx.empty()) {
    for (size_t i = 0; i < literals.size(); ++i) model.code(coder, literals[i], ctx[i]);
  } else {
    for (const int32_t v : literals) model.code(coder, v);
  }
  coder.finish();
}
LCZ_CLONES_FOR("arch=x86-64-v3")
[[gnu::flatten]] void code_literals(ValueModel& model, RawBitsEncoder& coder, std::span<const int32_t> literals,
                                    std::span<const uint8_t> ctx) {
  code_all(model, coder, literals, ctx);
}
// Streams without a raw section (tests pin them): once, for any x86-64.
void code_literals(ValueModel& model, ArithEncoder& coder, std::span<const int32_t> literals,
                   std::span<const uint8_t> ctx) {
  code_all(model, coder, literals, ctx);
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
  params.repeat = given.repeat && !params.base_context;  // and below, where it pays
  // Exact and negated repeats go out as sequences, as in the rans stage: the model codes
  // only the literals between them. The model codes literals well below the finder's order-0
  // estimate, so a match must clear a wider margin here than for rans: short runs of cheap
  // values stay with the model.
  std::vector<match::Sequence> sequences;
  if (params.match) sequences = match::find_matches(values, kMatchMargin);
  // The literals: the values themselves where no sequence was taken, else a copy of the
  // stretches between (not zero-filled first: every element is written).
  match::LiteralReader reader(values, sequences);
  std::unique_ptr<int32_t[]> copied;
  std::span<const int32_t> literals(values);
  if (!sequences.empty()) {
    copied = std::make_unique_for_overwrite<int32_t[]>(reader.count());
    reader.read(copied.get(), reader.count());
    literals = std::span<const int32_t>(copied.get(), reader.count());
  }
  // The match and short-repeat models are kept where they pay for their time (the header
  // says which).
  const int64_t needed_q4 = literal_size_q4(literals) / kModelGainShare;
  params.match = params.match && match_model_pays(literals, needed_q4);
  params.repeat = params.repeat && (params.repeat_always || repeat_model_pays(literals, needed_q4));
  Bytes out;
  ByteWriter w(out);
  w.u8(kFormatVersion);
  w.u8(static_cast<uint8_t>(params.mantissa_bits | (params.match ? 4 : 0) | (params.base_context ? 8 : 0) |
                                    (params.repeat ? 16 : 0) | (params.zero ? 32 : 0) | (params.raw_bits ? 64 : 0)));
  w.u8(static_cast<uint8_t>(params.period));
  w.varint(values.size());
  match::write_sequence_section(sequences, w);
  if (literals.empty()) return out;
  ValueModel model(params, literals.size(), literals.data(), nullptr);
  const std::vector<uint8_t> ctx =
      params.base_context ? match::literal_contexts(sequences, context, values.size()) : std::vector<uint8_t>();
  if (!params.raw_bits) {
    out.reserve(out.size() + literals.size() + 64);
    ArithEncoder coder(out);
    code_literals(model, coder, literals, ctx);
    return out;
  }
  Bytes coded, raw;
  coded.reserve(literals.size() / 2 + 64);
  raw.reserve(literals.size() + 64);
  RawBitsEncoder coder(coded, raw);
  code_literals(model, coder, literals, ctx);
  w.varint(coded.size());
  out.insert(out.end(), coded.begin(), coded.end());
  out.insert(out.end(), raw.begin(), raw.end());
  return out;
}

}  // namespace lcz::cm
