// Shared by the tests: where the real nets are. A missing file fails the test loudly: CI
// must never pass by skipping what it could not read.
#pragma once
#include <cstdlib>
#include <filesystem>
#include <string>

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

}  // namespace lcz::test
