// nets/: the real nets (counts and pinned digests), small Lc0 nets written here in each
// encoding, raw float32 and npy files, deltas, and every input error naming its file.
#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <cstring>
#include <fstream>
#include <random>

#include "codecs/core/error.h"
#include "formats/format.h"
#include "formats/lc0/lc0_file.h"
#include "nets/net.h"
#include "nets/sha256.h"
#include "tests/test_support.h"

namespace lcz {
namespace {

using Layer = pblczero::Weights::Layer;
using Kind = SourceEncoding::Kind;
using test::TempDir;
using test::write_bytes;

void write_text(const std::filesystem::path& path, const std::string& text) {
  write_bytes(path, std::string_view(text));
}

std::string float_sha256(const std::vector<float>& values) {
  return sha256_hex({reinterpret_cast<const uint8_t*>(values.data()), values.size() * sizeof(float)});
}

// f must throw lcz::Error of kind input whose message names `file` and says `what`.
template <class F>
void require_input_error(F&& f, const std::string& file, const std::string& what) {
  test::require_error(ErrorKind::input, f, {file, what});
}

std::vector<float> random_weights(size_t count, uint32_t seed, float scale = 0.5f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, scale);
  std::vector<float> values(count);
  for (float& v : values) v = normal(rng);
  return values;
}

uint16_t param_u16(const Layer& layer, size_t i) {
  const auto* p = reinterpret_cast<const uint8_t*>(layer.params().data()) + 2 * i;
  return static_cast<uint16_t>(p[0] | p[1] << 8);
}

pblczero::Net empty_lc0_net() {
  pblczero::Net net;
  net.set_magic(kLc0Magic);
  net.mutable_format()->set_weights_encoding(pblczero::Format::LINEAR16);
  net.mutable_weights();
  return net;
}

// One small net touching the residual tower, attention body, smolgen and multi-head messages.
// Returns the layers in the order the reader must produce them (field-number order).
struct SmallNet {
  pblczero::Net net = empty_lc0_net();
  std::vector<std::pair<std::string, const Layer*>> expected;  // name, layer as written
  std::vector<std::vector<float>> originals;
};

SmallNet make_small_net(Kind encoding) {
  SmallNet small;
  pblczero::Weights& w = *small.net.mutable_weights();
  std::vector<std::pair<std::string, Layer*>> layers = {
      {"input.weights", w.mutable_input()->mutable_weights()},
      {"input.biases", w.mutable_input()->mutable_biases()},
      {"residual.0.conv1.weights", w.add_residual()->mutable_conv1()->mutable_weights()},
      {"residual.1.se.w1", w.add_residual()->mutable_se()->mutable_w1()},
      {"policy.biases", w.mutable_policy()->mutable_biases()},
      {"ip1_val_w", w.mutable_ip1_val_w()},
      {"encoder.0.mha.q_w", nullptr},
      {"encoder.0.mha.smolgen.compress", nullptr},
      {"encoder.0.ffn.dense2_b", nullptr},
      {"smolgen_w", w.mutable_smolgen_w()},
      {"value_heads.value_head_map.0.value.ip_val_w", nullptr},
      {"policy_heads.vanilla.ip2_pol_w", w.mutable_policy_heads()->mutable_vanilla()->mutable_ip2_pol_w()},
  };
  auto* encoder = w.add_encoder();
  layers[6].second = encoder->mutable_mha()->mutable_q_w();
  layers[7].second = encoder->mutable_mha()->mutable_smolgen()->mutable_compress();
  layers[8].second = encoder->mutable_ffn()->mutable_dense2_b();
  auto* head = w.mutable_value_heads()->add_value_head_map();
  head->set_key("winner");
  layers[10].second = head->mutable_value()->mutable_ip_val_w();
  w.set_headcount(4);                            // scalar fields below Weights are not tensors
  w.mutable_input()->mutable_bn_means();         // present but empty: skipped

  uint32_t seed = 1;
  for (auto& [name, layer] : layers) {
    const size_t count = name == "input.weights" ? 72 : 5 + 7 * seed;
    std::vector<float> values = random_weights(count, seed++);
    if (name == "input.weights") {
      // Edge values: FLOAT16 subnormals and a tie, BFLOAT16 ties, exact zero, the range ends.
      const float edges[] = {0.0f, -0.0f, 1e-6f, -3e-8f, 0x1p-25f, 65504.0f, 1.0f + 0x1p-11f,
                             std::bit_cast<float>(0x3f808000u), std::bit_cast<float>(0x3f818000u)};
      std::copy(std::begin(edges), std::end(edges), values.begin());
      for (uint32_t d : {4u, 2u, 3u, 3u}) layer->add_dims(d);
    }
    write_lc0_layer(*layer, values, encoding);
    small.expected.emplace_back(name, layer);
    small.originals.push_back(std::move(values));
  }
  return small;
}

}  // namespace

TEST_CASE("maia-1900.pb.gz: 105 LINEAR16 tensors, 868,355 weights, pinned SHA-256", "[nets][lc0]") {
  const auto path = test::dataset("maia-1900.pb.gz");
  const Net net = read_net(path);
  CHECK(net.format == "lc0");
  CHECK(net.source == path.string());
  REQUIRE(net.tensors.size() == 105);
  CHECK(net.weight_count() == 868355);
  CHECK(net.tensors.front().name == "input.weights");
  CHECK(net.tensors[5].name == "residual.0.conv1.weights");
  CHECK(net.tensors[15].name == "residual.0.se.w1");
  CHECK(net.tensors.back().name == "policy1.bn_betas");
  for (const Tensor& t : net.tensors) {
    INFO(t.name);
    CHECK(t.source.kind == Kind::linear16);
    CHECK(t.shape == std::vector<uint32_t>{static_cast<uint32_t>(t.values.size())});
  }
  // Fails if the LINEAR16 decode is fused into an FMA or uses another formula.
  CHECK(float_sha256(concatenated(net)) == "d53e4185fe719f67ed601e4bfd810aad65ac1e86b997b47c13caf8e3740f7e65");
}

TEST_CASE("maia-1100.pb.gz has the same tensors and counts as maia-1900", "[nets][lc0]") {
  const Net net1100 = read_net(test::dataset("maia-1100.pb.gz"));
  const Net net1900 = read_net(test::dataset("maia-1900.pb.gz"));
  REQUIRE(net1100.tensors.size() == 105);
  CHECK(net1100.weight_count() == 868355);
  for (size_t i = 0; i < net1100.tensors.size(); ++i) {
    CHECK(net1100.tensors[i].name == net1900.tensors[i].name);
    CHECK(net1100.tensors[i].shape == net1900.tensors[i].shape);
  }
}

TEST_CASE("leela_grouped.f32 is one raw float32 tensor of 720,065 weights", "[nets][f32]") {
  const auto path = test::dataset("leela_grouped.f32");
  const Net net = read_net(path);
  CHECK(net.format == "f32");
  REQUIRE(net.tensors.size() == 1);
  CHECK(net.tensors[0].name == "leela_grouped");
  CHECK(net.tensors[0].shape == std::vector<uint32_t>{720065});
  CHECK(net.weight_count() == 720065);
  // The floats are the file's bytes unchanged.
  const auto bytes = read_file_bytes(path);
  CHECK(float_sha256(concatenated(net)) == sha256_hex(bytes));
  CHECK(sha256_file_hex(path) == sha256_hex(bytes));
}

TEST_CASE("sha256 of known inputs", "[nets][sha256]") {
  CHECK(sha256_hex({}) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const std::string abc = "abc";
  CHECK(sha256_hex({reinterpret_cast<const uint8_t*>(abc.data()), abc.size()}) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("FLOAT16 and BFLOAT16 conversions match the compiler's and the bit layout", "[nets][lc0]") {
  for (uint32_t u = 0; u <= 0xffff; ++u) {
    const float expected = static_cast<float>(std::bit_cast<_Float16>(static_cast<uint16_t>(u)));
    const float got = half_to_float(static_cast<uint16_t>(u));
    if (std::isnan(expected)) {
      CHECK(std::isnan(got));
    } else if (std::bit_cast<uint32_t>(got) != std::bit_cast<uint32_t>(expected)) {
      FAIL_CHECK("half 0x" << std::hex << u << " decodes to " << got << ", expected " << expected);
    }
  }
  std::vector<float> probes = random_weights(200000, 7, 1.0f);
  for (float v : random_weights(20000, 8, 1e-5f)) probes.push_back(v);  // subnormal halves
  for (float v : {0x1p-25f, 3 * 0x1p-25f, 0x1p-24f, 65504.0f, 65519.0f, 65520.0f, 1e9f, -0.0f,
                  1.0f + 0x1p-11f, 1.0f + 3 * 0x1p-11f, std::bit_cast<float>(0x387fe000u)})
    probes.push_back(v);
  for (float v : probes) {
    const uint16_t expected = std::bit_cast<uint16_t>(static_cast<_Float16>(v));
    if (float_to_half(v) != expected) FAIL_CHECK("float " << v << " encodes to " << float_to_half(v));
  }
  CHECK(bfloat16_to_float(0x3f80) == 1.0f);
  CHECK(bfloat16_to_float(0x0001) == std::bit_cast<float>(0x00010000u));  // subnormal
  CHECK(float_to_bfloat16(std::bit_cast<float>(0x3f808000u)) == 0x3f80);  // tie, to even
  CHECK(float_to_bfloat16(std::bit_cast<float>(0x3f818000u)) == 0x3f82);  // tie, to even
  CHECK(float_to_bfloat16(std::bit_cast<float>(0x3f808001u)) == 0x3f81);
  CHECK(linear16_release(0, -1.5f, 2.0f) == -1.5f);
  CHECK(linear16_release(65535, -1.5f, 2.0f) == 2.0f);
}

TEST_CASE("small Lc0 nets round-trip in each encoding, gzip and plain", "[nets][lc0]") {
  TempDir dir;
  for (Kind encoding : {Kind::linear16, Kind::float16, Kind::bfloat16, Kind::float32}) {
    for (bool gzip : {true, false}) {
      const SmallNet small = make_small_net(encoding);
      const auto path = dir / (std::string("small_") + std::to_string(static_cast<int>(encoding)) +
                               (gzip ? ".pb.gz" : ".pb"));
      write_lc0_net_file(path, small.net, gzip);
      CHECK(is_gzip(read_file_bytes(path)) == gzip);
      const Net net = read_net(path);
      INFO("encoding " << static_cast<int>(encoding) << (gzip ? " gzip" : " plain"));
      REQUIRE(net.tensors.size() == small.expected.size());
      for (size_t t = 0; t < net.tensors.size(); ++t) {
        const Tensor& tensor = net.tensors[t];
        const Layer& layer = *small.expected[t].second;
        const std::vector<float>& original = small.originals[t];
        INFO("tensor " << tensor.name);
        CHECK(tensor.name == small.expected[t].first);
        CHECK(tensor.source.kind == encoding);
        REQUIRE(tensor.values.size() == original.size());
        if (tensor.name == "input.weights") CHECK(tensor.shape == std::vector<uint32_t>{4, 2, 3, 3});
        else CHECK(tensor.shape == std::vector<uint32_t>{static_cast<uint32_t>(original.size())});
        for (size_t i = 0; i < original.size(); ++i) {
          const float v = original[i], got = tensor.values[i];
          switch (encoding) {
            case Kind::float32:
              CHECK(std::bit_cast<uint32_t>(got) == std::bit_cast<uint32_t>(v));
              break;
            case Kind::float16:
              CHECK(param_u16(layer, i) == std::bit_cast<uint16_t>(static_cast<_Float16>(v)));
              CHECK(got == static_cast<float>(static_cast<_Float16>(v)));
              break;
            case Kind::bfloat16:
              CHECK(got == std::bit_cast<float>(uint32_t{param_u16(layer, i)} << 16));
              CHECK(std::abs(got - v) <= std::abs(v) * 0x1p-8f);
              break;
            case Kind::linear16: {
              const float min_val = layer.min_val(), max_val = layer.max_val();
              CHECK(tensor.source.min_val == min_val);
              CHECK(tensor.source.max_val == max_val);
              CHECK(got == param_u16(layer, i) / 65535.0f * (max_val - min_val) + min_val);
              CHECK(std::abs(got - v) <= (max_val - min_val) / 65535.0f);
              break;
            }
            case Kind::none:
              FAIL("no encoding");
          }
        }
      }
    }
  }
}

TEST_CASE("a layer without its own encoding uses Net.format, LINEAR16 when unset", "[nets][lc0]") {
  TempDir dir;
  for (bool with_format : {true, false}) {
    pblczero::Net net = empty_lc0_net();
    if (!with_format) net.clear_format();
    Layer& layer = *net.mutable_weights()->mutable_ip_pol_w();
    write_lc0_layer(layer, random_weights(40, 3), Kind::linear16);
    layer.clear_encoding();
    write_lc0_net_file(dir / "fallback.pb.gz", net, true);
    const Net read = read_net(dir / "fallback.pb.gz");
    REQUIRE(read.tensors.size() == 1);
    CHECK(read.tensors[0].name == "ip_pol_w");
    CHECK(read.tensors[0].source.kind == Kind::linear16);
    CHECK(read.tensors[0].values[7] ==
          param_u16(layer, 7) / 65535.0f * (layer.max_val() - layer.min_val()) + layer.min_val());
  }
}

TEST_CASE("npy float32 files round-trip (format versions 1 and 2)", "[nets][npy]") {
  TempDir dir;
  const std::vector<float> values = random_weights(12, 11);
  for (int version : {1, 2}) {
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }";
    const size_t prefix = version == 1 ? 10 : 12;
    header.append(64 - (prefix + header.size() + 1) % 64, ' ').push_back('\n');
    std::vector<uint8_t> bytes = {0x93, 'N', 'U', 'M', 'P', 'Y', static_cast<uint8_t>(version), 0};
    for (size_t i = 0; i < prefix - 8; ++i) bytes.push_back(static_cast<uint8_t>(header.size() >> (8 * i)));
    bytes.insert(bytes.end(), header.begin(), header.end());
    const auto* raw = reinterpret_cast<const uint8_t*>(values.data());
    bytes.insert(bytes.end(), raw, raw + values.size() * sizeof(float));
    const auto path = dir / ("weights_v" + std::to_string(version) + ".npy");
    write_bytes(path, bytes);

    const Net net = read_net(path);
    CHECK(net.format == "npy");
    REQUIRE(net.tensors.size() == 1);
    CHECK(net.tensors[0].name == "weights_v" + std::to_string(version));
    CHECK(net.tensors[0].shape == std::vector<uint32_t>{3, 4});
    CHECK(net.tensors[0].values == values);
  }
}

TEST_CASE("delta of maia-1900 minus maia-1100 is the float32 difference per weight", "[nets][delta]") {
  const Net base = read_net(test::dataset("maia-1100.pb.gz"));
  const Net target = read_net(test::dataset("maia-1900.pb.gz"));
  const Net delta = delta_net(base, target);
  CHECK(delta.format == "delta");
  REQUIRE(delta.tensors.size() == 105);
  CHECK(delta.weight_count() == 868355);
  size_t mismatches = 0;
  for (size_t t = 0; t < delta.tensors.size(); ++t) {
    CHECK(delta.tensors[t].name == target.tensors[t].name);
    for (size_t i = 0; i < delta.tensors[t].values.size(); ++i)
      mismatches += delta.tensors[t].values[i] != target.tensors[t].values[i] - base.tensors[t].values[i];
  }
  CHECK(mismatches == 0);
}

TEST_CASE("input errors are lcz::Error(input) naming the file and the problem", "[nets][errors]") {
  TempDir dir;

  SECTION("missing file") {
    const auto path = dir / "absent.pb.gz";
    require_input_error([&] { read_net(path); }, path.string(), "does not exist");
  }
  SECTION("not a net") {
    const auto path = dir / "notes.txt";
    write_text(path, "hello, these are not weights");
    require_input_error([&] { read_net(path); }, path.string(), "not a recognised net");
    const auto forced = dir / "notes.pb";
    write_text(forced, "hello, these are not weights");
    require_input_error([&] { read_net(forced, "lc0"); }, forced.string(), "not an Lc0 net");
  }
  SECTION("gzip of something that is not a net") {
    const auto path = dir / "text.pb.gz";
    const std::string text = "plain text, gzip-compressed";
    write_bytes(path, gzip_compress({reinterpret_cast<const uint8_t*>(text.data()), text.size()}));
    require_input_error([&] { read_net(path); }, path.string(), "not an Lc0 net");
  }
  SECTION("truncated gzip") {
    auto bytes = read_file_bytes(test::dataset("maia-1900.pb.gz"));
    bytes.resize(bytes.size() / 2);
    const auto path = dir / "half.pb.gz";
    write_bytes(path, bytes);
    require_input_error([&] { read_net(path); }, path.string(), "truncated gzip");
  }
  SECTION("gzip: several members read as one stream; trailing garbage is refused") {
    pblczero::Net net = empty_lc0_net();
    write_lc0_layer(*net.mutable_weights()->mutable_ip1_val_w(), random_weights(100, 9), Kind::float32);
    const std::string serialized = net.SerializeAsString();
    const auto* raw = reinterpret_cast<const uint8_t*>(serialized.data());
    const size_t half = serialized.size() / 2;
    std::vector<uint8_t> bytes = gzip_compress({raw, half});
    const std::vector<uint8_t> second = gzip_compress({raw + half, serialized.size() - half});
    bytes.insert(bytes.end(), second.begin(), second.end());
    const auto members = dir / "members.pb.gz";
    write_bytes(members, bytes);
    CHECK(read_net(members).weight_count() == 100);
    bytes.push_back(0);
    const auto garbage = dir / "garbage.pb.gz";
    write_bytes(garbage, bytes);
    require_input_error([&] { read_net(garbage); }, garbage.string(), "trailing garbage");
  }
  SECTION("params not a whole number of 16-bit elements") {
    pblczero::Net net = empty_lc0_net();
    Layer& layer = *net.mutable_weights()->mutable_input()->mutable_weights();
    layer.set_min_val(-1);
    layer.set_max_val(1);
    layer.set_params("abc");
    const auto path = dir / "odd.pb.gz";
    write_lc0_net_file(path, net, true);
    require_input_error([&] { read_net(path); }, path.string(), "not a multiple of 2");
  }
  SECTION("NaN in a FLOAT32 layer") {
    pblczero::Net net = empty_lc0_net();
    std::vector<float> values = {0.5f, -0.25f, std::nanf(""), 1.0f};
    Layer& layer = *net.mutable_weights()->add_residual()->mutable_se()->mutable_b2();
    layer.set_params(std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float)));
    layer.set_encoding(Layer::FLOAT32);
    const auto path = dir / "nan.pb.gz";
    write_lc0_net_file(path, net, true);
    require_input_error([&] { read_net(path); }, path.string(), "tensor residual.0.se.b2: NaN at index 2");
  }
  SECTION("unknown encoding value") {
    pblczero::Net net = empty_lc0_net();
    Layer& layer = *net.mutable_weights()->mutable_ip_pol_b();
    layer.set_params("abcd");
    layer.GetReflection()->MutableUnknownFields(&layer)->AddVarint(Layer::kEncodingFieldNumber, 9);
    const auto path = dir / "encoding9.pb";
    write_lc0_net_file(path, net, false);
    require_input_error([&] { read_net(path); }, path.string(), "tensor ip_pol_b: unknown encoding value 9");
  }
  SECTION("unknown field inside the Weights tree") {
    pblczero::Net net = empty_lc0_net();
    auto* se = net.mutable_weights()->add_residual()->mutable_se();
    write_lc0_layer(*se->mutable_w1(), std::vector<float>{1.0f, 2.0f}, Kind::float32);
    se->GetReflection()->MutableUnknownFields(se)->AddLengthDelimited(77, "future tensor");
    const auto path = dir / "future.pb.gz";
    write_lc0_net_file(path, net, true);
    require_input_error([&] { read_net(path); }, path.string(), "unknown field 77");
    require_input_error([&] { read_net(path); }, path.string(), "at weights.residual.0.se");
  }
  SECTION("dims that do not match the element count") {
    pblczero::Net net = empty_lc0_net();
    Layer& layer = *net.mutable_weights()->mutable_ip1_val_w();
    write_lc0_layer(layer, random_weights(6, 5), Kind::float16);
    layer.add_dims(4);
    layer.add_dims(2);
    const auto path = dir / "dims.pb.gz";
    write_lc0_net_file(path, net, true);
    require_input_error([&] { read_net(path); }, path.string(), "dims 4x2 hold 8 elements but params hold 6");
  }
  SECTION("wrong magic") {
    pblczero::Net net = empty_lc0_net();
    net.set_magic(0x1234);
    write_lc0_layer(*net.mutable_weights()->mutable_ip1_val_w(), std::vector<float>{1.0f}, Kind::float32);
    const auto path = dir / "magic.pb.gz";
    write_lc0_net_file(path, net, true);
    require_input_error([&] { read_net(path); }, path.string(), "Net.magic");
  }
  SECTION("raw float32 file of 7 bytes") {
    const auto path = dir / "seven.f32";
    write_text(path, "1234567");
    require_input_error([&] { read_net(path); }, path.string(), "not a multiple of 4");
  }
  SECTION("npy with a float64 dtype") {
    std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }";
    header.append(64 - (10 + header.size() + 1) % 64, ' ').push_back('\n');
    std::string file = std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(header.size()) + '\0' + header;
    file.append(16, '\0');
    const auto path = dir / "doubles.npy";
    write_text(path, file);
    require_input_error([&] { read_net(path); }, path.string(), "header field 'descr' is '<f8'");
  }
  SECTION("npy whose data does not match its shape") {
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }\n";
    std::string file = std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(header.size()) + '\0' + header;
    file.append(8, '\0');
    const auto path = dir / "short.npy";
    write_text(path, file);
    require_input_error([&] { read_net(path); }, path.string(), "header field 'shape'");
  }
  SECTION("delta of nets whose shapes differ") {
    Net base{"base.npy", "npy", {Tensor{"w", {2, 3}, std::vector<float>(6), {}}}};
    Net target{"target.npy", "npy", {Tensor{"w", {3, 2}, std::vector<float>(6), {}}}};
    require_input_error([&] { delta_net(base, target); }, "target.npy", "shape [3,2] vs [2,3]");
    // Names count where the format gives them (lc0); an npy tensor is named after its file.
    target.tensors[0].name = "v";
    target.tensors[0].shape = {2, 3};
    base.format = target.format = "lc0";
    require_input_error([&] { delta_net(base, target); }, "base.npy", "'v' vs 'w'");
  }
}

TEST_CASE("the layer writer refuses what its encoding cannot hold", "[nets][lc0]") {
  Layer layer;
  const std::vector<float> too_big = {1.0f, 70000.0f};
  CHECK_THROWS_MATCHES(write_lc0_layer(layer, too_big, Kind::float16), Error,
                       Catch::Predicate<Error>([](const Error& e) { return e.kind() == ErrorKind::codec; }));
  CHECK_THROWS_AS(write_lc0_layer(layer, std::vector<float>{std::nanf("")}, Kind::float32), Error);
  write_lc0_layer(layer, std::vector<float>(3, 0.25f), Kind::linear16);  // constant: min == max
  CHECK(layer.min_val() == 0.25f);
  CHECK(layer.max_val() == 0.25f);
  CHECK(layer.params() == std::string(6, '\0'));
}

}  // namespace lcz
