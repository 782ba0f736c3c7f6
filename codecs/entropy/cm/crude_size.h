// A crude size of cm's literals, for the encoder's choices (encoder.cpp): each value's bit
// width + 1 bits, what a coder that knew only each value's scale would spend on it.
#pragma once
#include <cstdint>
#include <span>

#include "codecs/core/zigzag.h"

namespace lcz::cm {

// Bit width of |v| + 1 = 64 - clz(2|v| + 1), never a zero operand, so no branch on zeros.
inline int64_t crude_bits(int32_t v) { return 64 - __builtin_clzll(2 * uint64_t{magnitude(v)} + 1); }

// Which loop crude_size_bits() runs: `automatic` the AVX-512 one (8 values at a time;
// cpu_clones.h) where the CPU has it, else the portable one; `portable` always (for tests).
enum class CrudeSizeKernel { automatic, portable };

// The sum of crude_bits over the values.
int64_t crude_size_bits(std::span<const int32_t> values, CrudeSizeKernel kernel = CrudeSizeKernel::automatic);

}  // namespace lcz::cm
