// What the generic property test cannot know: each transform's own contract.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "codecs/core/byte_io.h"
#include "codecs/core/registry.h"

using namespace lcz;

namespace {
std::unique_ptr<Stage> make(const std::string& name, nlohmann::json params = nlohmann::json::object(),
                             StageContext ctx = {}) {
  const StageDescriptor* d = find_stage(name);
  REQUIRE(d != nullptr);
  return d->make(validate_params(d->params, params, name), ctx);
}
template <class T>
T as(Stream s) {
  return std::get<T>(std::move(s));
}
}  // namespace

TEST_CASE("quantize truncate is the seed's int32(x * 2^17)", "[quantize]") {
  auto q = make("quantize", {{"mode", "truncate"}});
  F32 x = {0.0f, 1.5e-5f, -1.5e-5f, 0x1p-17f, -0x1p-17f, 0.2499f, -4.9f, 7.0e-6f, -7.0e-6f, 1e-40f};
  const I32 out = as<I32>(q->encode(x));
  for (size_t i = 0; i < x.size(); ++i) CHECK(out[i] == static_cast<int32_t>(x[i] * 131072.0f));
  CHECK(out[1] == 1);
  CHECK(out[2] == -1);
  CHECK(out[7] == 0);
}

TEST_CASE("quantize round uses step 2 tol and stays within tol", "[quantize]") {
  auto q = make("quantize", {{"mode", "round"}});
  F32 x = {3 * 0x1p-17f, 0x1p-17f * 0.99f, -0x1p-17f * 1.01f, 0.1f};
  const I32 k = as<I32>(q->encode(x));
  CHECK(k[0] == 2);  // 3*2^-17 = 1.5 steps of 2^-16: rounds to 2 (ties to even)
  CHECK(k[1] == 0);
  CHECK(k[2] == -1);
  const F32 back = as<F32>(q->decode(Stream(k)));
  for (size_t i = 0; i < x.size(); ++i) CHECK(std::fabs(double(back[i]) - double(x[i])) <= 0x1p-17);
}

TEST_CASE("quantize refuses NaN, Inf and values beyond int32", "[quantize]") {
  auto q = make("quantize");
  for (float bad : {std::nanf(""), std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(), 1e30f}) {
    INFO(bad);
    CHECK_THROWS_WITH(q->encode(F32{0.0f, bad}), Catch::Matchers::Contains("index 1"));
  }
}

TEST_CASE("quantize with a tolerance that is not a power of two still meets the bound or refuses", "[quantize]") {
  // With step 2e-5, float32 rounding of a reconstructed value can push its error past the
  // bound by up to half an ulp: the stage must notice and refuse rather than emit it.
  auto q = make("quantize", {{"mode", "round"}}, StageContext{.tolerance = 1e-5});
  int encoded = 0, refused = 0;
  for (float scale : {0.0001f, 0.000731f}) {
    F32 x;
    for (int i = -2000; i <= 2000; ++i) x.push_back(i * scale);
    try {
      const F32 back = as<F32>(q->decode(q->encode(x)));
      for (size_t i = 0; i < x.size(); ++i) CHECK(std::fabs(double(back[i]) - double(x[i])) <= 1e-5);
      ++encoded;
    } catch (const Error& e) {
      CHECK_THAT(e.what(), Catch::Matchers::Contains("within the tolerance"));
      ++refused;
    }
  }
  CHECK(encoded + refused == 2);
  CHECK(encoded >= 1);
}

TEST_CASE("varint writes LEB128 and refuses what does not fit max_bytes", "[varint]") {
  auto v3 = make("varint", {{"max_bytes", 3}});
  CHECK(as<Bytes>(v3->encode(U32{0, 127, 128, 300, 0x1fffff})) ==
        Bytes{0x00, 0x7f, 0x80, 0x01, 0xac, 0x02, 0xff, 0xff, 0x7f});
  CHECK_THROWS_WITH(v3->encode(U32{1, 0x200000}), Catch::Matchers::Contains("index 1"));
  // A 4-byte value in a 3-byte stream is corrupt, and so is a value cut off at the end.
  CHECK_THROWS_AS(v3->decode(Bytes{0x80, 0x80, 0x80, 0x01}), Error);
  CHECK_THROWS_WITH(v3->decode(Bytes{0x05, 0x80}), Catch::Matchers::Contains("offset 1"));
  auto v5 = make("varint");
  CHECK(as<U32>(v5->decode(v5->encode(U32{0xffffffffu}))) == U32{0xffffffffu});
  CHECK_THROWS_AS(v5->decode(Bytes{0xff, 0xff, 0xff, 0xff, 0x1f}), Error);  // 35 bits
}

TEST_CASE("bitpack picks the narrowest width, honours bits, and checks its header", "[bitpack]") {
  auto auto_width = make("bitpack");
  const Bytes b = as<Bytes>(auto_width->encode(U32{1, 2, 3, 0}));
  CHECK(b == Bytes{4, 2, 0b00111001});  // count 4, 2 bits, first value in the lowest bits
  auto fixed = make("bitpack", {{"bits", 1}});
  CHECK_THROWS_AS(fixed->encode(U32{2}), Error);
  // A header that promises more than the payload holds, or an absurd count, is corrupt.
  CHECK_THROWS_AS(auto_width->decode(Bytes{9, 2, 0xff}), Error);
  CHECK_THROWS_AS(auto_width->decode(Bytes{0xff, 0xff, 0xff, 0xff, 0xff, 0x0f, 0}), Error);
  CHECK_THROWS_AS(auto_width->decode(Bytes{1, 33, 0, 0, 0, 0, 0}), Error);
}

TEST_CASE("le_bytes and byte_shuffle lay bytes out as documented", "[le_bytes][byte_shuffle]") {
  auto le = make("le_bytes", {{"width", 2}});
  CHECK(as<Bytes>(le->encode(U32{0x0102, 0x0304})) == Bytes{0x02, 0x01, 0x04, 0x03});
  CHECK_THROWS_AS(le->encode(U32{0x10000}), Error);
  CHECK_THROWS_AS(le->decode(Bytes{1, 2, 3}), Error);
  auto shuffle = make("byte_shuffle", {{"width", 2}});
  CHECK(as<Bytes>(shuffle->encode(Bytes{1, 2, 3, 4, 5})) == Bytes{1, 3, 2, 4, 5});
}

TEST_CASE("zigzag and delta map as documented", "[zigzag][delta]") {
  CHECK(as<U32>(make("zigzag")->encode(I32{0, -1, 1, -2, 2, std::numeric_limits<int32_t>::min()})) ==
        U32{0, 1, 2, 3, 4, 0xffffffffu});
  CHECK(as<I32>(make("delta")->encode(I32{5, 7, 4, 4})) == I32{5, 2, -3, 0});
}

TEST_CASE("the byte reader reports where a stream ends early", "[byte_io]") {
  Bytes b = {0x81};
  ByteReader r(b, "test");
  CHECK_THROWS_WITH(r.varint(), Catch::Matchers::Contains("offset 0"));
  Bytes c = {1, 2};
  ByteReader r2(c, "test");
  CHECK_THROWS_WITH(r2.u32le(), Catch::Matchers::Contains("only 2 bytes left"));
}
