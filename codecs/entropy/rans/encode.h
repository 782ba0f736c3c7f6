// rANS encoder of int32 streams (format in format.h).
#pragma once
#include <cstdint>
#include <span>

#include "codecs/core/stream.h"

namespace lcz::rans {

struct EncoderOptions {
  // Largest block, as a power of two. Each block stores its own tables (~0.2% of a block of
  // 2^16 weights) and re-estimates them, which follows the changes of scale along a file
  // that concatenates tensors; on the Lc0 nets 2^15 .. 2^18 code within 0.1% of each other.
  int block_log2 = 16;
  int max_precision = 12;  // table precision cap (8..15)
  int max_tables = 8;      // context tables per block (1..8); 1 is order-0
  bool matches = true;     // look for repeated and negated runs (match_find.h)
};

// context: base context bytes of the last context.size() values (Stage::encode_in_context);
// when given, blocks are coded in mode 2 (format.h).
Bytes encode(std::span<const int32_t> values, const EncoderOptions& options, std::span<const uint8_t> context = {});

}  // namespace lcz::rans
