#include "codecs/core/stage.h"

#include <algorithm>

namespace lcz {

Stream Stage::encode_against(const Stream&, const BaseTensor&, Bytes&) const {
  throw Error(ErrorKind::codec, "this stage cannot code against a base (only a quantizer, as the first stage, can)");
}

Stream Stage::decode_against(const Stream&, const BaseTensor&, std::span<const uint8_t>) const {
  throw Error(ErrorKind::codec, "this stage cannot decode against a base (only a quantizer, as the first stage, can)");
}

void Stage::base_context(const BaseTensor& base, std::span<const uint8_t>, uint8_t* out) const {
  std::fill(out, out + base.values.size(), uint8_t{0});
}

Stream Stage::encode_in_context(const Stream& in, std::span<const uint8_t>) const { return encode(in); }
Stream Stage::decode_in_context(const Stream& in, std::span<const uint8_t>) const { return decode(in); }

}  // namespace lcz
