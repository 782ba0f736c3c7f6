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
