// The cm stream's bypass bits (the low bits of a value below its modelled ones, each 1/2) in a
// section of their own, after the arithmetic code of the modelled decisions (cm header bit 6).
// A bypass bit costs one bit either way; in its own section it is a shift and a mask instead of
// a step of the arithmetic coder, whose state every decision waits on. Most of a weight's bits
// are bypass bits (6.25 per value of about 10 on the maia .pb.gz nets, counted in the encoder).
//
// Each wrapper is a Coder for ValueModel::code: bit() goes to the arithmetic coder, bits() to
// the raw section (LSB-first, bit_writer.h).
#pragma once
#include <cstdint>

#include "codecs/core/bit_reader.h"
#include "codecs/core/bit_writer.h"
#include "codecs/entropy/cm/arith_decoder.h"
#include "codecs/entropy/cm/arith_encoder.h"

namespace lcz::cm {

class RawBitsEncoder {
 public:
  RawBitsEncoder(Bytes& coded, Bytes& raw) : arith_(coded), raw_(raw) {}
  int bit(uint32_t p1, int y) { return arith_.bit(p1, y); }
  // v: the n low bits only (n <= 32), as ValueModel::code passes them.
  uint32_t bits(uint32_t v, int n) {
    raw_.put(v, n);
    return v;
  }
  void finish() {
    arith_.finish();
    raw_.flush();
  }

 private:
  ArithEncoder arith_;
  BitWriter raw_;
};

class RawBitsDecoder {
 public:
  // raw_base: the stream offset of `raw`, for messages.
  RawBitsDecoder(std::span<const uint8_t> coded, std::span<const uint8_t> raw, size_t raw_base)
      : arith_(coded), raw_(raw, raw_base) {}
  int bit(uint32_t p1, int y) { return arith_.bit(p1, y); }
  uint32_t bits(uint32_t, int n) { return raw_.get(n); }

  const ArithDecoder& arith() const { return arith_; }
  // The raw section was read to its last byte and no further, the bits after the last one
  // read (at most 7) zero, as the encoder pads: a stream has one way to be written.
  bool raw_consistent() {
    if (raw_.overrun()) return false;
    const size_t left = raw_.bits_left();
    return left < 8 && raw_.get(static_cast<int>(left)) == 0;
  }

 private:
  ArithDecoder arith_;
  BitReader raw_;
};

}  // namespace lcz::cm
