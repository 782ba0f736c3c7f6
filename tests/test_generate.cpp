// harness gen: a net at any size whose tensors follow a real net's shapes and value
// statistics, exactly N weights, the same bytes for the same seed.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <set>

#include "codecs/core/error.h"
#include "formats/format.h"
#include "nets/generate.h"
#include "tests/test_support.h"

using namespace lcz;

namespace {
double mean_abs(const std::vector<float>& v) {
  double s = 0;
  for (float x : v) s += std::fabs(x);
  return s / static_cast<double>(v.size());
}
double negative_fraction(const std::vector<float>& v) {
  return static_cast<double>(std::count_if(v.begin(), v.end(), [](float x) { return x < 0; })) / static_cast<double>(v.size());
}
}  // namespace

TEST_CASE("gen scales every tensor's shape and gives exactly N weights", "[gen]") {
  const Net real = read_net(test::dataset("maia-1900.pb.gz"));
  for (uint64_t n : {uint64_t{105}, uint64_t{1000}, uint64_t{868355}, uint64_t{2500001}, uint64_t{25000000}}) {
    INFO(n);
    const NetLayout l = scaled_layout(real, n);
    REQUIRE(l.tensors.size() == real.tensors.size());
    CHECK(l.weight_count() == n);
    for (size_t i = 0; i < l.tensors.size(); ++i) {
      CHECK(l.tensors[i].name == real.tensors[i].name);
      CHECK(l.tensors[i].count >= 1);
      uint64_t product = 1;
      for (uint32_t d : l.tensors[i].shape) product *= d;
      CHECK(product == l.tensors[i].count);
    }
  }
  // 29x: each tensor grows in proportion (these Lc0 files carry no dims: flat tensors)
  const NetLayout big = scaled_layout(real, 25000000);
  for (size_t i = 0; i < real.tensors.size(); ++i)
    if (real.tensors[i].values.size() >= 512)
      CHECK(big.tensors[i].count == Approx(real.tensors[i].values.size() * (25000000.0 / 868355)).epsilon(0.02));
  // with dims, the row (all dims but the first, e.g. 64x3x3 of a convolution) stays and the first dim grows
  Net shaped;
  shaped.tensors.push_back({"conv", {64, 64, 3, 3}, std::vector<float>(64 * 64 * 9, 0.5f), {}});
  shaped.tensors.push_back({"bias", {64}, std::vector<float>(64, -0.25f), {}});
  const NetLayout s = scaled_layout(shaped, 10 * (64 * 64 * 9 + 64) + 7);
  CHECK(s.weight_count() == 10 * (64 * 64 * 9 + 64) + 7);
  CHECK(s.tensors[0].shape == std::vector<uint32_t>{640, 64, 3, 3});
  CHECK(s.tensors[1].shape == std::vector<uint32_t>{647});
  CHECK_THROWS_AS(scaled_layout(real, 104), Error);
}

TEST_CASE("gen is deterministic for a seed and different across seeds", "[gen]") {
  const Net real = read_net(test::dataset("maia-1900.pb.gz"));
  const Net a = generate_like(real, 300000, 7), b = generate_like(real, 300000, 7), c = generate_like(real, 300000, 8);
  REQUIRE(a.tensors.size() == b.tensors.size());
  bool all_same = true, any_differs = false;
  for (size_t i = 0; i < a.tensors.size(); ++i) {
    all_same = all_same && a.tensors[i].values == b.tensors[i].values;
    any_differs = any_differs || a.tensors[i].values != c.tensors[i].values;
  }
  CHECK(all_same);
  CHECK(any_differs);
  CHECK(a.weight_count() == 300000);
}

TEST_CASE("generated tensors follow the real tensors' values, signs and neighbours", "[gen]") {
  const Net real = read_net(test::dataset("maia-1900.pb.gz"));
  const Net gen = generate_like(real, 4 * real.weight_count(), 1);
  size_t checked = 0;
  for (size_t i = 0; i < real.tensors.size(); ++i) {
    const auto& r = real.tensors[i].values;
    const auto& g = gen.tensors[i].values;
    if (r.size() < 4096) continue;
    INFO(real.tensors[i].name);
    // every generated value is one of the real tensor's values (LINEAR16 grids survive)
    std::set<float> values(r.begin(), r.end());
    CHECK(std::all_of(g.begin(), g.end(), [&](float x) { return values.count(x) == 1; }));
    CHECK(mean_abs(g) == Approx(mean_abs(r)).epsilon(0.05));
    CHECK(negative_fraction(g) == Approx(negative_fraction(r)).margin(0.03));
    ++checked;
  }
  CHECK(checked > 10);
  // a tensor whose neighbouring magnitudes are correlated gives a positive copula correlation;
  // shuffled values give about none
  Tensor smooth{"smooth", {1 << 16}, {}, {}};
  for (int k = 0; k < (1 << 16); ++k) smooth.values.push_back(static_cast<float>(std::sin(k * 0.001) * ((k % 2) ? 1 : -1)));
  CHECK(TensorModel(smooth).magnitude_correlation() > 0.9);
  Tensor noise{"noise", {1 << 16}, {}, {}};
  uint32_t x = 1;
  for (int k = 0; k < (1 << 16); ++k) noise.values.push_back(static_cast<float>((x = x * 1664525u + 1013904223u) >> 8) - 8e6f);
  CHECK(std::fabs(TensorModel(noise).magnitude_correlation()) < 0.05);
}
