#pragma once
#include "codecs/core/stage.h"

namespace lcz {
// bytes -> bytes: one bzip2 stream, byte for byte what Python's bz2.compress(data, level) writes.
StageDescriptor bzip2_stage();
}  // namespace lcz
