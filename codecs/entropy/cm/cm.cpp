#include "codecs/entropy/cm/cm.h"

#include "codecs/entropy/cm/format.h"

namespace lcz {
namespace {

class Cm final : public TypedStage<I32, Bytes> {
 public:
  Cm(const cm::ModelParams& params, uint64_t max_values) : params_(params), max_values_(max_values) {}

 protected:
  Bytes encode_typed(const I32& in) const override { return cm::encode(in, params_); }
  I32 decode_typed(const Bytes& in) const override { return cm::decode(in, max_values_, "cm"); }

 public:
  bool takes_context() const override { return true; }

 protected:
  Bytes encode_in_context_typed(const I32& in, std::span<const uint8_t> context) const override {
    return cm::encode(in, params_, context);
  }
  I32 decode_in_context_typed(const Bytes& in, std::span<const uint8_t> context) const override {
    return cm::decode(in, max_values_, "cm", context);
  }

 private:
  cm::ModelParams params_;
  uint64_t max_values_;
};

}  // namespace

StageDescriptor cm_stage() {
  return {.name = "cm",
          .kind = StageKind::entropy,
          .input = StreamType::i32,
          .output = StreamType::bytes,
          .doc = "exact and negated repeats as matches (LZ77 over ints), the other values through a context-mixing binary "
                 "arithmetic coder (own code); parameters are stored in the stream",
          .params = {{.name = "mantissa_bits",
                      .type = ParamType::integer,
                      .default_value = 1,
                      .min = 0,
                      .max = cm::kMaxMantissaBits,
                      .doc = "bits below a value's leading one that are modelled; the rest are coded at p = 1/2 (faster)"},
                     {.name = "period",
                      .type = ParamType::integer,
                      .default_value = 9,
                      .min = 1,
                      .max = cm::kMaxPeriod,
                      .doc = "distance of the 'same position in the previous kernel' context (9: 3x3 convolutions)"},
                     {.name = "match",
                      .type = ParamType::boolean,
                      .default_value = true,
                      .doc = "matches of exact and negated repeats, and a match model that predicts values from an earlier "
                             "run whose signs match, scaled by a fitted gain (the encoder keeps the match model where it "
                             "estimates that it pays for its time)"}},
          .library_version = {},
          .make = [](const Params& p, const StageContext& ctx) {
            cm::ModelParams mp;
            mp.mantissa_bits = static_cast<int>(p.integer("mantissa_bits"));
            mp.period = static_cast<int>(p.integer("period"));
            mp.match = p.boolean("match");
            return std::make_unique<Cm>(mp, ctx.max_decoded_bytes / 4);
          }};
}

}  // namespace lcz
