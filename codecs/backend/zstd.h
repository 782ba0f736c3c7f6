#pragma once
#include "codecs/core/stage.h"

namespace lcz {
// bytes -> bytes: one zstd frame with content size and content checksum (as the zstd CLI writes).
StageDescriptor zstd_stage();
}  // namespace lcz
