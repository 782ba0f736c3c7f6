// The cm entropy stage beyond the generic property test: exact round trips on data shaped
// like quantized weights (Laplacian at many scales, mixed scales, zero runs, scaled copies
// that engage the match model), every parameter setting, extremes, determinism, a refused
// header field by field, truncated and corrupted streams, and the real leela net.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <random>

#include "codecs/core/byte_io.h"
#include "codecs/core/cpu_clones.h"
#include "codecs/core/registry.h"
#include "codecs/entropy/cm/format.h"
#include "codecs/entropy/cm/crude_size.h"
#include "codecs/entropy/cm/lag_search.h"
#include "codecs/entropy/cm/sign_windows.h"
#include "formats/format.h"
#include "harness/run.h"
#include "nets/net.h"
#include "nets/repeats.h"
#include "test_support.h"

using namespace lcz;

namespace {

constexpr double kTol = 0x1p-17;

std::unique_ptr<Stage> make(const std::string& name, nlohmann::json params = nlohmann::json::object(),
                             StageContext ctx = {.tolerance = kTol}) {
  const StageDescriptor* d = find_stage(name);
  REQUIRE(d != nullptr);
  return d->make(validate_params(d->params, params, name), ctx);
}

Bytes encode(const Stage& s, const I32& v) { return std::get<Bytes>(s.encode(Stream(v))); }
I32 decode(const Stage& s, const Bytes& b) { return std::get<I32>(s.decode(Stream(b))); }

// Rounded Laplacian values of mean magnitude `scale`.
I32 laplacian(size_t n, double scale, uint32_t seed) {
  std::mt19937 rng(seed);
  std::exponential_distribution<double> mag(1.0 / scale);
  std::bernoulli_distribution neg(0.5);
  I32 v(n);
  for (auto& x : v) {
    const double m = std::min(std::round(mag(rng)), 2e9);
    x = static_cast<int32_t>(neg(rng) ? -m : m);
  }
  return v;
}

void append(I32& a, const I32& b) { a.insert(a.end(), b.begin(), b.end()); }

// Tensors of different scales back to back, a zero run, and copies of an earlier block
// scaled by 0.87 and by -1.3 plus noise, as in nets with tied or fine-tuned layers.
I32 mixed_net() {
  I32 v;
  append(v, laplacian(5000, 300, 1));
  append(v, laplacian(576, 4, 2));
  append(v, I32(3000, 0));
  append(v, laplacian(20000, 2500, 3));
  const I32 block = laplacian(3000, 200, 4);
  append(v, block);
  append(v, laplacian(7000, 40, 5));
  std::mt19937 rng(6);
  std::uniform_int_distribution<int> noise(-3, 3);
  for (int32_t x : block) v.push_back(static_cast<int32_t>(std::lround(0.87 * x)) + noise(rng));
  for (int32_t x : block) v.push_back(static_cast<int32_t>(std::lround(-1.3 * x)) + noise(rng));
  append(v, laplacian(100, 100000, 7));
  return v;
}

// Entropy in bits per value of the source laplacian() samples from: |x| = round(E), E
// exponential with mean `scale`, and a fair sign for x != 0.
double laplacian_entropy_bits(double scale) {
  double bits = 0;
  auto cdf = [&](double x) { return x <= 0 ? 0.0 : 1 - std::exp(-x / scale); };
  for (double m = 0; m < 60 * scale + 10; ++m) {
    const double p = cdf(m + 0.5) - cdf(m - 0.5);
    if (p <= 0) continue;
    bits -= m == 0 ? p * std::log2(p) : p * std::log2(p / 2);
  }
  return bits;
}

// cm's stream with some of its optional parts off: with the later ones off too, the stream
// the encoder wrote before those parts existed (in order of arrival: the short-repeat model,
// the zero flag, the raw section of bypass bits).
Bytes encode_without(const I32& v, std::initializer_list<bool cm::ModelParams::*> off) {
  cm::ModelParams p;
  for (bool cm::ModelParams::*part : off) p.*part = false;
  return cm::encode(v, p);
}
// The same from the encoders before the short-repeat model was kept only where it pays: it
// was on in every stream (unless `off` names it).
Bytes encode_before_repeat_choice(const I32& v, std::initializer_list<bool cm::ModelParams::*> off) {
  cm::ModelParams p;
  p.repeat_always = true;
  for (bool cm::ModelParams::*part : off) p.*part = false;
  return cm::encode(v, p);
}
constexpr auto kRepeat = &cm::ModelParams::repeat;
constexpr auto kZero = &cm::ModelParams::zero;
constexpr auto kRawBits = &cm::ModelParams::raw_bits;

// b, a corrupt cm stream (`what` says how), is refused with a codec error that names the stage.
void refused_by_cm(const Stage& cm, const Bytes& b, const std::string& what) {
  INFO(what);
  try {
    (void)decode(cm, b);
    FAIL("decoded");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::codec);
    CHECK_THAT(e.what(), Catch::Matchers::Contains("cm"));
  }
}

// FNV-1a (64-bit) of a stream: pins its bytes in a test without listing them.
uint64_t fnv1a(const Bytes& b) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (uint8_t c : b) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

// As the value head's first dense layer of maia-2200.onnx in ONNX's [in][out] order (2048 x 128,
// measured): 95 of the 128 output columns dead (0) at scattered places, an eighth of the rows
// (dead input channels) all 0, the live weights of mean magnitude about 750 grid steps. Most
// zeros sit between large values, in runs of about 3. Columns and rows from a 64-bit LCG.
I32 dead_columns(size_t rows, uint32_t seed) {
  uint64_t x = 0x9E3779B97F4A7C15ull ^ seed;
  auto next = [&x] {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<uint32_t>(x >> 33);
  };
  std::vector<bool> live_column(128, false);
  for (int live = 0; live < 33;) {
    const uint32_t c = next() % 128;
    if (!live_column[c]) live_column[c] = true, ++live;
  }
  const I32 live = laplacian(rows * 128, 750, seed);
  I32 v(rows * 128, 0);
  for (size_t r = 0; r < rows; ++r) {
    if (next() % 8 == 0) continue;
    for (size_t c = 0; c < 128; ++c)
      if (live_column[c]) v[r * 128 + c] = live[r * 128 + c];
  }
  return v;
}

}  // namespace

TEST_CASE("cm round-trips Laplacian data at every scale", "[cm]") {
  auto cm = make("cm");
  for (double scale : {0.05, 0.5, 3.0, 50.0, 2000.0, 1e5, 1e8}) {
    INFO("scale " << scale);
    const I32 v = laplacian(20000, scale, static_cast<uint32_t>(scale * 10));
    const Bytes b = encode(*cm, v);
    CHECK(decode(*cm, b) == v);
    // Close to the entropy of the source: the model learns the distribution as it goes.
    if (scale <= 2000) CHECK(b.size() < 1.02 * v.size() * laplacian_entropy_bits(scale) / 8 + 64);
  }
}

TEST_CASE("cm round-trips mixed scales, zero runs and scaled copies with every setting", "[cm]") {
  const I32 v = mixed_net();
  for (int mantissa_bits : {0, 1, 2, 3})
    for (int period : {1, 9, 16})
      for (bool match : {false, true}) {
        INFO("mantissa_bits " << mantissa_bits << ", period " << period << ", match " << match);
        auto cm = make("cm", {{"mantissa_bits", mantissa_bits}, {"period", period}, {"match", match}});
        const Bytes b = encode(*cm, v);
        CHECK(decode(*cm, b) == v);
        // The stream carries its parameters: a default-configured stage decodes it too.
        CHECK(decode(*make("cm"), b) == v);
      }
}

TEST_CASE("cm match model pays on scaled copies", "[cm]") {
  // A block followed by copies scaled by 0.87 and -1.3 plus small noise: with the match
  // model the copies cost far less than the original.
  const I32 block = laplacian(4000, 300, 11);
  I32 v = block;
  std::mt19937 rng(12);
  std::uniform_int_distribution<int> noise(-2, 2);
  for (int32_t x : block) v.push_back(static_cast<int32_t>(std::lround(0.87 * x)) + noise(rng));
  for (int32_t x : block) v.push_back(static_cast<int32_t>(std::lround(-1.3 * x)) + noise(rng));
  const size_t with = encode(*make("cm"), v).size();
  const size_t without = encode(*make("cm", {{"match", false}}), v).size();
  const size_t original = encode(*make("cm"), block).size();
  CHECK(decode(*make("cm"), encode(*make("cm"), v)) == v);
  CHECK(with < without * 3 / 4);
  CHECK(with < original * 2);
}

TEST_CASE("cm short-repeat model pays on short exact repeats at structured lags", "[cm]") {
  // Small values (about 5 bits each: a 16-value copy saves less than the sequence margin, so
  // the match finder leaves it to the model), a tenth of the 16-value blocks copied exactly
  // from k * 64 values earlier, as the same square of another board plane. The model
  // predicts a copy from its fifth value on: with it, each copy must save at least half of
  // the entropy of its last 11 values.
  constexpr double kScale = 6;
  I32 v = laplacian(200000, kScale, 21);
  std::mt19937 rng(22);
  size_t copies = 0;
  for (size_t b = 4096; b + 16 <= v.size(); b += 16) {
    if (rng() % 10 != 0) continue;
    const size_t lag = 64 * (1 + rng() % 16);
    std::copy_n(v.begin() + static_cast<std::ptrdiff_t>(b - lag), 16, v.begin() + static_cast<std::ptrdiff_t>(b));
    ++copies;
  }
  const Bytes with = encode(*make("cm"), v);
  const Bytes without = encode_without(v, {kRepeat});
  CHECK(decode(*make("cm"), with) == v);
  CHECK(decode(*make("cm"), without) == v);
  const double saved_bits = 8.0 * (static_cast<double>(without.size()) - static_cast<double>(with.size()));
  CHECK(saved_bits > 0.5 * static_cast<double>(copies) * 11 * laplacian_entropy_bits(kScale));
  CHECK((with[1] & 16) != 0);  // the encoder kept it
  // On the same values without copies, it costs next to nothing (its flag is coded only
  // where it is often right), and the encoder leaves it off for the time it costs.
  const I32 plain = laplacian(200000, kScale, 21);
  const Bytes plain_forced = encode_before_repeat_choice(plain, {});
  CHECK((plain_forced[1] & 16) != 0);
  CHECK(plain_forced.size() < encode_without(plain, {kRepeat}).size() * 1.002);
  const Bytes plain_chosen = encode(*make("cm"), plain);
  CHECK((plain_chosen[1] & 16) == 0);
  CHECK(decode(*make("cm"), plain_chosen) == plain);
}

TEST_CASE("cm zero flag: zeros amid large values", "[cm]") {
  // Without the flag a zero after large values costs one token decision per octave of the
  // recent scale; with it, one decision where the zeros around say a zero is likely. It must
  // not cost size there, nor where zeros are rare.
  const I32 v = dead_columns(512, 31);
  const Bytes with = encode(*make("cm"), v);
  const Bytes without = encode_without(v, {kZero});
  REQUIRE(with.size() > 2);
  CHECK((with[1] & 32) != 0);
  CHECK((without[1] & 32) == 0);
  CHECK(decode(*make("cm"), with) == v);
  CHECK(decode(*make("cm"), without) == v);  // streams written before the flag
  CHECK(with.size() <= without.size());
  const I32 plain = laplacian(100000, 750, 32);
  CHECK(encode(*make("cm"), plain).size() <= encode_without(plain, {kZero}).size() * 1.001);
}

TEST_CASE("cm round-trips single values, zeros and the full int32 range", "[cm]") {
  auto cm = make("cm");
  for (int32_t x : {0, 1, -1, 2, -7, 1000, -65536, std::numeric_limits<int32_t>::max(), std::numeric_limits<int32_t>::min()}) {
    INFO(x);
    CHECK(decode(*cm, encode(*cm, I32{x})) == I32{x});
  }
  CHECK(decode(*cm, encode(*cm, I32{})).empty());
  CHECK(encode(*cm, I32{}).size() == 5);  // header only: no values, no sequences

  const I32 zeros(100000, 0);
  const Bytes bz = encode(*cm, zeros);
  CHECK(decode(*cm, bz) == zeros);
  CHECK(bz.size() < 64);

  std::mt19937 rng(3);
  std::uniform_int_distribution<int32_t> any(std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max());
  I32 wide(30000);
  for (auto& x : wide) x = any(rng);
  for (size_t i = 0; i < wide.size(); i += 97) wide[i] = i % 2 ? std::numeric_limits<int32_t>::min() : std::numeric_limits<int32_t>::max();
  const Bytes bw = encode(*cm, wide);
  CHECK(decode(*cm, bw) == wide);
  CHECK(bw.size() < wide.size() * 4 * 1.01);  // random words cost about what they take raw
}

TEST_CASE("cm encodes deterministically", "[cm]") {
  const I32 v = mixed_net();
  const Bytes a = encode(*make("cm"), v);
  const Bytes b = encode(*make("cm"), v);
  auto cm = make("cm");
  CHECK(a == b);
  CHECK(encode(*cm, v) == a);
  CHECK(encode(*cm, v) == a);  // no state carried between calls
}

TEST_CASE("cm pins its stream format", "[cm]") {
  // Version 3 of the format on a fixed input: a change of these bytes is a format change
  // and needs a new version number or a header bit. Regenerated from the version-3 encoder
  // (two inputs per token decision, two for the sign, the modelled mantissa bits from one
  // adaptive counter, a sequence count after the value count, the bypass bits in a raw
  // section after the arithmetic code).
  const I32 v = {0, 3, -3, 12, 700, -1, 0, 0, 5, std::numeric_limits<int32_t>::min(), 40000, -2};
  const Bytes b = encode(*make("cm"), v);
  REQUIRE(b.size() >= 6);
  CHECK(b[0] == 3);     // version
  // mantissa_bits 1, zero flag and raw section on, match and short-repeat models off (12
  // values hold no repeats: the encoder leaves both off, see the tests below)
  CHECK(b[1] == 0x61);
  CHECK(b[2] == 9);     // period
  CHECK(b[3] == 12);    // count
  CHECK(b[4] == 0);     // no sequences
  CHECK(b[5] == 14);    // arithmetic-coded bytes; the 7 after them are the raw section
  const Bytes golden = {0x03, 0x61, 0x09, 0x0c, 0x00, 0x0e, 0x92, 0xaf, 0xe8, 0x42, 0xf0, 0x71, 0x84, 0xb5,
                        0x23, 0x44, 0xf2, 0x90, 0x37, 0x27, 0xf0, 0x06, 0x00, 0x00, 0x00, 0x80, 0x38};
  CHECK(b == golden);
  CHECK(decode(*make("cm"), golden) == v);
  // The stream of the encoder before it chose the short-repeat model: bit 4 set, the same
  // payload (on 12 values the model predicts nothing); it decodes.
  Bytes before_repeat_choice = golden;
  before_repeat_choice[1] = 0x71;
  CHECK(encode_before_repeat_choice(v, {}) == before_repeat_choice);
  CHECK(decode(*make("cm"), before_repeat_choice) == v);
  // The streams of the encoder before the raw section (bit 6 clear: the bypass bits inside the
  // arithmetic code) and before the zero flag (bit 5 clear too), byte for byte; they decode.
  const Bytes before_raw_bits = {0x03, 0x31, 0x09, 0x0c, 0x00, 0x92, 0xaf, 0xd5, 0xec, 0xa3, 0x4b, 0xb3, 0x69,
                                 0x17, 0x85, 0x02, 0x69, 0x87, 0x9f, 0x7b, 0xd3, 0x25, 0x4f, 0xe1, 0xb9, 0xaf};
  CHECK(encode_before_repeat_choice(v, {kRawBits}) == before_raw_bits);
  CHECK(decode(*make("cm"), before_raw_bits) == v);
  const Bytes before_zero_flag = {0x03, 0x11, 0x09, 0x0c, 0x00, 0x92, 0xaf, 0xcf, 0xd5, 0xe6, 0x96, 0x94, 0x56,
                                  0x13, 0x90, 0x0f, 0x09, 0x23, 0x88, 0xd8, 0x00, 0x04, 0x09, 0xa3, 0x36, 0xff};
  CHECK(encode_before_repeat_choice(v, {kZero, kRawBits}) == before_zero_flag);
  CHECK(decode(*make("cm"), before_zero_flag) == v);
  // The streams before the encoder chose the match model (bit 2 set) and before the
  // short-repeat model (bit 4 clear too) still decode: on 12 values neither of those models
  // predicts, so the payload is the same. The encoder with the short-repeat model off writes
  // bit 4 clear.
  for (const uint8_t flags : {0x15, 0x05}) {
    Bytes before = before_zero_flag;
    before[1] = flags;
    CHECK(decode(*make("cm"), before) == v);
  }
  Bytes without = before_zero_flag;
  without[1] = 0x01;
  CHECK(encode_without(v, {kRepeat, kZero, kRawBits}) == without);
  // The raw section in the newest stream: the same values with bit 6 set but the old payload
  // (no byte count, no raw section) are refused, not misread.
  Bytes mixed = before_raw_bits;
  mixed[1] = 0x71;
  CHECK_THROWS_AS(decode(*make("cm"), mixed), Error);
}

TEST_CASE("cm keeps its match model only where it pays for its time", "[cm]") {
  // Independent values: any match the sign windows find is chance, and the model is left off
  // (the header's bit 2 clear); scaled copies of a block: it is kept. Both decode.
  const I32 iid = laplacian(60000, 300, 21);
  const Bytes bi = encode(*make("cm"), iid);
  REQUIRE(bi.size() > 2);
  CHECK((bi[1] & 4) == 0);
  CHECK(decode(*make("cm"), bi) == iid);
  const I32 block = laplacian(4000, 300, 11);
  I32 copies = block;
  std::mt19937 rng(12);
  std::uniform_int_distribution<int> noise(-2, 2);
  for (int32_t x : block) copies.push_back(static_cast<int32_t>(std::lround(0.87 * x)) + noise(rng));
  const Bytes bc = encode(*make("cm"), copies);
  REQUIRE(bc.size() > 2);
  CHECK((bc[1] & 4) != 0);
  CHECK(decode(*make("cm"), bc) == copies);
  // The estimate itself: copies score several bits per copied value, chance matches far less.
  CHECK(cm::ValueModel::match_gain(copies) > int64_t{16} * 2 * 4000);
  CHECK(cm::ValueModel::match_gain(iid) < int64_t{16} * 60000 / 512);
}

namespace {

// Values whose signs repeat at a distance `lag` with probability 7/8 (as same positions of
// neighbouring output channels do in some conv layers), magnitudes uniform in 0..255; from a
// 64-bit LCG, so that the values are the same with every standard library.
I32 lagged_signs(size_t n, uint32_t lag) {
  uint64_t x = 0x2545F4914F6CDD1Dull;
  auto next = [&x] {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<uint32_t>(x >> 33);
  };
  I32 v(n);
  for (size_t i = 0; i < n; ++i) {
    const int32_t m = static_cast<int32_t>(next() % 256);
    bool neg = next() % 2 == 0;
    if (i >= lag && v[i - lag] != 0 && next() % 8 != 0) neg = v[i - lag] < 0;
    v[i] = neg ? -m : m;
  }
  return v;
}

}  // namespace

TEST_CASE("cm finds a long lag of sign agreement in the data", "[cm]") {
  // Magnitudes cost about 8 bits whatever the model; a sign about 1 bit unless the lag is
  // found. The lag is searched every 16384 values; once found, a sign costs about
  // H(1/8) = 0.54 bits.
  for (uint32_t lag : {100u, 700u, 2000u}) {
    INFO("lag " << lag);
    const I32 v = lagged_signs(120000, lag);
    const Bytes b = encode(*make("cm"), v);
    CHECK(decode(*make("cm"), b) == v);
    CHECK(b.size() * 8.0 / v.size() < 8.0 + 0.75);
  }
  // Without agreement there is nothing to find, and nothing is lost.
  const I32 none = lagged_signs(120000, 1u << 30);
  CHECK(encode(*make("cm"), none).size() * 8.0 / none.size() < 8.0 + 1.05);
}

TEST_CASE("cm's long-lag search: the AVX-512 and the portable kernel find the same lag", "[cm]") {
  // The lag is part of the stream's format (encoder and decoder both search), so the kernels
  // must agree on every input: random signs (ties and near-ties among the z^2 of ~2000 lags),
  // sparse and dense nonzeros, planted lags of every strength, every lag at either end.
  INFO("AVX-512 kernel on this CPU: " << cpu_has_avx512_kernels());
  std::mt19937_64 rng(17);
  int found = 0, planted_strong = 0;
  for (int t = 0; t < 3000; ++t) {
    uint64_t pos[cm::kLagWords], nz[cm::kLagWords];
    for (uint64_t& w : pos) w = rng();
    for (uint64_t& w : nz) w = t % 3 == 0 ? rng() & rng() : t % 3 == 1 ? rng() | rng() : ~uint64_t{0};
    const uint32_t lag = t % 7 == 0 ? 16 : t % 7 == 1 ? cm::kLagValues / 2 : 16 + rng() % (cm::kLagValues / 2 - 15);
    const uint64_t copy_per_mille = (t % 6) * 200;  // 0 .. 100 %
    for (uint32_t b = lag; b < cm::kLagValues; ++b) {
      if (rng() % 1000 >= copy_per_mille) continue;
      const uint32_t s = b - lag;
      const uint64_t bit = uint64_t{1} << (b % 64);
      pos[b / 64] = (pos[b / 64] & ~bit) | (((pos[s / 64] >> (s % 64)) & 1) << (b % 64));
      nz[b / 64] = (nz[b / 64] & ~bit) | (((nz[s / 64] >> (s % 64)) & 1) << (b % 64));
    }
    for (const int64_t bar : {int64_t{0}, int64_t{36} * 64}) {
      const uint32_t automatic = cm::find_sign_lag(pos, nz, bar);
      const uint32_t portable = cm::find_sign_lag(pos, nz, bar, cm::LagKernel::portable);
      INFO("trial " << t << " planted lag " << lag << " copied " << copy_per_mille << "/1000 bar " << bar);
      REQUIRE(automatic == portable);
      found += portable != 0;
      if (bar > 0 && copy_per_mille >= 600) {
        ++planted_strong;
        CHECK(portable == lag);  // copied signs at 60 % and more: far above chance
      }
    }
  }
  CHECK(found > 3000);
  CHECK(planted_strong > 1000);
}

TEST_CASE("cm's sign windows: the AVX-512 and the portable kernel give the same windows", "[cm]") {
  // The encoder's estimate of the match model's gain takes its windows from sign_windows(), so
  // the kernels must agree on every input: dense and sparse signs, runs of zeros (windows below
  // the nonzero minimum), negated stretches (the flip), any block start and length.
  INFO("AVX-512 kernel on this CPU: " << cpu_has_avx512_kernels());
  std::mt19937_64 rng(23);
  size_t looked_up = 0, skipped = 0;
  for (int t = 0; t < 400; ++t) {
    std::vector<int32_t> v(1 + rng() % 3000);
    const uint64_t zero_per_mille = (t % 5) * 250;
    for (int32_t& x : v) {
      const int32_t m = static_cast<int32_t>(rng() % (t % 2 ? 4 : 1u << 20)) + 1;
      x = rng() % 1000 < zero_per_mille ? 0 : rng() % 2 ? m : -m;
    }
    if (t % 3 == 0)  // a negated copy of an earlier stretch
      for (size_t i = v.size() / 2; i < v.size(); ++i) v[i] = -v[i - v.size() / 2];
    const size_t from = rng() % v.size(), to = from + rng() % (v.size() - from + 1);
    const int table_shift = 50 + static_cast<int>(rng() % 9);
    std::vector<uint64_t> automatic(to - from + 1, 7), portable(to - from + 1, 7);
    cm::sign_windows(v, from, to, table_shift, automatic.data());
    cm::sign_windows(v, from, to, table_shift, portable.data(), cm::SignWindowKernel::portable);
    INFO("trial " << t << " values " << v.size() << " from " << from << " to " << to);
    REQUIRE(automatic == portable);
    REQUIRE(portable.back() == 7);  // neither wrote past to - from
    for (size_t i = 0; i < to - from; ++i) {
      if (portable[i] == cm::kNoSignWindow) {
        ++skipped;
      } else {
        ++looked_up;
        REQUIRE(portable[i] >> 32 < (uint64_t{1} << (64 - table_shift)));
        REQUIRE((portable[i] & 2) == 2);  // a check is never 0, the empty slot
      }
    }
  }
  CHECK(looked_up > 10000);
  CHECK(skipped > 10000);
}

TEST_CASE("cm's crude size: the AVX-512 and the portable kernel give the same sum", "[cm]") {
  INFO("AVX-512 kernel on this CPU: " << cpu_has_avx512_kernels());
  std::mt19937_64 rng(29);
  for (int t = 0; t < 200; ++t) {
    std::vector<int32_t> v(rng() % 1000);
    for (int32_t& x : v) {
      const int width = static_cast<int>(rng() % 33);  // 0 .. 32 bits, both signs
      x = static_cast<int32_t>(static_cast<uint32_t>(rng()) >> (32 - width) * (width > 0)) * (width > 0);
    }
    if (t % 4 == 0 && !v.empty()) v[rng() % v.size()] = std::numeric_limits<int32_t>::min();
    int64_t by_value = 0;
    for (const int32_t x : v) by_value += std::bit_width(magnitude(x)) + 1;
    INFO("trial " << t << " values " << v.size());
    CHECK(cm::crude_size_bits(v, cm::CrudeSizeKernel::portable) == by_value);
    CHECK(cm::crude_size_bits(v) == by_value);
  }
  const std::vector<int32_t> extremes = {0, 1, -1, 2, -2, 3, std::numeric_limits<int32_t>::max(),
                                         std::numeric_limits<int32_t>::min(), -std::numeric_limits<int32_t>::max(),
                                         1 << 30, -(1 << 30), 0, 0, 7, -8, 255};
  CHECK(cm::crude_size_bits(extremes) == cm::crude_size_bits(extremes, cm::CrudeSizeKernel::portable));
  CHECK(cm::crude_size_bits(extremes) == 1 + 2 + 2 + 3 + 3 + 3 + 32 + 33 + 32 + 32 + 32 + 1 + 1 + 4 + 5 + 9);
}

TEST_CASE("cm pins its stream format on the long-lag path", "[cm]") {
  // 40000 values: the lag search runs twice. FNV-1a of the stream, regenerated from the
  // version-3 encoder.
  const I32 v = lagged_signs(40000, 576);
  const Bytes b = encode(*make("cm"), v);
  CHECK(b.size() == 42232);
  CHECK(fnv1a(b) == 0xcd1978a3666981e2ull);
  CHECK(decode(*make("cm"), b) == v);
  // With the short-repeat model on, as every stream had it before the encoder chose: the
  // stream of that encoder, byte for byte.
  const Bytes before_repeat_choice = encode_before_repeat_choice(v, {});
  CHECK(before_repeat_choice.size() == 42232);
  CHECK(fnv1a(before_repeat_choice) == 0x01faac402a6c5712ull);
  CHECK(decode(*make("cm"), before_repeat_choice) == v);
  // Without the raw section: the stream of the encoder before it, byte for byte.
  const Bytes before_raw_bits = encode_before_repeat_choice(v, {kRawBits});
  CHECK(before_raw_bits.size() == 42229);
  CHECK(fnv1a(before_raw_bits) == 0xa52e837f669b606bull);
  CHECK(decode(*make("cm"), before_raw_bits) == v);
  // Without the zero flag too: the stream of the encoder before it, byte for byte.
  const Bytes before_zero_flag = encode_before_repeat_choice(v, {kZero, kRawBits});
  CHECK(before_zero_flag.size() == 42228);
  CHECK(fnv1a(before_zero_flag) == 0xf96bbe9e2136bcc9ull);
  CHECK(decode(*make("cm"), before_zero_flag) == v);
  // Without the short-repeat model too: the stream of the encoder before that, byte for byte.
  const Bytes old = encode_without(v, {kRepeat, kZero, kRawBits});
  CHECK(old.size() == 42228);
  CHECK(fnv1a(old) == 0x3d53408ad19cf739ull);
  CHECK(decode(*make("cm"), old) == v);
}

TEST_CASE("cm refuses a bad header field by field", "[cm]") {
  auto cm = make("cm");
  const Bytes good = encode(*cm, laplacian(1000, 50, 9));
  auto refused = [&](const Bytes& b, const std::string& what) { refused_by_cm(*cm, b, what); };
  Bytes b = good;
  b[0] = 2;
  refused(b, "version 2 (an older format)");
  b[0] = 4;
  refused(b, "version 4");
  b = good;
  b[1] |= 0x80;
  refused(b, "reserved flags");
  b = good;
  b[1] = (b[1] & ~3) | 3;  // a valid setting, but not the one the stream was coded with
  try {
    const I32 back = decode(*cm, b);
    CHECK(back != laplacian(1000, 50, 9));
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::codec);
  }
  b = good;
  b[2] = 0;
  refused(b, "period 0");
  b = good;
  b[2] = 17;
  refused(b, "period 17");
  refused(Bytes{3, 6, 9}, "no count");
  refused(Bytes{3, 6, 9, 0, 0, 0}, "payload for zero values");
  refused(Bytes{3, 6, 9, 8, 3}, "three sequences for 8 values, no bytes for them");
  // A count far beyond what the payload can hold is refused before any work.
  Bytes huge;
  ByteWriter w(huge);
  w.u8(3), w.u8(6), w.u8(9), w.varint(uint64_t{1} << 29), w.u8(0), w.u8(0);
  refused(huge, "count for a 2-byte payload");
  // ... and so is a count above the stage's limit.
  auto small = make("cm", nlohmann::json::object(), StageContext{.tolerance = kTol, .max_decoded_bytes = 3996});
  CHECK_THROWS_AS(decode(*small, good), Error);
  CHECK(decode(*make("cm", nlohmann::json::object(), StageContext{.tolerance = kTol, .max_decoded_bytes = 4000}),
               encode(*cm, laplacian(1000, 50, 9))) == laplacian(1000, 50, 9));
}

TEST_CASE("cm refuses a raw section that does not hold exactly the bits coded", "[cm]") {
  auto cm = make("cm");
  const I32 v = laplacian(1000, 50, 9);
  const Bytes good = encode(*cm, v);
  REQUIRE(good.size() > 8);
  REQUIRE((good[1] & 64) != 0);
  REQUIRE(good[3] == 0xe8);  // varint 1000: two bytes
  REQUIRE(good[5] == 0);     // no sequences
  ByteReader r(std::span<const uint8_t>(good).subspan(6), "test");
  const uint64_t coded = r.varint();
  const size_t raw_at = 6 + r.offset() + coded;
  REQUIRE(raw_at < good.size());
  CHECK(decode(*cm, good) == v);
  auto refused = [&](const Bytes& b, const std::string& what) { refused_by_cm(*cm, b, what); };
  Bytes b = good;
  b.pop_back();
  refused(b, "raw section one byte short");
  b = good;
  b.push_back(0);
  refused(b, "raw section one byte long");
  b = good;
  b.erase(b.begin() + static_cast<std::ptrdiff_t>(raw_at), b.end());
  refused(b, "no raw section");
  // The arithmetic-coded byte count one more or one less: the two sections split elsewhere.
  for (const int delta : {-1, 1}) {
    Bytes moved(good.begin(), good.begin() + 6);
    ByteWriter w(moved);
    w.varint(coded + static_cast<uint64_t>(delta));
    moved.insert(moved.end(), good.begin() + static_cast<std::ptrdiff_t>(raw_at - coded), good.end());
    refused(moved, "coded byte count " + std::to_string(delta));
  }
  // A set padding bit after the last raw bit: the stream has one way to be written. 100 has
  // token 7: one modelled bit below its leading one, the 5 under it raw, then 3 padding bits.
  const Bytes one = encode(*cm, I32{100});
  REQUIRE(one.size() > 7);
  CHECK((one.back() & 0xe0) == 0);
  CHECK(decode(*cm, one) == I32{100});
  for (const uint8_t pad : {0x20, 0x40, 0x80}) {
    b = one;
    b.back() |= pad;
    refused(b, "padding bit " + std::to_string(pad) + " set");
  }
}

TEST_CASE("cm refuses truncated streams and survives corrupted ones", "[cm]") {
  auto cm = make("cm");
  const I32 v = mixed_net();
  const Bytes good = encode(*cm, v);
  // Every cut in the header and the first and last 64 bytes, and a sample in between.
  int refused = 0, cuts = 0;
  for (size_t keep = 0; keep < good.size(); keep += (keep < 64 || keep + 64 > good.size()) ? 1 : 997) {
    ++cuts;
    try {
      const I32 back = decode(*cm, Bytes(good.begin(), good.begin() + keep));
      CHECK(back != v);
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::codec);
      ++refused;
    }
  }
  CHECK(refused == cuts);  // the coder's end checks catch every cut tried here
  // Extra bytes are refused too.
  Bytes longer = good;
  longer.push_back(0);
  CHECK_THROWS_AS(decode(*cm, longer), Error);

  std::mt19937 rng(77);
  for (int trial = 0; trial < 300; ++trial) {
    Bytes bad = good;
    const int flips = 1 + trial % 4;
    for (int f = 0; f < flips; ++f) bad[4 + rng() % (bad.size() - 4)] ^= static_cast<uint8_t>(1 + rng() % 255);
    try {
      const I32 back = decode(*cm, bad);
      CHECK(back.size() == v.size());
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::codec);
    }
  }
  // Arbitrary bytes after a valid header.
  for (int trial = 0; trial < 200; ++trial) {
    Bytes junk = {3, static_cast<uint8_t>(trial % 8), static_cast<uint8_t>(1 + trial % 16)};
    ByteWriter w(junk);
    w.varint(1 + rng() % 5000);
    const size_t n = rng() % 300;
    for (size_t i = 0; i < n; ++i) junk.push_back(static_cast<uint8_t>(rng()));
    try {
      (void)decode(*cm, junk);
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::codec);
    }
  }
}

TEST_CASE("cm on leela_grouped: exact round trip below the order-0 bound", "[cm]") {
  const Net net = read_net(test::dataset("leela_grouped.f32"));
  auto quantize = make("quantize", {{"mode", "round"}});
  const I32 q = std::get<I32>(quantize->encode(Stream(concatenated(net))));
  auto cm = make("cm");
  const Bytes b = encode(*cm, q);
  CHECK(decode(*cm, b) == q);
  const double bound = order0_bound_bytes(net, kTol);
  INFO("cm " << b.size() << " bytes, order-0 bound " << bound << " bytes");
  CHECK(b.size() < bound);
  // The adaptive model must go well below the static bound (measured: 12.5% below).
  CHECK(b.size() < 0.93 * bound);
}

TEST_CASE("cm codes exact and negated repeats as sequences, and refuses corrupt ones", "[cm][matches]") {
  // A block, filler, the block again, more filler, its negation, and a run of one value.
  const I32 block = laplacian(3000, 300, 21);
  I32 v = laplacian(5000, 300, 22);
  append(v, block);
  append(v, laplacian(777, 300, 23));
  append(v, block);
  append(v, laplacian(50000, 300, 24));
  for (int32_t x : block) v.push_back(static_cast<int32_t>(0u - static_cast<uint32_t>(x)));
  v.insert(v.end(), 4000, -12);
  auto cm = make("cm");
  const Bytes b = encode(*cm, v);
  CHECK(decode(*cm, b) == v);
  auto sequences = [](const Bytes& stream) {
    ByteReader r(stream, "test");
    r.u8(), r.u8(), r.u8(), r.varint();
    return r.varint();
  };
  CHECK(sequences(b) >= 3);
  // The two copies and the run cost next to nothing beside the rest.
  I32 rest = laplacian(5000, 300, 22);
  append(rest, block);
  append(rest, laplacian(777, 300, 23));
  append(rest, laplacian(50000, 300, 24));
  CHECK(b.size() < encode(*cm, rest).size() + 100);
  // Without the match model there are no sequences.
  const Bytes off = encode(*make("cm", {{"match", false}}), v);
  CHECK(sequences(off) == 0);
  CHECK(decode(*cm, off) == v);

  // Corrupt sequence sections: an error, never a crash.
  std::mt19937 rng(5);
  for (int trial = 0; trial < 300; ++trial) {
    Bytes bad = b;
    bad[3 + rng() % 40] ^= static_cast<uint8_t>(1 + rng() % 255);
    try {
      (void)decode(*cm, bad);
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::codec);
    }
  }
}

TEST_CASE("cm on a repeat net: far smaller than on its source", "[cm][matches][repeats]") {
  const auto [a, b] = test::rounded_with_repeats("leela_grouped.f32", 3);
  auto cm = make("cm");
  const Bytes coded_source = encode(*cm, a), coded_repeats = encode(*cm, b);
  CHECK(decode(*cm, coded_repeats) == b);
  INFO("source " << coded_source.size() << " bytes, repeat net " << coded_repeats.size());
  CHECK(coded_repeats.size() < 0.75 * static_cast<double>(coded_source.size()));
}
