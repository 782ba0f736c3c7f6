#include "codecs/quantize/quantize.h"

#include <cmath>
#include <limits>

namespace lcz {
namespace {

class Quantize final : public TypedStage<F32, I32> {
 public:
  Quantize(bool round, double tolerance) : round_(round), tolerance_(tolerance) {
    step_ = round ? 2 * tolerance : tolerance;
    inv_step_ = 1.0 / step_;
  }

 protected:
  I32 encode_typed(const F32& in) const override {
    I32 out(in.size());
    constexpr double kMax = std::numeric_limits<int32_t>::max();
    for (size_t i = 0; i < in.size(); ++i) {
      double x = in[i];
      if (!std::isfinite(x)) throw_refused("quantize", "value " + std::to_string(x) + " at index " + std::to_string(i) + " is not finite");
      double scaled = x * inv_step_;
      double q = round_ ? std::nearbyint(scaled) : std::trunc(scaled);
      if (std::fabs(q) > kMax)
        throw_refused("quantize", "value " + std::to_string(x) + " at index " + std::to_string(i) +
                                      " needs more than 31 bits at step " + std::to_string(step_));
      out[i] = static_cast<int32_t>(q);
      // The bound holds in exact arithmetic; this catches what float32 reconstruction loses
      // when the step is not a power of two.
      if (std::fabs(static_cast<double>(reconstruct(out[i])) - x) > tolerance_)
        throw_refused("quantize", "value at index " + std::to_string(i) +
                                      " cannot be reconstructed in float32 within the tolerance");
    }
    return out;
  }
  F32 decode_typed(const I32& in) const override {
    F32 out(in.size());
    for (size_t i = 0; i < in.size(); ++i) out[i] = reconstruct(in[i]);
    return out;
  }

 private:
  float reconstruct(int32_t q) const { return static_cast<float>(q * step_); }
  bool round_;
  double tolerance_, step_, inv_step_;
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
