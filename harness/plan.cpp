#include "harness/plan.h"

#include "harness/report/summary.h"
#include "harness/run.h"

namespace lcz {

namespace {

// Stage calls of one encode of a net of `tensors` tensors.
uint64_t stage_calls(const PipelineSpec& p, uint64_t tensors) {
  const uint64_t stages = p.stages.size();
  if (p.granularity == Granularity::tensor) return stages * tensors;
  return p.tensor_stages * tensors + (stages - p.tensor_stages);
}

}  // namespace

RunCost run_cost(const Config& config) {
  RunCost cost;
  cost.passes_per_row = 1 + static_cast<uint64_t>(config.repeat);
  cost.rows = config.datasets.size() * config.pipelines.size();
  for (const DatasetSpec& d : config.datasets) {
    const NetLayout layout = layout_of(load_dataset(d).net);
    cost.datasets.push_back({d.name, layout.tensors.size(), layout.weight_count()});
    for (const PipelineSpec& p : config.pipelines) {
      cost.stage_calls += cost.passes_per_row * stage_calls(p, layout.tensors.size());
      cost.float_bytes += cost.passes_per_row * layout.weight_count() * sizeof(float);
    }
  }
  return cost;
}

void write_run_cost(const Config& config, std::ostream& out) {
  const RunCost cost = run_cost(config);
  for (const auto& d : cost.datasets)
    out << "read " << d.name << ": " << thousands(d.tensors) << " tensors, " << thousands(d.weights) << " weights\n";
  out << "cost: " << thousands(cost.rows) << " rows (" << cost.datasets.size() << " datasets x " << config.pipelines.size()
      << " pipelines), " << cost.passes_per_row << " or more encode+decode passes per row (warm-up + at least repeat " << config.repeat
      << "), " << thousands(cost.stage_calls) << " stage encode calls and as many decode calls, "
      << thousands(cost.float_bytes) << " bytes of float32 coded\n";
}

}  // namespace lcz
