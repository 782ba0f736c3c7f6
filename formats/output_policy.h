// Output policies that formats share: a tensor written as decoded (float32), and one kept in
// its 16-bit float source encoding where that keeps the bound.
#pragma once
#include <initializer_list>

#include "formats/format.h"

namespace lcz {

// Written as decoded, in float32: the error is the decoded values' own.
OutputChoice as_decoded(const Tensor& original, const F32& decoded);

// choose_output and loaded_values of the formats that write every tensor as decoded (raw
// float32, .npy): as_decoded, and the decoded values themselves.
OutputChoice choose_as_decoded(const Tensor& original, const F32& decoded, double tolerance,
                               const std::optional<CodedLattice>& coded);
F32 loaded_as_decoded(const F32& decoded, const SourceEncoding& output);

// FLOAT16/BFLOAT16 (original.source.kind) where the values rounded to it stay within the
// tolerance, else FLOAT32 with a warning.
OutputChoice keep_16bit_or_float32(const Tensor& original, const F32& decoded, double tolerance);

// The values rounded to float16 or bfloat16 and back (kind float16 or bfloat16).
F32 round_trip_16(std::span<const float> values, SourceEncoding::Kind kind);

// What a client loads from a tensor written in an IEEE encoding: float16/bfloat16 rounded
// values, otherwise the decoded values themselves.
F32 loaded_ieee(const F32& decoded, const SourceEncoding& output);

// The error of `decoded` written in an IEEE `output` (loaded_ieee) against the original's
// values: loaded_error of the formats whose clients read each tensor one way.
LoadedError ieee_loaded_error(const Tensor& original, std::span<const float> decoded, const SourceEncoding& output);

// "LINEAR16", "FLOAT16", ... for messages.
const char* encoding_kind_name(SourceEncoding::Kind kind);

// contradiction for a format that writes IEEE kinds: "" when `output.kind` is one of `allowed`
// (what the format writes for the tensor's source kind) and, for FLOAT16/BFLOAT16, every
// decoded value rounded to that kind stays within `tolerance` of itself.
std::string ieee_contradiction(const TensorLayout& layout, const SourceEncoding& output, std::span<const float> decoded,
                               double tolerance, std::initializer_list<SourceEncoding::Kind> allowed);

// The contradiction of the formats that write every tensor as decoded (raw float32, .npy):
// a source kind none or FLOAT32, and an output kind none or FLOAT32.
std::string as_decoded_contradiction(const TensorLayout& layout, const SourceEncoding& output, std::span<const float> decoded,
                                     double tolerance);

}  // namespace lcz
