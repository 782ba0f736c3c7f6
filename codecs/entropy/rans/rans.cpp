#include "codecs/entropy/rans/rans.h"

#include "codecs/entropy/rans/decode.h"
#include "codecs/entropy/rans/encode.h"

namespace lcz {
namespace {

class Rans final : public TypedStage<I32, Bytes> {
 public:
  Rans(rans::EncoderOptions options, uint64_t max_values) : options_(options), max_values_(max_values) {}

 protected:
  Bytes encode_typed(const I32& in) const override { return rans::encode(in, options_); }
  I32 decode_typed(const Bytes& in) const override { return rans::decode(in, max_values_); }

 public:
  bool takes_context() const override { return true; }

 protected:
  Bytes encode_in_context_typed(const I32& in, std::span<const uint8_t> context) const override {
    return rans::encode(in, options_, context);
  }
  I32 decode_in_context_typed(const Bytes& in, std::span<const uint8_t> context) const override {
    return rans::decode(in, max_values_, context);
  }

 private:
  rans::EncoderOptions options_;
  uint64_t max_values_;
};

}  // namespace

StageDescriptor rans_stage() {
  return {.name = "rans",
          .kind = StageKind::entropy,
          .input = StreamType::i32,
          .output = StreamType::bytes,
          .doc = "matches of repeated or negated runs (LZ77 over ints) beside static rANS literals: magnitude-class "
                 "tokens, per-block tables chosen by the local scale (running mean of previous classes); raw sign and low bits. "
                 "In a base context: each value's table from its cell (local scale, base context byte), signs in the tokens",
          .params = {{.name = "block_log2",
                      .type = ParamType::integer,
                      .default_value = 16,
                      .min = 8,
                      .max = 24,
                      .doc = "largest block, as a power of two of values; a stream is cut into the fewest blocks of equal "
                             "length, each with its own tables"},
                     {.name = "precision",
                      .type = ParamType::integer,
                      .default_value = 12,
                      .min = 8,
                      .max = 15,
                      .doc = "largest table precision in bits (frequencies sum to 2^precision); small blocks use less"},
                     {.name = "tables",
                      .type = ParamType::integer,
                      .default_value = 8,
                      .min = 1,
                      .max = 8,
                      .doc = "most context tables per block (1 = order-0); fewer are used when tables cost more than they save"},
                     {.name = "matches",
                      .type = ParamType::boolean,
                      .default_value = true,
                      .doc = "code runs that repeat earlier values (copied or negated, any lag) as matches beside the literals"}},
          .library_version = {},
          .make = [](const Params& p, const StageContext& ctx) {
            rans::EncoderOptions o;
            o.block_log2 = static_cast<int>(p.integer("block_log2"));
            o.max_precision = static_cast<int>(p.integer("precision"));
            o.max_tables = static_cast<int>(p.integer("tables"));
            o.matches = p.boolean("matches");
            return std::make_unique<Rans>(o, ctx.max_decoded_bytes / 4);
          }};
}

}  // namespace lcz
