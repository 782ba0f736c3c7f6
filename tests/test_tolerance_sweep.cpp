// Every tolerance a user may ask for (issue 14): each power of two from 2^-24 to 2^-8 and the
// decimal ones 1e-4, 5e-5, 1e-5, 5e-6, 3e-6, 1e-6, on every shared net (maia-1900, maia-1100,
// leela_grouped.f32), with both lczip pipelines: compress succeeds, what it checked holds,
// and the file decompress reads back, as it is loaded (an Lc0 net under each of lc0's
// LINEAR16 decoders), is within the tolerance of the original. The harness rows of the same
// pipelines pass too. In-process and with every core: the whole sweep, not a sample of it.
#include <catch2/catch.hpp>

#include <thread>

#include "container/lcz_codec.h"
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
      for (const char* preset : {"fast", "strong"}) {
        INFO(name << " at " << text << ", " << preset);
        CompressOptions o;
        o.pipeline = preset_pipeline(preset);
        o.tolerance = tolerance;
        o.threads = threads;
        CompressResult r;
        REQUIRE_NOTHROW(r = compress(source, o));
        CHECK(r.as_loaded.max_abs_error <= tolerance);
        const DecompressResult d = decompress(r.file, name, nullptr, threads);
        const Verification v = verify_as_loaded(source, d);
        INFO("max error " << v.max_abs_error / tolerance << " x tol, " << v.worst_tensor << " weight " << v.worst_index
                          << " " << v.worst_decoder);
        CHECK(v.mismatch.empty());
        CHECK(v.max_abs_error <= tolerance);
        // The harness row: the pipeline over the whole net (one chunk), verified on the values.
        const ResultRow row = run_pipeline(Pipeline(o.pipeline, {.tolerance = tolerance}), source.net, name, tolerance,
                                           {.min_runs = 1, .min_seconds = 0}, 0);
        INFO("harness row: " << row.error);
        CHECK(row.pass);
      }
    }
  }
}
