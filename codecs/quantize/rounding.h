// Uniform scalar quantization shared by the quantize and grid stages.
#pragma once
#include <cstdint>
#include <span>

namespace lcz {

// The value a quantized integer stands for, in float32 as it is decoded.
inline float dequantize(int32_t q, double step) { return static_cast<float>(q * step); }

// out[i] = round-to-nearest (or truncate toward zero) of in[i] / step. Every reconstruction
// dequantize(out[i]) is checked against the tolerance; a value that is not finite, needs more
// than 31 bits, or would be reconstructed farther than `tolerance` is refused (throw_refused
// naming `stage` and the index).
void quantize_to_step(std::span<const float> in, double step, bool round, double tolerance, const char* stage,
                      int32_t* out);

}  // namespace lcz
