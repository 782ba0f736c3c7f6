// Writes the seeds of the fuzz targets into DIR/<target>/: fuzz_make_seeds DIR (DIR is
// emptied first). ctest runs it before replaying the corpora, scripts/fuzz.sh before fuzzing;
// the seeds are never committed (tests/fuzz/<target>/ holds only inputs found by fuzzing).
// Every seed is made here, by code, from the current formats: small Lc0 nets of each
// encoding, small ONNX models of each float type and data field, npy files of each header version, raw .f32, valid encodings of every registered
// stage, small containers, the shipped configs. No real net is copied; scripts/fuzz.sh adds
// slices of the shared nets at fuzz time.
#include <bit>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include <sstream>

#include "codecs/core/registry.h"
#include "container/lcz_codec.h"
#include "container/output_file.h"
#include "formats/gzip.h"
#include "formats/lc0/lc0_file.h"
#include "fuzz/base_pair.h"
#include "formats/onnx/onnx_writer.h"
#include "harness/report/writers.h"

namespace fs = std::filesystem;
using namespace lcz;

namespace {

void write(const fs::path& path, std::string_view bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string as_text(std::span<const uint8_t> b) { return std::string(reinterpret_cast<const char*>(b.data()), b.size()); }

std::vector<float> weights(size_t n, uint32_t seed, float scale = 0.1f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0, scale);
  std::vector<float> v(n);
  for (float& x : v) x = normal(rng);
  return v;
}

pblczero::Net lc0_net() {
  pblczero::Net net;
  net.set_magic(kLc0Magic);
  net.mutable_weights();
  return net;
}

void lc0_seeds(const fs::path& dir) {
  using Kind = SourceEncoding::Kind;
  int n = 0;
  auto save = [&](const pblczero::Net& net) {
    const std::string raw = net.SerializeAsString();
    const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(raw.data()), raw.size());
    write(dir / ("net-" + std::to_string(n) + ".pb"), raw);
    write(dir / ("net-" + std::to_string(n) + ".pb.gz"), as_text(gzip_compress(bytes)));
    ++n;
  };
  for (Kind kind : {Kind::linear16, Kind::float16, Kind::bfloat16, Kind::float32}) {
    pblczero::Net net = lc0_net();
    auto* w = net.mutable_weights();
    write_lc0_layer(*w->mutable_input()->mutable_weights(), weights(24, 1), kind);
    for (uint32_t d : {2u, 3u, 4u}) w->mutable_input()->mutable_weights()->add_dims(d);
    write_lc0_layer(*w->mutable_input()->mutable_biases(), weights(2, 2), kind);
    auto* res = w->add_residual();
    write_lc0_layer(*res->mutable_conv1()->mutable_weights(), weights(8, 3), kind);
    write_lc0_layer(*res->mutable_se()->mutable_w1(), weights(4, 4), kind);
    write_lc0_layer(*w->mutable_ip_pol_b(), weights(3, 5), kind);
    save(net);
  }
  {  // the net-wide default encoding, a layer without its own
    pblczero::Net net = lc0_net();
    net.mutable_format()->set_weights_encoding(pblczero::Format::LINEAR16);
    auto* layer = net.mutable_weights()->mutable_ip1_val_w();
    write_lc0_layer(*layer, weights(5, 6), Kind::linear16);
    layer->clear_encoding();
    save(net);
  }
  {  // a constant LINEAR16 layer (min == max) and an encoder layer
    pblczero::Net net = lc0_net();
    write_lc0_layer(*net.mutable_weights()->mutable_ip_val_b(), std::vector<float>(4, 0.25f), Kind::linear16);
    save(net);
  }
}

void npy_seeds(const fs::path& dir) {
  auto npy = [](int version, const std::string& shape, size_t count) {
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
    const size_t preamble = version == 1 ? 10 : 12;
    header.append(64 - (preamble + header.size() + 1) % 64, ' ').push_back('\n');
    std::string file = std::string("\x93NUMPY", 6) + static_cast<char>(version) + '\0';
    const uint32_t len = static_cast<uint32_t>(header.size());
    file.push_back(static_cast<char>(len & 0xff));
    file.push_back(static_cast<char>(len >> 8));
    if (version != 1) file.append({static_cast<char>(len >> 16), static_cast<char>(len >> 24)});
    const std::vector<float> v = weights(count, 7);
    return file + header + std::string(reinterpret_cast<const char*>(v.data()), v.size() * 4);
  };
  write(dir / "v1-flat.npy", npy(1, "(6,)", 6));
  write(dir / "v1-matrix.npy", npy(1, "(2, 3)", 6));
  write(dir / "v1-scalar.npy", npy(1, "()", 1));
  write(dir / "v2-4d.npy", npy(2, "(1, 2, 2, 1)", 4));
  write(dir / "v3-flat.npy", npy(3, "(3,)", 3));
}

void f32_seeds(const fs::path& dir) {
  const std::vector<float> v = weights(16, 8);
  write(dir / "sixteen.f32", std::string(reinterpret_cast<const char*>(v.data()), v.size() * 4));
  const float one = std::bit_cast<float>(0x3f808b1fu);  // 1.00424, stored 1f 8b 80 3f: starts like gzip
  write(dir / "one.f32", std::string(reinterpret_cast<const char*>(&one), 4));
}

Stream input_of(StreamType type, size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::geometric_distribution<int> small(0.1);
  switch (type) {
    case StreamType::f32: return weights(n, seed);
    case StreamType::i32: {
      I32 v(n);
      for (auto& x : v) x = (rng() & 1 ? 1 : -1) * small(rng);
      return v;
    }
    case StreamType::u32: {
      U32 v(n);
      for (auto& x : v) x = static_cast<uint32_t>(small(rng));
      return v;
    }
    case StreamType::bytes: {
      Bytes v(n);
      for (auto& x : v) x = static_cast<uint8_t>(small(rng));
      return v;
    }
  }
  return Bytes{};
}

std::string payload(const Stream& s) {
  return std::visit([](const auto& v) { return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(v[0])); }, s);
}

std::string u32le(size_t v) {
  const uint32_t x = static_cast<uint32_t>(v);
  return std::string(reinterpret_cast<const char*>(&x), 4);
}

// The forms of fuzz_stage_decode that reach coding given a base: a coder's stream coded in a
// context ("<stage>@context"), a quantizer's values and side record against a base
// ("<stage>@base"), from a pair made like a fine-tuned net (channels scaled, noise).
void given_base_seeds(const StageDescriptor& d, const fs::path& dir) {
  const std::unique_ptr<Stage> stage = d.make(validate_params(d.params, nlohmann::json::object(), d.name), StageContext{});
  int n = 0;
  if (stage->takes_context()) {
    for (size_t count : {1, 200, 3000}) {
      const Stream in = input_of(d.input, count, static_cast<uint32_t>(count));
      std::vector<uint8_t> context(count - count / 4);
      for (size_t i = 0; i < context.size(); ++i) context[i] = static_cast<uint8_t>(1 + (i * 37) % 240);
      const Stream encoded = stage->encode_in_context(in, context);
      write(dir / (d.name + "-context-" + std::to_string(n++)),
            d.name + "@context\n" + u32le(context.size()) + as_text(context) + payload(encoded));
    }
    if (d.input == StreamType::i32) {
      // Values whose signs and sizes follow their context bytes, as a residual from a base's
      // prediction does (rans codes them in its base cells: a version 4 stream).
      std::mt19937 rng(29);
      const size_t count = 30000;
      std::vector<uint8_t> context(count);
      I32 values(count);
      for (size_t i = 0; i < count; ++i) {
        const uint32_t cls = rng() % 15, frac = rng() % 8;
        context[i] = static_cast<uint8_t>(1 + (cls * 8 + frac) * 2 + (rng() & 1));
        const bool positive = rng() % 8 < frac;
        values[i] = rng() % 3 ? 0 : static_cast<int32_t>(1 + rng() % (1 + cls / 4)) * (positive ? 1 : -1);
      }
      const Stream encoded = stage->encode_in_context(values, context);
      write(dir / (d.name + "-context-" + std::to_string(n++)),
            d.name + "@context\n" + u32le(context.size()) + as_text(context) + payload(encoded));
    }
  }
  if (stage->codes_against_base()) {
    for (uint32_t channels : {1u, 4u, 16u}) {
      const std::vector<uint32_t> shape = {channels, 8, 3, 3};
      const std::vector<float> base = weights(size_t{channels} * 72, channels);
      std::vector<float> target(base.size());
      for (size_t i = 0; i < base.size(); ++i) target[i] = base[i] * (1.0f + 0.01f * static_cast<float>(i / 72 % 7)) + 1e-5f;
      Bytes side;
      const Stream encoded = stage->encode_against(target, BaseTensor(base, shape), side);
      write(dir / (d.name + "-base-" + std::to_string(n++)),
            d.name + "@base\n" + u32le(side.size()) + as_text(side) + u32le(base.size()) +
                std::string(reinterpret_cast<const char*>(base.data()), base.size() * 4) + payload(encoded));
    }
  }
}

void stage_seeds(const fs::path& dir) {
  for (const StageDescriptor& d : all_stages()) {
    // Defaults, and each integer parameter at the ends of its range.
    std::vector<nlohmann::json> variants = {nlohmann::json::object()};
    for (const ParamSpec& p : d.params)
      if (p.type == ParamType::integer && p.min && p.max)
        for (double v : {*p.min, *p.max}) variants.push_back({{p.name, static_cast<int64_t>(v)}});
    int n = 0;
    for (const auto& params : variants) {
      std::unique_ptr<Stage> stage;
      try {
        stage = d.make(validate_params(d.params, params, d.name), StageContext{});
      } catch (const Error&) {
        continue;
      }
      for (size_t count : {0, 1, 200}) {
        Stream encoded;
        try {
          encoded = stage->encode(input_of(d.input, count, static_cast<uint32_t>(count + n)));
        } catch (const Error&) {
          continue;  // e.g. a width too small for the values
        }
        std::string file = d.name;
        if (!params.empty()) file += ' ' + params.dump();
        file += '\n';
        file += payload(encoded);
        write(dir / (d.name + "-" + std::to_string(n++)), file);
      }
    }
    given_base_seeds(d, dir);
  }
}

}  // namespace

// A small ONNX model shaped like the leela2onnx nets: a conv kernel and its bias, an int64
// shape initializer, an opaque node, opset and metadata entry, a field of a later ONNX.
lczonnx::Model onnx_model(SourceEncoding::Kind kind, bool raw) {
  lczonnx::Model m;
  m.set_ir_version(8);
  m.set_producer_name("seeds");
  m.add_opset_import(std::string("\x0a\x00\x10\x11", 4));
  m.add_metadata_props(std::string("\x0a\x01k\x12\x01v", 6));
  m.GetReflection()->MutableUnknownFields(&m)->AddVarint(99, 1);
  lczonnx::Graph& g = *m.mutable_graph();
  g.set_name("seed");
  g.add_node(std::string("\x0a\x01x\x12\x01y\x22\x04Relu", 12));  // NodeProto{input x, output y, op_type Relu}
  *g.add_initializer() = onnx_initializer("/conv/w/kernel", {2, 3, 2, 2}, weights(24, 21), kind, raw);
  lczonnx::Tensor& shape = *g.add_initializer();
  shape.set_name("/const/shape");
  shape.set_data_type(7);
  shape.add_dims(2);
  shape.set_raw_data(std::string("\xff\xff\xff\xff\xff\xff\xff\xff\x08\0\0\0\0\0\0\0", 16));
  *g.add_initializer() = onnx_initializer("/conv/w/bias", {2}, weights(2, 22, 2.0f), kind, raw);
  *g.add_initializer() = onnx_initializer("/scalar", {}, std::vector<float>{0.5f}, kind, raw);
  return m;
}

void onnx_seeds(const fs::path& dir) {
  using Kind = SourceEncoding::Kind;
  int n = 0;
  auto save = [&](const lczonnx::Model& m) {
    const std::string raw = m.SerializeAsString();
    const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(raw.data()), raw.size());
    write(dir / ("model-" + std::to_string(n) + ".onnx"), raw);
    write(dir / ("model-" + std::to_string(n) + ".onnx.gz"), as_text(gzip_compress(bytes)));
    ++n;
  };
  for (Kind kind : {Kind::float32, Kind::float16, Kind::bfloat16})
    for (bool raw : {true, false}) save(onnx_model(kind, raw));
  // What the reader refuses, so the fuzzer starts next to each refusal.
  lczonnx::Model external = onnx_model(Kind::float32, true);
  lczonnx::Tensor& t = *external.mutable_graph()->mutable_initializer(0);
  t.clear_raw_data();
  t.set_data_location(1);
  auto* entry = t.add_external_data();
  entry->set_key("location");
  entry->set_value("w.bin");
  save(external);
  lczonnx::Model sparse = onnx_model(Kind::float32, true);
  auto* s = sparse.mutable_graph()->add_sparse_initializer();
  *s->mutable_values() = onnx_initializer("/sparse", {2}, weights(2, 23), Kind::float32);
  s->add_dims(4);
  save(sparse);
}

// Small containers of each source format, pipeline kind and chunking.
void container_seeds(const fs::path& dir) {
  int n = 0;
  auto save = [&](const SourceNet& source, const char* pipeline, uint64_t chunk_weights) {
    CompressOptions o;
    o.pipeline = parse_pipeline(nlohmann::json::parse(pipeline), "", "seed");
    o.chunk_weights = chunk_weights;
    write(dir / ("c-" + std::to_string(n++) + ".lcz"), as_text(compress(source, o).file));
  };
  pblczero::Net net = lc0_net();
  auto* w = net.mutable_weights();
  write_lc0_layer(*w->mutable_input()->mutable_weights(), weights(96, 11), SourceEncoding::Kind::linear16);
  write_lc0_layer(*w->mutable_input()->mutable_biases(), weights(8, 12, 2.0f), SourceEncoding::Kind::linear16);
  write_lc0_layer(*w->add_residual()->mutable_conv1()->mutable_weights(), weights(64, 13, 0.01f),
                  SourceEncoding::Kind::linear16);
  write_lc0_layer(*w->mutable_ip_pol_w(), weights(16, 14), SourceEncoding::Kind::float32);
  const std::string raw = net.SerializeAsString();
  const SourceNet lc0 = read_source_net(std::span(reinterpret_cast<const uint8_t*>(raw.data()), raw.size()), "n.pb");
  const std::vector<float> f = weights(300, 15);
  const SourceNet f32 = read_source_net(std::span(reinterpret_cast<const uint8_t*>(f.data()), f.size() * 4), "w.f32");
  {  // coded against a base (fuzz/base_pair.h), strong and fast, one chunk and several
    const std::string target = fuzz::target_net_bytes(), base_bytes = fuzz::base_net_bytes();
    const SourceNet t = read_source_net(std::span(reinterpret_cast<const uint8_t*>(target.data()), target.size()), "t.pb");
    const BaseNet base = read_base_net(std::span(reinterpret_cast<const uint8_t*>(base_bytes.data()), base_bytes.size()), "base.pb");
    for (const char* pipeline : {R"({"name": "strong", "tensor_stages": 1, "stages": ["grid", "cm"]})",
                                 R"({"name": "fast", "tensor_stages": 1, "stages": ["grid", "rans"]})"})
      for (uint64_t chunk_weights : {uint64_t{0}, uint64_t{64}}) {
        CompressOptions o;
        o.pipeline = parse_pipeline(nlohmann::json::parse(pipeline), "", "seed");
        o.chunk_weights = chunk_weights;
        o.base = &base;
        write(dir / ("base-" + std::to_string(n++) + ".lcz"), as_text(compress(t, o).file));
      }
  }
  const std::string onnx = onnx_model(SourceEncoding::Kind::float32, true).SerializeAsString();
  const SourceNet onnx_net = read_source_net(std::span(reinterpret_cast<const uint8_t*>(onnx.data()), onnx.size()), "m.onnx");
  save(onnx_net, R"({"name": "strong", "tensor_stages": 1, "stages": ["grid", "cm"]})", 0);
  save(onnx_net, R"({"name": "fast", "tensor_stages": 1, "stages": ["grid", "rans"]})", 16);
  for (const SourceNet* s : {&lc0, &f32}) {
    save(*s, R"({"name": "strong", "tensor_stages": 1, "stages": ["grid", "cm"]})", 0);
    save(*s, R"({"name": "fast", "tensor_stages": 1, "stages": ["grid", "rans"]})", 64);
    if (s == &lc0) continue;  // pipelines without grid cannot write LINEAR16 layers back
    save(*s, R"({"name": "seed", "stages": [{"stage": "quantize", "mode": "truncate"}, "zigzag",
                 {"stage": "varint", "max_bytes": 3}, {"stage": "bzip2", "level": 9}]})", 0);
    save(*s, R"({"name": "t", "granularity": "tensor", "stages": ["quantize", "zigzag", "le_bytes",
                 "byte_shuffle", {"stage": "zstd", "level": 3}]})", 100);
  }
}

// Reports as the harness writes them (report.csv and report.json of each): a memcpy row,
// passing rows, a failed one with a quoted multi-line error, a NaN max error, two datasets;
// and the same rows with extra columns in another order.
void report_seeds(const fs::path& dir) {
  Report r;
  r.run_id = "seed-run";
  r.provenance = {{"tolerance", 0x1p-17}, {"git_sha", "0123abcd"}, {"cpu", "fuzz"}, {"date_utc", "2026-01-01T00:00:00Z"},
                  {"timing", {{"min_runs", 3}, {"min_seconds", 0.5}}}};
  r.peak_rss_bytes = 1 << 20;
  int seed = 20;
  for (const char* dataset : {"w.f32", "maia \"1900\".pb.gz"}) {
    const uint64_t n = dataset[0] == 'w' ? 20000 : 868355;
    r.datasets.push_back({.name = dataset, .format = "f32", .files = {dataset}, .sha256 = {"00ff"}, .tensors = 1,
                          .weights = n, .bound_bytes = 0.3 * n});
    auto row = [&](const std::string& pipeline, uint64_t bytes, double err, double enc_s, double dec_s) {
      ResultRow x;
      x.dataset = dataset;
      x.pipeline = pipeline;
      x.granularity = "net";
      x.tensors = 1;
      x.weights = n;
      x.original_bytes = 4 * n;
      x.compressed_bytes = bytes;
      x.ratio = 4.0 * n / bytes;
      x.bits_per_weight = 8.0 * bytes / n;
      x.max_abs_error = err;
      x.max_error_over_tol = err / 0x1p-17;
      x.pass = err <= 0x1p-17;
      x.bound_bytes = 0.3 * n;
      x.repeats = x.decode_repeats = 3;
      x.encode_seconds = x.encode_seconds_min = enc_s;
      x.decode_seconds = x.decode_seconds_min = dec_s;
      x.encode_mb_s = 4.0 * n / 1e6 / enc_s;
      x.decode_mb_s = 4.0 * n / 1e6 / dec_s;
      x.output_sha256 = "ab" + std::to_string(seed++);
      return x;
    };
    r.rows.push_back(row("memcpy", 4 * n, 0, 0.00002, 0.00002));
    r.rows.push_back(row("seed", n * 2, 0x1p-17, 0.01, 0.002));
    r.rows.push_back(row("fast:grid-rans", n, 0.75 * 0x1p-17, 0.02, 0.004));
    ResultRow failed = row("bad, \"quoted\"", n / 2, std::nan(""), 1, 1);
    failed.pass = false;
    failed.encode_mb_s = failed.decode_mb_s = failed.encode_seconds = failed.decode_seconds = 0;
    failed.encode_seconds_min = failed.decode_seconds_min = 0;
    failed.failure = ErrorKind::verify;
    failed.error = "verification failed: decoded weights contain NaN,\nsecond line";
    r.rows.push_back(failed);
  }
  std::ostringstream csv, json;
  write_csv(r, csv);
  write_json(r, json);
  write(dir / "report.csv", csv.str());
  write(dir / "report.json", json.str());
  // Columns in another order, with one the reader does not know.
  std::string text = csv.str();
  const size_t eol = text.find('\n');
  std::string reordered = "extra," + text.substr(0, eol) + "\n";
  for (size_t at = eol + 1; at < text.size();) {
    size_t next = text.find('\n', at);
    // The failed rows hold a quoted line break: keep each record whole by prefixing only
    // lines that start a record (a dataset name).
    const std::string line = text.substr(at, next - at);
    reordered += (line.rfind("w.f32,", 0) == 0 || line.rfind("\"maia", 0) == 0 ? "x," : "") + line + "\n";
    at = next + 1;
  }
  write(dir / "report-extra-column.csv", reordered);
}

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_make_seeds DIR\n");
    return 2;
  }
  const fs::path root = argv[1];
  fs::remove_all(root);  // no stale seed of an older format stays behind
  lc0_seeds(root / "lc0");
  onnx_seeds(root / "onnx");
  npy_seeds(root / "npy");
  f32_seeds(root / "f32");
  stage_seeds(root / "stage_decode");
  container_seeds(root / "container");
  report_seeds(root / "report");
  fs::create_directories(root / "config");
  write(root / "config" / "forms.json", R"({"description": "each form of dataset and tolerance",
    "tolerance": 7.62939453125e-06, "datasets_dir": ".", "repeat": 2,
    "datasets": ["weights.bin", "maia-*.pb.gz", {"path": "net.npy", "format": "npy", "name": "n"},
                 {"name": "d", "base": "maia-1100.pb.gz", "target": "maia-1900.pb.gz"}],
    "pipelines": [{"name": "a", "granularity": "tensor", "stages": ["grid", "zigzag", {"stage": "bitpack", "bits": 12}, "store"]},
                  {"name": "b", "tensor_stages": 2, "stages": ["quantize", "delta", "rans"]}]})");
  for (const fs::path& cfg : {fs::path(LCZ_SOURCE_DIR) / "configs", fs::path(LCZ_SOURCE_DIR) / "tests" / "configs"})
    for (const auto& e : fs::directory_iterator(cfg))
      if (e.path().extension() == ".json") fs::copy_file(e.path(), root / "config" / e.path().filename(), fs::copy_options::overwrite_existing);
  return 0;
}
