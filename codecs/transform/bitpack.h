#pragma once
#include "codecs/core/stage.h"

namespace lcz {
// u32 -> bytes at a fixed bit width: header varint(count), u8(bits), then values packed
// least significant bit first. Width is the stream's minimum unless `bits` is given.
StageDescriptor bitpack_stage();
}  // namespace lcz
