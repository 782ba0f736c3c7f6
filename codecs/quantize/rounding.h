// Uniform scalar quantization shared by the quantize and grid stages.
#pragma once
#include <cstdint>
#include <span>

namespace lcz {

// The value a quantized integer stands for, in float32 as it is decoded.
inline float dequantize(int32_t q, double step) { return static_cast<float>(q * step); }
// out[i] = dequantize(in[i], step) for every i (the decoders' loop, vectorized).
void dequantize_all(std::span<const int32_t> in, double step, float* out);

// out[i] = round-to-nearest (or truncate toward zero) of in[i] / step. Every reconstruction
// dequantize(out[i]) is checked against the tolerance; where float32 rounding puts it past
// `tolerance` (a value halfway between two grid points) the other neighbour is taken if it
// holds. A value that is not finite, needs more than 31 bits, or has no neighbour within
// `tolerance` is refused (throw_refused naming `stage` and the index).
void quantize_to_step(std::span<const float> in, double step, bool round, double tolerance, const char* stage,
                      int32_t* out);

// What quantize_to_step gives a base value, without checks (a base is only a prediction):
// saturated to int32, NaN to 0. Encoder and decoder compute it alike.
void predict_steps(std::span<const float> base, double step, bool round, int32_t* out);

// Wrapping int32 difference and sum, for residuals against a prediction.
inline int32_t wrap_sub(int32_t a, int32_t b) { return static_cast<int32_t>(static_cast<uint32_t>(a) - static_cast<uint32_t>(b)); }
inline int32_t wrap_add(int32_t a, int32_t b) { return static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b)); }

}  // namespace lcz
