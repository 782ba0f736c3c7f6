#include "codecs/quantize/quantize.h"

#include "codecs/core/byte_io.h"
#include "codecs/quantize/base_prediction.h"
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
    dequantize_all(in, step_, out.data());
    return out;
  }

  // Against a base: the integers alone, minus the base's or minus a fitted prediction
  // (base_prediction.h), whichever the estimate says is smallest; the choice is the side record.
 public:
  bool codes_against_base() const override { return true; }
  bool side_uses_base(std::span<const uint8_t> side) const override {
    return !side.empty() && side[0] != static_cast<uint8_t>(BasePrediction::Mode::alone);
  }
  void base_context(const BaseTensor& base, std::span<const uint8_t> side, uint8_t* out) const override {
    prediction_contexts(read_record(side, base.values.size()), base.values, space(), out);
  }

 protected:
  I32 encode_against_typed(const F32& in, const BaseTensor& base, Bytes& side) const override {
    if (base.values.size() != in.size())
      throw_refused("quantize", "a base of " + std::to_string(base.values.size()) + " values for " + std::to_string(in.size()));
    const I32 own = encode_typed(in);
    I32 out;
    const BasePrediction p = choose_prediction(own, base, space(), out);
    ByteWriter w(side);
    write_prediction(p, w);
    return out;
  }
  F32 decode_against_typed(const I32& in, const BaseTensor& base, std::span<const uint8_t> side) const override {
    if (base.values.size() != in.size())
      throw_corrupt("quantize", 0, std::to_string(in.size()) + " values against a base of " + std::to_string(base.values.size()));
    if (side.empty()) {  // format 1.0: the integers minus the base's
      I32 q(in.size());
      predict_steps(base.values, step_, round_, q.data());
      for (size_t i = 0; i < q.size(); ++i) q[i] = wrap_add(in[i], q[i]);
      return decode_typed(q);
    }
    const BasePrediction p = read_record(side, in.size());
    if (p.mode == BasePrediction::Mode::alone) return decode_typed(in);
    I32 q(in.size());
    predicted_indices(p, base.values, space(), q.data());
    for (size_t i = 0; i < q.size(); ++i) q[i] = wrap_add(in[i], q[i]);
    return decode_typed(q);
  }

 private:
  IndexSpace space() const { return {.a = 1.0 / step_, .c0 = 0, .nearest = round_}; }
  static BasePrediction read_record(std::span<const uint8_t> side, uint64_t n) {
    ByteReader r(side, "quantize");
    BasePrediction p = read_prediction(r, n);
    r.expect_end();
    return p;
  }

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
