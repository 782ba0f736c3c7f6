// The one LSB-first bit reader (the order BitWriter writes), bounds-checked: the rans stage's
// frequency tables, the match sequences of rans and cm, bitpack's fixed-width values. It reads
// the caller's bytes in place: a read is one 64-bit load, a shift and a mask, with a byte-wise
// load only in the last 8 bytes. Past the end it reads zeros and says so (overrun), so that a
// hot loop may check once per group of reads; get_checked refuses each read that runs past.
#pragma once
#include <algorithm>
#include <bit>
#include <cstdint>
#include <span>
#include <string>

#include "codecs/core/error.h"
#include "codecs/core/little_endian.h"

namespace lcz {

class BitReader {
 public:
  // `base`: the stream offset of `in`, for messages.
  BitReader(std::span<const uint8_t> in, size_t base) : in_(in), bits_(in.size() * 8), base_(base) {}

  // n <= 32 bits; zeros past the end (then overrun() is true).
  uint32_t get(int n) {
    const uint64_t w = window();
    pos_ += static_cast<size_t>(n);
    return static_cast<uint32_t>(w & ((uint64_t{1} << n) - 1));
  }
  // The same, refused with lcz::Error(codec) "<stage>: at offset ...: <what> runs past its N
  // bytes" when the read goes past the end.
  uint32_t get_checked(int n, const char* stage, const char* what) {
    if (static_cast<size_t>(n) > bits_left())
      throw_corrupt(stage, byte_offset(), std::string(what) + " runs past its " + std::to_string(in_.size()) + " bytes");
    return get(n);
  }
  // An Elias gamma code (x >= 1), or 0 when its unary part is 32 bits or longer (no valid
  // code here is).
  uint64_t gamma() {
    const uint64_t w = window();
    const int zeros = std::countr_zero(w | (uint64_t{1} << 56));  // the window holds >= 57 bits
    if (zeros >= 32) return 0;
    pos_ += static_cast<size_t>(zeros) + 1;
    return zeros ? (uint64_t{1} << zeros) | get(zeros) : 1;
  }

  bool overrun() const { return pos_ > bits_; }
  size_t bits_left() const { return overrun() ? 0 : bits_ - pos_; }
  size_t byte_offset() const { return base_ + std::min(pos_, bits_) / 8; }

 private:
  // The next 57+ bits from pos_, zeros beyond the input.
  uint64_t window() const {
    const size_t byte = pos_ >> 3;
    uint64_t w = 0;
    if (byte + 8 <= in_.size()) {
      w = load_le64(in_.data() + byte);
    } else {
      for (size_t i = byte; i < in_.size(); ++i) w |= uint64_t{in_[i]} << (8 * (i - byte));
    }
    return w >> (pos_ & 7);
  }

  std::span<const uint8_t> in_;
  size_t bits_;
  size_t base_;
  size_t pos_ = 0;
};

}  // namespace lcz
