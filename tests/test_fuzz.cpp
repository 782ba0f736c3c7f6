// A deterministic fuzz pass over every registered decoder, replayed by ctest: random
// streams of the decoder's input type, and mutations (bit flips, cuts, insertions, splices)
// of valid encodings. A decoder may return anything or throw lcz::Error; it may not crash,
// hang or throw anything else. Run under -DLCZ_SANITIZE=ON to catch memory errors too.
#include <catch2/catch.hpp>

#include <random>

#include "codecs/core/registry.h"

using namespace lcz;

namespace {

Stream random_stream(StreamType type, size_t n, std::mt19937& rng) {
  std::uniform_int_distribution<uint32_t> any;
  std::geometric_distribution<int> small(0.2);
  auto word = [&] { return rng() % 4 == 0 ? any(rng) : static_cast<uint32_t>(small(rng)); };
  switch (type) {
    case StreamType::f32: {
      F32 v(n);
      for (auto& x : v) x = std::uniform_real_distribution<float>(-1, 1)(rng);
      return v;
    }
    case StreamType::i32: {
      I32 v(n);
      for (auto& x : v) x = static_cast<int32_t>(word());
      return v;
    }
    case StreamType::u32: {
      U32 v(n);
      for (auto& x : v) x = word();
      return v;
    }
    case StreamType::bytes: {
      Bytes v(n);
      for (auto& x : v) x = static_cast<uint8_t>(rng() % 4 == 0 ? rng() : small(rng));
      return v;
    }
  }
  return Bytes{};
}

Bytes mutate(Bytes b, std::mt19937& rng) {
  if (b.empty()) return Bytes{static_cast<uint8_t>(rng())};
  switch (rng() % 4) {
    case 0:
      for (int k = 0; k < 1 + static_cast<int>(rng() % 3); ++k) b[rng() % b.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
      break;
    case 1: b.resize(rng() % b.size()); break;
    case 2: b.insert(b.begin() + rng() % b.size(), static_cast<uint8_t>(rng())); break;
    case 3: {  // overwrite a run with a copy of another part
      size_t from = rng() % b.size(), to = rng() % b.size(), n = std::min(b.size() - std::max(from, to), size_t{16});
      std::copy_n(b.begin() + from, n, b.begin() + to);
      b[to] ^= 0x80;
      break;
    }
  }
  return b;
}

void decode_must_not_crash(const Stage& stage, const Stream& in) {
  try {
    (void)stage.decode(in);
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::codec);
  }
}

}  // namespace

TEST_CASE("every decoder survives random and mutated input", "[fuzz]") {
  for (const auto& d : all_stages()) {
    SECTION(d.name) {
      auto stage = d.make(validate_params(d.params, nlohmann::json::object(), d.name), StageContext{});
      std::mt19937 rng(99);
      for (int i = 0; i < 200; ++i) {
        INFO(d.name << " random input " << i);
        decode_must_not_crash(*stage, random_stream(d.output, rng() % 3000, rng));
      }
      if (d.output != StreamType::bytes) continue;
      for (int i = 0; i < 100; ++i) {
        Bytes valid = std::get<Bytes>(stage->encode(random_stream(d.input, 1 + rng() % 5000, rng)));
        for (int m = 0; m < 5; ++m) {
          INFO(d.name << " mutation " << i << "." << m);
          decode_must_not_crash(*stage, Stream(mutate(valid, rng)));
        }
      }
    }
  }
}
