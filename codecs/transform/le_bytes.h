#pragma once
#include "codecs/core/stage.h"

namespace lcz {
// u32 -> bytes: each value as `width` little-endian bytes (a wider value is refused).
StageDescriptor le_bytes_stage();
}  // namespace lcz
