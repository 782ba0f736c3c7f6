// Binary arithmetic decoder of the cm stage, the mirror of ArithEncoder (arith_encoder.h).
// It never reads outside its input: bytes past the end are fed as zeros and counted, and the
// caller refuses a stream whose count differs from kTrimmed at its end (or exceeds it earlier).
#pragma once
#include <algorithm>
#include <cstdint>
#include <span>

#include "codecs/entropy/cm/arith_encoder.h"

namespace lcz::cm {

class ArithDecoder {
 public:
  explicit ArithDecoder(std::span<const uint8_t> in) : p_(in.data()), end_(in.data() + in.size()) {
    for (int i = 0; i < 4; ++i) code_ = (code_ << 8) | next();
  }

  // The second argument mirrors ArithEncoder::bit and is ignored.
  int bit(uint32_t p1, int) {
    const uint32_t bound = static_cast<uint32_t>((uint64_t{range_} * p1) >> 16);
    const int y = code_ < bound;
    // Branch-free: a decoded bit is unpredictable by nature.
    const uint32_t mask = 0u - static_cast<uint32_t>(y);
    code_ -= bound & ~mask;
    range_ = (bound & mask) | ((range_ - bound) & ~mask);
    normalize();
    return y;
  }

  uint32_t bits(uint32_t, int n) {
    uint32_t v = 0;
    while (n > 0) {
      const int k = n < kChunk ? n : kChunk;
      n -= k;
      for (int i = 0; i < k; ++i) {
        range_ >>= 1;
        // A stream written by the encoder keeps code < range; a corrupt one is refused by the
        // end-of-stream checks (code is only ever reduced here, never wraps).
        const uint32_t y = code_ >= range_;
        code_ -= range_ & (0u - y);
        v = (v << 1) | y;
      }
      normalize();
    }
    return v;
  }

  // Bytes asked for beyond the end of the input.
  uint64_t overrun() const { return overrun_; }
  // Bytes of the input not consumed.
  size_t unread() const { return static_cast<size_t>(end_ - p_); }
  // In a stream written by the encoder the code value always lies inside the range.
  bool consistent() const { return code_ < range_; }

 private:
  void normalize() {
    while (range_ < kTop) {
      range_ <<= 8;
      code_ = (code_ << 8) | next();
    }
  }
  uint32_t next() {
    if (p_ != end_) return *p_++;
    ++overrun_;
    return 0;
  }

  const uint8_t* p_;
  const uint8_t* end_;
  uint32_t code_ = 0;
  uint32_t range_ = 0xFFFFFFFFu;
  uint64_t overrun_ = 0;
};

}  // namespace lcz::cm
