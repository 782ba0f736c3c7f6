#pragma once
#include "codecs/core/stage.h"

namespace lcz {
// bytes -> bytes: byte-plane transpose of `width`-byte elements (all first bytes, then all
// second bytes, ...); a tail shorter than one element is kept as it is. Length is unchanged.
StageDescriptor byte_shuffle_stage();
}  // namespace lcz
