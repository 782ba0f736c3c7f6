#pragma once
#include "codecs/core/stage.h"

namespace lcz {
// u32 -> bytes: little-endian 7-bit groups, high bit set on every byte but a value's last.
// `max_bytes` caps the bytes per value (3 for the seed); a value that needs more is refused.
StageDescriptor varint_stage();
}  // namespace lcz
