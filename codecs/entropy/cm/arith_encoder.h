// Binary arithmetic encoder of the cm stage: a range coder with carry propagation (the LZMA
// scheme: 32-bit range kept >= 2^24, 64-bit low, a cached byte plus a run of 0xFF bytes that
// a later carry may still increment). Probabilities are 16-bit P(bit = 1) in [1, 65535]; all
// arithmetic is integer, so the same input gives the same bytes on every machine.
//
// The encoder and ArithDecoder normalise identically, so the decoder consumes exactly the
// bytes written here. Two things are implied rather than stored: the byte every stream would
// start with (always 0) and the kTrimmed zero bytes it ends with.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "codecs/core/stream.h"

namespace lcz::cm {

constexpr uint32_t kTop = uint32_t{1} << 24;
// Zero bytes at the end of every stream that the decoder supplies itself.
constexpr uint64_t kTrimmed = 3;
// Equiprobable bits coded per step: a range >= 2^24 stays >= 2^12 after the shift.
constexpr int kChunk = 12;

class ArithEncoder {
 public:
  explicit ArithEncoder(Bytes& out) : out_(out) {}

  // Codes y (0 or 1) with P(1) = p1 / 65536 and returns y.
  int bit(uint32_t p1, int y) {
    const uint32_t bound = static_cast<uint32_t>((uint64_t{range_} * p1) >> 16);
    // Branch-free, as in the decoder: y is data, and a mispredicted branch costs more than
    // the two selects.
    const uint32_t mask = 0u - static_cast<uint32_t>(y != 0);
    low_ += bound & ~mask;
    range_ = (bound & mask) | ((range_ - bound) & ~mask);
    normalize();
    return y;
  }

  // The n low bits of v (n <= 32), each with probability 1/2, one halving of the range per
  // bit (the decoder then needs no division), normalised every kChunk bits.
  uint32_t bits(uint32_t v, int n) {
    while (n > 0) {
      const int k = n < kChunk ? n : kChunk;
      for (int i = 0; i < k; ++i) {
        --n;
        range_ >>= 1;
        low_ += ((v >> n) & 1) ? range_ : 0;
      }
      normalize();
    }
    return v;
  }

  // Ends the stream on the multiple of 2^24 inside the final interval: its last kTrimmed
  // bytes are then zero and are dropped.
  void finish() {
    low_ = (low_ + 0xFFFFFFu) & ~uint64_t{0xFFFFFFu};
    for (int i = 0; i < 5; ++i) shift_low();
    // Those five calls wrote at least kTrimmed bytes, all zero.
    out_.erase(out_.end() - static_cast<std::ptrdiff_t>(std::min<size_t>(kTrimmed, out_.size())), out_.end());
  }

 private:
  void normalize() {
    while (range_ < kTop) {
      range_ <<= 8;
      shift_low();
    }
  }
  // Emits the top byte of low, holding it back while a carry may still reach it.
  void shift_low() {
    if (static_cast<uint32_t>(low_) < 0xFF000000u || (low_ >> 32) != 0) {
      const uint8_t carry = static_cast<uint8_t>(low_ >> 32);
      uint8_t b = cache_;
      do {
        if (started_) out_.push_back(static_cast<uint8_t>(b + carry));
        started_ = true;  // the very first byte is always 0: not stored
        b = 0xFF;
      } while (--pending_ != 0);
      cache_ = static_cast<uint8_t>(low_ >> 24);
    }
    ++pending_;
    low_ = (low_ & 0x00FFFFFFu) << 8;
  }

  Bytes& out_;
  uint64_t low_ = 0;
  uint32_t range_ = 0xFFFFFFFFu;
  uint8_t cache_ = 0;
  uint64_t pending_ = 1;
  bool started_ = false;
};

}  // namespace lcz::cm
