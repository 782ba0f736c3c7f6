// Output policies that formats share: a tensor written as decoded (float32), and one kept in
// its 16-bit float source encoding where that keeps the bound.
#pragma once
#include "formats/format.h"

namespace lcz {

// Written as decoded, in float32: the error is the decoded values' own.
OutputChoice as_decoded(const Tensor& original, const F32& decoded);

// FLOAT16/BFLOAT16 (original.source.kind) where the values rounded to it stay within the
// tolerance, else FLOAT32 with a warning.
OutputChoice keep_16bit_or_float32(const Tensor& original, const F32& decoded, double tolerance);

// The values rounded to float16 or bfloat16 and back (kind float16 or bfloat16).
F32 round_trip_16(std::span<const float> values, SourceEncoding::Kind kind);

// What a client loads from a tensor written in an IEEE encoding: float16/bfloat16 rounded
// values, otherwise the decoded values themselves.
F32 loaded_ieee(const F32& decoded, const SourceEncoding& output);

}  // namespace lcz
