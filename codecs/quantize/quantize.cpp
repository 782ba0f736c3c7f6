#include "codecs/quantize/quantize.h"

#include "codecs/quantize/rounding.h"

namespace lcz {
namespace {

class Quantize final : public TypedStage<F32, I32> {
 public:
  Quantize(bool round, double tolerance)
      : round_(round), tolerance_(tolerance), step_(round ? 2 * tolerance : tolerance) {}

 protected:
  I32 encode_typed(const F32& in) const override {
    I32 out(in.size());
    quantize_to_step(in, step_, round_, tolerance_, "quantize", out.data());
    return out;
  }
  F32 decode_typed(const I32& in) const override {
    F32 out(in.size());
    for (size_t i = 0; i < in.size(); ++i) out[i] = dequantize(in[i], step_);
    return out;
  }

  // Against a base: each integer minus the one the base value gives (wrapping).
 public:
  bool codes_against_base() const override { return true; }

 protected:
  I32 encode_against_typed(const F32& in, std::span<const float> base) const override {
    if (base.size() != in.size())
      throw_refused("quantize", "a base of " + std::to_string(base.size()) + " values for " + std::to_string(in.size()));
    I32 out = encode_typed(in), predicted(in.size());
    predict_steps(base, step_, round_, predicted.data());
    for (size_t i = 0; i < out.size(); ++i) out[i] = wrap_sub(out[i], predicted[i]);
    return out;
  }
  F32 decode_against_typed(const I32& in, std::span<const float> base) const override {
    if (base.size() != in.size())
      throw_corrupt("quantize", 0, std::to_string(in.size()) + " values against a base of " + std::to_string(base.size()));
    I32 q(in.size());
    predict_steps(base, step_, round_, q.data());
    for (size_t i = 0; i < q.size(); ++i) q[i] = wrap_add(in[i], q[i]);
    return decode_typed(q);
  }

 private:
  bool round_;
  double tolerance_, step_;
};

}  // namespace

StageDescriptor quantize_stage() {
  return {.name = "quantize",
          .kind = StageKind::quantize,
          .input = StreamType::f32,
          .output = StreamType::i32,
          .doc = "float32 -> integer multiples of the step (truncate: step=tol; round: step=2*tol)",
          .params = {{.name = "mode",
                      .type = ParamType::string,
                      .default_value = "round",
                      .choices = {"truncate", "round"},
                      .doc = "truncate toward zero at step tol (the seed) or round to nearest at step 2*tol"}},
          .library_version = {},
          .make = [](const Params& p, const StageContext& ctx) {
            return std::make_unique<Quantize>(p.string("mode") == "round", ctx.tolerance);
          }};
}

}  // namespace lcz
