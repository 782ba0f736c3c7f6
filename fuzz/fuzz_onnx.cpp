// The ONNX reader (gzip or plain onnx.ModelProto -> float initializers as tensors) on arbitrary
// bytes, with a 1 MiB inflate limit: a bomb is refused early. What it accepts must make a
// skeleton and rebuild into a model that reads back to the same tensors (the writer on every
// model the reader takes, not only on the ones the tests make).
#include <cstring>

#include "formats/onnx/onnx_reader.h"
#include "formats/onnx/onnx_writer.h"
#include "fuzz/fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lcz::fuzz::expect_only(lcz::ErrorKind::input, [&] {
    const std::string source = "fuzz.onnx.gz";
    const lczonnx::Model model = lcz::parse_onnx_model(std::span<const uint8_t>(data, size), source, size_t{1} << 20);
    const std::vector<lcz::Tensor> tensors = lcz::onnx_tensors(model, source);
    std::vector<lcz::SourceEncoding> encodings;
    for (const auto& t : tensors) encodings.push_back(t.source);
    const std::string rebuilt = lcz::rebuild_onnx_model(lcz::onnx_skeleton(model), tensors, encodings, source);
    const auto bytes = std::span(reinterpret_cast<const uint8_t*>(rebuilt.data()), rebuilt.size());
    const std::vector<lcz::Tensor> again = lcz::onnx_tensors(lcz::parse_onnx_model(bytes, source), source);
    bool same = again.size() == tensors.size();
    for (size_t i = 0; same && i < tensors.size(); ++i)
      same = again[i].name == tensors[i].name && again[i].shape == tensors[i].shape &&
             again[i].source.kind == tensors[i].source.kind && again[i].values.size() == tensors[i].values.size() &&
             std::memcmp(again[i].values.data(), tensors[i].values.data(), tensors[i].values.size() * sizeof(float)) == 0;
    if (!same) {
      std::fprintf(stderr, "an accepted model does not rebuild to the same tensors\n");
      std::abort();
    }
  });
  return 0;
}
