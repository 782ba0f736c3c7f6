// The cm stream: a 3-byte header, the value count, then the arithmetic-coded values.
//
//   u8      format version (kFormatVersion)
//   u8      bits 0-1: mantissa_bits, bit 2: match model on, bits 3-7: zero
//   u8      period (1..kMaxPeriod)
//   varint  value count n
//   bytes   ArithEncoder output for the n values (nothing when n = 0)
#pragma once
#include <cstdint>
#include <span>

#include "codecs/core/stream.h"
#include "codecs/entropy/cm/value_model.h"

namespace lcz::cm {

// 2: contexts at a long lag found in the data, header words kept out of the scale averages,
// every bit modelled while the match model is confident.
// 3: fewer inputs per decision (about twice the speed), bypass bits coded one range halving
// each (no division in the decoder). Streams of versions 1 and 2 are refused.
constexpr uint8_t kFormatVersion = 3;

// A value needs at least one decision, and a decision at least -log2(1 - kPMin/65536) bits
// (3.5e-4): n values need at least n / 2841 bits. A count above that for the bytes present
// is refused before any work.
constexpr uint64_t kMaxValuesPerPayloadByte = 8 * 2841;

Bytes encode(const I32& values, const ModelParams& params);
// stage: the name in error messages; max_values: the largest count accepted.
I32 decode(std::span<const uint8_t> stream, uint64_t max_values, const char* stage);

}  // namespace lcz::cm
