// Checks specific to the byte backends (codecs/backend/): round trips at the extremes of each
// parameter, determinism, truncated / corrupted / oversized streams, golden streams that pin
// compatibility with the Python seed script, library versions and parameter ranges.
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "codecs/core/registry.h"

namespace {

using lcz::Bytes;
using nlohmann::json;

struct Setting {
  std::string stage;
  json params;
};

// The lowest and highest setting of every backend.
const std::vector<Setting>& extreme_settings() {
  static const std::vector<Setting> settings = {
      {"bzip2", {{"level", 1}}},
      {"bzip2", {{"level", 9}}},
      {"zstd", {{"level", 1}}},
      {"zstd", {{"level", 22}, {"long", true}}},
      {"xz", {{"preset", 0}}},
      {"xz", {{"preset", 9}, {"extreme", true}}},
      {"brotli", {{"quality", 0}, {"window", 10}}},
      {"brotli", {{"quality", 11}, {"window", 24}}},
      {"zlib", {{"level", 0}}},
      {"zlib", {{"level", 9}}},
      {"store", json::object()},
  };
  return settings;
}

const char* const kLibraryBackends[] = {"bzip2", "zstd", "xz", "brotli", "zlib"};

const lcz::StageDescriptor& descriptor(const std::string& name) {
  const lcz::StageDescriptor* d = lcz::find_stage(name);
  INFO("stage " << name);
  REQUIRE(d != nullptr);
  return *d;
}

std::unique_ptr<lcz::Stage> make(const Setting& s, lcz::StageContext ctx = {}) {
  const auto& d = descriptor(s.stage);
  return d.make(lcz::validate_params(d.params, s.params, "test"), ctx);
}

Bytes encode(const lcz::Stage& stage, const Bytes& in) { return std::get<Bytes>(stage.encode(lcz::Stream{in})); }
Bytes decode(const lcz::Stage& stage, const Bytes& in) { return std::get<Bytes>(stage.decode(lcz::Stream{in})); }

// 1 MiB in 4 KiB blocks of different character: random, text, runs, a small alphabet and a
// slowly varying "weights-like" sequence, so both the match finders and the entropy coders work.
Bytes mixed_megabyte() {
  std::mt19937 rng(20240611);
  Bytes out;
  const std::string text = "the quick brown fox jumps over the lazy dog; ";
  for (int block = 0; out.size() < (1u << 20); ++block) {
    for (int i = 0; i < 4096; ++i) {
      switch (block % 5) {
        case 0: out.push_back(static_cast<uint8_t>(rng())); break;
        case 1: out.push_back(static_cast<uint8_t>(text[i % text.size()])); break;
        case 2: out.push_back(static_cast<uint8_t>(block * 7 + i / 512)); break;
        case 3: out.push_back(static_cast<uint8_t>('a' + rng() % 4)); break;
        case 4: out.push_back(static_cast<uint8_t>(128 + (i % 64) - 32 + static_cast<int>(rng() % 3))); break;
      }
    }
  }
  out.resize(1u << 20);
  return out;
}

Bytes from_hex(const std::string& hex) {
  Bytes out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

Bytes hello_times_100() {
  std::string s;
  for (int i = 0; i < 100; ++i) s += "hello hello hello\n";
  return Bytes(s.begin(), s.end());
}

// A cut, extended or made-up stream must fail with a codec error; for store, which has no
// structure to break, it merely decodes to different bytes.
void require_rejected(const Setting& s, const lcz::Stage& stage, const Bytes& bad, const Bytes& original) {
  try {
    Bytes got = decode(stage, bad);
    INFO(s.stage << " " << s.params.dump() << " decoded a bad stream of " << bad.size() << " bytes");
    REQUIRE(s.stage == "store");
    REQUIRE(got != original);
  } catch (const lcz::Error& e) {
    INFO(e.what());
    REQUIRE(e.kind() == lcz::ErrorKind::codec);
  }
}

// A damaged stream must fail with a codec error, or decode to exactly the original when the
// damage hit a field that carries no data (a window-size hint, an unused code length). Brotli has
// no checksum and store no structure: for them wrong bytes are possible and only a crash is not.
void require_rejected_or_intact(const Setting& s, const lcz::Stage& stage, const Bytes& damaged, const Bytes& original) {
  try {
    Bytes got = decode(stage, damaged);
    INFO(s.stage << " " << s.params.dump() << " decoded a damaged stream to different bytes");
    if (got != original) REQUIRE((s.stage == "store" || s.stage == "brotli"));
  } catch (const lcz::Error& e) {
    INFO(e.what());
    REQUIRE(e.kind() == lcz::ErrorKind::codec);
  }
}

}  // namespace

TEST_CASE("backends: descriptors are bytes -> bytes with documented parameters", "[backends]") {
  for (const char* name : {"bzip2", "zstd", "xz", "brotli", "zlib", "store"}) {
    const auto& d = descriptor(name);
    INFO(name);
    CHECK(d.kind == lcz::StageKind::backend);
    CHECK(d.input == lcz::StreamType::bytes);
    CHECK(d.output == lcz::StreamType::bytes);
    CHECK(!d.doc.empty());
    for (const auto& p : d.params) {
      INFO(p.name);
      CHECK(!p.doc.empty());
      CHECK(!p.default_value.is_null());
    }
    // Defaults alone must validate.
    CHECK_NOTHROW(lcz::validate_params(d.params, json::object(), "test"));
  }
}

TEST_CASE("backends: library versions name the library and its runtime version", "[backends]") {
  for (const char* name : kLibraryBackends) {
    const auto& d = descriptor(name);
    REQUIRE(d.library_version);
    std::string v = d.library_version();
    INFO(name << ": " << v);
    CHECK(!v.empty());
    CHECK(v.find(' ') != std::string::npos);
    CHECK(v.find_first_of("0123456789") != std::string::npos);
  }
  CHECK(!descriptor("store").library_version);  // own code: no library
}

TEST_CASE("backends: out-of-range and unknown parameters are rejected", "[backends]") {
  const std::vector<Setting> bad = {
      {"bzip2", {{"level", 0}}},     {"bzip2", {{"level", 10}}},     {"bzip2", {{"level", 9.5}}},
      {"zstd", {{"level", 0}}},      {"zstd", {{"level", 23}}},      {"zstd", {{"long", 1}}},
      {"xz", {{"preset", -1}}},      {"xz", {{"preset", 10}}},       {"xz", {{"extreme", "yes"}}},
      {"brotli", {{"quality", -1}}}, {"brotli", {{"quality", 12}}},  {"brotli", {{"window", 9}}},
      {"brotli", {{"window", 25}}},  {"zlib", {{"level", -1}}},      {"zlib", {{"level", 10}}},
      {"store", {{"level", 1}}},     {"zstd", {{"windowLog", 27}}},
  };
  for (const auto& s : bad) {
    INFO(s.stage << " " << s.params.dump());
    try {
      lcz::validate_params(descriptor(s.stage).params, s.params, "pipelines[0].stages[0]");
      FAIL("accepted");
    } catch (const lcz::Error& e) {
      CHECK(e.kind() == lcz::ErrorKind::config);
      CHECK(std::string(e.what()).find("pipelines[0].stages[0].") == 0);
    }
  }
}

TEST_CASE("backends: round trip empty, one byte and 1 MiB at the lowest and highest setting", "[backends]") {
  const Bytes big = mixed_megabyte();
  for (const auto& s : extreme_settings()) {
    INFO(s.stage << " " << s.params.dump());
    auto stage = make(s);
    for (const Bytes& in : {Bytes{}, Bytes{0x5a}, big}) {
      Bytes packed = encode(*stage, in);
      CHECK(decode(*stage, packed) == in);
      // Same input, same bytes: also from a second instance made from the same parameters.
      CHECK(encode(*make(s), in) == packed);
      if (in.size() == big.size() && s.stage != "store" && s.params != json{{"level", 0}})
        CHECK(packed.size() < big.size());
    }
  }
}

TEST_CASE("backends: truncated streams are rejected", "[backends]") {
  const Bytes big = mixed_megabyte();
  for (const auto& s : extreme_settings()) {
    INFO(s.stage << " " << s.params.dump());
    auto stage = make(s);
    // Every prefix of a small stream.
    const Bytes small = hello_times_100();
    Bytes packed = encode(*stage, small);
    for (size_t n = 0; n < packed.size(); ++n) require_rejected(s, *stage, Bytes(packed.begin(), packed.begin() + n), small);
    // Some prefixes of a large one.
    packed = encode(*stage, big);
    for (size_t n : {size_t{0}, size_t{1}, packed.size() / 4, packed.size() / 2, packed.size() - 5, packed.size() - 1})
      require_rejected(s, *stage, Bytes(packed.begin(), packed.begin() + n), big);
  }
}

TEST_CASE("backends: corrupted streams are rejected", "[backends]") {
  const Bytes big = mixed_megabyte();
  for (const auto& s : extreme_settings()) {
    INFO(s.stage << " " << s.params.dump());
    auto stage = make(s);
    // Every byte of a small stream, inverted.
    const Bytes small = hello_times_100();
    Bytes packed = encode(*stage, small);
    for (size_t i = 0; i < packed.size(); ++i) {
      Bytes damaged = packed;
      damaged[i] ^= 0xff;
      require_rejected_or_intact(s, *stage, damaged, small);
    }
    // Spread over a large one, one byte at a time.
    packed = encode(*stage, big);
    for (size_t i : {size_t{0}, packed.size() / 7, packed.size() / 3, packed.size() / 2, packed.size() * 5 / 6,
                     packed.size() - 1}) {
      Bytes damaged = packed;
      damaged[i] ^= 0xff;
      require_rejected_or_intact(s, *stage, damaged, big);
    }
    // Bytes after the stream, and data that was never a stream.
    packed.push_back(0);
    require_rejected(s, *stage, packed, big);
    Bytes noise(1000);
    std::mt19937 rng(7);
    for (auto& b : noise) b = static_cast<uint8_t>(rng());
    require_rejected(s, *stage, noise, {});
  }
}

TEST_CASE("backends: decoders refuse output beyond max_decoded_bytes", "[backends]") {
  const Bytes big = mixed_megabyte();
  for (const auto& s : extreme_settings()) {
    INFO(s.stage << " " << s.params.dump());
    Bytes packed = encode(*make(s), big);
    lcz::StageContext exact;
    exact.max_decoded_bytes = big.size();
    CHECK(decode(*make(s, exact), packed) == big);
    lcz::StageContext short_by_one;
    short_by_one.max_decoded_bytes = big.size() - 1;
    try {
      decode(*make(s, short_by_one), packed);
      FAIL("decoded past the limit");
    } catch (const lcz::Error& e) {
      CHECK(e.kind() == lcz::ErrorKind::codec);
      CHECK(std::string(e.what()).find("max_decoded_bytes") != std::string::npos);
    }
  }
}

TEST_CASE("backends: bzip2 writes exactly what Python's bz2 module writes", "[backends]") {
  // python3 -c "import bz2; print(bz2.compress(b'hello hello hello\n'*100, 9).hex())"
  // (Python 3 bz2 over libbz2 1.0.8; bz2.open(path, 'wb') writes the same 55 bytes,
  // sha256 cb8f13c30aeda767752213ff5dd5c795e3435756f8701874d6d511d2efd9e019).
  const Bytes python = from_hex(
      "425a6839314159265359438901a70001a8d100001040000244a0005060014a864d2918523c22f116148d148f8bb92"
      "29c284821c480d380");
  REQUIRE(python.size() == 55);
  auto stage = make({"bzip2", json::object()});  // default level 9
  CHECK(encode(*stage, hello_times_100()) == python);
  CHECK(decode(*stage, python) == hello_times_100());
  // python3 -c "import bz2; print(bz2.compress(b'', 9).hex())"
  CHECK(encode(*stage, {}) == from_hex("425a683917724538509000000000"));
}

TEST_CASE("backends: zlib and xz write exactly what Python's zlib and lzma modules write", "[backends]") {
  // python3 -c "import zlib; print(zlib.compress(b'hello hello hello\n'*100, 9).hex())"  (zlib 1.2.13)
  CHECK(encode(*make({"zlib", json::object()}), hello_times_100()) ==
        from_hex("78dacb48cdc9c957c840905c19a322a322a322a322a322a3222346040043848c77"));
  // python3 -c "import lzma; print(lzma.compress(b'hello hello hello\n'*100, preset=6).hex())"  (liblzma 5.4.1)
  CHECK(encode(*make({"xz", json::object()}), hello_times_100()) ==
        from_hex("fd377a585a000004e6d6b4460200210116000000742fe5a3e0070700195d00341949ee8de94f7e21f9c0a5d39b5d66cc"
                 "b960cebff0f08200000000000ae93aeed26375d4000135880e000000a3ceabf6b1c467fb020000000004595a"));
}

TEST_CASE("backends: bzip2 accepts concatenated streams", "[backends]") {
  auto stage = make({"bzip2", json::object()});
  Bytes a = hello_times_100(), b = {1, 2, 3};
  Bytes joined = encode(*stage, a);
  Bytes second = encode(*stage, b);
  joined.insert(joined.end(), second.begin(), second.end());
  Bytes expected = a;
  expected.insert(expected.end(), b.begin(), b.end());
  CHECK(decode(*stage, joined) == expected);
}
