// Fixed-width values packed least significant bit first, as bitpack writes them.
#pragma once
#include <cstdint>
#include <span>

namespace lcz {

// Calls emit(i, value) for n values of `width` bits (0..32) read from data, which the caller
// has checked holds at least (n * width + 7) / 8 bytes.
template <class Emit>
void unpack_bits(std::span<const uint8_t> data, uint64_t n, unsigned width, Emit&& emit) {
  const uint64_t mask = (uint64_t{1} << width) - 1;
  uint64_t acc = 0;
  unsigned filled = 0;
  size_t pos = 0;
  for (uint64_t i = 0; i < n; ++i) {
    while (filled < width) {
      acc |= uint64_t{data[pos++]} << filled;
      filled += 8;
    }
    emit(i, static_cast<uint32_t>(acc & mask));
    acc >>= width;
    filled -= width;
  }
}

}  // namespace lcz
