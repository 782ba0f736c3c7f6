#pragma once
#include "codecs/core/stage.h"

namespace lcz {
// bytes -> bytes: one raw brotli stream (RFC 7932), as the brotli CLI writes it. The format has no
// checksum: a corrupted stream is an error when it breaks the structure, otherwise wrong bytes.
StageDescriptor brotli_stage();
}  // namespace lcz
