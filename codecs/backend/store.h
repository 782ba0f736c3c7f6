#pragma once
#include "codecs/core/stage.h"

namespace lcz {
// bytes -> bytes: copies its input. The baseline every backend is measured against.
StageDescriptor store_stage();
}  // namespace lcz
