// ONNX models written back: the skeleton a container stores (onnx_reader.h) with the decoded
// weights put into its initializers, each in the type it had (float32, float16 or bfloat16:
// an initializer's type is part of the graph, whose nodes would not accept another one).
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "formats/onnx/onnx_model.pb.h"
#include "nets/net.h"

namespace lcz {

// The serialized model: tensors[i] goes into the i-th weight initializer of the skeleton
// (is_onnx_weight), whose name and element count must match, in the encoding encodings[i]
// (float32, float16 or bfloat16: the initializer's own type). Written deterministically.
// Throws lcz::Error(input) when the skeleton does not parse, lcz::Error(codec) when tensors
// and initializers do not match, a type differs, or a value is not finite or overflows its type.
std::string rebuild_onnx_model(const std::string& skeleton, std::span<const Tensor> tensors,
                               std::span<const SourceEncoding> encodings, const std::string& source);

// A weight initializer: `values` in `kind` (float32, float16 or bfloat16), in raw_data, or with
// raw = false in float_data (float32) or int32_data (16-bit kinds, one element per int32).
// Throws lcz::Error(codec) for values that are not finite or overflow the kind.
lczonnx::Tensor onnx_initializer(const std::string& name, const std::vector<int64_t>& dims, std::span<const float> values,
                                 SourceEncoding::Kind kind, bool raw = true);

// rebuild_onnx_model's bytes, gzip-compressed when asked (at level 1: the file is for loading).
std::vector<uint8_t> onnx_file_bytes(const std::string& serialized_model, bool gzip);

}  // namespace lcz
