#include "codecs/core/stage.h"

namespace lcz {

Stream Stage::encode_against(const Stream&, std::span<const float>) const {
  throw Error(ErrorKind::codec, "this stage cannot code against a base (only a quantizer, as the first stage, can)");
}

Stream Stage::decode_against(const Stream&, std::span<const float>) const {
  throw Error(ErrorKind::codec, "this stage cannot decode against a base (only a quantizer, as the first stage, can)");
}

}  // namespace lcz
