// Google Benchmark micro-benchmarks of every stage in the registry, encode and decode, on
// real tensors: a new stage is benchmarked here without touching this file. Each stage gets
// the stream its input type calls for, made from the tensor by the stages the shipped
// pipelines put before it:
//   f32   the tensor's weights
//   i32   grid (Lc0 LINEAR16 index where the tensor is on a grid, else rounding at 2*tol)
//   u32   grid, zigzag
//   bytes grid, zigzag, le_bytes(4), byte_shuffle(4)
// Stages run with their default parameters. Tensors: leela_grouped.f32 (one flat tensor), the
// largest tensor of maia-1900.pb.gz, and a repeat net made from all of maia-1900 (nets/repeats.h:
// 30 % of its 576-value blocks copied or negated from earlier ones), where match paths work. Bytes processed are the tensor's float32 bytes, as
// the harness counts them; "ratio" is float32 bytes over the stage's output bytes (bytes
// outputs only). Datasets: $LCZ_DATASETS, else ../shared/datasets. scripts/bench.sh runs it.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "codecs/core/registry.h"
#include "formats/format.h"
#include "nets/net.h"
#include "nets/repeats.h"

namespace {

using namespace lcz;

std::unique_ptr<Stage> make(const std::string& name, nlohmann::json params = nlohmann::json::object()) {
  const StageDescriptor* d = find_stage(name);
  if (!d) throw std::runtime_error("no stage " + name + " in the registry");
  return d->make(validate_params(d->params, params, name), StageContext{});
}

std::filesystem::path datasets_dir() {
  const char* env = std::getenv("LCZ_DATASETS");
  return env && *env ? std::filesystem::path(env) : std::filesystem::path(LCZ_SOURCE_DIR) / ".." / "shared" / "datasets";
}

// One real tensor and the stream of each type made from it, indexed by StreamType.
struct Input {
  std::string name;
  uint64_t float_bytes = 0;
  Stream by_type[4];
};

Input input_from(const std::string& name, const Tensor& t) {
  Input in{name, t.values.size() * sizeof(float), {}};
  const F32& weights = t.values;
  in.by_type[static_cast<int>(StreamType::f32)] = weights;
  in.by_type[static_cast<int>(StreamType::i32)] = make("grid")->encode(weights);
  in.by_type[static_cast<int>(StreamType::u32)] = make("zigzag")->encode(in.by_type[static_cast<int>(StreamType::i32)]);
  in.by_type[static_cast<int>(StreamType::bytes)] = make("byte_shuffle", {{"width", 4}})->encode(
      make("le_bytes", {{"width", 4}})->encode(in.by_type[static_cast<int>(StreamType::u32)]));
  return in;
}

std::vector<Input> inputs() {
  std::vector<Input> out;
  const Net leela = read_net(datasets_dir() / "leela_grouped.f32");
  out.push_back(input_from("leela_grouped.f32", leela.tensors.front()));
  const Net maia = read_net(datasets_dir() / "maia-1900.pb.gz");
  const Tensor& largest = *std::max_element(maia.tensors.begin(), maia.tensors.end(), [](const Tensor& a, const Tensor& b) {
    return a.values.size() < b.values.size();
  });
  out.push_back(input_from("maia-1900:" + largest.name, largest));
  const Net repeats =
      repeat_net(maia, {.share = 0.3, .block = 576, .negate_share = 0.5, .seed = 1}, "maia-1900-repeats-0.3");
  out.push_back(input_from(repeats.tensors.front().name, repeats.tensors.front()));
  return out;
}

size_t byte_size(const Stream& s) {
  return std::visit([](const auto& v) { return v.size() * sizeof(v[0]); }, s);
}

void run(benchmark::State& state, const Input& in, const StageDescriptor& d, bool encode) {
  std::unique_ptr<Stage> stage;
  Stream coded;
  const Stream& source = in.by_type[static_cast<int>(d.input)];
  try {
    stage = d.make(validate_params(d.params, nlohmann::json::object(), d.name), StageContext{});
    coded = stage->encode(source);
  } catch (const std::exception& e) {
    state.SkipWithError(("the stage refused this input with its default parameters: " + std::string(e.what())).c_str());
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(encode ? stage->encode(source) : stage->decode(coded));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * in.float_bytes));
  if (d.output == StreamType::bytes)
    state.counters["ratio"] = static_cast<double>(in.float_bytes) / static_cast<double>(std::max<size_t>(byte_size(coded), 1));
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  static std::vector<Input> data;
  try {
    data = inputs();
  } catch (const std::exception& e) {
    std::cerr << "lcz_bench: " << e.what() << " (set LCZ_DATASETS to the folder of the shared nets)\n";
    return 3;
  }
  for (const auto& d : all_stages())
    for (const auto& in : data)
      for (bool encode : {true, false})
        benchmark::RegisterBenchmark((d.name + (encode ? "/encode/" : "/decode/") + in.name).c_str(),
                                     [&in, &d, encode](benchmark::State& s) { run(s, in, d, encode); })
            ->Unit(benchmark::kMillisecond);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
