// Shared by the tests: where the real nets are (a missing file fails the test loudly: CI
// must never pass by skipping what it could not read), temporary folders and files, and the
// check that a call fails with a given lcz::Error.
#pragma once
#include <cstdint>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "codecs/core/error.h"
#include "codecs/core/stream.h"
#include "formats/format.h"
#include "nets/net.h"
#include "nets/repeats.h"

#include <catch2/catch.hpp>

namespace lcz::test {

// n weights drawn from N(0, 0.05) by std::mt19937(seed): a plain layer for the net makers' tests.
inline std::vector<float> normal_weights(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> w(0.0f, 0.05f);
  std::vector<float> v(n);
  for (auto& x : v) x = w(rng);
  return v;
}

// $LCZ_DATASETS, else ../shared/datasets beside the checkout.
inline std::filesystem::path datasets_dir() {
  if (const char* env = std::getenv("LCZ_DATASETS"); env && *env) return env;
  return std::filesystem::path(LCZ_SOURCE_DIR) / ".." / "shared" / "datasets";
}

inline std::filesystem::path dataset(const std::string& name) {
  auto p = datasets_dir() / name;
  INFO("dataset file " << p.string() << " (set LCZ_DATASETS to the folder of the shared nets)");
  REQUIRE(std::filesystem::exists(p));
  return p;
}

// A shared net's weights rounded at 2^-16 (the 2*tol grid of 2^-17), and the same with 30 %
// of its 576-value blocks replaced by copies and negations of earlier ones (nets/repeats.h):
// the input of the coders' repeat tests.
struct RoundedRepeatPair {
  I32 source, repeats;
};
inline RoundedRepeatPair rounded_with_repeats(const std::string& dataset_name, uint64_t seed) {
  const std::vector<float> source = concatenated(read_net(dataset(dataset_name)));
  auto round = [](const std::vector<float>& f) {
    I32 v(f.size());
    for (size_t i = 0; i < f.size(); ++i) v[i] = static_cast<int32_t>(std::nearbyint(static_cast<double>(f[i]) * 65536.0));
    return v;
  };
  return {round(source), round(with_repeats(source, {.share = 0.3, .block = 576, .negate_share = 0.5, .seed = seed}))};
}

// A fresh directory under the system temp dir, removed with everything in it.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::random_device entropy;
    path = std::filesystem::temp_directory_path() / ("lcz_test_" + std::to_string(entropy()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  std::filesystem::path operator/(const std::string& name) const { return path / name; }
};

inline void write_bytes(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
}
inline void write_bytes(const std::filesystem::path& path, std::span<const uint8_t> bytes) {
  write_bytes(path, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

// f must throw lcz::Error of `kind` whose message holds every fragment.
template <class F>
void require_error(ErrorKind kind, F&& f, std::initializer_list<std::string> fragments) {
  try {
    f();
  } catch (const Error& e) {
    INFO("message: " << e.what());
    CHECK(e.kind() == kind);
    for (const auto& fragment : fragments) CHECK_THAT(e.what(), Catch::Matchers::Contains(fragment));
    return;
  }
  FAIL("no lcz::Error thrown");
}

}  // namespace lcz::test
