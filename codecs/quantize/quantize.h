#pragma once
#include "codecs/core/stage.h"

namespace lcz {
// f32 -> i32 multiples of a step derived from the pipeline tolerance:
//   truncate: step = tol, toward zero (the seed script; |error| < tol)
//   round:    step = 2*tol, to nearest (|error| <= tol with half as many levels)
// Every reconstructed value is checked against the tolerance at encode time.
StageDescriptor quantize_stage();
}  // namespace lcz
