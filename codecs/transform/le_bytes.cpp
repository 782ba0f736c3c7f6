#include "codecs/transform/le_bytes.h"

namespace lcz {
namespace {

class LeBytes final : public TypedStage<U32, Bytes> {
 public:
  explicit LeBytes(int width) : width_(width) {}

 protected:
  Bytes encode_typed(const U32& in) const override {
    Bytes out(in.size() * width_);
    const uint64_t limit = uint64_t{1} << (8 * width_);
    for (size_t i = 0; i < in.size(); ++i) {
      if (in[i] >= limit)
        throw_refused_at("le_bytes", i, "value " + std::to_string(in[i]) + " at index " + std::to_string(i) +
                                      " does not fit in " + std::to_string(width_) + " bytes");
      for (int b = 0; b < width_; ++b) out[i * width_ + b] = static_cast<uint8_t>(in[i] >> (8 * b));
    }
    return out;
  }
  U32 decode_typed(const Bytes& in) const override {
    if (in.size() % width_ != 0)
      throw_corrupt("le_bytes", in.size() - in.size() % width_,
                    std::to_string(in.size()) + " bytes is not a multiple of width " + std::to_string(width_));
    U32 out(in.size() / width_);
    for (size_t i = 0; i < out.size(); ++i) {
      uint32_t v = 0;
      for (int b = 0; b < width_; ++b) v |= uint32_t{in[i * width_ + b]} << (8 * b);
      out[i] = v;
    }
    return out;
  }

 private:
  int width_;
};

}  // namespace

StageDescriptor le_bytes_stage() {
  return {.name = "le_bytes",
          .kind = StageKind::transform,
          .input = StreamType::u32,
          .output = StreamType::bytes,
          .doc = "each value as `width` little-endian bytes",
          .params = {{.name = "width", .type = ParamType::integer, .default_value = 4, .min = 1, .max = 4,
                      .doc = "bytes per value; a value that does not fit is an error"}},
          .library_version = {},
          .make = [](const Params& p, const StageContext&) {
            return std::make_unique<LeBytes>(static_cast<int>(p.integer("width")));
          }};
}

}  // namespace lcz
