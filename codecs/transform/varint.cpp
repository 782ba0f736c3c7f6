#include "codecs/transform/varint.h"

namespace lcz {
namespace {

class Varint final : public TypedStage<U32, Bytes> {
 public:
  Varint(int max_bytes, uint64_t max_values) : max_bytes_(max_bytes), max_values_(max_values) {}

 protected:
  Bytes encode_typed(const U32& in) const override {
    const uint64_t limit = max_bytes_ >= 5 ? uint64_t{1} << 32 : uint64_t{1} << (7 * max_bytes_);
    Bytes out;
    out.reserve(in.size() + in.size() / 2);
    for (size_t i = 0; i < in.size(); ++i) {
      uint32_t v = in[i];
      if (v >= limit)
        throw_refused_at("varint", i,
                         "value " + std::to_string(v) + " at index " + std::to_string(i) + " needs more than " +
                             std::to_string(max_bytes_) + " bytes (" + std::to_string(max_bytes_) +
                             " bytes hold values below 2^" + std::to_string(7 * max_bytes_) + ")");
      while (v >= 0x80) {
        out.push_back(static_cast<uint8_t>(v | 0x80));
        v >>= 7;
      }
      out.push_back(static_cast<uint8_t>(v));
    }
    return out;
  }

  U32 decode_typed(const Bytes& in) const override {
    U32 out;
    out.reserve(in.size() / 2);
    size_t i = 0;
    while (i < in.size()) {
      const size_t start = i;
      uint64_t v = 0;
      for (int n = 0;; ++n) {
        if (n == max_bytes_) throw_corrupt("varint", start, "value longer than " + std::to_string(max_bytes_) + " bytes");
        if (i == in.size()) throw_corrupt("varint", start, "last value is cut off");
        uint8_t b = in[i++];
        v |= uint64_t{b & 0x7fu} << (7 * n);
        if (!(b & 0x80)) break;
      }
      if (v > 0xffffffffu) throw_corrupt("varint", start, "value exceeds 32 bits");
      if (out.size() == max_values_) throw_corrupt("varint", start, "more values than the decode limit");
      out.push_back(static_cast<uint32_t>(v));
    }
    return out;
  }

 private:
  int max_bytes_;
  uint64_t max_values_;
};

}  // namespace

StageDescriptor varint_stage() {
  return {.name = "varint",
          .kind = StageKind::transform,
          .input = StreamType::u32,
          .output = StreamType::bytes,
          .doc = "LEB128 varint: 7 bits per byte, least significant first, high bit = continue",
          .params = {{.name = "max_bytes",
                      .type = ParamType::integer,
                      .default_value = 5,
                      .min = 1,
                      .max = 5,
                      .doc = "most bytes per value; a wider value is an error (the seed uses 3)"}},
          .library_version = {},
          .make = [](const Params& p, const StageContext& ctx) {
            return std::make_unique<Varint>(static_cast<int>(p.integer("max_bytes")), ctx.max_decoded_bytes / 4);
          }};
}

}  // namespace lcz
