#pragma once
#include "codecs/core/stage.h"

namespace lcz {
// f32 -> i32, lossless where the weights came from Lc0's LINEAR16 encoding: if every value
// of the stream is reproduced bit for bit by v = u/65535 * (max-min) + min (Lc0 release
// formula) or by v = min*(1-t) + max*t, t = u/65535 (Lc0 development formula), with
// min/max the stream's extremes and a grid step of at least 2*tol, the output is the grid
// index u minus the index of zero (max error 0). Otherwise it rounds to multiples of 2*tol
// like `quantize` (mode round). Header, as the first output values: [path] or
// [path, bits(min), bits(max)]. Run it per tensor (granularity "tensor" or tensor_stages).
StageDescriptor grid_stage();
}  // namespace lcz
