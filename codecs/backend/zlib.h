#pragma once
#include "codecs/core/stage.h"

namespace lcz {
// bytes -> bytes: one zlib stream (RFC 1950: deflate with Adler-32), as zlib's compress2 writes it.
StageDescriptor zlib_stage();
}  // namespace lcz
