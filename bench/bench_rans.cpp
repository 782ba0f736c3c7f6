// rans on the quantized maia-1900 net (all tensors concatenated), alone and behind
// quantize(round). Bytes processed are float32 input bytes, as the harness reports them.
// Dataset folder: $LCZ_DATASETS, default /work/shared/datasets.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>

#include "codecs/core/registry.h"
#include "harness/nets/net.h"

namespace {

using namespace lcz;

std::unique_ptr<Stage> make(const std::string& name, nlohmann::json params = nlohmann::json::object()) {
  // all_stages() rather than find_stage(): lcz_core's registry needs the stage list from
  // lcz_codecs, which a static link only pulls in when something here references it.
  for (const auto& d : all_stages())
    if (d.name == name) return d.make(validate_params(d.params, params, name), StageContext{});
  throw std::runtime_error("no stage " + name);
}

struct Data {
  F32 weights;
  I32 quantized;
  Bytes coded;
};

const Data& maia() {
  static const Data data = [] {
    const char* env = std::getenv("LCZ_DATASETS");
    const std::filesystem::path dir = env && *env ? env : "/work/shared/datasets";
    Data d;
    d.weights = concatenated(read_net(dir / "maia-1900.pb.gz"));
    d.quantized = std::get<I32>(make("quantize", {{"mode", "round"}})->encode(d.weights));
    d.coded = std::get<Bytes>(make("rans")->encode(d.quantized));
    return d;
  }();
  return data;
}

void report(benchmark::State& state, const Data& d) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(d.weights.size() * sizeof(float)));
  state.counters["ratio"] = static_cast<double>(d.weights.size() * sizeof(float)) / static_cast<double>(d.coded.size());
}

void BM_rans_encode(benchmark::State& state) {
  const Data& d = maia();
  auto rans = make("rans");
  const Stream in = d.quantized;
  for (auto _ : state) benchmark::DoNotOptimize(rans->encode(in));
  report(state, d);
}

void BM_rans_decode(benchmark::State& state) {
  const Data& d = maia();
  auto rans = make("rans");
  const Stream in = d.coded;
  for (auto _ : state) benchmark::DoNotOptimize(rans->decode(in));
  report(state, d);
}

// The whole pipeline the harness times: f32 -> quantize(round) -> rans, and back.
void BM_quantize_rans_encode(benchmark::State& state) {
  const Data& d = maia();
  auto quantize = make("quantize", {{"mode", "round"}});
  auto rans = make("rans");
  const Stream in = d.weights;
  for (auto _ : state) benchmark::DoNotOptimize(rans->encode(quantize->encode(in)));
  report(state, d);
}

void BM_quantize_rans_decode(benchmark::State& state) {
  const Data& d = maia();
  auto quantize = make("quantize", {{"mode", "round"}});
  auto rans = make("rans");
  const Stream in = d.coded;
  for (auto _ : state) benchmark::DoNotOptimize(quantize->decode(rans->decode(in)));
  report(state, d);
}

BENCHMARK(BM_rans_encode)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_rans_decode)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_quantize_rans_encode)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_quantize_rans_decode)->Unit(benchmark::kMillisecond);

}  // namespace
