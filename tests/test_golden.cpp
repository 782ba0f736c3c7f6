// Golden .lcz files (tests/golden/, its README.md): one per net file format, written once and
// committed with the SHA-256 of what they decode to. A change that breaks format 1.0 (the
// container, a stage's stream, a format's writer) fails here, and not only when the writer is
// read back by the reader of the same build. Every registered format must have one.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "container/lcz_codec.h"
#include "container/output_file.h"
#include "formats/float16.h"
#include "formats/format.h"
#include "formats/gzip.h"
#include "formats/lc0/lc0_file.h"
#include "formats/npy/npy_file.h"
#include "formats/onnx/onnx_writer.h"
#include "codecs/core/splitmix.h"
#include "nets/sha256.h"
#include "pipeline/presets.h"
#include "pipeline/spec.h"
#include "tests/test_support.h"

using namespace lcz;
namespace fs = std::filesystem;

namespace {

const fs::path kGoldenDir = fs::path(LCZ_SOURCE_DIR) / "tests" / "golden";

// One row of tests/golden/golden.tsv: the container, the base it was coded against ("-":
// none), the SHA-256 of its decoded float32 values (little-endian, in net order) and of the
// file decompress writes (gunzipped when it is gzip: zlib's bytes are not part of the format).
struct GoldenRow {
  std::string file, base, values_sha256, output_sha256;
};

std::vector<GoldenRow> read_manifest() {
  std::ifstream in(kGoldenDir / "golden.tsv");
  REQUIRE(in);
  std::vector<GoldenRow> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    GoldenRow r;
    fields >> r.file >> r.base >> r.values_sha256 >> r.output_sha256;
    INFO(line);
    REQUIRE(r.output_sha256.size() == 64);
    rows.push_back(r);
  }
  return rows;
}

std::string values_sha256(const Net& net) {
  const std::vector<float> all = concatenated(net);
  return sha256_hex(std::span(reinterpret_cast<const uint8_t*>(all.data()), all.size() * sizeof(float)));
}

std::string output_sha256(const DecompressResult& d) {
  const Bytes file = output_file_bytes(d);
  return sha256_hex(is_gzip(file) ? gunzip(file, "golden output", size_t{1} << 30) : file);
}

std::optional<BaseNet> base_of(const std::string& base) {
  if (base == "-") return std::nullopt;
  return read_base_net(read_file_bytes(kGoldenDir / base), base);
}

// ---- The inputs, made by code (tests/golden/README.md: regenerate only on purpose) ----

// Deterministic on every platform (std:: distributions are not): splitmix64, and Laplace
// values (heavy-tailed like real weights: maia-1900's conv weights have std 0.033 and reach
// 15-25 std) from the inverse CDF.
struct Rng : SplitMix64 {
  using SplitMix64::SplitMix64;
  float laplace(double std_dev) {
    const double u = (static_cast<double>(next() >> 11) + 0.5) * 0x1p-53 - 0.5;  // (-1/2, 1/2)
    return static_cast<float>(-std_dev / std::sqrt(2.0) * std::copysign(std::log(1 - 2 * std::fabs(u)), u));
  }
};

std::vector<float> laplace_values(Rng& rng, size_t n, double std_dev) {
  std::vector<float> v(n);
  for (float& x : v) x = rng.laplace(std_dev);
  return v;
}

// An Lc0 SE net in miniature with the layer kinds maia-1900 has: LINEAR16 conv weights whose
// grid is coarser than 2 tol (coded exactly), finer (coded on a lattice), between tol and 2 tol
// (a fitted lattice), batch-norm means, constant gammas of 1, and a FLOAT16 layer.
Bytes golden_lc0_input() {
  Rng rng(13);
  pblczero::Net net;
  net.set_magic(kLc0Magic);
  net.mutable_min_version()->set_minor(21);
  net.mutable_format()->set_weights_encoding(pblczero::Format::LINEAR16);
  auto* w = net.mutable_weights();
  using Kind = SourceEncoding::Kind;
  auto layer = [&](pblczero::Weights::Layer* l, std::vector<float> v, double range, Kind kind) {
    if (range > 0) {  // the layer's range, reached at both ends
      const float half = static_cast<float>(range / 2);
      for (float& x : v) x = std::clamp(x, -half, half);
      v[0] = -half, v[1] = half;
    }
    write_lc0_layer(*l, v, kind);
  };
  layer(w->mutable_input()->mutable_weights(), laplace_values(rng, 576, 0.033), 1.6, Kind::linear16);  // step 2.4e-5
  layer(w->mutable_input()->mutable_bn_means(), laplace_values(rng, 16, 0.39), 2.1, Kind::linear16);
  layer(w->mutable_input()->mutable_bn_gammas(), std::vector<float>(16, 1.0f), 0, Kind::linear16);
  auto* res = w->add_residual();
  layer(res->mutable_conv1()->mutable_weights(), laplace_values(rng, 1152, 0.033), 0.8, Kind::linear16);  // 1.2e-5
  layer(res->mutable_conv2()->mutable_weights(), laplace_values(rng, 1152, 0.033), 0.3, Kind::linear16);  // 4.6e-6
  layer(res->mutable_se()->mutable_w1(), laplace_values(rng, 128, 0.12), 0.9, Kind::linear16);
  layer(res->mutable_se()->mutable_b1(), laplace_values(rng, 8, 0.1), 0, Kind::float16);
  layer(w->mutable_ip_val_b(), laplace_values(rng, 3, 0.2), 0, Kind::float32);
  std::string raw;
  REQUIRE(net.SerializeToString(&raw));
  return gzip_compress(std::span(reinterpret_cast<const uint8_t*>(raw.data()), raw.size()));
}

Bytes f32_bytes(const std::vector<float>& v) {
  Bytes b(v.size() * sizeof(float));
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}

// A flat net and its fine-tune: the update is small against the weights (the shared ONNX pair
// differs by 2.65 % of the weights' spread), so most chunks code smaller against the base.
std::pair<Bytes, Bytes> golden_f32_base_and_target() {
  Rng rng(17);
  const std::vector<float> base = laplace_values(rng, 1024, 0.05);
  std::vector<float> target = base;
  for (float& x : target) x += rng.laplace(0.05 * 0.0265);
  return {f32_bytes(base), f32_bytes(target)};
}

Bytes golden_npy_input() {
  Rng rng(19);
  Net net;
  net.tensors.push_back({"w", {24, 40}, laplace_values(rng, 960, 0.06), {SourceEncoding::Kind::float32, 0, 0}});
  return npy_file_bytes(net);
}

// An ONNX model in miniature shaped like the leela2onnx nets (maia-2200.onnx.gz: batch norm
// folded into the convolutions, so each output channel of a kernel has its own scale, spread
// over about 0.02-0.5 in one layer): a conv kernel in raw_data, its bias in float_data, an
// int64 shape initializer, a FLOAT16 dense layer (raw_data) and a BFLOAT16 bias (int32_data),
// an opaque node, opset and metadata entry, and a field of a later ONNX version; gzip-compressed.
Bytes golden_onnx_input() {
  Rng rng(23);
  using Kind = SourceEncoding::Kind;
  lczonnx::Model m;
  m.set_ir_version(8);
  m.set_producer_name("lcz golden");
  m.add_opset_import(std::string("\x0a\x00\x10\x11", 4));                  // {domain "", version 17}
  lczonnx::StringEntry entry;  // metadata_props holds StringStringEntryProto, the same wire format
  entry.set_key("made");
  entry.set_value("code");
  m.add_metadata_props(entry.SerializeAsString());
  m.GetReflection()->MutableUnknownFields(&m)->AddVarint(99, 7);
  lczonnx::Graph& g = *m.mutable_graph();
  g.set_name("golden");
  g.add_node(std::string("\x0a\x01x\x12\x01y\x22\x04Relu", 12));         // {input x, output y, op_type Relu}
  std::vector<float> kernel;
  for (int channel = 0; channel < 16; ++channel) {
    const double scale = 0.02 + 0.48 * (static_cast<double>(rng.next() >> 11) * 0x1p-53);  // 0.02 .. 0.5
    const std::vector<float> w = laplace_values(rng, 8 * 9, scale);
    kernel.insert(kernel.end(), w.begin(), w.end());
  }
  auto half_exact = [](std::vector<float> v, Kind kind) {
    for (float& x : v) x = kind == Kind::float16 ? half_to_float(float_to_half(x)) : bfloat16_to_float(float_to_bfloat16(x));
    return v;
  };
  *g.add_initializer() = onnx_initializer("/conv/w/kernel", {16, 8, 3, 3}, kernel, Kind::float32);
  *g.add_initializer() = onnx_initializer("/conv/w/bias", {16}, laplace_values(rng, 16, 1.5), Kind::float32, /*raw=*/false);
  lczonnx::Tensor& shape = *g.add_initializer();
  shape.set_name("/const/shape");
  shape.set_data_type(7);
  shape.add_dims(2);
  shape.add_int64_data(-1);
  shape.add_int64_data(1024);
  *g.add_initializer() = onnx_initializer("/dense/w", {64, 4}, half_exact(laplace_values(rng, 256, 0.05), Kind::float16), Kind::float16);
  *g.add_initializer() = onnx_initializer("/dense/b", {4}, half_exact(laplace_values(rng, 4, 0.5), Kind::bfloat16), Kind::bfloat16, false);
  std::string raw;
  REQUIRE(m.SerializeToString(&raw));
  return gzip_compress(std::span(reinterpret_cast<const uint8_t*>(raw.data()), raw.size()));
}

PipelineSpec pipeline_of(const std::string& json) { return parse_pipeline(nlohmann::json::parse(json), "", "golden"); }

void write_file(const fs::path& path, std::span<const uint8_t> bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
}

}  // namespace

TEST_CASE("golden .lcz files decode to their recorded SHA-256, one per registered format", "[golden]") {
  const std::vector<GoldenRow> rows = read_manifest();
  std::map<std::string, int> per_format;
  std::set<uint16_t> minors;  // 1.0 files must still read beside those of this version
  for (const GoldenRow& row : rows) {
    INFO("tests/golden/" << row.file);
    const Bytes file = read_file_bytes(kGoldenDir / row.file);
    const std::optional<BaseNet> base = base_of(row.base);
    const DecompressResult d = decompress(file, row.file, base ? &*base : nullptr, 1);
    CHECK(d.header.major == 1);
    minors.insert(d.header.minor);
    CHECK(values_sha256(d.net) == row.values_sha256);
    CHECK(output_sha256(d) == row.output_sha256);
    ++per_format[source_format_name(d.header.source_format)];
  }
  CHECK(minors == std::set<uint16_t>{0, kContainerMinor});
  for (const NetFileFormat& f : net_file_formats()) {
    INFO("format " << f.name << " needs a golden .lcz in tests/golden/golden.tsv (tests/golden/README.md)");
    CHECK(per_format[f.name] > 0);
  }
  // A golden file without a row (coded alone) fails, and says the row to add once it is checked.
  std::set<std::string> listed;
  for (const GoldenRow& row : rows) listed.insert(row.file);
  for (const auto& entry : fs::directory_iterator(kGoldenDir)) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".lcz" || listed.count(name)) continue;
    const DecompressResult d = decompress(read_file_bytes(entry.path()), name, nullptr, 1);
    FAIL_CHECK("tests/golden/" << name << " has no row in golden.tsv; its row would be:\n"
                               << name << "\t-\t" << values_sha256(d.net) << "\t" << output_sha256(d));
  }
}

// The hidden cases below rewrite committed files: a run that selects them by accident (Catch2
// runs hidden cases for a negated tag such as "~[slow]") fails instead, unless asked for.
void require_golden_write_asked() {
  const char* asked = std::getenv("LCZ_GOLDEN_WRITE");
  if (asked == nullptr || std::string(asked) != "1")
    FAIL("this case rewrites tests/golden/: run it with LCZ_GOLDEN_WRITE=1 (tests/golden/README.md)");
}

// Writes the golden files and tests/golden/golden.tsv again: only when format 1.0 changes on
// purpose (tests/golden/README.md). Hidden: build/bin/lcz_tests "[.golden-write]".
TEST_CASE("write the golden .lcz files", "[.golden-write]") {
  require_golden_write_asked();
  struct Golden {
    std::string file, base_file;
    Bytes input, base;
    std::string input_name;
    PipelineSpec pipeline;
    uint64_t chunk_weights;
  };
  const auto [f32_base, f32_target] = golden_f32_base_and_target();
  const std::vector<Golden> goldens = {
      {"lc0.lcz", "", golden_lc0_input(), {}, "golden.pb.gz", preset_pipeline("strong"), 1500},
      {"f32.lcz", "f32-base.f32", f32_target, f32_base, "golden.f32", preset_pipeline("fast"), 300},
      {"npy.lcz", "", golden_npy_input(), {}, "golden.npy",
       pipeline_of(R"({"name": "npy-golden", "granularity": "tensor",
                       "stages": [{"stage": "quantize", "mode": "round"}, "zigzag", "varint", "zstd"]})"),
       0},
      {"onnx.lcz", "", golden_onnx_input(), {}, "golden.onnx.gz", preset_pipeline("strong"), 800},
  };
  std::string manifest =
      "# Golden .lcz files (README.md here): file, base (- none), SHA-256 of the decoded float32 values,\n"
      "# SHA-256 of the file decompress writes (gunzipped when gzip). Written by lcz_tests \"[.golden-write]\".\n";
  for (const Golden& g : goldens) {
    CompressOptions o;
    o.pipeline = g.pipeline;
    o.chunk_weights = g.chunk_weights;
    std::optional<BaseNet> base;
    if (!g.base.empty()) {
      write_file(kGoldenDir / g.base_file, g.base);
      base = read_base_net(g.base, g.base_file);
      o.base = &*base;
    }
    const CompressResult r = compress(read_source_net(g.input, g.input_name), o);
    write_file(kGoldenDir / g.file, r.file);
    const DecompressResult d = decompress(r.file, g.file, base ? &*base : nullptr, 1);
    manifest += g.file + "\t" + (g.base.empty() ? "-" : g.base_file) + "\t" + values_sha256(d.net) + "\t" +
                output_sha256(d) + "\n";
    WARN(g.file << ": " << r.file.size() << " bytes, " << d.net.weight_count() << " weights, "
                << r.chunks_against_base << " of " << d.header.chunks.size() << " chunks against a base");
  }
  std::ofstream(kGoldenDir / "golden.tsv") << manifest;
}

// Container version 1.1 (payload checksums bind each chunk's place; the bound checked under
// every LINEAR16 decoder lc0 uses): the Lc0 and the f32-against-a-base goldens written again as
// lc0-1.1.lcz and f32-1.1.lcz beside the 1.0 files, which stay to show that 1.0 still reads.
// Replaces their rows in golden.tsv, keeps the others. Hidden: "[.golden-write-1.1]".
TEST_CASE("write the version 1.1 golden .lcz files", "[.golden-write-1.1]") {
  require_golden_write_asked();
  const auto [f32_base, f32_target] = golden_f32_base_and_target();
  const BaseNet base = read_base_net(f32_base, "f32-base.f32");
  struct Golden {
    std::string file;
    Bytes input;
    std::string input_name;
    const char* preset;
    uint64_t chunk_weights;
    const BaseNet* base;
  };
  const std::vector<Golden> goldens = {{"lc0-1.1.lcz", golden_lc0_input(), "golden.pb.gz", "strong", 1500, nullptr},
                                       {"f32-1.1.lcz", f32_target, "golden.f32", "fast", 300, &base}};
  std::string manifest;
  {
    std::ifstream in(kGoldenDir / "golden.tsv");
    std::string line;
    while (std::getline(in, line))
      if (line.rfind("lc0-1.1.lcz\t", 0) != 0 && line.rfind("f32-1.1.lcz\t", 0) != 0) manifest += line + "\n";
  }
  for (const Golden& g : goldens) {
    CompressOptions o;
    o.pipeline = preset_pipeline(g.preset);
    o.chunk_weights = g.chunk_weights;
    o.base = g.base;
    const CompressResult r = compress(read_source_net(g.input, g.input_name), o);
    write_file(kGoldenDir / g.file, r.file);
    const DecompressResult d = decompress(r.file, g.file, g.base, 1);
    REQUIRE(d.header.minor == 1);
    manifest += g.file + "\t" + (g.base ? "f32-base.f32" : "-") + "\t" + values_sha256(d.net) + "\t" + output_sha256(d) + "\n";
  }
  std::ofstream(kGoldenDir / "golden.tsv") << manifest;
}
