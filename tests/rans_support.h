// Shared by the rans tests (test_rans.cpp, test_rans_matches.cpp): the stage, typed encode and
// decode, weight-like integers, and the round-trip and refusal checks.
#pragma once
#include <cmath>
#include <memory>
#include <random>
#include <string>

#include <catch2/catch.hpp>

#include "codecs/core/registry.h"

namespace lcz::test {

inline std::unique_ptr<Stage> make_rans(nlohmann::json params = nlohmann::json::object(), StageContext ctx = {}) {
  const StageDescriptor* d = find_stage("rans");
  REQUIRE(d != nullptr);
  return d->make(validate_params(d->params, params, "rans"), ctx);
}

inline Bytes encode(const Stage& s, const I32& v) { return std::get<Bytes>(s.encode(Stream(v))); }
inline I32 decode(const Stage& s, const Bytes& b) { return std::get<I32>(s.decode(Stream(b))); }

// Rounded Laplacian samples of the given scale (in quantization steps).
inline I32 laplacian(size_t n, double scale, uint32_t seed) {
  std::mt19937 rng(seed);
  std::exponential_distribution<double> mag(1.0);
  std::bernoulli_distribution sign(0.5);
  I32 v(n);
  for (auto& x : v) {
    const double m = std::nearbyint(mag(rng) * scale);
    x = static_cast<int32_t>(sign(rng) ? -m : m);
  }
  return v;
}

inline void check_round_trip(const Stage& s, const I32& v) {
  const Bytes b = encode(s, v);
  const I32 back = decode(s, b);
  REQUIRE(back.size() == v.size());
  CHECK(back == v);
  CHECK(encode(s, v) == b);  // deterministic
}

// A corrupt stream: decoding it is an lcz::Error(codec) that names the stage.
inline void check_refused(const Stage& s, const Bytes& b, const std::string& what) {
  INFO("corrupt stream: " << what);
  try {
    (void)s.decode(Stream(b));
    FAIL("decoded without an error");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::codec);
    CHECK_THAT(e.what(), Catch::Matchers::Contains("rans"));
  }
}

}  // namespace lcz::test
