// ONNX models (formats/onnx): the shared models read to their pinned weights; models made here
// (shaped like the leela2onnx nets) read, rebuild byte for byte, and round-trip through lczip
// within the tolerance with everything else unchanged; every input the reader refuses is an
// lcz::Error(input) naming the file, the initializer and what is wrong.
#include <catch2/catch.hpp>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/unknown_field_set.h>

#include <cmath>
#include <limits>
#include <random>

#include "container/lcz_codec.h"
#include "formats/onnx/onnx_reader.h"
#include "formats/onnx/onnx_writer.h"
#include "container/output_file.h"
#include "formats/float16.h"
#include "formats/format.h"
#include "formats/gzip.h"
#include "nets/sha256.h"
#include "pipeline/presets.h"
#include "tests/test_support.h"

using namespace lcz;
using Kind = SourceEncoding::Kind;

namespace {

constexpr double kTol = 0x1p-17;

std::string serialized(const lczonnx::Model& model) {
  std::string out;
  google::protobuf::io::StringOutputStream stream(&out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  REQUIRE(model.SerializeToCodedStream(&coded));
  return out;
}

std::span<const uint8_t> bytes_of(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

// Measured on maia-2200.onnx.gz (batch norm folded into the convolutions): the standard
// deviation of a kernel's output channels spreads from about 0.02 to 0.5; biases spread wider.
std::vector<float> conv_kernel(std::mt19937_64& rng, int out, int in) {
  std::normal_distribution<float> normal;
  std::uniform_real_distribution<float> log_scale(std::log(0.02f), std::log(0.5f));
  std::vector<float> w;
  for (int o = 0; o < out; ++o) {
    const float scale = std::exp(log_scale(rng));
    for (int i = 0; i < in * 9; ++i) w.push_back(normal(rng) * scale);
  }
  return w;
}

std::vector<float> normal_values(std::mt19937_64& rng, size_t n, float sigma) {
  std::normal_distribution<float> normal(0.0f, sigma);
  std::vector<float> v(n);
  for (auto& x : v) x = normal(rng);
  return v;
}

// Values exactly representable in the kind (what a FLOAT16/BFLOAT16 file holds).
std::vector<float> in_kind(std::vector<float> v, Kind kind) {
  for (auto& x : v) x = kind == Kind::float16 ? half_to_float(float_to_half(x)) : bfloat16_to_float(float_to_bfloat16(x));
  return v;
}

// Opaque parts of a model, as ONNX writes them (the reader keeps them as bytes).
const std::string kOpset = std::string("\x0a\x00\x10\x11", 4);  // OperatorSetIdProto{domain "", version 17}
const std::string kNode = std::string("\x0a\x01x\x12\x01y\x22\x04Relu", 12);  // NodeProto{input x, output y, op_type Relu}

// A model shaped like the leela2onnx nets: a conv kernel (raw_data), its bias (float_data), an
// int64 shape initializer, a FLOAT16 dense layer (raw_data), a BFLOAT16 bias (int32_data), a
// float32 scalar, an empty float initializer, metadata, and fields this schema does not name.
lczonnx::Model made_model(uint64_t seed) {
  std::mt19937_64 rng(seed);
  lczonnx::Model m;
  m.set_ir_version(8);
  m.set_producer_name("lcz-tests");
  m.add_opset_import(kOpset);
  lczonnx::StringEntry entry;  // metadata_props holds StringStringEntryProto, the same wire format
  entry.set_key("seed");
  entry.set_value(std::to_string(seed));
  m.add_metadata_props(entry.SerializeAsString());
  m.GetReflection()->MutableUnknownFields(&m)->AddVarint(99, 7);  // a field of a later ONNX
  lczonnx::Graph& g = *m.mutable_graph();
  g.set_name("made");
  g.add_node(kNode);
  *g.add_initializer() = onnx_initializer("/conv1/w/kernel", {16, 8, 3, 3}, conv_kernel(rng, 16, 8), Kind::float32);
  *g.add_initializer() = onnx_initializer("/conv1/w/bias", {16}, normal_values(rng, 16, 1.5f), Kind::float32, /*raw=*/false);
  lczonnx::Tensor& shape = *g.add_initializer();
  shape.set_name("/const/shape");
  shape.set_data_type(7);
  shape.add_dims(2);
  shape.add_int64_data(-1);
  shape.add_int64_data(1024);
  *g.add_initializer() = onnx_initializer("/dense/w", {64, 4}, in_kind(normal_values(rng, 256, 0.05f), Kind::float16), Kind::float16);
  *g.add_initializer() = onnx_initializer("/dense/b", {4}, in_kind(normal_values(rng, 4, 0.5f), Kind::bfloat16), Kind::bfloat16, false);
  *g.add_initializer() = onnx_initializer("/scale", {}, std::vector<float>{0.75f}, Kind::float32);
  *g.add_initializer() = onnx_initializer("/empty", {0, 4}, std::vector<float>{}, Kind::float32);
  g.mutable_initializer(0)->GetReflection()->MutableUnknownFields(g.mutable_initializer(0))->AddLengthDelimited(77, "later");
  return m;
}

}  // namespace

TEST_CASE("the shared ONNX pair: 60 float32 initializers, 865,571 weights, pinned SHA-256", "[onnx][nets]") {
  const std::pair<const char*, const char*> pinned[] = {
      {"maia-2200.onnx.gz", "708c8dfbef807677eae9d690d49498223e9c703447d0b7368b314443d1c41973"},
      {"maia2200-64x6-hunter-20000.onnx.gz", "0a51b00c138c9903bc2f116db241a435939fe996677dcfe3094958b43604e7ff"}};
  for (const auto& [name, sha] : pinned) {
    const Net net = read_net(test::dataset(name));
    CHECK(net.format == "onnx");
    REQUIRE(net.tensors.size() == 60);
    CHECK(net.weight_count() == 865571);
    CHECK(net.tensors[0].name == "/inputconv/w/kernel");
    CHECK(net.tensors[0].shape == std::vector<uint32_t>{64, 112, 3, 3});
    CHECK(net.tensors[0].source.kind == Kind::float32);
    const std::vector<float> all = concatenated(net);
    CHECK(sha256_hex({reinterpret_cast<const uint8_t*>(all.data()), all.size() * sizeof(float)}) == sha);
  }
}

TEST_CASE("a made ONNX model reads to its float initializers and rebuilds byte for byte", "[onnx][nets]") {
  const lczonnx::Model model = made_model(1);
  const std::string file = serialized(model);
  const Net net = read_net_bytes(bytes_of(file), "made.onnx");
  REQUIRE(net.tensors.size() == 5);  // not the int64 shape, not the empty initializer
  CHECK(net.tensors[0].name == "/conv1/w/kernel");
  CHECK(net.tensors[0].shape == std::vector<uint32_t>{16, 8, 3, 3});
  CHECK(net.tensors[1].values.size() == 16);
  CHECK(net.tensors[2].source.kind == Kind::float16);
  CHECK(net.tensors[3].source.kind == Kind::bfloat16);
  CHECK(net.tensors[4].shape == std::vector<uint32_t>{1});  // a scalar
  CHECK(net.tensors[4].values == std::vector<float>{0.75f});
  // The values are the file's, element for element (raw_data, float_data, int32_data).
  const auto& g = model.graph();
  CHECK(std::equal(net.tensors[1].values.begin(), net.tensors[1].values.end(), g.initializer(1).float_data().begin()));
  CHECK(net.tensors[3].values[2] == bfloat16_to_float(static_cast<uint16_t>(g.initializer(4).int32_data(2))));

  // Skeleton + the same tensors = the same bytes: nodes, opsets, metadata, the int64
  // initializer and the unknown fields (model and tensor) are all written back.
  std::vector<SourceEncoding> encodings;
  for (const auto& t : net.tensors) encodings.push_back(t.source);
  const std::string skeleton = onnx_skeleton(model);
  CHECK(skeleton.size() < file.size() / 4);
  CHECK(rebuild_onnx_model(skeleton, net.tensors, encodings, "made") == file);
  CHECK(onnx_skeleton(model) == skeleton);  // deterministic

  // New values go into the same fields; a 16-bit tensor stays 16-bit.
  std::vector<Tensor> changed = net.tensors;
  for (auto& t : changed)
    for (auto& v : t.values) v = v * 0.5f;
  lczonnx::Model rebuilt;
  REQUIRE(rebuilt.ParseFromString(rebuild_onnx_model(skeleton, changed, encodings, "made")));
  CHECK(rebuilt.graph().initializer(0).has_raw_data());
  CHECK(rebuilt.graph().initializer(1).float_data_size() == 16);
  CHECK(rebuilt.graph().initializer(3).raw_data().size() == 2 * 256);
  CHECK(rebuilt.graph().initializer(4).int32_data_size() == 4);
  CHECK(rebuilt.GetReflection()->GetUnknownFields(rebuilt).field_count() == 1);
  const std::vector<Tensor> again = onnx_tensors(rebuilt, "rebuilt");
  for (size_t i = 0; i < again.size(); ++i) CHECK(again[i].values == changed[i].values);  // halving is exact in every kind

  // The writer refuses what does not fit the skeleton.
  encodings[2].kind = Kind::float32;
  test::require_error(ErrorKind::codec, [&] { rebuild_onnx_model(skeleton, net.tensors, encodings, "made"); },
                      {"/dense/w", "another type"});
  encodings[2].kind = Kind::float16;
  changed = net.tensors;
  changed[2].values[0] = 1e6f;
  test::require_error(ErrorKind::codec, [&] { rebuild_onnx_model(skeleton, changed, encodings, "made"); },
                      {"/dense/w", "overflows FLOAT16"});
  changed = net.tensors;
  changed[1].name = "other";
  test::require_error(ErrorKind::codec, [&] { rebuild_onnx_model(skeleton, changed, encodings, "made"); }, {"/conv1/w/bias", "other"});
  test::require_error(ErrorKind::codec, [&] {
    rebuild_onnx_model(skeleton, std::span(net.tensors).first(4), std::span(encodings).first(4), "made");
  }, {"more float initializers"});
  test::require_error(ErrorKind::input, [&] { rebuild_onnx_model("\xff\xff", net.tensors, encodings, "made"); }, {"skeleton"});
}

TEST_CASE("lczip round-trips ONNX models within the tolerance, the rest unchanged", "[onnx][container]") {
  const std::string file = serialized(made_model(2));
  const Bytes gz = gzip_compress(bytes_of(file));
  for (const char* preset : {"strong", "fast"}) {
    for (const bool gzipped : {false, true}) {
      INFO(preset << (gzipped ? " .onnx.gz" : " .onnx"));
      const std::string name = gzipped ? "made.onnx.gz" : "made.onnx";
      const SourceNet source = read_source_net(gzipped ? std::span<const uint8_t>(gz) : bytes_of(file), name);
      CHECK(source.format == SourceFormat::onnx);
      CompressOptions options;
      options.pipeline = preset_pipeline(preset);
      const CompressResult compressed = compress(source, options);
      CHECK(compressed.as_loaded.max_abs_error <= kTol);
      CHECK(compress(source, options).file == compressed.file);  // deterministic
      const DecompressResult d = decompress(compressed.file, "made.lcz", nullptr, 1);
      CHECK(d.header.source_format == SourceFormat::onnx);
      // With no output name (standard output) gzip as the source was; else as the name says.
      const Bytes out = output_file_bytes(d);
      CHECK(is_gzip(out) == gzipped);
      CHECK(is_gzip(output_file_bytes(d, "x.onnx.gz")));
      CHECK(!is_gzip(output_file_bytes(d, "x.onnx")));
      CHECK(!is_gzip(output_file_bytes(d, "x.bin")));
      const lczonnx::Model original = parse_onnx_model(bytes_of(file), "original");
      const lczonnx::Model decoded = parse_onnx_model(out, "decoded");
      const std::vector<Tensor> a = onnx_tensors(original, "original"), b = onnx_tensors(decoded, "decoded");
      REQUIRE(a.size() == b.size());
      for (size_t i = 0; i < a.size(); ++i) {
        CHECK(b[i].name == a[i].name);
        CHECK(b[i].source.kind == a[i].source.kind);
        double max_error = 0;
        for (size_t j = 0; j < a[i].values.size(); ++j)
          max_error = std::max(max_error, std::fabs(static_cast<double>(b[i].values[j]) - a[i].values[j]));
        CHECK(max_error <= kTol);
      }
      // Everything but the weights: the same skeleton.
      CHECK(onnx_skeleton(decoded) == onnx_skeleton(original));
    }
  }
}

TEST_CASE("an ONNX model coded against its base pairs tensors by name", "[onnx][container]") {
  const std::string base_file = serialized(made_model(3));
  lczonnx::Model target = made_model(3);  // a fine-tune: every float32 weight moved a little
  std::mt19937_64 rng(4);
  std::normal_distribution<float> step(0.0f, 0.002f);
  for (auto& t : *target.mutable_graph()->mutable_initializer()) {
    if (t.data_type() != kOnnxFloat || !t.has_raw_data() || t.raw_data().empty()) continue;
    std::vector<float> v(t.raw_data().size() / 4);
    std::memcpy(v.data(), t.raw_data().data(), t.raw_data().size());
    for (auto& x : v) x += step(rng);
    t.set_raw_data(std::string(reinterpret_cast<const char*>(v.data()), t.raw_data().size()));
  }
  const std::string target_file = serialized(target);
  const BaseNet base = read_base_net(bytes_of(base_file), "base.onnx");
  CompressOptions options;
  options.pipeline = preset_pipeline("strong");
  const SourceNet source = read_source_net(bytes_of(target_file), "target.onnx");
  const CompressResult alone = compress(source, options);
  options.base = &base;
  const CompressResult against = compress(source, options);
  CHECK(against.chunks_against_base > 0);
  CHECK(against.file.size() < alone.file.size());
  const DecompressResult d = decompress(against.file, "t.lcz", &base, 1);
  const std::vector<Tensor> decoded = onnx_tensors(parse_onnx_model(output_file_bytes(d), "decoded"), "decoded");
  const std::vector<Tensor> original = onnx_tensors(target, "target");
  for (size_t i = 0; i < original.size(); ++i)
    for (size_t j = 0; j < original[i].values.size(); ++j)
      REQUIRE(std::fabs(static_cast<double>(decoded[i].values[j]) - original[i].values[j]) <= kTol);
}

TEST_CASE("a FLOAT16 initializer that cannot stay FLOAT16 within the tolerance is refused (verify)", "[onnx][container]") {
  // At a tolerance of 3e-6 the decoded values are multiples of another step than FLOAT16's:
  // rounded back to FLOAT16 (ONNX cannot change the initializer's type), values near 2^-8,
  // where FLOAT16's spacing is 2^-18 (3.8e-6), land up to 1.5 spacings away.
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<float> near(0.004f, 0.0078f);
  std::vector<float> v(4096);
  for (auto& x : v) x = near(rng);
  lczonnx::Model m;
  m.set_ir_version(8);
  *m.mutable_graph()->add_initializer() = onnx_initializer("/w16", {4096}, in_kind(v, Kind::float16), Kind::float16);
  const SourceNet source = read_source_net(bytes_of(serialized(m)), "half.onnx");
  CompressOptions options;
  options.pipeline = preset_pipeline("fast");
  options.tolerance = 3e-6;
  test::require_error(ErrorKind::verify, [&] { compress(source, options); }, {"/w16", "FLOAT16", "smaller tolerance"});
  options.tolerance = 0x1p-26;  // below half of FLOAT16's smallest spacing: every value comes back
  CHECK(compress(source, options).as_loaded.max_abs_error == 0);
}

TEST_CASE("ONNX input errors are lcz::Error(input) naming the file, the initializer and the problem", "[onnx][errors]") {
  test::TempDir dir;
  auto refuse = [&](const lczonnx::Model& m, std::initializer_list<std::string> fragments) {
    const std::string file = serialized(m);
    test::require_error(ErrorKind::input, [&] { read_net_bytes(bytes_of(file), "bad.onnx"); }, {"bad.onnx"});
    for (const auto& f : fragments) test::require_error(ErrorKind::input, [&] { read_net_bytes(bytes_of(file), "bad.onnx"); }, {f});
  };
  const std::vector<float> four = {0.1f, -0.2f, 0.3f, 0.4f};
  auto one = [&](lczonnx::Tensor t) {
    lczonnx::Model m;
    m.set_ir_version(8);
    *m.mutable_graph()->add_initializer() = std::move(t);
    return m;
  };

  SECTION("external data, naming the file it points to") {
    lczonnx::Tensor t = onnx_initializer("/w", {4}, four, Kind::float32);
    t.clear_raw_data();
    t.set_data_location(kOnnxExternal);
    auto* e = t.add_external_data();
    e->set_key("location");
    e->set_value("weights.bin");
    refuse(one(t), {"initializer /w", "another file", "'weights.bin'"});
  }
  SECTION("a truncated file, plain and gzip") {
    const std::string file = serialized(made_model(1));
    const std::string cut = file.substr(0, file.size() - 100);
    test::require_error(ErrorKind::input, [&] { read_net_bytes(bytes_of(cut), "cut.onnx"); }, {"cut.onnx", "not an ONNX model", "truncated"});
    const Bytes gz = gzip_compress(bytes_of(file));
    const Bytes gz_cut(gz.begin(), gz.end() - 20);
    test::require_error(ErrorKind::input, [&] { read_net_bytes(gz_cut, "cut.onnx.gz"); }, {"cut.onnx.gz", "truncated gzip"});
  }
  SECTION("a file that is not ONNX") {
    test::require_error(ErrorKind::input, [&] { read_net_bytes(bytes_of(std::string("\xff\xfe\x01 not protobuf")), "x.onnx"); },
                        {"x.onnx", "not an ONNX model"});
    const std::string lc0 = std::string("\x0d\xc0\x01\x00\x00", 5);  // an Lc0 net's magic
    test::require_error(ErrorKind::input, [&] { read_net_bytes(bytes_of(lc0), "lc0.onnx"); }, {"lc0.onnx", "no ir_version"});
    lczonnx::Model no_graph;
    no_graph.set_ir_version(8);
    refuse(no_graph, {"no graph"});
  }
  SECTION("a byte count that does not match the dims") {
    lczonnx::Tensor t = onnx_initializer("/w", {5}, four, Kind::float32);
    refuse(one(t), {"initializer /w", "dims [5] hold 5 elements", "raw_data is 16 bytes"});
    t = onnx_initializer("/w", {2, 3}, four, Kind::float32, false);
    refuse(one(t), {"initializer /w", "float_data holds 4"});
    t = onnx_initializer("/h", {3}, four, Kind::float16);
    refuse(one(t), {"initializer /h", "raw_data is 8 bytes (2 per FLOAT16"});
    t = onnx_initializer("/w", {4}, four, Kind::float32);
    t.set_raw_data(t.raw_data() + "x");
    refuse(one(t), {"raw_data is 17 bytes"});
  }
  SECTION("data in a field the type does not use, or in two") {
    lczonnx::Tensor t = onnx_initializer("/w", {4}, four, Kind::float32);
    t.add_float_data(1.0f);
    refuse(one(t), {"initializer /w", "both raw_data and float_data"});
    t = onnx_initializer("/w", {4}, four, Kind::float32, false);
    t.add_int64_data(3);
    refuse(one(t), {"initializer /w", "FLOAT tensor with data in int64_data"});
    t = onnx_initializer("/h", {4}, four, Kind::bfloat16, false);
    t.set_int32_data(1, 70000);
    refuse(one(t), {"initializer /h", "int32_data[1] = 70000", "BFLOAT16"});
  }
  SECTION("sparse initializers") {
    lczonnx::Model m = one(onnx_initializer("/w", {4}, four, Kind::float32));
    auto* sparse = m.mutable_graph()->add_sparse_initializer();
    *sparse->mutable_values() = onnx_initializer("/sparse", {2}, std::vector<float>{1, 2}, Kind::float32);
    sparse->add_dims(10);
    refuse(m, {"sparse initializer /sparse", "not supported"});
  }
  SECTION("dims above 2^32 - 1 or negative, rank above 16") {
    lczonnx::Tensor t = onnx_initializer("/w", {int64_t{1} << 32, 1}, four, Kind::float32);
    refuse(one(t), {"initializer /w", "dims value 4294967296 is above 2^32 - 1"});
    t = onnx_initializer("/w", {-4}, four, Kind::float32);
    refuse(one(t), {"initializer /w", "dims value -4 is negative"});
    lczonnx::Tensor shape;  // also in an initializer that is not a weight
    shape.set_name("/shape");
    shape.set_data_type(7);
    shape.add_dims(-1);
    lczonnx::Model m = one(onnx_initializer("/w", {4}, four, Kind::float32));
    *m.mutable_graph()->add_initializer() = shape;
    refuse(m, {"initializer /shape", "negative"});
    t = onnx_initializer("/w", std::vector<int64_t>(17, 1), std::vector<float>{1.0f}, Kind::float32);
    refuse(one(t), {"initializer /w", "17 dims"});
  }
  SECTION("more than 2 GiB: a larger file is refused unread, a gzip that inflates past the limit while inflating") {
    const auto big = dir / "big.onnx";
    { std::ofstream(big, std::ios::binary).put('\0'); }
    std::filesystem::resize_file(big, (uint64_t{1} << 31));  // sparse: nothing is written or read
    test::require_error(ErrorKind::input, [&] { read_net(big); }, {"big.onnx", "2147483648"});
    const std::string file = serialized(made_model(1));
    const Bytes gz = gzip_compress(bytes_of(file));
    test::require_error(ErrorKind::input, [&] { read_onnx_net(gz, "small-limit.onnx.gz", file.size() - 1); },
                        {"small-limit.onnx.gz", "inflates past"});
    CHECK(read_onnx_net(gz, "at-limit.onnx.gz", file.size()).tensors.size() == 5);
  }
  SECTION("NaN and Inf") {
    lczonnx::Tensor t = onnx_initializer("/w", {4}, four, Kind::float32, false);
    t.set_float_data(2, std::numeric_limits<float>::quiet_NaN());
    refuse(one(t), {"tensor /w", "NaN at index 2"});
    t = onnx_initializer("/h", {4}, four, Kind::float16);
    t.mutable_raw_data()->at(7) = '\x7c';  // element 3: FLOAT16 +Inf
    t.mutable_raw_data()->at(6) = '\x00';
    refuse(one(t), {"tensor /h", "Inf at index 3"});
  }
  SECTION("names: none, twice") {
    refuse(one(onnx_initializer("", {4}, four, Kind::float32)), {"initializer number 0", "has no name"});
    lczonnx::Model m = one(onnx_initializer("/w", {4}, four, Kind::float32));
    *m.mutable_graph()->add_initializer() = onnx_initializer("/w", {4}, four, Kind::float32);
    refuse(m, {"initializer /w", "a second initializer of this name"});
  }
  SECTION("segments, unknown data_location, no float initializer") {
    lczonnx::Tensor t = onnx_initializer("/w", {4}, four, Kind::float32);
    t.set_segment(std::string("\x08\x00\x10\x04", 4));
    refuse(one(t), {"initializer /w", "segment"});
    t = onnx_initializer("/w", {4}, four, Kind::float32);
    t.set_data_location(5);
    refuse(one(t), {"initializer /w", "unknown data_location 5"});
    lczonnx::Model m;
    m.set_ir_version(8);
    m.mutable_graph()->set_name("empty");
    refuse(m, {"without any float initializer"});
  }
}

TEST_CASE("the reader is chosen by the name: .onnx and .onnx.gz", "[onnx][nets]") {
  const std::string file = serialized(made_model(1));
  CHECK(detect_format(bytes_of(file), "a/b/Model.ONNX").id == SourceFormat::onnx);
  CHECK(detect_format(gzip_compress(bytes_of(file)), "m.onnx.gz").id == SourceFormat::onnx);  // not .gz: Lc0
  CHECK(detect_format(gzip_compress(bytes_of(file)), "m.pb.gz").id == SourceFormat::lc0);
  CHECK(read_net_bytes(gzip_compress(bytes_of(file)), "m.onnx.gz").tensors.size() == 5);
  // A name that says another format (play-lc0 serves its models as .onnx.bin) needs the
  // format given: "format" in a config, --format in lczip.
  CHECK(detect_format(bytes_of(file), "m.onnx.bin").id == SourceFormat::f32);
  CHECK(read_net_bytes(gzip_compress(bytes_of(file)), "m.onnx.bin", "onnx").tensors.size() == 5);
  // The same bytes named as an Lc0 net go to the Lc0 reader, which says what it found.
  test::require_error(ErrorKind::input, [&] { read_net_bytes(gzip_compress(bytes_of(file)), "m.pb.gz"); }, {"m.pb.gz", "not an Lc0 net"});
}
