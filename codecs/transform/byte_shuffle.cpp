#include "codecs/transform/byte_shuffle.h"

namespace lcz {
namespace {

class ByteShuffle final : public TypedStage<Bytes, Bytes> {
 public:
  explicit ByteShuffle(size_t width) : width_(width) {}

 protected:
  Bytes encode_typed(const Bytes& in) const override {
    Bytes out(in.size());
    const size_t n = in.size() / width_;
    for (size_t i = 0; i < n; ++i)
      for (size_t b = 0; b < width_; ++b) out[b * n + i] = in[i * width_ + b];
    std::copy(in.begin() + n * width_, in.end(), out.begin() + n * width_);
    return out;
  }
  Bytes decode_typed(const Bytes& in) const override {
    Bytes out(in.size());
    const size_t n = in.size() / width_;
    for (size_t i = 0; i < n; ++i)
      for (size_t b = 0; b < width_; ++b) out[i * width_ + b] = in[b * n + i];
    std::copy(in.begin() + n * width_, in.end(), out.begin() + n * width_);
    return out;
  }

 private:
  size_t width_;
};

}  // namespace

StageDescriptor byte_shuffle_stage() {
  return {.name = "byte_shuffle",
          .kind = StageKind::transform,
          .input = StreamType::bytes,
          .output = StreamType::bytes,
          .doc = "byte-plane transpose of width-byte elements (groups bytes of equal significance)",
          .params = {{.name = "width", .type = ParamType::integer, .default_value = 4, .min = 2, .max = 16,
                      .doc = "element size in bytes"}},
          .library_version = {},
          .make = [](const Params& p, const StageContext&) {
            return std::make_unique<ByteShuffle>(static_cast<size_t>(p.integer("width")));
          }};
}

}  // namespace lcz
