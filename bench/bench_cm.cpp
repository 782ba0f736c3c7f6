// cm on the quantized leela_grouped net (one flat array), alone and behind quantize(round).
// Bytes processed are float32 input bytes, as the harness reports them.
// Dataset folder: $LCZ_DATASETS, default /work/shared/datasets.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>

#include "codecs/core/registry.h"
#include "harness/nets/net.h"

namespace {

using namespace lcz;

std::unique_ptr<Stage> make_stage(const std::string& name, nlohmann::json params = nlohmann::json::object()) {
  // all_stages() rather than find_stage(): a static link pulls in the stage list only when
  // something here references it.
  for (const auto& d : all_stages())
    if (d.name == name) return d.make(validate_params(d.params, params, name), StageContext{});
  throw std::runtime_error("no stage " + name);
}

struct Data {
  F32 weights;
  I32 quantized;
  Bytes coded;
};

const Data& leela() {
  static const Data data = [] {
    const char* env = std::getenv("LCZ_DATASETS");
    const std::filesystem::path dir = env && *env ? env : "/work/shared/datasets";
    Data d;
    d.weights = concatenated(read_net(dir / "leela_grouped.f32"));
    d.quantized = std::get<I32>(make_stage("quantize", {{"mode", "round"}})->encode(d.weights));
    d.coded = std::get<Bytes>(make_stage("cm")->encode(d.quantized));
    return d;
  }();
  return data;
}

void report(benchmark::State& state, const Data& d) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(d.weights.size() * sizeof(float)));
  state.counters["ratio"] = static_cast<double>(d.weights.size() * sizeof(float)) / static_cast<double>(d.coded.size());
}

void BM_cm_encode(benchmark::State& state) {
  const Data& d = leela();
  auto cm = make_stage("cm");
  const Stream in = d.quantized;
  for (auto _ : state) benchmark::DoNotOptimize(cm->encode(in));
  report(state, d);
}

void BM_cm_decode(benchmark::State& state) {
  const Data& d = leela();
  auto cm = make_stage("cm");
  const Stream in = d.coded;
  for (auto _ : state) benchmark::DoNotOptimize(cm->decode(in));
  report(state, d);
}

// The whole pipeline the harness times: f32 -> quantize(round) -> cm, and back.
void BM_quantize_cm_encode(benchmark::State& state) {
  const Data& d = leela();
  auto quantize = make_stage("quantize", {{"mode", "round"}});
  auto cm = make_stage("cm");
  const Stream in = d.weights;
  for (auto _ : state) benchmark::DoNotOptimize(cm->encode(quantize->encode(in)));
  report(state, d);
}

void BM_quantize_cm_decode(benchmark::State& state) {
  const Data& d = leela();
  auto quantize = make_stage("quantize", {{"mode", "round"}});
  auto cm = make_stage("cm");
  const Stream in = d.coded;
  for (auto _ : state) benchmark::DoNotOptimize(quantize->decode(cm->decode(in)));
  report(state, d);
}

BENCHMARK(BM_cm_encode)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_cm_decode)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_quantize_cm_encode)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_quantize_cm_decode)->Unit(benchmark::kMillisecond);

}  // namespace
