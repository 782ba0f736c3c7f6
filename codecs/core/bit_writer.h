// LSB-first bit writer onto a byte vector: the bit-coded parts of the rans stage's streams
// (frequency tables, sequences of matches).
#pragma once
#include <cstdint>

#include "codecs/core/stream.h"

namespace lcz {

class BitWriter {
 public:
  explicit BitWriter(Bytes& out) : out_(out) {}
  void put(uint32_t bits, int n) {  // n <= 32
    acc_ |= uint64_t{bits} << fill_;
    fill_ += n;
    for (; fill_ >= 8; fill_ -= 8, acc_ >>= 8) out_.push_back(static_cast<uint8_t>(acc_));
  }
  void flush() {
    if (fill_ > 0) out_.push_back(static_cast<uint8_t>(acc_));
    acc_ = 0;
    fill_ = 0;
  }

 private:
  Bytes& out_;
  uint64_t acc_ = 0;
  int fill_ = 0;
};

}  // namespace lcz
