// Frequency tables of a block, bit-coded: per table the first and last token with a
// nonzero frequency (8 bits each), then for every token between them the bit width of its
// frequency as a zigzag delta to the previous width in unary, followed by the bits below
// the leading one. Neighbouring tokens have similar frequencies, so a width costs ~2 bits.
#pragma once
#include <bit>
#include <cstdint>
#include <span>
#include <string>

#include "codecs/core/bit_reader.h"
#include "codecs/core/bit_writer.h"
#include "codecs/core/stream.h"

namespace lcz::rans {

// freq[t] for t < count (tokens beyond count are zero); the frequencies sum to 2^precision.
void write_table(BitWriter& w, const uint32_t* freq, int count);
// Reads one table into freq[0..token_count) and checks it: tokens below token_count, every
// frequency <= 2^precision, sum exactly 2^precision. Throws lcz::Error (codec) otherwise,
// and for a table that runs past r's bytes.
void read_table(BitReader& r, int precision, int token_count, uint32_t* freq);
// Bits write_table spends on a frequency f after one of width prev_width (for estimates).
inline int table_entry_bits(uint32_t f, int prev_width) {
  const int width = std::bit_width(f);
  const int d = width - prev_width;
  return (d >= 0 ? 2 * d : -2 * d - 1) + 1 + (width > 1 ? width - 1 : 0);
}

}  // namespace lcz::rans
