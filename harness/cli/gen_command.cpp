// harness gen --like NET --weights N -o FILE.f32: a synthetic net of N weights modelled on a
// real one (nets/generate.h says what is preserved).
#include <CLI/CLI.hpp>

#include <charconv>
#include <filesystem>
#include <iostream>

#include "codecs/core/error.h"
#include "formats/format.h"
#include "harness/cli/commands.h"
#include "nets/generate.h"

namespace lcz::cli {
namespace fs = std::filesystem;

namespace {

// "25000000", "25M", "1.5G" (powers of ten: K, M, G).
uint64_t weight_count(const std::string& text) {
  double scale = 1;
  std::string digits = text;
  if (!digits.empty()) {
    switch (digits.back()) {
      case 'K': case 'k': scale = 1e3; break;
      case 'M': case 'm': scale = 1e6; break;
      case 'G': case 'g': scale = 1e9; break;
      default: break;
    }
    if (scale != 1) digits.pop_back();
  }
  double v = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  const double n = v * scale;
  if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size() || !(n >= 1) || n > 1e12 ||
      n != std::floor(n))
    throw_config("--weights " + text + ": expected a whole number of weights, e.g. 25000000 or 25M");
  return static_cast<uint64_t>(n);
}

}  // namespace

int gen_command(int argc, char** argv) {
  CLI::App app{"Write a float32 net of N weights whose tensors follow the shapes and value statistics of a real net",
               "harness gen"};
  std::string like, weights, out;
  uint64_t seed = 1;
  bool force = false;
  app.add_option("--like", like, "the real net to model (any format harness reads)")->required();
  app.add_option("--weights", weights, "weights to write: 25000000, 25M (100 MB of float32)")->required();
  app.add_option("-o,--out", out, "output file: raw little-endian float32 (.f32)")->required();
  app.add_option("--seed", seed, "random seed: the same seed gives the same file")->capture_default_str();
  app.add_flag("--force", force, "replace an existing output file");
  if (const int code = parse_command_line(app, argc, argv); code >= 0) return code;
  return run_reporting_errors("harness gen", [&] {
    const uint64_t n = weight_count(weights);
    if (fs::exists(out) && !force) throw_config(out + ": already exists (use --force to replace it)");
    const Net real = read_net(like);
    write_generated_f32(real, n, seed, out);
    std::cerr << "wrote " << out << ": " << n << " weights (" << n * 4 << " bytes) in " << real.tensors.size()
              << " tensors like " << like << ", seed " << seed << "\n";
    return 0;
  });
}

}  // namespace lcz::cli
