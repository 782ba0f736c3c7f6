#pragma once
#include "codecs/core/stage.h"

namespace lcz {
// i32 -> bytes: our own context-mixing coder (adaptive binary arithmetic coding of a
// binarisation of each value, several contexts mixed per decision). codecs/entropy/cm/
// value_model.h describes the model, format.h the stream.
StageDescriptor cm_stage();
}  // namespace lcz
