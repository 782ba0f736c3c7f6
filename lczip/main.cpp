// lczip: compress a net into an .lcz file within an absolute error bound, and get back a net
// that loads where the original did (an Lc0 .pb.gz that released lc0 reads, .f32, .npy).
// Exit codes as the harness: 0 ok, 1 internal error, 2 usage or config error, 3 input error
// (unreadable, corrupt or truncated file, wrong base), 4 the bound is broken, 5 a stage
// refused the data or failed to decode.
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <thread>

#include "codecs/core/error.h"
#include "container/atomic_file.h"
#include "container/lcz_codec.h"
#include "container/output_file.h"
#include "formats/format.h"
#include "nets/net.h"
#include "pipeline/presets.h"
#include "pipeline/verify.h"

namespace {

using lcz::Error;
using lcz::ErrorKind;

// Progress lines only for inputs this large, and only to a terminal.
constexpr uint64_t kProgressBytes = uint64_t{32} << 20;

std::vector<uint8_t> read_input(const std::string& path) {
  if (path != "-") return lcz::read_file_bytes(path);
  std::vector<uint8_t> bytes;
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, stdin)) > 0) bytes.insert(bytes.end(), buf, buf + n);
  if (std::ferror(stdin)) lcz::throw_input("standard input: read error");
  return bytes;
}

std::string display_name(const std::string& path) { return path == "-" ? "standard input" : path; }

unsigned default_threads() { return std::max(1u, std::thread::hardware_concurrency()); }

lcz::ProgressFn progress_for(uint64_t input_bytes) {
  if (input_bytes < kProgressBytes || !isatty(STDERR_FILENO)) return {};
  return [](const std::string& line) { std::cerr << "\rlczip: " << line << "   " << std::flush; };
}

void end_progress(const lcz::ProgressFn& p) {
  if (p) std::cerr << "\n";
}

std::string hex(std::span<const uint8_t> bytes) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (uint8_t b : bytes) s += digits[b >> 4], s += digits[b & 15];
  return s;
}

std::optional<lcz::BaseNet> load_base(const std::string& path) {
  if (path.empty()) return std::nullopt;
  return lcz::read_base_net(read_input(path), path);
}

const std::string& parse_format(const std::string& f) {
  if (f != "detect" && !lcz::find_format(f)) lcz::throw_config("--format " + f + ": expected one of " + lcz::format_names());
  return f;
}

struct CompressArgs {
  std::string input, output, pipeline = lcz::kDefaultPreset, config, tolerance, base, format = "detect";
  unsigned threads = default_threads();
  uint64_t chunk_weights = lcz::kDefaultChunkWeights;
  bool force = false;
};

int run_compress(const CompressArgs& a) {
  lcz::AtomicFile out(a.output, a.force);  // refuses an existing output before any work
  lcz::CompressOptions options;
  if (!a.config.empty()) {
    lcz::PipelineFile file = lcz::read_pipeline_file(a.config);
    options.tolerance = file.tolerance;
    auto it = std::find_if(file.pipelines.begin(), file.pipelines.end(), [&](const auto& p) { return p.name == a.pipeline; });
    if (it == file.pipelines.end()) {
      std::string names;
      for (const auto& p : file.pipelines) names += (names.empty() ? "" : ", ") + p.name;
      lcz::throw_config(a.config + ": no pipeline named '" + a.pipeline + "' (it has: " + names + ")");
    }
    options.pipeline = *it;
  } else {
    options.pipeline = lcz::preset_pipeline(a.pipeline);
  }
  if (!a.tolerance.empty()) options.tolerance = lcz::parse_tolerance_text(a.tolerance);
  options.threads = a.threads;
  options.chunk_weights = a.chunk_weights;
  const std::string name = display_name(a.input);
  uint64_t input_bytes = 0;
  const lcz::SourceNet source = [&] {  // the file's bytes are released once parsed
    const std::vector<uint8_t> bytes = read_input(a.input);
    input_bytes = bytes.size();
    return lcz::read_source_net(bytes, name, parse_format(a.format));
  }();
  const std::optional<lcz::BaseNet> base = load_base(a.base);
  if (base) options.base = &*base;
  options.progress = progress_for(input_bytes);
  const lcz::CompressResult r = lcz::compress(source, options);
  end_progress(options.progress);
  out.commit(r.file);
  const uint64_t original = source.net.weight_count() * 4;
  char line[512];
  std::snprintf(line, sizeof line,
                "%s: %llu weights in %zu tensors, %llu -> %zu bytes (ratio %.4f, %.3f bits/weight), max error %.4f x tol%s\n",
                name.c_str(), static_cast<unsigned long long>(source.net.weight_count()), source.net.tensors.size(),
                static_cast<unsigned long long>(original), r.file.size(), double(original) / r.file.size(),
                8.0 * r.file.size() / std::max<uint64_t>(1, source.net.weight_count()),
                r.as_loaded.max_abs_error / options.tolerance,
                r.as_loaded.worst_decoder.empty() ? "" : (" (worst as lc0 " + r.as_loaded.worst_decoder + " decodes)").c_str());
  std::cerr << line;
  return 0;
}

struct DecompressArgs {
  std::string input, output, base;
  unsigned threads = default_threads();
  uint64_t max_weights = lcz::kDefaultMaxWeights;
  bool force = false;
};

int run_decompress(const DecompressArgs& a) {
  lcz::AtomicFile out(a.output, a.force);
  std::vector<uint8_t> file = read_input(a.input);
  const std::optional<lcz::BaseNet> base = load_base(a.base);
  const lcz::ProgressFn progress = progress_for(file.size() * 4);
  lcz::DecompressResult d = lcz::decompress(file, display_name(a.input), base ? &*base : nullptr, a.threads, progress,
                                            {.max_weights = a.max_weights});
  end_progress(progress);
  std::vector<uint8_t>().swap(file);
  lcz::write_output_file(std::move(d), [&](std::span<const uint8_t> b) { out.write(b); }, a.output == "-" ? "" : a.output);
  out.commit();
  return 0;
}

int run_info(const std::string& input, bool tensors) {
  const std::vector<uint8_t> file = read_input(input);
  const lcz::ContainerHeader h =
      lcz::read_container_header(file, display_name(input), {.max_weights = lcz::kMaxWeightsCeiling});
  const uint64_t weights = h.weight_count();
  uint64_t payload = 0;
  for (const auto& c : h.chunks) payload += c.payload_bytes;
  std::cout << "format version   " << h.major << "." << h.minor << "\n"
            << "source           " << h.source_name << " (" << lcz::source_format_name(h.source_format) << ")\n"
            << "pipeline         " << h.pipeline.dump() << "\n"
            << "tolerance        " << lcz::tolerance_text(h.tolerance) << " (" << h.tolerance << ")\n"
            << "tensors          " << h.tensors.size() << "\n"
            << "weights          " << weights << "\n"
            << "float32 bytes    " << weights * 4 << "\n"
            << "file bytes       " << file.size() << " (payload " << payload << ", header and checksums "
            << file.size() - payload << ")\n";
  char ratio[64];
  std::snprintf(ratio, sizeof ratio, "%.4f (%.3f bits/weight)", double(weights * 4) / file.size(),
                8.0 * file.size() / std::max<uint64_t>(1, weights));
  std::cout << "ratio            " << ratio << "\n"
            << "chunks           " << h.chunks.size() << " (" << weights / std::max<size_t>(1, h.chunks.size())
            << " weights each on average; --chunk-weights " << h.chunk_weights << ")\n"
            << "base sha256      " << (h.base_sha256 ? hex(*h.base_sha256) : std::string("none")) << "\n";
  // A format whose clients read a tensor several ways says which the bound was checked under.
  if (const lcz::NetFileFormat* f = lcz::find_format(h.source_format); f && !f->readers.empty())
    std::cout << "bound checked    under " << (h.major == 1 && h.minor == 0 && !f->readers_1_0.empty() ? f->readers_1_0 : f->readers)
              << "\n";
  if (tensors) {
    for (const auto& t : h.tensors) {
      std::string shape;
      for (uint32_t d : t.layout.shape) {  // appended piecewise: g++ 12 warns (-Wrestrict) on "x" + to_string
        if (!shape.empty()) shape += 'x';
        shape += std::to_string(d);
      }
      std::cout << "  " << t.layout.name << "  " << shape << "  " << t.layout.count << "\n";
    }
  }
  return 0;
}

int run_verify(const std::string& input, const std::string& original_path, const std::string& base_path, unsigned threads,
               uint64_t max_weights) {
  const std::vector<uint8_t> file = read_input(input);
  const std::optional<lcz::BaseNet> base = load_base(base_path);
  const lcz::DecompressResult d =
      lcz::decompress(file, display_name(input), base ? &*base : nullptr, threads, {}, {.max_weights = max_weights});
  const lcz::SourceNet original = lcz::read_source_net(read_input(original_path), display_name(original_path));
  const lcz::Verification v = lcz::verify_as_loaded(original, d);
  if (!v.mismatch.empty()) {
    std::cout << "FAIL: " << v.mismatch << "\n";
    return static_cast<int>(ErrorKind::verify);
  }
  const std::string decoder = v.worst_decoder.empty() ? "" : ", as lc0 " + v.worst_decoder + " decodes it";
  char line[512];
  std::snprintf(line, sizeof line, "max |error| %.9g = %.6f x tolerance %s (tensor %s, weight %zu%s): %s\n",
                v.max_abs_error, v.max_abs_error / d.header.tolerance, lcz::tolerance_text(d.header.tolerance).c_str(),
                v.worst_tensor.c_str(), v.worst_index, decoder.c_str(), v.within(d.header.tolerance) ? "ok" : "FAIL");
  std::cout << line;
  if (const lcz::NetFileFormat* f = lcz::find_format(d.header.source_format); f && !f->readers.empty())
    std::cout << "checked under " << f->readers << "\n";
  return v.within(d.header.tolerance) ? 0 : static_cast<int>(ErrorKind::verify);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"lczip: compress neural-network weights within an absolute error bound (default 2^-17)"};
  app.require_subcommand(1);
  CompressArgs c;
  auto* compress = app.add_subcommand("compress", "compress a net (" + lcz::format_extensions() + ") into an .lcz file");
  compress->add_option("input", c.input, "the net, or - for standard input")->required();
  compress->add_option("-o,--output", c.output, "the .lcz file to write, or - for standard output")->required();
  compress->add_option("--pipeline", c.pipeline, "strong (default: smallest), fast (fastest to decode), or a pipeline of --config")
      ->capture_default_str();
  compress->add_option("--config", c.config, "a harness config whose pipelines (and tolerance) --pipeline picks from");
  compress->add_option("--tolerance", c.tolerance, "absolute error bound per weight, e.g. 2^-17 (default) or 1e-5");
  compress->add_option("--base", c.base, "code the net against this base net (the client needs the same file)");
  compress->add_option("--format", c.format, "input format: " + lcz::format_names() + " (default detect)");
  compress->add_option("--threads", c.threads, "threads (default: all cores); the output is the same for any count")
      ->check(CLI::Range(1, 1024));
  compress->add_option("--chunk-weights", c.chunk_weights, "weights per independently coded chunk (0: one chunk)")
      ->capture_default_str();
  compress->add_flag("-f,--force", c.force, "overwrite an existing output");

  DecompressArgs d;
  auto* decompress = app.add_subcommand("decompress", "write the net of an .lcz file, in the format it came in (.pb.gz for Lc0 nets)");
  decompress->add_option("input", d.input, "the .lcz file, or - for standard input")->required();
  decompress->add_option("-o,--output", d.output, "the net to write, or - for standard output")->required();
  decompress->add_option("--base", d.base, "the base net the file was coded against");
  decompress->add_option("--threads", d.threads, "threads (default: all cores)")->check(CLI::Range(1, 1024));
  decompress->add_option("--max-weights", d.max_weights, "refuse a file of more weights than this (memory: about 8 bytes each)")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{1}, lcz::kMaxWeightsCeiling));
  decompress->add_flag("-f,--force", d.force, "overwrite an existing output");

  std::string info_input;
  bool info_tensors = false;
  auto* info = app.add_subcommand("info", "print what an .lcz file holds");
  info->add_option("input", info_input, "the .lcz file, or - for standard input")->required();
  info->add_flag("--tensors", info_tensors, "list every tensor");

  std::string verify_input, verify_original, verify_base;
  unsigned verify_threads = default_threads();
  uint64_t verify_max_weights = lcz::kDefaultMaxWeights;
  auto* verify = app.add_subcommand("verify", "decode an .lcz file and compare it with the original net (exit 4 if the bound breaks)");
  verify->add_option("input", verify_input, "the .lcz file")->required();
  verify->add_option("original", verify_original, "the original net")->required();
  verify->add_option("--base", verify_base, "the base net the file was coded against");
  verify->add_option("--threads", verify_threads, "threads (default: all cores)")->check(CLI::Range(1, 1024));
  verify->add_option("--max-weights", verify_max_weights, "refuse a file of more weights than this")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{1}, lcz::kMaxWeightsCeiling));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);  // prints help or the usage error
    return rc == 0 ? 0 : static_cast<int>(ErrorKind::config);
  }
  try {
    if (*compress) return run_compress(c);
    if (*decompress) return run_decompress(d);
    if (*info) return run_info(info_input, info_tensors);
    if (*verify) return run_verify(verify_input, verify_original, verify_base, verify_threads, verify_max_weights);
    return static_cast<int>(ErrorKind::config);
  } catch (const Error& e) {
    std::cerr << "\nlczip: " << e.what() << "\n";
    return static_cast<int>(e.kind());
  } catch (const std::bad_alloc&) {
    std::cerr << "\nlczip: out of memory\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "\nlczip: internal error: " << e.what() << "\n";
    return 1;
  }
}
