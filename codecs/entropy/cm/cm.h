#pragma once
#include "codecs/core/stage.h"

namespace lcz {
// i32 -> bytes: our own context-mixing coder: exact and negated repeats as matches
// (codecs/entropy/match/), the other values by adaptive binary arithmetic coding of a
// binarisation of each value, contexts mixed per decision. codecs/entropy/cm/value_model.h
// describes the model, format.h the stream.
StageDescriptor cm_stage();
}  // namespace lcz
