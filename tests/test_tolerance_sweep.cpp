// Every tolerance a user may ask for (issue 14): each power of two from 2^-24 to 2^-8 and the
// decimal ones 1e-4, 5e-5, 1e-5, 5e-6, 3e-6, 1e-6, on every shared net (maia-1900, maia-1100,
// leela_grouped.f32), with both lczip pipelines: compress succeeds, what it checked holds,
// and the file decompress reads back, as it is loaded (an Lc0 net under each of lc0's
// LINEAR16 decoders), is within the tolerance of the original; the harness row passes too.
// In-process and with every core: the whole sweep, not a sample of it.
#include <catch2/catch.hpp>

#include <thread>

#include "container/lcz_codec.h"
#include "container/output_file.h"
#include "harness/run.h"
#include "pipeline/pipeline.h"
#include "pipeline/presets.h"
#include "tests/test_support.h"

using namespace lcz;

namespace {

std::vector<std::pair<std::string, double>> swept_tolerances() {
  std::vector<std::pair<std::string, double>> t;
  for (int e = 24; e >= 8; --e) t.emplace_back("2^-" + std::to_string(e), std::ldexp(1.0, -e));
  for (const char* d : {"1e-4", "5e-5", "1e-5", "5e-6", "3e-6", "1e-6"}) t.emplace_back(d, std::stod(d));
  return t;
}

}  // namespace

TEST_CASE("every tolerance from 2^-24 to 2^-8 and 1e-4 .. 1e-6 holds on every shared net, both pipelines",
          "[sweep][container]") {
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  for (const char* name : {"maia-1900.pb.gz", "maia-1100.pb.gz", "leela_grouped.f32"}) {
    const auto path = test::dataset(name);
    const SourceNet source = read_source_net(read_file_bytes(path), path.string());
    for (const auto& [text, tolerance] : swept_tolerances()) {
      INFO(name << " at " << text);
      CompressOptions o;
      o.tolerance = tolerance;
      o.threads = threads;
      // fast: compress (which decodes what it wrote and checks every weight as it will be
      // loaded), then read back as a user would: decompress (with its own checks) and verify.
      o.pipeline = preset_pipeline("fast");
      CompressResult fast;
      REQUIRE_NOTHROW(fast = compress(source, o));
      CHECK(fast.as_loaded.max_abs_error <= tolerance);
      const DecompressResult d = decompress(fast.file, name, nullptr, threads);
      const Verification v = verify_as_loaded(source, d);
      INFO("fast: max error " << v.max_abs_error / tolerance << " x tol, " << v.worst_tensor << " weight "
                              << v.worst_index << " " << v.worst_decoder);
      CHECK(v.mismatch.empty());
      CHECK(v.max_abs_error <= tolerance);
      // The harness row of the same pipeline: over the whole net, verified on the values.
      const ResultRow row = run_pipeline(Pipeline(o.pipeline, {.tolerance = tolerance}), source.net, name, tolerance,
                                         {.min_runs = 1, .min_seconds = 0}, 0);
      INFO("harness row: " << row.error);
      CHECK(row.pass);
      // strong: the same grid stage before a lossless coder. Its compress checks the bound
      // the same way, and its chunks decode to exactly fast's values (their checksums agree),
      // so what was read back and verified above is what strong gives too.
      o.pipeline = preset_pipeline("strong");
      CompressResult strong;
      REQUIRE_NOTHROW(strong = compress(source, o));
      CHECK(strong.as_loaded.max_abs_error <= tolerance);
      const ContainerHeader a = read_container_header(fast.file, "fast"), b = read_container_header(strong.file, "strong");
      REQUIRE(a.chunks.size() == b.chunks.size());
      for (size_t c = 0; c < a.chunks.size(); ++c) CHECK(a.chunks[c].values_xxh64 == b.chunks[c].values_xxh64);
      for (size_t t = 0; t < a.tensors.size(); ++t) {
        CHECK(a.tensors[t].output.kind == b.tensors[t].output.kind);
        CHECK(a.tensors[t].output.min_val == b.tensors[t].output.min_val);
        CHECK(a.tensors[t].output.max_val == b.tensors[t].output.max_val);
      }
    }
  }
}
