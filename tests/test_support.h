// Shared by the tests: where the real nets are (a missing file fails the test loudly: CI
// must never pass by skipping what it could not read), temporary folders and files, and the
// check that a call fails with a given lcz::Error.
#pragma once
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <random>
#include <span>
#include <string>
#include <string_view>

#include "codecs/core/error.h"

#include <catch2/catch.hpp>

namespace lcz::test {

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
