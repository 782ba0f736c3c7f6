// Google Benchmark of lczip's compress and decompress (container/lcz_codec.h) for the strong
// and the fast pipeline, on one and two threads: on maia-1900.pb.gz, on a net of 25 M
// weights (100 MB of float32) grown from maia-1900's blocks (big_net.h), and on the ONNX
// fine-tune maia2200-64x6-hunter-20000 coded against its base maia-2200 ("against-base").
// MB/s are of float32 bytes (bytes_per_second); compress includes its own decode and check,
// as lczip runs it.
//   build/bin/lczip_bench [--benchmark_filter=...]
//   build/bin/lczip_bench --write-net=FILE.pb   writes the 100 MB net and exits
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "bench/lczip/big_net.h"
#include "container/base_net.h"
#include "container/lcz_codec.h"
#include "container/output_file.h"
#include "nets/net.h"
#include "pipeline/presets.h"

namespace {

using namespace lcz;

constexpr uint64_t kBigWeights = 25'000'000;

std::filesystem::path datasets_dir() {
  const char* env = std::getenv("LCZ_DATASETS");
  return env && *env ? std::filesystem::path(env) : std::filesystem::path(LCZ_SOURCE_DIR) / ".." / "shared" / "datasets";
}

struct Input {
  std::string name;
  SourceNet net;
  std::unique_ptr<BaseNet> base;  // coded against it, when set
};

CompressOptions options(const Input& in, const std::string& preset, unsigned threads) {
  CompressOptions o;
  o.pipeline = preset_pipeline(preset);
  o.threads = threads;
  o.base = in.base.get();
  return o;
}

void compress_run(benchmark::State& state, const Input& in, const std::string& preset, unsigned threads) {
  size_t bytes = 0;
  for (auto _ : state) bytes = compress(in.net, options(in, preset, threads)).file.size();
  const uint64_t float_bytes = in.net.net.weight_count() * sizeof(float);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * float_bytes));
  state.counters["ratio"] = static_cast<double>(float_bytes) / static_cast<double>(bytes);
}

void decompress_run(benchmark::State& state, const Input& in, const std::string& preset, unsigned threads) {
  const Bytes file = compress(in.net, options(in, preset, 2)).file;
  for (auto _ : state) benchmark::DoNotOptimize(decompress(file, "bench.lcz", in.base.get(), threads).net.tensors.size());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * in.net.net.weight_count() * sizeof(float)));
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--write-net=", 12) == 0) {
      const auto bytes = bench::big_lc0_net(datasets_dir() / "maia-1900.pb.gz", kBigWeights);
      std::ofstream(argv[i] + 12, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
      return 0;
    }
  }
  benchmark::Initialize(&argc, argv);
  static std::vector<std::unique_ptr<Input>> inputs;
  try {
    const auto maia = datasets_dir() / "maia-1900.pb.gz";
    inputs.push_back(std::make_unique<Input>(Input{"maia-1900", read_source_net(read_file_bytes(maia), maia.string())}));
    inputs.push_back(std::make_unique<Input>(
        Input{"big-25M", read_source_net(bench::big_lc0_net(maia, kBigWeights), "big-25M.pb")}));
    const auto target = datasets_dir() / "maia2200-64x6-hunter-20000.onnx.gz", base = datasets_dir() / "maia-2200.onnx.gz";
    inputs.push_back(std::make_unique<Input>(Input{"against-base", read_source_net(read_file_bytes(target), target.string()),
                                                   std::make_unique<BaseNet>(read_base_net(read_file_bytes(base), base.string()))}));
  } catch (const std::exception& e) {
    std::cerr << "lczip_bench: " << e.what() << " (set LCZ_DATASETS to the folder of the shared nets)\n";
    return 3;
  }
  for (const auto& in : inputs)
    for (const std::string preset : {"strong", "fast"})
      for (unsigned threads : {1u, 2u}) {
        const std::string suffix = preset + "/" + in->name + "/threads:" + std::to_string(threads);
        const Input* input = in.get();
        benchmark::RegisterBenchmark(("compress/" + suffix).c_str(), [=](benchmark::State& s) {
          compress_run(s, *input, preset, threads);
        })->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
        benchmark::RegisterBenchmark(("decompress/" + suffix).c_str(), [=](benchmark::State& s) {
          decompress_run(s, *input, preset, threads);
        })->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
      }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
