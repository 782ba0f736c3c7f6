// ONNX models (.onnx, or .onnx.gz as served on the web): every float32, float16 and bfloat16
// initializer of the main graph is a tensor (name, dims, values); everything else (the graph,
// other initializers, opsets, metadata, fields this project's schema does not name) stays in
// the model's skeleton and is written back unchanged (onnx_writer.h).
#pragma once
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "formats/onnx/onnx_model.pb.h"
#include "nets/net.h"

namespace lcz {

// TensorProto.data_type values the reader turns into tensors.
inline constexpr int kOnnxFloat = 1, kOnnxFloat16 = 10, kOnnxBfloat16 = 16;
// TensorProto.data_location: the data lives in another file.
inline constexpr int kOnnxExternal = 1;
// protobuf parses at most INT_MAX bytes: the most an ONNX model (inflated) may hold.
inline constexpr size_t kMaxOnnxModelBytes = 0x7fffffff;
// Real models hold a few to a few thousand initializers; far more tiny ones would make a
// run of one call per tensor take hours. Refused by count.
inline constexpr size_t kMaxOnnxTensors = 65536;

// The model in the file (gunzipped first when it is gzip, up to max_inflated_bytes). Throws
// lcz::Error(input) naming `source` when it does not parse as an ONNX ModelProto or has no
// ir_version or graph.
lczonnx::Model parse_onnx_model(std::span<const uint8_t> file_bytes, const std::string& source,
                                size_t max_inflated_bytes = kMaxOnnxModelBytes);

// Whether an initializer is one of the model's weight tensors: float32/float16/bfloat16 with
// at least one element (dims as given; checked by onnx_tensors).
bool is_onnx_weight(const lczonnx::Tensor& initializer);

// The weight initializers of graph.initializer, in file order. Throws lcz::Error(input) naming
// the source and the initializer for: data in another file (data_location EXTERNAL, the file
// named), sparse initializers, segmented tensors, dims negative or above 2^32 - 1 or of rank
// above 16, data whose element count does not match the dims (or in a field its type does
// not use), empty, too long or repeated names, NaN/Inf values, more than kMaxOnnxTensors.
std::vector<Tensor> onnx_tensors(const lczonnx::Model& model, const std::string& source);

// The model with the data of every weight initializer cleared (raw_data kept present but
// empty where the data was raw, so the writer stores it the same way), serialized
// deterministically: what a container stores to rebuild the whole file. Taken by value: a
// caller done with the model moves it in, and its weights are not copied.
std::string onnx_skeleton(lczonnx::Model model);

Net read_onnx_net(std::span<const uint8_t> file_bytes, const std::filesystem::path& path,
                  size_t max_inflated_bytes = kMaxOnnxModelBytes);

}  // namespace lcz
