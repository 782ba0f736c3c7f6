// rANS decoder of int32 streams (format in format.h). Every count, table, length and final
// state read from the stream is checked; a corrupt stream throws lcz::Error (kind codec).
#pragma once
#include <cstdint>
#include <span>

#include "codecs/core/stream.h"

namespace lcz::rans {

// max_values: refuse streams that claim more values than this.
// context: as given to encode; a block of mode 2 without one is refused.
I32 decode(std::span<const uint8_t> bytes, uint64_t max_values, std::span<const uint8_t> context = {});

}  // namespace lcz::rans
