#include "codecs/transform/delta.h"

namespace lcz {
namespace {

// Wrapping arithmetic in uint32 makes encode and decode exact inverses for every input.
class Delta final : public TypedStage<I32, I32> {
 protected:
  I32 encode_typed(const I32& in) const override {
    I32 out(in.size());
    uint32_t prev = 0;
    for (size_t i = 0; i < in.size(); ++i) {
      uint32_t v = static_cast<uint32_t>(in[i]);
      out[i] = static_cast<int32_t>(v - prev);
      prev = v;
    }
    return out;
  }
  I32 decode_typed(const I32& in) const override {
    I32 out(in.size());
    uint32_t acc = 0;
    for (size_t i = 0; i < in.size(); ++i) {
      acc += static_cast<uint32_t>(in[i]);
      out[i] = static_cast<int32_t>(acc);
    }
    return out;
  }
};

}  // namespace

StageDescriptor delta_stage() {
  return {.name = "delta",
          .kind = StageKind::transform,
          .input = StreamType::i32,
          .output = StreamType::i32,
          .doc = "difference from the previous element (wrapping)",
          .params = {},
          .library_version = {},
          .make = [](const Params&, const StageContext&) { return std::make_unique<Delta>(); }};
}

}  // namespace lcz
