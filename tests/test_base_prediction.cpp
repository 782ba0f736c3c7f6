// Coding a net given a base (issue 17): on a synthetic pair made like the shared ONNX pair
// (frozen conv layers whose folded batch-norm scale moved: target ~ base * (1 + e_c) + o_c per
// output channel; other layers with noise that grows with |w|), the quantizers find the
// per-channel factors, the coders use the base context, every round trip is exact, and
// corrupt side records or a missing context are refused.
#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <random>

#include "codecs/core/byte_io.h"
#include "codecs/core/registry.h"
#include "codecs/entropy/cm/format.h"
#include "codecs/entropy/rans/decode.h"
#include "codecs/entropy/rans/encode.h"
#include "codecs/quantize/base_prediction.h"
#include "formats/lc0/linear16.h"
#include "pipeline/pipeline.h"
#include "pipeline/presets.h"
#include "tests/test_support.h"

using namespace lcz;

namespace {

constexpr double kTol = 0x1p-17;
constexpr double kStep = 2 * kTol;

std::unique_ptr<Stage> stage(const std::string& name) {
  const StageDescriptor* d = find_stage(name);
  REQUIRE(d != nullptr);
  return d->make(validate_params(d->params, nlohmann::json::object(), name), StageContext{.tolerance = kTol});
}

bool bit_equal(const F32& a, const F32& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](float x, float y) {
           return std::bit_cast<uint32_t>(x) == std::bit_cast<uint32_t>(y);
         });
}

// Laplacian weights of scale `s` (conv kernels of the shared nets look so).
F32 laplacian(size_t n, double s, std::mt19937_64& rng) {
  std::exponential_distribution<double> e(1.0 / s);
  std::bernoulli_distribution sign(0.5);
  F32 w(n);
  for (auto& v : w) v = static_cast<float>(sign(rng) ? e(rng) : -e(rng));
  return w;
}

// A frozen conv layer [C][in][3][3] (output channel first): each channel scaled by a known
// factor and shifted by a known offset, plus noise well under a step.
struct FrozenConv {
  std::vector<uint32_t> shape;
  F32 base, target;
  std::vector<double> factor, offset;  // target ~ base * (1 + factor_c) + offset_c
};
FrozenConv frozen_conv(uint32_t channels, uint32_t in, std::mt19937_64& rng) {
  FrozenConv f;
  f.shape = {channels, in, 3, 3};
  const size_t inner = size_t{in} * 9;
  f.base = laplacian(channels * inner, 0.05, rng);
  std::uniform_real_distribution<double> e(-0.08, 0.08), o(-4 * kStep, 4 * kStep);
  std::normal_distribution<double> noise(0, 0.2 * kStep);
  f.target.resize(f.base.size());
  for (uint32_t c = 0; c < channels; ++c) {
    f.factor.push_back(e(rng));
    f.offset.push_back(o(rng));
    for (size_t j = 0; j < inner; ++j) {
      const size_t i = c * inner + j;
      f.target[i] = static_cast<float>(f.base[i] * (1 + f.factor[c]) + f.offset[c] + noise(rng));
    }
  }
  return f;
}

// A fine-tuned layer: noise whose size grows with |w|.
F32 tuned(const F32& base, double share, std::mt19937_64& rng) {
  std::normal_distribution<double> noise(0, 1);
  F32 t(base.size());
  for (size_t i = 0; i < base.size(); ++i) t[i] = static_cast<float>(base[i] + share * std::fabs(base[i]) * noise(rng));
  return t;
}

BasePrediction record_of(std::span<const uint8_t> side, uint64_t n) {
  ByteReader r(side, "test");
  BasePrediction p = read_prediction(r, n);
  r.expect_end();
  return p;
}

}  // namespace

TEST_CASE("quantize against a base finds the per-channel factors and offsets of a frozen conv layer", "[base]") {
  std::mt19937_64 rng(17);
  const FrozenConv f = frozen_conv(16, 8, rng);
  auto q = stage("quantize");
  Bytes side;
  const I32 coded = std::get<I32>(q->encode_against(f.target, BaseTensor(f.base, f.shape), side));
  const BasePrediction p = record_of(side, f.base.size());
  REQUIRE(p.mode == BasePrediction::Mode::predicted);
  CHECK(p.channels == 16);
  CHECK(p.inner == 8 * 9);
  REQUIRE(p.scale.size() == 16);
  REQUIRE(p.offset.size() == 16);  // offsets of 4 steps pay for themselves
  for (size_t c = 0; c < 16; ++c) {
    INFO("channel " << c);
    CHECK(std::fabs(std::ldexp(static_cast<double>(p.scale[c]), -p.scale_shift) - f.factor[c]) < 1e-3);
    // The offset in integers (steps): within a step of the true one.
    CHECK(std::fabs(std::ldexp(static_cast<double>(p.offset[c]), -p.offset_shift) - f.offset[c] / kStep) < 1.0);
  }
  // What is left is the rounding noise: almost every residual is -1, 0 or 1.
  size_t small = 0;
  for (int32_t v : coded) small += v >= -1 && v <= 1;
  CHECK(small >= coded.size() * 95 / 100);
  // Decoding gives exactly what coding alone gives.
  const F32 alone = std::get<F32>(q->decode(q->encode(f.target)));
  CHECK(bit_equal(std::get<F32>(q->decode_against(coded, BaseTensor(f.base, f.shape), side)), alone));
  // Without the shape there are no channels to fit: one factor for the whole tensor at most.
  Bytes flat_side;
  const I32 flat = std::get<I32>(q->encode_against(f.target, BaseTensor(f.base), flat_side));
  const BasePrediction fp = record_of(flat_side, f.base.size());
  CHECK((fp.mode != BasePrediction::Mode::predicted || fp.channels == 1));
  CHECK(bit_equal(std::get<F32>(q->decode_against(flat, BaseTensor(f.base), flat_side)), alone));
}

TEST_CASE("the channel axis is found in the shape: the last axis of a MatMul weight [in, out]", "[base]") {
  std::mt19937_64 rng(5);
  const uint32_t in = 128, out = 32;
  const F32 base = laplacian(size_t{in} * out, 0.1, rng);
  std::uniform_real_distribution<double> e(-0.1, 0.1);
  std::vector<double> factor(out);
  for (auto& v : factor) v = e(rng);
  F32 target(base.size());
  for (size_t i = 0; i < base.size(); ++i) target[i] = static_cast<float>(base[i] * (1 + factor[i % out]));
  const std::vector<uint32_t> shape = {in, out};
  auto q = stage("quantize");
  Bytes side;
  const I32 coded = std::get<I32>(q->encode_against(target, BaseTensor(base, shape), side));
  const BasePrediction p = record_of(side, base.size());
  REQUIRE(p.mode == BasePrediction::Mode::predicted);
  CHECK(p.channels == out);
  CHECK(p.inner == 1);
  for (size_t c = 0; c < out; ++c) CHECK(std::fabs(std::ldexp(static_cast<double>(p.scale[c]), -p.scale_shift) - factor[c]) < 1e-3);
  CHECK(bit_equal(std::get<F32>(q->decode_against(coded, BaseTensor(base, shape), side)), std::get<F32>(q->decode(q->encode(target)))));
}

TEST_CASE("grid against a base: a re-exported Lc0 layer (new LINEAR16 range) is predicted on its own grid", "[base][grid]") {
  std::mt19937_64 rng(3);
  const uint32_t channels = 16, in = 16;
  const size_t inner = size_t{in} * 9, n = channels * inner;
  // The base: a LINEAR16 layer on [-0.6, 0.6], its grid coarser than 2 tol (grid indices
  // come back bit for bit), both ends used.
  std::uniform_int_distribution<int32_t> u(0, 65535);
  const float lo1 = -0.6f, hi1 = 0.6f;
  F32 base(n);
  for (auto& v : base) v = linear16_release(u(rng), lo1, hi1);
  base[0] = lo1, base[1] = hi1;
  // The target: every channel scaled, re-exported on the range of its values.
  std::uniform_real_distribution<double> e(-0.05, 0.05);
  std::vector<double> factor(channels);
  for (auto& v : factor) v = e(rng);
  std::vector<double> exact(n);
  for (size_t i = 0; i < n; ++i) exact[i] = base[i] * (1 + factor[i / inner]);
  const auto [mn, mx] = std::minmax_element(exact.begin(), exact.end());
  const float lo2 = static_cast<float>(*mn), hi2 = static_cast<float>(*mx);
  REQUIRE((static_cast<double>(hi2) - lo2) / 65535 >= kStep);
  F32 target(n);
  for (size_t i = 0; i < n; ++i) target[i] = linear16_release(nearest_linear16_index(static_cast<float>(exact[i]), lo2, hi2), lo2, hi2);
  const std::vector<uint32_t> shape = {channels, in, 3, 3};
  auto g = stage("grid");
  Bytes side;
  const I32 coded = std::get<I32>(g->encode_against(target, BaseTensor(base, shape), side));
  REQUIRE(coded.size() == n);  // the header is in the side record
  const F32 decoded = std::get<F32>(g->decode_against(coded, BaseTensor(base, shape), side));
  CHECK(bit_equal(decoded, target));  // the target's own LINEAR16 grid, bit for bit
  size_t small = 0;
  for (int32_t v : coded) small += v >= -1 && v <= 1;
  CHECK(small >= n * 9 / 10);

  SECTION("a layer that did not change costs almost nothing") {
    Bytes same_side;
    const I32 same = std::get<I32>(g->encode_against(base, BaseTensor(base, shape), same_side));
    CHECK(std::all_of(same.begin(), same.end(), [](int32_t v) { return v == 0; }));
    CHECK(same_side.size() <= 16);
    CHECK(bit_equal(std::get<F32>(g->decode_against(same, BaseTensor(base, shape), same_side)), base));
  }
}

TEST_CASE("strong and fast against a base: the synthetic pair codes far smaller and decodes exactly", "[base][pipeline]") {
  std::mt19937_64 rng(11);
  std::vector<FrozenConv> convs;
  for (int k = 0; k < 3; ++k) convs.push_back(frozen_conv(32, 32, rng));
  const F32 head_base = laplacian(4096, 0.02, rng);
  const F32 head_target = tuned(head_base, 0.05, rng);
  const std::vector<uint32_t> head_shape = {256, 16};
  Pipeline::Values targets;
  Pipeline::Bases bases;
  std::vector<TensorLayout> layout;
  for (const auto& c : convs) {
    targets.push_back(c.target);
    bases.emplace_back(c.base, c.shape);
    layout.push_back({"conv", c.shape, c.base.size(), {}});
  }
  targets.push_back(head_target);
  bases.emplace_back(head_base, head_shape);
  layout.push_back({"head", head_shape, head_base.size(), {}});
  for (const char* preset : {"strong", "fast"}) {
    INFO(preset);
    const Pipeline p(preset_pipeline(preset), {.tolerance = kTol});
    const Bytes alone = p.encode_values(targets);
    size_t used = 0;
    const Bytes against = p.encode_values(targets, &bases, &used);
    CHECK(used == targets.size());
    CHECK(against.size() * 3 < alone.size());
    const std::vector<F32> a = p.decode_tensors(alone, layout);
    const std::vector<F32> b = p.decode_tensors(against, layout, &bases);
    REQUIRE(a.size() == b.size());
    for (size_t i = 0; i < a.size(); ++i) CHECK(bit_equal(a[i], b[i]));
    // Deterministic.
    CHECK(p.encode_values(targets, &bases) == against);
    // Another base is not this one: decoding it gives an error or other values, never a crash.
    Pipeline::Bases other = bases;
    const F32 zeros(head_base.size(), 0.0f);
    other.back() = BaseTensor(zeros, head_shape);
    try {
      const std::vector<F32> c = p.decode_tensors(against, layout, &other);
      CHECK(!bit_equal(c.back(), a.back()));
    } catch (const Error&) {
    }
    // Cut or damaged side records are refused.
    for (size_t cut : {size_t{3}, against.size() / 2, against.size() - 1})
      CHECK_THROWS_AS(p.decode_tensors(Bytes(against.begin(), against.begin() + static_cast<std::ptrdiff_t>(cut)), layout, &bases), Error);
  }
}

TEST_CASE("a base unrelated to the target buys nothing and costs little", "[base]") {
  std::mt19937_64 rng(23);
  const F32 base = laplacian(20000, 0.05, rng), target = laplacian(20000, 0.05, rng);
  const std::vector<uint32_t> shape = {100, 200};
  const Pipeline::Values targets = {target};
  const Pipeline::Bases bases = {BaseTensor(base, shape)};
  const std::vector<TensorLayout> layout = {{"t", shape, target.size(), {}}};
  for (const char* preset : {"strong", "fast"}) {
    INFO(preset);
    const Pipeline p(preset_pipeline(preset), {.tolerance = kTol});
    const Bytes alone = p.encode_values(targets), against = p.encode_values(targets, &bases);
    // The quantizer may code it in contexts of the base (its magnitudes say a little about
    // the target's); never much larger than alone.
    CHECK(against.size() <= alone.size() + alone.size() / 100);
    CHECK(bit_equal(p.decode_tensors(against, layout, &bases)[0], p.decode_tensors(alone, layout)[0]));
  }
}

TEST_CASE("corrupt side records are refused", "[base]") {
  std::mt19937_64 rng(29);
  const FrozenConv f = frozen_conv(4, 4, rng);
  for (const char* name : {"quantize", "grid"}) {
    INFO(name);
    auto s = stage(name);
    Bytes side;
    const I32 coded = std::get<I32>(s->encode_against(f.target, BaseTensor(f.base, f.shape), side));
    const BaseTensor base(f.base, f.shape);
    std::vector<uint8_t> ctx(f.base.size());
    // (An empty record is format 1.0's residual, which has no record to cut.)
    for (size_t cut = 0; cut < side.size(); ++cut) {
      const Bytes short_side(side.begin(), side.begin() + static_cast<std::ptrdiff_t>(cut));
      if (cut > 0) test::require_error(ErrorKind::codec, [&] { (void)s->decode_against(coded, base, short_side); }, {});
      test::require_error(ErrorKind::codec, [&] { s->base_context(base, short_side, ctx.data()); }, {});
    }
    Bytes longer = side;
    longer.push_back(0);
    test::require_error(ErrorKind::codec, [&] { (void)s->decode_against(coded, base, longer); }, {});
    test::require_error(ErrorKind::codec, [&] { (void)s->decode_against(I32(coded.begin(), coded.end() - 1), base, side); }, {});
  }
  // A record whose channels do not divide the values.
  Bytes bad;
  ByteWriter w(bad);
  BasePrediction p{.mode = BasePrediction::Mode::predicted, .channels = 7, .inner = 1, .scale = std::vector<int64_t>(7, 0)};
  write_prediction(p, w);
  ByteReader r(bad, "test");
  test::require_error(ErrorKind::codec, [&] { (void)read_prediction(r, 64); }, {});
}

TEST_CASE("cm and rans code in a base context: exact, and refused without it", "[base][cm][rans]") {
  std::mt19937_64 rng(31);
  // Residuals whose size follows a context (as residuals from a base follow its magnitude).
  const size_t n = 50000;
  I32 values(n);
  std::vector<uint8_t> context(n);
  std::uniform_int_distribution<int> cls(0, 14);
  std::normal_distribution<double> noise(0, 1);
  for (size_t i = 0; i < n; ++i) {
    const int c = cls(rng);
    context[i] = static_cast<uint8_t>(1 + c * 16 + (i & 15));
    values[i] = static_cast<int32_t>(std::nearbyint(noise(rng) * std::ldexp(1.0, c / 2)));
  }
  const std::span<const uint8_t> tail(context.data() + 100, n - 100);  // the first values have none
  {
    const Bytes plain = cm::encode(values, {});
    const Bytes in_context = cm::encode(values, {}, tail);
    CHECK(in_context.size() < plain.size() * 9 / 10);
    CHECK(cm::decode(in_context, n, "cm", tail) == values);
    test::require_error(ErrorKind::codec, [&] { (void)cm::decode(in_context, n, "cm"); }, {});
    CHECK(cm::decode(plain, n, "cm", tail) == values);  // a context given to a stream coded without is not used
    const std::vector<uint8_t> too_long(n + 1, 1);
    test::require_error(ErrorKind::codec, [&] { (void)cm::decode(in_context, n, "cm", too_long); }, {});
  }
  {
    const Bytes plain = rans::encode(values, {});
    const Bytes in_context = rans::encode(values, {}, tail);
    CHECK(in_context.size() < plain.size());
    CHECK(rans::decode(in_context, n, tail) == values);
    test::require_error(ErrorKind::codec, [&] { (void)rans::decode(in_context, n); }, {});
    CHECK(rans::decode(plain, n, tail) == values);
  }
}

TEST_CASE("base contexts and predicted integers follow their rule at every value, the odd ones included", "[base]") {
  // The decoder's loops run vectorized where the CPU allows (AVX2): each value must still get
  // what the rule in base_prediction.h gives it, computed here one value at a time.
  std::mt19937_64 rng(9);
  F32 base = laplacian(4093, 0.05, rng);  // an odd count: the loops' remainders too
  const float odd[] = {0.0f, -0.0f, NAN, -NAN, INFINITY, -INFINITY, 3e38f, -3e38f, 1e-30f, -1e-30f,
                       0.5f / 65536, -0.5f / 65536, 1.5f / 65536, -1.5f / 65536, 2.5f / 65536, -2.5f / 65536,
                       0.99999994f / 65536, -0.99999994f / 65536, 16383.5f / 65536, -16384.5f / 65536, 9000.0f, -9000.0f};
  for (size_t k = 0; k < std::size(odd); ++k) base[k * 97] = odd[k];
  BasePrediction predicted{.mode = BasePrediction::Mode::predicted, .channels = 3, .inner = 7, .scale_shift = 10,
                           .offset_shift = 2, .scale = {5, -300, 0}, .offset = {1, -7, 2}};
  for (const bool nearest : {true, false})
    for (const BasePrediction& p : {BasePrediction{.mode = BasePrediction::Mode::residual}, predicted}) {
      const IndexSpace space{.a = 65536.0, .c0 = 0.25, .nearest = nearest, .lo = -70000.0, .hi = 70000.0};
      INFO("nearest " << nearest << ", mode " << int(p.mode));
      std::vector<uint8_t> contexts(base.size());
      std::vector<int32_t> indices(base.size());
      prediction_contexts(p, base, space, contexts.data());
      predicted_indices(p, base, space, indices.data());
      const bool fitted = p.mode == BasePrediction::Mode::predicted;
      for (size_t i = 0; i < base.size(); ++i) {
        const size_t c = fitted ? (i / p.inner) % p.channels : 0;
        const double factor = fitted ? 1.0 + std::ldexp(double(p.scale[c]), -p.scale_shift) : 1.0;
        const double add = space.c0 + (fitted ? std::ldexp(double(p.offset[c]), -p.offset_shift) : 0.0);
        const double position = (space.a * double(base[i])) * factor + add;
        // The integer: clamped (NaN to hi), then rounded.
        const double clamped = std::isnan(position) ? space.hi : std::clamp(position, space.lo, space.hi);
        const int32_t index = static_cast<int32_t>(nearest ? std::nearbyint(clamped) : std::trunc(clamped));
        REQUIRE(indices[i] == index);
        // The context: none for NaN or far out; else class, fraction and sign.
        const double q = std::fabs(position) < 2147483647.0 ? position : 0.0;
        const double r = nearest ? std::nearbyint(q) : std::trunc(q);
        const double frac = nearest ? q - r + 0.5 : (q - r + 1) / 2;
        const int fb = std::min(int(frac * 8), 7);
        const int cls = std::min(int(std::bit_width(uint64_t(std::fabs(r)))), 14);
        INFO("value " << i << ": " << base[i] << " at " << position);
        REQUIRE(int(contexts[i]) == 1 + (cls * 8 + fb) * 2 + (q < 0 ? 1 : 0));
      }
    }
}
