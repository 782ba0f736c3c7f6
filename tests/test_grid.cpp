// The grid stage: Lc0 LINEAR16 weights come back bit for bit; everything else is rounded
// within the tolerance; a corrupt header is refused.
#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <limits>
#include <random>

#include "codecs/core/registry.h"
#include "codecs/quantize/linear16_lattice.h"
#include "codecs/quantize/value_range.h"
#include "codecs/quantize/rounding.h"
#include "formats/format.h"
#include "formats/lc0/lc0_file.h"
#include "formats/lc0/lc0_loaded.h"
#include "formats/lc0/linear16.h"
#include "formats/lc0/skeleton.h"
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

TEST_CASE("grid is bit-exact on coarse LINEAR16 tensors of maia-1900, and keeps finer ones on a LINEAR16 lattice",
          "[grid]") {
  Net net = read_net(test::dataset("maia-1900.pb.gz"));
  auto g = grid();
  int on_grid = 0, on_lattice = 0, own_range = 0, constant = 0;
  for (const auto& t : net.tensors) {
    INFO(t.name);
    REQUIRE(t.source.kind == SourceEncoding::Kind::linear16);
    I32 k = std::get<I32>(g->encode(t.values));
    REQUIRE(!k.empty());
    F32 back = std::get<F32>(g->decode(k));
    auto [lo, hi] = std::minmax_element(t.values.begin(), t.values.end());
    const bool coarse = (double(*hi) - double(*lo)) / 65535 >= 0x1p-16;
    // The grid stage hands over the range it coded the layer on (what the Lc0 writer uses).
    const std::optional<CodedLattice> handed = g->coded_lattice(k, {});
    {  // the same against a base (here the layer itself), where the header is in the side record
      Bytes side;
      const I32 against = std::get<I32>(g->encode_against(t.values, BaseTensor(t.values), side));
      REQUIRE(!side.empty());
      CHECK(side[0] == k[0]);
      const std::optional<CodedLattice> via_base = g->coded_lattice(against, side);
      CHECK(via_base.has_value() == handed.has_value());
      if (via_base && handed) CHECK((via_base->min_val == handed->min_val && via_base->max_val == handed->max_val &&
                                     via_base->step == handed->step));
    }
    if (coarse) {
      CHECK(k[0] == 1);  // the Lc0 release formula
      CHECK(bit_equal(back, t.values));
      REQUIRE(handed);
      CHECK((handed->min_val == *lo && handed->max_val == *hi && handed->step == 1));
      ++on_grid;
      continue;
    }
    if (*lo == *hi) {  // a constant layer (batch-norm gammas of 1): rounding keeps it exact
      CHECK(k[0] == 0);
      CHECK(bit_equal(back, t.values));
      CHECK_FALSE(handed);  // rounded to multiples of 2 tol: no lattice
      ++constant;
      continue;
    }
    // A finer grid: a lattice of LINEAR16 indices, within the tolerance of every weight...
    REQUIRE(k[0] == 3);
    for (size_t i = 0; i < back.size(); ++i) REQUIRE(std::fabs(double(back[i]) - double(t.values[i])) <= 0x1p-17);
    // ... and on a grid a released lc0 reads: rewritten as LINEAR16 on that range it decodes to
    // the same bits, either the layer's own range or the one fit_linear16_lattice gives.
    const float range_lo = std::bit_cast<float>(k[1]), range_hi = std::bit_cast<float>(k[2]);
    CHECK(bit_equal(as_lc0_decodes_linear16(back, range_lo, range_hi), back));
    auto fit = fit_linear16_lattice(t.values, 0x1p-17);
    const bool own = range_lo == *lo && range_hi == *hi;
    CHECK((own || (fit && fit->min_val == range_lo && fit->max_val == range_hi)));
    REQUIRE(handed);
    CHECK((handed->min_val == range_lo && handed->max_val == range_hi && handed->step == k[3]));
    own_range += own;
    ++on_lattice;
  }
  CHECK(on_grid > 0);
  CHECK(on_lattice > 0);
  CHECK(on_grid + on_lattice + constant == 105);
  INFO(own_range << " of " << on_lattice << " lattice layers on their own range");
  CHECK(own_range <= on_lattice);
}

TEST_CASE("fit_linear16_lattice: every value within tol as lc0 decodes, lattice near 2 tol", "[grid]") {
  std::mt19937 rng(3);
  for (double scale : {1e-3, 0.05, 0.3, 0.49}) {
    INFO("scale " << scale);
    F32 v(20000);
    std::normal_distribution<float> d(0.0f, static_cast<float>(scale / 3));
    for (auto& x : v) x = std::clamp(d(rng), static_cast<float>(-scale), static_cast<float>(scale));
    auto fit = fit_linear16_lattice(v, 0x1p-17);
    REQUIRE(fit);
    const LatticeIndexer index(*fit, 0x1p-17);
    const int32_t zero = index.zero();
    const Linear16Originals originals(v);  // raw float32 values: the same whatever the decoder
    REQUIRE_FALSE(originals.on_grid());
    for (size_t i = 0; i < v.size(); ++i) {
      const float x = v[i];
      auto k = index(x, originals, i).k;
      REQUIRE(k);
      for (Linear16Decoder d : kLc0Linear16Decoders) {
        const float back = linear16_decode(d, zero + *k * fit->step, fit->min_val, fit->max_val);
        REQUIRE(std::fabs(double(back) - x) <= 0x1p-17);
      }
    }
    // The lattice spacing is 2 tol less what float32 rounding takes: within 1 %.
    const double spacing = (double(fit->max_val) - fit->min_val) / 65535 * fit->step;
    CHECK(spacing <= 0x1p-16 * (1 + 1e-6));  // float32 ends of the range round the spacing
    CHECK(spacing > 0.99 * 0x1p-16);
  }
  // Values spanning more than 65535 lattice steps do not fit.
  CHECK_FALSE(fit_linear16_lattice(F32{-1.0f, 1.0f}, 0x1p-17));
}

TEST_CASE("Linear16Originals finds each value's grid index, 8 at a time or one by one", "[grid]") {
  // The indices are nearest_linear16_index's, value by value, whatever the count (the vector pass
  // takes 8 at a time, the tail one by one) and where the first guess is not the answer (a range
  // too narrow for its magnitude decodes neighbouring indices to the same float).
  std::mt19937 rng(5);
  for (const auto& [lo, hi] : {std::pair{-0.31f, 0.29f}, std::pair{1000.0f, 1000.01f}, std::pair{-3e-5f, 2e-5f}}) {
    for (size_t n : {2, 7, 8, 9, 1000, 4099}) {
      INFO("range [" << lo << ", " << hi << "], " << n << " values");
      std::uniform_int_distribution<int32_t> index(0, 65535);
      F32 v(n);
      for (auto& x : v) x = linear16_release(index(rng), lo, hi);
      v[0] = linear16_release(0, lo, hi);  // the ends: the values' range is the grid's
      v[n - 1] = linear16_release(65535, lo, hi);
      const Linear16Originals originals(v);
      REQUIRE(originals.on_grid());
      for (size_t i = 0; i < n; ++i) REQUIRE(originals.grid_index(i) == nearest_linear16_index(v[i], lo, hi));
      // A value between two grid points: not on the grid.
      if (n >= 9) {
        F32 off = v;
        off[n / 2] = std::nextafter(linear16_release(100, lo, hi), std::numeric_limits<float>::infinity());
        if (linear16_release(nearest_linear16_index(off[n / 2], lo, hi), lo, hi) != off[n / 2])
          CHECK_FALSE(Linear16Originals(off).on_grid());
      }
    }
  }
  // A grid that holds +0 (the top of [-0.5, 0]) does not hold -0: bit for bit.
  CHECK(Linear16Originals(F32{-0.5f, 0.0f, -0.25f, 0.0f, -0.5f, 0.0f, 0.0f, 0.0f, 0.0f}).on_grid() ==
        (linear16_release(nearest_linear16_index(-0.25f, -0.5f, 0.0f), -0.5f, 0.0f) == -0.25f));
  CHECK_FALSE(Linear16Originals(F32{-0.5f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, -0.0f}).on_grid());
  CHECK_FALSE(Linear16Originals(F32{-0.5f, 0.0f, -0.0f}).on_grid());
  CHECK(Linear16Originals(F32{-0.5f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f}).on_grid());
}

TEST_CASE("fit_linear16_lattice: a large layer on a grid gets each value's own choice", "[grid]") {
  // On a grid the fit looks each grid index up once (a layer of many weights, few indices):
  // every value must still get the index LatticeIndexer gives it, within tol as lc0 decodes.
  std::mt19937 rng(11);
  const float lo = -0.31f, hi = 0.29f;  // grid step 9.2e-6: between tol and 2 tol
  const int32_t zero = linear16_zero_index(lo, hi);
  std::normal_distribution<double> d(0.0, 1500.0);
  F32 v(30000);
  for (auto& x : v)
    x = linear16_release(static_cast<int32_t>(std::clamp(zero + std::lround(d(rng)), 0L, 65535L)), lo, hi);
  v[0] = linear16_release(0, lo, hi);  // the range's ends: the values lie on [lo, hi]
  v[1] = linear16_release(65535, lo, hi);
  std::vector<int32_t> indices(v.size());
  auto fit = fit_linear16_lattice(v, 0x1p-17, indices.data());
  REQUIRE(fit);
  const Linear16Originals originals(v);
  REQUIRE(originals.on_grid());
  const LatticeIndexer index(*fit, 0x1p-17);
  size_t repeated = 0;
  std::vector<bool> seen(65536);
  for (size_t i = 0; i < v.size(); ++i) {
    repeated += seen[originals.grid_index(i)];
    seen[originals.grid_index(i)] = true;
    auto k = index(v[i], originals, i).k;
    REQUIRE(k);
    REQUIRE(*k == indices[i]);
    for (Linear16Decoder dec : kLc0Linear16Decoders) {
      const float back = linear16_decode(dec, index.zero() + *k * fit->step, fit->min_val, fit->max_val);
      REQUIRE(std::fabs(double(back) - v[i]) <= 0x1p-17);
    }
  }
  CHECK(repeated > v.size() / 2);  // the case the lookup is for
}

TEST_CASE("lc0_loaded_error: a layer decoded to its own bits is exact; a moved weight costs what every decoder reads",
          "[grid]") {
  std::mt19937 rng(5);
  const float lo = -0.41f, hi = 0.37f;
  std::uniform_int_distribution<int32_t> u16(0, 65535);
  std::vector<int32_t> u(5000);
  for (auto& x : u) x = u16(rng);
  Tensor layer{.name = "w", .shape = {5000}, .values = {}, .source = {SourceEncoding::Kind::linear16, lo, hi}};
  for (int32_t x : u) layer.values.push_back(linear16_release(x, lo, hi));
  const LoadedError same = lc0_loaded_error(layer, layer.values, layer.source);
  CHECK(same.max_error == 0);
  // Weight 1234 moved by 3 grid indices, written on the same range: its error is the largest
  // difference any decoder reads, found here without Lc0Readings.
  F32 moved = layer.values;
  const int32_t to = u[1234] < 60000 ? u[1234] + 3 : u[1234] - 3;
  moved[1234] = linear16_release(to, lo, hi);
  double expected = 0;
  for (Linear16Decoder d : kLc0Linear16Decoders)
    expected = std::max(expected, std::fabs(double(linear16_decode(d, to, lo, hi)) - linear16_decode(d, u[1234], lo, hi)));
  const LoadedError one = lc0_loaded_error(layer, moved, layer.source);
  CHECK(one.max_error == expected);
  CHECK(one.worst == 1234);
  CHECK(expected > 2 * (double(hi) - lo) / 65535);
}

TEST_CASE("grid detects the Lc0 development formula too, and rounds data that is on no grid", "[grid]") {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> u16(0, 65535);
  const float lo = -1.7f, hi = 2.3f;
  F32 release, dev, noise;
  for (int i = 0; i < 5000; ++i) {
    int u = i == 0 ? 0 : i == 1 ? 65535 : u16(rng);
    release.push_back(linear16_release(static_cast<uint16_t>(u), lo, hi));
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
  // Lattice: step out of range, an index past the grid, a header cut short.
  const int32_t m1 = std::bit_cast<int32_t>(-1.0f), p1 = std::bit_cast<int32_t>(1.0f);
  CHECK_THROWS_AS(g->decode(I32{3, m1, p1, 0, 1}), Error);
  CHECK_THROWS_AS(g->decode(I32{3, m1, p1, 70000, 1}), Error);
  CHECK_THROWS_AS(g->decode(I32{3, m1, p1, 7, 5000}), Error);
  CHECK_THROWS_AS(g->decode(I32{3, m1, p1}), Error);
  CHECK(std::get<F32>(g->decode(I32{3, m1, p1, 7, 0})).size() == 1);
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

TEST_CASE("rounding takes the other grid neighbour, or grid a narrower step, where float32 breaks the nearest",
          "[grid]") {
  // 0.03125 at tol 1e-5 lies halfway between two multiples of 2e-5: the nearest (ties to even)
  // reconstructs 1.0000000000001e-5 away in float32, the other neighbour within tol.
  int32_t q = 0;
  const F32 one = {0.03125f};
  quantize_to_step(one, 2e-5, /*round=*/true, 1e-5, "test", &q);
  CHECK(std::fabs(double(dequantize(q, 2e-5)) - 0.03125) <= 1e-5);
  // 0.00013f: both neighbours are beyond 1e-5 in float32; the grid stage rounds at a narrower
  // step, stored in its header (path 4), and every value comes back within tol.
  const StageDescriptor* d = find_stage("grid");
  auto g = d->make(validate_params(d->params, nlohmann::json::object(), "grid"), StageContext{.tolerance = 1e-5});
  F32 values = {0.00013f, 0.00017f, -0.02097f};
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> spread(-0.1f, 0.1f);
  for (int i = 0; i < 1000; ++i) values.push_back(spread(rng));
  CHECK_THROWS_AS(quantize_to_step(values, 2e-5, true, 1e-5, "test", std::vector<int32_t>(values.size()).data()), Error);
  I32 coded = std::get<I32>(g->encode(values));
  REQUIRE(coded[0] == 4);
  const double step = std::bit_cast<double>(uint64_t(uint32_t(coded[1])) | uint64_t(uint32_t(coded[2])) << 32);
  CHECK(step < 2e-5);
  CHECK(step >= 2e-5 - 4 * (std::nextafter(0.1f, 1.0f) - 0.1f));  // two ulps of the largest magnitude, 0.1
  const F32 back = std::get<F32>(g->decode(coded));
  REQUIRE(back.size() == values.size());
  for (size_t i = 0; i < values.size(); ++i) REQUIRE(std::fabs(double(back[i]) - values[i]) <= 1e-5);
  // A stored step wider than 2*tol, zero or NaN is refused.
  for (double bad : {2.5e-5, 0.0, std::nan("")}) {
    I32 forged = coded;
    const uint64_t bits = std::bit_cast<uint64_t>(bad);
    forged[1] = int32_t(uint32_t(bits));
    forged[2] = int32_t(uint32_t(bits >> 32));
    CHECK_THROWS_AS(g->decode(forged), Error);
  }
}

TEST_CASE("the compile-time table of u / 65535 holds lc0's float32 quotient for every index", "[grid]") {
  // lc0 divides at run time: every entry must be that quotient bit for bit (volatile keeps the
  // division out of the compiler's hands). Off the grid the function divides.
  volatile float denominator = 65535.0f;
  for (int32_t u = 0; u <= 65535; ++u) {
    const float quotient = static_cast<float>(u) / denominator;
    if (std::bit_cast<uint32_t>(linear16_fraction(u)) != std::bit_cast<uint32_t>(quotient)) FAIL("index " << u);
  }
  for (int32_t u : {-1, 65536, 70000, -65535})
    CHECK(std::bit_cast<uint32_t>(linear16_fraction(u)) == std::bit_cast<uint32_t>(static_cast<float>(u) / denominator));
  CHECK(linear16_fraction(65535) == 1.0f);
}

TEST_CASE("value_range gives the floats std::minmax_element gives, -0 and +0 ties included", "[grid]") {
  std::mt19937 rng(17);
  const float specials[] = {0.0f, -0.0f, std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                            std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::denorm_min()};
  for (size_t n : {size_t{1}, size_t{2}, size_t{7}, size_t{8}, size_t{9}, size_t{17}, size_t{1000}}) {
    for (int trial = 0; trial < 200; ++trial) {
      F32 v(n);
      // Mostly signed zeros and small integers (ties everywhere), sometimes a special value.
      for (float& x : v) {
        const uint32_t r = rng() % 16;
        x = r < 4 ? (r % 2 ? -0.0f : 0.0f) : static_cast<float>(static_cast<int>(rng() % 5) - (trial % 3 == 0 ? 0 : 2));
      }
      if (trial % 5 == 0) v[rng() % n] = specials[rng() % std::size(specials)];
      const auto [lo_it, hi_it] = std::minmax_element(v.begin(), v.end());
      bool finite = true;
      for (float x : v) finite = finite && std::isfinite(x);
      const ValueRange last = value_range(v, LargestTie::last);
      INFO(n << " values, trial " << trial);
      REQUIRE(std::bit_cast<uint32_t>(last.lo) == std::bit_cast<uint32_t>(*lo_it));
      REQUIRE(std::bit_cast<uint32_t>(last.hi) == std::bit_cast<uint32_t>(*hi_it));
      REQUIRE(last.finite == finite);
      if (!finite) continue;
      // The first largest: as a running std::max keeps it.
      float first_hi = v[0];
      for (float x : v) first_hi = std::max(first_hi, x);
      const ValueRange first = value_range(v, LargestTie::first);
      REQUIRE(std::bit_cast<uint32_t>(first.lo) == std::bit_cast<uint32_t>(*lo_it));
      REQUIRE(std::bit_cast<uint32_t>(first.hi) == std::bit_cast<uint32_t>(first_hi));
    }
  }
}

TEST_CASE("quantize_to_step's two-wide loop gives the integers of its one-value loop", "[grid]") {
  // A span of one value takes the scalar loop only: every value of a longer span must get the
  // integer it gets alone, and a span is refused exactly when one of its values is. Values at
  // ties, at float32 rounding trouble (0.0019 at tol 1e-4), beyond 31 bits, signed zeros, NaN.
  std::mt19937 rng(23);
  for (const double tol : {0x1p-17, 1e-4}) {
    const double step = 2 * tol;
    for (size_t n : {size_t{1}, size_t{2}, size_t{3}, size_t{5}, size_t{64}, size_t{1001}}) {
      for (int trial = 0; trial < 40; ++trial) {
        F32 v(n);
        for (float& x : v) {
          const uint32_t r = rng() % 8;
          x = r == 0 ? static_cast<float>((static_cast<int>(rng() % 2001) - 1000) * step * 0.5)  // ties
              : r == 1 ? (rng() % 2 ? 0.0019f : -0.0f)
              : std::uniform_real_distribution<float>(-3, 3)(rng);
        }
        if (trial % 10 == 9) v[rng() % n] = trial % 20 == 9 ? std::numeric_limits<float>::quiet_NaN() : 1e30f;
        I32 together(n), alone(n);
        bool refused_together = false, refused_alone = false;
        try {
          quantize_to_step(v, step, /*round=*/true, tol, "test", together.data());
        } catch (const Error&) {
          refused_together = true;
        }
        for (size_t i = 0; i < n; ++i) {
          try {
            quantize_to_step(std::span<const float>(&v[i], 1), step, /*round=*/true, tol, "test", &alone[i]);
          } catch (const Error&) {
            refused_alone = true;
          }
        }
        INFO("tol " << tol << ", " << n << " values, trial " << trial);
        REQUIRE(refused_together == refused_alone);
        if (!refused_together) REQUIRE(together == alone);
      }
    }
  }
}

TEST_CASE("dequantize_all gives every value dequantize's float, bit for bit", "[grid]") {
  // Lengths around the vector widths (the remainder loops), int32 extremes, steps that round
  // in float32 (not powers of two), a subnormal result and an infinite one.
  std::mt19937 rng(9);
  const std::vector<int32_t> extremes = {std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max(), -1, 0, 1};
  for (double step : {0x1p-16, 2e-5, 1.0 / 3.0, 1e-44, 1e30}) {
    for (size_t n : {size_t{0}, size_t{1}, size_t{3}, size_t{4}, size_t{7}, size_t{8}, size_t{9}, size_t{31}, size_t{1000}}) {
      I32 in(n);
      for (int32_t& q : in) q = rng() % 3 == 0 ? extremes[rng() % extremes.size()] : static_cast<int32_t>(rng()) >> (rng() % 31);
      F32 out(n + 1, 7.0f);
      dequantize_all(in, step, out.data());
      INFO("step " << step << ", " << n << " values");
      for (size_t i = 0; i < n; ++i) REQUIRE(std::bit_cast<uint32_t>(out[i]) == std::bit_cast<uint32_t>(dequantize(in[i], step)));
      REQUIRE(out[n] == 7.0f);  // nothing written past the end
    }
  }
}

TEST_CASE("the maxima a LINEAR16 range may have had bracket its own max_val", "[grid]") {
  std::mt19937 rng(9);
  std::uniform_real_distribution<float> end(-3.0f, 3.0f);
  std::uniform_int_distribution<int> index(0, 65535);
  for (int trial = 0; trial < 200; ++trial) {
    float lo = end(rng), max_val = end(rng);
    if (lo > max_val) std::swap(lo, max_val);
    if (!(max_val > lo)) continue;
    std::vector<uint16_t> u = {0, 65535};
    for (int i = 0; i < 200; ++i) u.push_back(static_cast<uint16_t>(index(rng)));
    F32 values;
    for (uint16_t x : u) values.push_back(linear16_release(x, lo, max_val));
    const float hi = *std::max_element(values.begin(), values.end());
    const auto ends = linear16_range_maxima(lo, hi, values, u);
    INFO("range [" << lo << ", " << max_val << "], largest value " << hi);
    CHECK(ends[0] <= max_val);
    CHECK(max_val <= ends[1]);
    // Every decoder reads each index between what it reads at the two ends (it is monotone in max).
    for (Linear16Decoder dec : kLc0Linear16Decoders)
      for (uint16_t x : u) {
        const float a = linear16_decode(dec, x, lo, ends[0]), b = linear16_decode(dec, x, lo, ends[1]);
        const float v = linear16_decode(dec, x, lo, max_val);
        REQUIRE(std::min(a, b) <= v);
        REQUIRE(v <= std::max(a, b));
      }
  }
}
