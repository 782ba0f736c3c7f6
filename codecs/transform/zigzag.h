#pragma once
#include "codecs/core/stage.h"

namespace lcz {
// i32 -> u32: 0,-1,1,-2,2 ... -> 0,1,2,3,4 ..., so small magnitudes of either sign become small codes.
StageDescriptor zigzag_stage();
}  // namespace lcz
