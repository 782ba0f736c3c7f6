#include "formats/onnx/onnx_format.h"

#include <algorithm>
#include <cctype>

#include "codecs/core/error.h"
#include "codecs/core/max_error.h"
#include "formats/onnx/onnx_reader.h"
#include "formats/onnx/onnx_writer.h"
#include "formats/output_policy.h"

namespace lcz {
namespace {

SourceNet read_onnx(std::span<const uint8_t> bytes, const std::filesystem::path& path) {
  const std::string name = path.string();
  lczonnx::Model model = parse_onnx_model(bytes, name);
  SourceNet s;
  s.name = name;
  s.format = SourceFormat::onnx;
  s.net.source = name;
  s.net.format = "onnx";
  s.net.tensors = onnx_tensors(model, name);
  if (s.net.tensors.empty()) throw_input(name + ": ONNX model without any float initializer (no weights to compress)");
  s.skeleton = onnx_skeleton(std::move(model));  // the tensors hold the weights now
  return s;
}

// Every initializer keeps its type: the graph's nodes take no other (a FLOAT16 weight written
// as FLOAT32 would make the model invalid). A FLOAT16/BFLOAT16 tensor whose decoded values,
// rounded to its type, break the bound is refused.
OutputChoice choose_onnx_output(const Tensor& original, const F32& decoded, double tolerance, const std::optional<CodedLattice>&) {
  const auto kind = original.source.kind;
  if (kind != SourceEncoding::Kind::float16 && kind != SourceEncoding::Kind::bfloat16) return as_decoded(original, decoded);
  size_t worst = 0;
  const double e = max_abs_error(original.values, round_trip_16(decoded, kind), &worst);
  if (e <= tolerance) return {.output = {kind, 0, 0}, .max_error = e, .worst = worst, .warning = ""};
  const bool half = kind == SourceEncoding::Kind::float16;
  const char* type = half ? "FLOAT16" : "BFLOAT16";
  throw Error(ErrorKind::verify, "initializer " + original.name + " is " + type + " in the ONNX graph, and its decoded " +
                                     "values rounded to " + type + " are off by up to " + std::to_string(e / tolerance) +
                                     " x the tolerance at weight " + std::to_string(worst) + " (ONNX cannot store it " +
                                     "in another type without changing the graph): use a smaller tolerance" +
                                     (half ? " (below 2^-25 every FLOAT16 value is kept)" : ""));
}

// An initializer keeps its type: FLOAT16 and BFLOAT16 as themselves, the rest as FLOAT32.
std::string onnx_contradiction(const TensorLayout& layout, const SourceEncoding& output, std::span<const float> decoded,
                               double tolerance) {
  using K = SourceEncoding::Kind;
  const K source = layout.source.kind;
  if (source == K::float16 || source == K::bfloat16) return ieee_contradiction(layout, output, decoded, tolerance, {source});
  if (source == K::linear16) return "initializer " + layout.name + " claims source encoding LINEAR16, which ONNX does not have";
  return ieee_contradiction(layout, output, decoded, tolerance, {K::none, K::float32});
}

bool ends_with_gz(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  return name.size() >= 3 && name.compare(name.size() - 3, 3, ".gz") == 0;
}

void write_onnx(const std::string& skeleton, Net net, std::span<const SourceEncoding> outputs, const std::string& source,
                const std::string& file_name, const ByteSink& sink) {
  std::string model = rebuild_onnx_model(skeleton, net.tensors, outputs, source);
  std::vector<Tensor>().swap(net.tensors);  // the initializers hold the weights now
  // ONNX travels both ways: plain for onnxruntime, gzip for the web; the name says which.
  const std::vector<uint8_t> file = onnx_file_bytes(model, ends_with_gz(file_name));
  std::string().swap(model);
  sink(file);
}

}  // namespace

NetFileFormat onnx_format() {
  return {.id = SourceFormat::onnx,
          .name = "onnx",
          .description = "ONNX model (.onnx, .onnx.gz): its FLOAT, FLOAT16 and BFLOAT16 initializers",
          .extensions = {".onnx", ".onnx.gz"},
          .sniff = {},  // a ModelProto has no magic: chosen by name (or --format onnx)
          .max_file_bytes = kMaxOnnxModelBytes,  // protobuf parses at most 2 GiB: refused unread
          .whole_tensors = true,                 // each initializer is checked whole in its own type
          .has_skeleton = true,
          .read = read_onnx,
          .choose_output = choose_onnx_output,
          .loaded_values = loaded_ieee,
          .loaded_error = ieee_loaded_error,
          .contradiction = onnx_contradiction,
          .write = write_onnx};
}

}  // namespace lcz
