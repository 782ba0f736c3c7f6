#include "codecs/transform/zigzag.h"

#include "codecs/core/zigzag.h"

namespace lcz {
namespace {

class Zigzag final : public TypedStage<I32, U32> {
 protected:
  U32 encode_typed(const I32& in) const override {
    U32 out(in.size());
    for (size_t i = 0; i < in.size(); ++i) out[i] = zigzag32(in[i]);
    return out;
  }
  I32 decode_typed(const U32& in) const override {
    I32 out(in.size());
    for (size_t i = 0; i < in.size(); ++i) out[i] = unzigzag32(in[i]);
    return out;
  }
};

}  // namespace

StageDescriptor zigzag_stage() {
  return {.name = "zigzag",
          .kind = StageKind::transform,
          .input = StreamType::i32,
          .output = StreamType::u32,
          .doc = "map signed to unsigned: 0,-1,1,-2,2 -> 0,1,2,3,4",
          .params = {},
          .library_version = {},
          .make = [](const Params&, const StageContext&) { return std::make_unique<Zigzag>(); }};
}

}  // namespace lcz
