// One property test over every registered stage: whatever is added to codecs/stages.cpp is
// checked here without further work. Each stage, built with its default parameters, must
// round-trip empty, single-element, all-zero, extreme and random inputs (exactly; a
// quantize stage within the tolerance), encode deterministically, and answer truncated or
// corrupted input with lcz::Error, never a crash or another exception; keep to the decode
// limit (StageContext::max_decoded_bytes); code against a base exactly as without one (or
// refuse a base); and work with each parameter at the ends of its range.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <regex>
#include <set>

#include "codecs/core/registry.h"

using namespace lcz;

namespace {

constexpr double kTol = 0x1p-17;

std::unique_ptr<Stage> make_default(const StageDescriptor& d) {
  return d.make(validate_params(d.params, nlohmann::json::object(), d.name), StageContext{.tolerance = kTol});
}

// Named inputs of one stream type that every stage with default parameters must accept.
std::vector<std::pair<std::string, Stream>> inputs_for(StreamType type) {
  std::mt19937 rng(1234);
  std::vector<std::pair<std::string, Stream>> cases;
  auto add = [&](const std::string& name, auto make_value, size_t n) {
    using T = std::decay_t<decltype(make_value(0))>;
    std::vector<T> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = make_value(i);
    cases.emplace_back(name, Stream(std::move(v)));
  };
  switch (type) {
    case StreamType::f32: {
      std::normal_distribution<float> weight(0.0f, 0.05f);
      std::uniform_real_distribution<float> wide(-5.0f, 5.0f);
      add("empty", [](size_t) { return 0.0f; }, 0);
      add("one", [](size_t) { return 0.123f; }, 1);
      add("zeros", [](size_t) { return 0.0f; }, 1000);
      add("random weights", [&](size_t) { return weight(rng); }, 20000);
      add("wide", [&](size_t) { return wide(rng); }, 5000);
      add("extremes", [](size_t i) {
        const float v[] = {4999.0f, -4999.0f, 1e-40f, -1e-40f, 0x1p-18f, -0x1p-18f, 0x1p-17f, 3 * 0x1p-18f, -0.0f};
        return v[i % 9];
      }, 90);
      break;
    }
    case StreamType::i32: {
      std::uniform_int_distribution<int32_t> any(std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max());
      std::geometric_distribution<int32_t> small(0.1);
      add("empty", [](size_t) { return int32_t{0}; }, 0);
      add("one", [](size_t) { return int32_t{-7}; }, 1);
      add("zeros", [](size_t) { return int32_t{0}; }, 1000);
      add("random small", [&](size_t i) { return i % 2 ? small(rng) : -small(rng); }, 20000);
      add("widest", [&](size_t) { return any(rng); }, 5000);
      add("extremes", [](size_t i) {
        const int32_t v[] = {std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max(), 0, -1, 1};
        return v[i % 5];
      }, 50);
      break;
    }
    case StreamType::u32: {
      std::uniform_int_distribution<uint32_t> any;
      std::geometric_distribution<uint32_t> small(0.1);
      add("empty", [](size_t) { return uint32_t{0}; }, 0);
      add("one", [](size_t) { return uint32_t{300}; }, 1);
      add("zeros", [](size_t) { return uint32_t{0}; }, 1000);
      add("random small", [&](size_t) { return small(rng); }, 20000);
      add("widest", [&](size_t) { return any(rng); }, 5000);
      add("extremes", [](size_t i) {
        const uint32_t v[] = {0, 0xffffffffu, 127, 128, 16383, 16384, 0x1fffff, 0x200000};
        return v[i % 8];
      }, 80);
      break;
    }
    case StreamType::bytes: {
      std::uniform_int_distribution<int> byte(0, 255);
      add("empty", [](size_t) { return uint8_t{0}; }, 0);
      add("one", [](size_t) { return uint8_t{42}; }, 1);
      add("zeros", [](size_t) { return uint8_t{0}; }, 1000);
      add("random", [&](size_t) { return static_cast<uint8_t>(byte(rng)); }, 20000);
      add("repetitive", [](size_t i) { return static_cast<uint8_t>("weights "[i % 8]); }, 7001);
      add("extremes", [](size_t i) { return static_cast<uint8_t>(i % 2 ? 255 : 0); }, 33);
      break;
    }
  }
  return cases;
}

// decode(encode(x)) == x, or within the tolerance for a lossy stage.
void check_round_trip(const StageDescriptor& d, const Stream& in, const Stream& back) {
  REQUIRE(type_of(back) == type_of(in));
  REQUIRE(element_count(back) == element_count(in));
  if (d.kind == StageKind::quantize) {
    const auto& a = std::get<F32>(in);
    const auto& b = std::get<F32>(back);
    double worst = 0;
    for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::fabs(double(a[i]) - double(b[i])));
    CHECK(worst <= kTol);
  } else {
    CHECK(back == in);
  }
}

// Shorter versions of a stream of any type.
std::vector<Stream> truncations(const Stream& s) {
  std::vector<Stream> out;
  std::visit([&](const auto& v) {
    using V = std::decay_t<decltype(v)>;
    for (size_t keep : {size_t{0}, v.size() / 2, v.size() - 1})
      if (keep < v.size()) out.emplace_back(V(v.begin(), v.begin() + keep));
  }, s);
  return out;
}

}  // namespace

TEST_CASE("every stage under codecs/ is registered, once", "[stages]") {
  // Each stage file pair declares `StageDescriptor <name>_stage();`: all of them must be in the
  // list of codecs/stages.cpp, or the property tests below would never see them.
  const std::regex declaration(R"(StageDescriptor\s+(\w+)_stage\s*\(\s*\)\s*;)");
  std::set<std::string> declared;
  for (const auto& e : std::filesystem::recursive_directory_iterator(std::filesystem::path(LCZ_SOURCE_DIR) / "codecs")) {
    if (e.path().extension() != ".h") continue;
    std::ifstream in(e.path());
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (std::sregex_iterator m(text.begin(), text.end(), declaration), end; m != end; ++m) declared.insert((*m)[1]);
  }
  std::set<std::string> registered;
  for (const auto& d : all_stages()) CHECK(registered.insert(d.name).second);  // no name twice
  CHECK(declared.size() >= 16);
  CHECK(registered == declared);
}

TEST_CASE("every registered stage round-trips, is deterministic and rejects corrupt input", "[stages]") {
  for (const auto& d : all_stages()) {
    SECTION(d.name) {
      auto stage = make_default(d);
      for (const auto& [case_name, input] : inputs_for(d.input)) {
        INFO("stage " << d.name << ", input '" << case_name << "' (" << element_count(input) << " elements)");
        Stream encoded = stage->encode(input);
        REQUIRE(type_of(encoded) == d.output);
        check_round_trip(d, input, stage->decode(encoded));
        CHECK(stage->encode(input) == encoded);  // deterministic

        // A shortened stream is refused by every stage that frames its output (backends and
        // entropy coders record how much they hold); a transform may decode a prefix, but never
        // to the original.
        // (store is the identity: every prefix of its output is a store stream of its own.)
        const bool framed = (d.kind == StageKind::backend || d.kind == StageKind::entropy) && d.name != "store";
        for (const auto& cut : truncations(encoded)) {
          INFO("cut to " << element_count(cut) << " of " << element_count(encoded) << " elements");
          try {
            Stream back = stage->decode(cut);
            CHECK_FALSE(framed);
            CHECK_FALSE(back == input);
          } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::codec);
          }
        }
        // Flipped bytes: an error or some output, never a crash or a foreign exception.
        if (auto* bytes = std::get_if<Bytes>(&encoded); bytes && !bytes->empty()) {
          for (size_t at : {size_t{0}, bytes->size() / 3, bytes->size() / 2, bytes->size() - 1}) {
            Bytes bad = *bytes;
            bad[at] ^= 0x5a;
            try {
              (void)stage->decode(bad);
            } catch (const Error& e) {
              CHECK(e.kind() == ErrorKind::codec);
            }
          }
        }
      }
      // The wrong stream type is an error, not undefined behaviour.
      Stream wrong = d.input == StreamType::bytes ? Stream(U32{1, 2}) : Stream(Bytes{1, 2});
      CHECK_THROWS_AS(stage->encode(wrong), Error);
    }
  }
}

TEST_CASE("every stage describes itself completely", "[stages]") {
  for (const auto& d : all_stages()) {
    INFO(d.name);
    CHECK(!d.doc.empty());
    CHECK(find_stage(d.name) == &d);
    for (const auto& p : d.params) {
      CHECK(!p.doc.empty());
      // Defaults pass their own validation.
      if (!p.default_value.is_null())
        CHECK_NOTHROW(validate_params(d.params, nlohmann::json{{p.name, p.default_value}}, d.name));
    }
    if (d.kind == StageKind::backend && d.name != "store") CHECK(d.library_version);  // store wraps no library
  }
}

namespace {

// The stage with parameter values (the rest default) and a context.
std::unique_ptr<Stage> make_with(const StageDescriptor& d, const nlohmann::json& values, const StageContext& context) {
  return d.make(validate_params(d.params, values, d.name), context);
}

// The largest input of a type that inputs_for gives ("random ..." cases have 20,000 elements).
Stream large_input(StreamType type) {
  Stream best;
  size_t most = 0;
  for (auto& [name, s] : inputs_for(type))
    if (name.rfind("random", 0) == 0 && element_count(s) > most) most = element_count(s), best = s;
  return best;
}

size_t byte_size(const Stream& s) {
  return std::visit([](const auto& v) { return v.size() * sizeof(v[0]); }, s);
}

// Each end of each parameter's range (both values of a flag, every choice of a string).
std::vector<std::pair<std::string, nlohmann::json>> range_ends(const ParamSpec& p) {
  std::vector<std::pair<std::string, nlohmann::json>> out;
  switch (p.type) {
    case ParamType::integer:
      if (p.min) out.emplace_back("min", static_cast<int64_t>(*p.min));
      if (p.max) out.emplace_back("max", static_cast<int64_t>(*p.max));
      break;
    case ParamType::number:
      if (p.min) out.emplace_back("min", *p.min);
      if (p.max) out.emplace_back("max", *p.max);
      break;
    case ParamType::boolean:
      out.emplace_back("false", false);
      out.emplace_back("true", true);
      break;
    case ParamType::string:
      for (const auto& c : p.choices) out.emplace_back(c, c);
      break;
  }
  return out;
}

}  // namespace

TEST_CASE("every registered stage's decoder keeps to the decode limit", "[stages]") {
  // A decoder may produce at most StageContext::max_decoded_bytes (the container sets it per
  // chunk): asked for more it refuses with a codec error before it allocates the output. A
  // stage that maps element for element (no more elements out than in: quantize, grid, the
  // transforms) cannot be made to allocate more than its input holds and needs no limit.
  for (const auto& d : all_stages()) {
    INFO("stage " << d.name);
    const Stream input = large_input(d.input);
    const Stream encoded = make_default(d)->encode(input);
    const Stream decoded = make_default(d)->decode(encoded);
    const uint64_t needed = byte_size(decoded);
    REQUIRE(needed > 1024);
    // Exactly enough is enough...
    CHECK(make_with(d, nlohmann::json::object(), {.tolerance = kTol, .max_decoded_bytes = needed})->decode(encoded) ==
          decoded);
    // ... and a limit below what the stream decodes to is refused.
    for (uint64_t limit : {uint64_t{1024}, needed - 1}) {
      INFO("limit " << limit << " of " << needed << " bytes");
      try {
        const Stream back =
            make_with(d, nlohmann::json::object(), {.tolerance = kTol, .max_decoded_bytes = limit})->decode(encoded);
        CHECK(element_count(back) <= element_count(encoded));
      } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::codec);
      }
    }
  }
}

TEST_CASE("every registered stage codes against a base, or refuses to", "[stages]") {
  // A stage that codes against a base (Stage::codes_against_base) decodes, given the same base,
  // to exactly what it decodes without one: the base changes the size, never the values. Given
  // a base of another length it refuses. Every other stage refuses a base outright.
  int coders = 0;
  for (const auto& d : all_stages()) {
    INFO("stage " << d.name);
    auto stage = make_default(d);
    coders += stage->codes_against_base();
    if (!stage->codes_against_base()) {
      const Stream in = large_input(d.input);
      const F32 base(element_count(in));
      Bytes side;
      CHECK_THROWS_AS(stage->encode_against(in, BaseTensor(base), side), Error);
      continue;
    }
    REQUIRE(d.input == StreamType::f32);  // a base is float32 values, one per input value
    for (const auto& [case_name, input] : inputs_for(d.input)) {
      INFO("input '" << case_name << "'");
      const F32& in = std::get<F32>(input);
      // A base like an earlier version of the values: near them, but not equal.
      F32 base(in.size());
      for (size_t i = 0; i < in.size(); ++i) base[i] = in[i] * 0.97f + (i % 3 == 0 ? 1e-3f : -2e-4f);
      const Stream alone = stage->decode(stage->encode(input));
      Bytes side, side2;
      const Stream against = stage->encode_against(input, BaseTensor(base), side);
      CHECK(stage->encode_against(input, BaseTensor(base), side2) == against);  // deterministic
      CHECK(side2 == side);
      CHECK(stage->decode_against(against, BaseTensor(base), side) == alone);
      if (!in.empty()) {
        const F32 short_base(base.begin(), base.end() - 1);
        Bytes short_side;
        CHECK_THROWS_AS(stage->encode_against(input, BaseTensor(short_base), short_side), Error);
      }
    }
  }
  CHECK(coders >= 2);  // quantize and grid
}

TEST_CASE("every registered stage works with each parameter at the ends of its range", "[stages]") {
  // Each end of each range (every choice, both flags), the other parameters at their
  // defaults: all-zero input round-trips; other input round-trips or is refused with a codec
  // error (a bit width of 0 holds only zeros).
  for (const auto& d : all_stages()) {
    for (const auto& p : d.params) {
      for (const auto& [end, value] : range_ends(p)) {
        INFO("stage " << d.name << ", " << p.name << " = " << value.dump() << " (" << end << ")");
        auto stage = make_with(d, nlohmann::json{{p.name, value}}, {.tolerance = kTol});
        for (const auto& [case_name, input] : inputs_for(d.input)) {
          INFO("input '" << case_name << "'");
          try {
            const Stream encoded = stage->encode(input);
            check_round_trip(d, input, stage->decode(encoded));
          } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::codec);
            CHECK(case_name != "zeros");
          }
        }
      }
    }
  }
}
