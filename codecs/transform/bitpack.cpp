#include "codecs/transform/bitpack.h"

#include <algorithm>
#include <bit>
#include <optional>

#include "codecs/core/bit_reader.h"
#include "codecs/core/byte_io.h"

namespace lcz {
namespace {

class Bitpack final : public TypedStage<U32, Bytes> {
 public:
  Bitpack(std::optional<int> bits, uint64_t max_values) : bits_(bits), max_values_(max_values) {}

 protected:
  Bytes encode_typed(const U32& in) const override {
    uint32_t all = 0;
    for (uint32_t v : in) all |= v;
    const int needed = std::bit_width(all);
    const int bits = bits_.value_or(needed);
    if (needed > bits) {
      const auto wide = std::find_if(in.begin(), in.end(), [&](uint32_t v) { return static_cast<int>(std::bit_width(v)) > bits; });
      throw_refused_at("bitpack", static_cast<uint64_t>(wide - in.begin()),
                       "value " + std::to_string(*wide) + " at index " + std::to_string(wide - in.begin()) + " needs " +
                           std::to_string(std::bit_width(*wide)) + " bits, more than bits=" + std::to_string(bits));
    }
    Bytes out;
    ByteWriter w(out);
    w.varint(in.size());
    w.u8(static_cast<uint8_t>(bits));
    out.reserve(out.size() + (in.size() * bits + 7) / 8);
    uint64_t acc = 0;
    int filled = 0;
    for (uint32_t v : in) {
      acc |= uint64_t{v} << filled;
      filled += bits;
      while (filled >= 8) {
        out.push_back(static_cast<uint8_t>(acc));
        acc >>= 8;
        filled -= 8;
      }
    }
    if (filled > 0) out.push_back(static_cast<uint8_t>(acc));
    return out;
  }

  U32 decode_typed(const Bytes& in) const override {
    ByteReader r(in, "bitpack");
    const uint64_t count = r.count(max_values_, "value count");
    const size_t bits_at = r.offset();
    const int bits = r.u8();
    if (bits > 32) r.fail(bits_at, "bit width " + std::to_string(bits) + " exceeds 32");
    const uint64_t payload = (count * bits + 7) / 8;
    if (payload != r.remaining())
      r.fail(r.offset(), "expected " + std::to_string(payload) + " payload bytes for " + std::to_string(count) +
                             " values of " + std::to_string(bits) + " bits, found " + std::to_string(r.remaining()));
    auto data = r.bytes(payload);
    U32 out(count);
    BitReader values(data, 0);  // its length was checked above
    for (uint64_t i = 0; i < count; ++i) out[i] = values.get(bits);
    return out;
  }

 private:
  std::optional<int> bits_;
  uint64_t max_values_;
};

}  // namespace

StageDescriptor bitpack_stage() {
  return {.name = "bitpack",
          .kind = StageKind::transform,
          .input = StreamType::u32,
          .output = StreamType::bytes,
          .doc = "fixed bit width per value, LSB first; header: varint count, u8 width",
          .params = {{.name = "bits",
                      .type = ParamType::integer,
                      .default_value = nullptr,
                      .min = 0,
                      .max = 32,
                      .doc = "bit width; unset = the narrowest that holds every value of the stream"}},
          .library_version = {},
          .make = [](const Params& p, const StageContext& ctx) {
            std::optional<int> bits;
            if (p.is_set("bits")) bits = static_cast<int>(p.integer("bits"));
            return std::make_unique<Bitpack>(bits, ctx.max_decoded_bytes / 4);
          }};
}

}  // namespace lcz
