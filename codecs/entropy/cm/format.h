// The cm stream: a 3-byte header, the value count, the sequences of exact repeats, then the
// arithmetic-coded literals.
//
//   u8      format version (kFormatVersion)
//   u8      bits 0-1: mantissa_bits, bit 2: match model on, bit 3: coded in a base context
//           (the values' context bytes, from the stage before, select counters), bit 4: the
//           short-repeat model on (value_model.h; streams written before it have 0 and decode
//           as they did), bit 5: the zero flag on (likewise), bit 6: the bypass bits in a raw
//           section (raw_bits.h; likewise), bit 7: zero
//   u8      period (1..kMaxPeriod)
//   varint  value count n
//   varint  sequence count S (0 when the match model is off)
//   if S > 0: varint sequence bytes, the sequences (codecs/entropy/match/sequences.h)
//   then, for the L = n - (values the matches cover) literals (nothing when L = 0):
//   bit 6 clear: bytes   ArithEncoder output, bypass bits inside
//   bit 6 set:   varint  C, the byte count of the ArithEncoder output
//                bytes   the ArithEncoder output for the modelled decisions (C bytes)
//                bytes   the bypass bits in coding order, LSB-first, zero-padded to a byte
#pragma once
#include <cstdint>
#include <span>

#include "codecs/core/stream.h"
#include "codecs/entropy/cm/value_model.h"

namespace lcz::cm {

// 2: contexts at a long lag found in the data, header words kept out of the scale averages,
// every bit modelled while the match model is confident.
// 3: fewer inputs per decision, bypass bits coded one range halving each (no division in the
// decoder), an exact prediction confirmed by one decision, exact repeats as sequences beside
// the literals. Streams of versions 1 and 2 are refused.
constexpr uint8_t kFormatVersion = 3;

// A literal needs at least one decision, and a decision at least -log2(1 - kPMin/65536) bits
// (3.5e-4): L literals need at least L / 2841 bits. A count above that for the bytes present
// is refused before any work.
constexpr uint64_t kMaxValuesPerPayloadByte = 8 * 2841;

// context: bytes of the last context.size() values (Stage::encode_in_context); empty: none.
Bytes encode(const I32& values, const ModelParams& params, std::span<const uint8_t> context = {});
// stage: the name in error messages; max_values: the largest count accepted. A stream coded
// in a context needs the same context; one given to a stream coded without is not used.
I32 decode(std::span<const uint8_t> stream, uint64_t max_values, const char* stage, std::span<const uint8_t> context = {});

}  // namespace lcz::cm
