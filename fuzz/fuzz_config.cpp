// The config reader from the file's bytes: JSON checks (depth, duplicate keys, numbers),
// every key, pipeline and stage parameter, tolerance, datasets. Accepts or throws
// lcz::Error(config), or (input) for a dataset it cannot find.
#include <filesystem>
#include <fstream>
#include <string_view>

#include "fuzz/fuzz_target.h"
#include "harness/config.h"

namespace {

// A datasets folder holding the names the shipped configs use, so that inputs derived from
// them get past the dataset lookups. Only existence is checked while a config is read.
std::filesystem::path datasets_folder() {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / "lcz-fuzz-config-datasets";
  fs::create_directories(dir);
  for (const char* name : {"leela_grouped.f32", "maia-1900.pb.gz", "maia-1100.pb.gz", "net.npy", "weights.bin"})
    if (!fs::exists(dir / name)) std::ofstream(dir / name) << "0000";
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::filesystem::path dir = datasets_folder();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    lcz::parse_config_text(text, dir / "fuzz.json", {.datasets_dir = dir});
  } catch (const lcz::Error& e) {
    if (e.kind() != lcz::ErrorKind::config && e.kind() != lcz::ErrorKind::input) {
      std::fprintf(stderr, "unexpected kind %d: %s\n", static_cast<int>(e.kind()), e.what());
      std::abort();
    }
  }
  return 0;
}
