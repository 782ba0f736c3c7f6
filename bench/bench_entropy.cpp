// Google Benchmark micro-benchmarks of every entropy-coder stage in the registry, encode and
// decode, on the integers it sees in the shipped pipelines: maia-1900.pb.gz through the
// per-tensor grid stage, leela_grouped.f32 through quantize(round), and a repeat net made from
// maia-1900 (nets/repeats.h: 30% of its 576-value blocks copied or negated from earlier
// ones) through quantize(round). A new entropy stage is
// benchmarked here without further work. Bytes processed are the float32 bytes of the net,
// as the harness counts them. Datasets: $LCZ_DATASETS, else ../shared/datasets.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "codecs/core/registry.h"
#include "nets/net.h"
#include "nets/repeats.h"

namespace {

using namespace lcz;

std::unique_ptr<Stage> make(const StageDescriptor& d, nlohmann::json params = nlohmann::json::object()) {
  return d.make(validate_params(d.params, params, d.name), StageContext{});
}

struct Input {
  std::string name;
  uint64_t float_bytes = 0;
  I32 ints;  // what the entropy coder is given
};

std::filesystem::path datasets_dir() {
  const char* env = std::getenv("LCZ_DATASETS");
  return env && *env ? std::filesystem::path(env) : std::filesystem::path(LCZ_SOURCE_DIR) / ".." / "shared" / "datasets";
}

Input grid_per_tensor(const std::string& file) {
  Net net = read_net(datasets_dir() / file);
  auto grid = make(*find_stage("grid"));
  Input in{file + "/grid", net.weight_count() * sizeof(float), {}};
  for (const auto& t : net.tensors) {
    I32 k = std::get<I32>(grid->encode(t.values));
    in.ints.insert(in.ints.end(), k.begin(), k.end());
  }
  return in;
}

Input rounded(const std::string& file) {
  Net net = read_net(datasets_dir() / file);
  auto quantize = make(*find_stage("quantize"), {{"mode", "round"}});
  return {file + "/round", net.weight_count() * sizeof(float), std::get<I32>(quantize->encode(concatenated(net)))};
}

Input with_repeats_rounded(const std::string& file) {
  Net net = read_net(datasets_dir() / file);
  const std::vector<float> values = with_repeats(concatenated(net), {.share = 0.3, .block = 576, .negate_share = 0.5, .seed = 1});
  auto quantize = make(*find_stage("quantize"), {{"mode", "round"}});
  return {file + "/repeats-0.3/round", values.size() * sizeof(float), std::get<I32>(quantize->encode(F32(values)))};
}

void run(benchmark::State& state, const Input& in, const Stage& stage, bool encode) {
  const Stream ints = in.ints;
  const Stream coded = stage.encode(ints);
  for (auto _ : state) benchmark::DoNotOptimize(encode ? stage.encode(ints) : stage.decode(coded));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * in.float_bytes));
  state.counters["ratio"] = static_cast<double>(in.float_bytes) / static_cast<double>(std::get<Bytes>(coded).size());
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  static std::vector<Input> inputs;
  static std::vector<std::unique_ptr<Stage>> stages;
  try {
    inputs = {grid_per_tensor("maia-1900.pb.gz"), rounded("leela_grouped.f32"), with_repeats_rounded("maia-1900.pb.gz")};
  } catch (const std::exception& e) {
    std::cerr << "lcz_bench: " << e.what() << " (set LCZ_DATASETS to the folder of the shared nets)\n";
    return 3;
  }
  for (const auto& d : all_stages()) {
    if (d.kind != StageKind::entropy) continue;
    stages.push_back(make(d));
    const Stage* stage = stages.back().get();
    for (const auto& in : inputs)
      for (bool encode : {true, false})
        benchmark::RegisterBenchmark((d.name + (encode ? "_encode/" : "_decode/") + in.name).c_str(),
                                     [&in, stage, encode](benchmark::State& s) { run(s, in, *stage, encode); })
            ->Unit(benchmark::kMillisecond);
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
