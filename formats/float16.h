// IEEE binary16 and bfloat16 to and from float32, bit-exact: the element encodings that Lc0
// layers (FLOAT16/BFLOAT16) and other formats' tensors share.
#pragma once
#include <cstdint>

namespace lcz {

float half_to_float(uint16_t half);        // IEEE binary16, exact (subnormals, Inf, NaN)
float bfloat16_to_float(uint16_t bf16);    // the upper 16 bits of a binary32
uint16_t float_to_half(float value);       // round to nearest even; overflow gives Inf
uint16_t float_to_bfloat16(float value);   // round to nearest even; overflow gives Inf

}  // namespace lcz
