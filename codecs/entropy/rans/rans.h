#pragma once
#include "codecs/core/stage.h"

namespace lcz {
// i32 -> bytes: our own static rANS coder for quantized weights. Runs that repeat earlier
// values (copied or negated) are matches (codecs/entropy/match/); each other value is a token
// (magnitude class + top mantissa bits) coded with 4 interleaved rANS states under one of up
// to 8 tables, chosen by a running mean of the classes of the values before (the local
// scale), plus raw sign and low bits. Tables are re-estimated per block and stored in the
// stream. Format: codecs/entropy/rans/format.h; encoder and decoder beside it.
StageDescriptor rans_stage();
}  // namespace lcz
