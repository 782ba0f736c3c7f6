// The grid stage: Lc0 LINEAR16 weights come back bit for bit; everything else is rounded
// within the tolerance; a corrupt header is refused.
#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <random>

#include "codecs/core/registry.h"
#include "nets/lc0_reader.h"
#include "harness/run.h"
#include "tests/test_support.h"

using namespace lcz;

namespace {
std::unique_ptr<Stage> grid() {
  const StageDescriptor* d = find_stage("grid");
  REQUIRE(d != nullptr);
  return d->make(validate_params(d->params, nlohmann::json::object(), "grid"), StageContext{.tolerance = 0x1p-17});
}
bool bit_equal(const F32& a, const F32& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](float x, float y) {
           return std::bit_cast<uint32_t>(x) == std::bit_cast<uint32_t>(y);
         });
}
}  // namespace

TEST_CASE("grid is bit-exact on every LINEAR16 tensor of maia-1900 whose step is at least 2 tol", "[grid]") {
  Net net = read_net(test::dataset("maia-1900.pb.gz"));
  auto g = grid();
  int on_grid = 0, rounded = 0;
  for (const auto& t : net.tensors) {
    INFO(t.name);
    REQUIRE(t.source.kind == SourceEncoding::Kind::linear16);
    I32 k = std::get<I32>(g->encode(t.values));
    REQUIRE(!k.empty());
    F32 back = std::get<F32>(g->decode(k));
    auto [lo, hi] = std::minmax_element(t.values.begin(), t.values.end());
    const bool coarse = (double(*hi) - double(*lo)) / 65535 >= 0x1p-16;
    if (coarse) {
      CHECK(k[0] == 1);  // the Lc0 release formula
      CHECK(bit_equal(back, t.values));
      ++on_grid;
    } else {
      CHECK(k[0] == 0);
      for (size_t i = 0; i < back.size(); ++i) REQUIRE(std::fabs(double(back[i]) - double(t.values[i])) <= 0x1p-17);
      ++rounded;
    }
  }
  CHECK(on_grid > 0);
  CHECK(on_grid + rounded == 105);
}

TEST_CASE("grid detects the Lc0 development formula too, and rounds data that is on no grid", "[grid]") {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> u16(0, 65535);
  const float lo = -1.7f, hi = 2.3f;
  F32 release, dev, noise;
  for (int i = 0; i < 5000; ++i) {
    int u = i == 0 ? 0 : i == 1 ? 65535 : u16(rng);
    release.push_back(linear16_to_float(static_cast<uint16_t>(u), lo, hi));
    float theta = static_cast<float>(u) / 65535.0f;
    dev.push_back(lo * (1.0f - theta) + hi * theta);
    noise.push_back(std::uniform_real_distribution<float>(lo, hi)(rng));
  }
  auto g = grid();
  I32 a = std::get<I32>(g->encode(release));
  CHECK(a[0] == 1);
  CHECK(bit_equal(std::get<F32>(g->decode(a)), release));
  if (!bit_equal(release, dev)) {  // the two formulas differ in the last bit somewhere
    I32 b = std::get<I32>(g->encode(dev));
    CHECK(b[0] == 2);
    CHECK(bit_equal(std::get<F32>(g->decode(b)), dev));
  }
  I32 c = std::get<I32>(g->encode(noise));
  CHECK(c[0] == 0);
}

TEST_CASE("grid refuses corrupt headers and indices", "[grid]") {
  auto g = grid();
  CHECK_THROWS_AS(g->decode(I32{}), Error);
  CHECK_THROWS_AS(g->decode(I32{7, 1, 2}), Error);
  CHECK_THROWS_AS(g->decode(I32{1, std::bit_cast<int32_t>(1.0f)}), Error);
  CHECK_THROWS_AS(g->decode(I32{1, std::bit_cast<int32_t>(2.0f), std::bit_cast<int32_t>(1.0f), 0}), Error);
  CHECK_THROWS_AS(g->decode(I32{1, std::bit_cast<int32_t>(-1.0f), std::bit_cast<int32_t>(1.0f), 70000}), Error);
}

TEST_CASE("tensor_stages runs grid per tensor and one coder over the net", "[grid][pipeline]") {
  nlohmann::json j = nlohmann::json::parse(R"({
    "datasets": ["maia-1900.pb.gz"], "repeat": 1,
    "pipelines": [{"name": "grid-net", "tensor_stages": 1,
                   "stages": ["grid", "zigzag", "le_bytes", "byte_shuffle", {"stage": "zstd", "level": 3}]}]})");
  Config c = parse_config(j, "grid.json", {.datasets_dir = test::datasets_dir()});
  Pipeline p(c.pipelines[0], StageContext{.tolerance = c.tolerance});
  Net net = read_net(test::dataset("maia-1900.pb.gz"));
  Bytes out = p.encode_net(net);
  Verification v = verify(net, p.decode_net(out, layout_of(net)));
  CHECK(v.mismatch.empty());
  CHECK(v.max_abs_error <= 0x1p-17);
  // The per-tensor header is one varint per tensor; a damaged one is an error, not a crash.
  Bytes bad = out;
  bad[0] = 0x7f;
  CHECK_THROWS_AS(p.decode_net(bad, layout_of(net)), Error);
  CHECK_THROWS_AS(p.decode_net(Bytes(out.begin(), out.begin() + 50), layout_of(net)), Error);
}
