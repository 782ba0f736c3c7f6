#pragma once
#include "codecs/core/stage.h"

namespace lcz {
// i32 -> i32: each value minus the previous one (wrapping), the first minus zero.
StageDescriptor delta_stage();
}  // namespace lcz
