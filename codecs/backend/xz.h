#pragma once
#include "codecs/core/stage.h"

namespace lcz {
// bytes -> bytes: one .xz stream with a CRC64 check, as `xz -<preset>` and Python's lzma.compress write.
StageDescriptor xz_stage();
}  // namespace lcz
