// Runs every dataset x pipeline of a config: encode, decode, verify against the tolerance,
// time encode and decode on one thread (warm-up, then the median of `repeat` runs).
#pragma once
#include <functional>
#include <optional>
#include <string>

#include "nets/net.h"
#include "harness/config.h"
#include "pipeline/pipeline.h"
#include "pipeline/verify.h"
#include "harness/report/result.h"

namespace lcz {

using ProgressFn = std::function<void(const std::string&)>;

// A dataset as the harness codes it: the net, and for a delta dataset the base it is coded
// against (closed loop: the error is measured on the rebuilt target, not on a difference).
struct Dataset {
  Net net;
  std::optional<Net> base;
};
Dataset load_dataset(const DatasetSpec& spec);

// Σ over tensors of n · H0(round(x / 2tol)) / 8: what an order-0 coder with a free, exact
// model of each tensor's rounded values would need. A reference, not an achievable size.
double order0_bound_bytes(const Net& net, double tolerance);

// One row; never throws for a codec failure or a bound violation: the row records it.
// With a base, the pipeline's first stage codes each tensor against its counterpart
// (base_counterparts); a tensor without one is an input error.
ResultRow run_pipeline(const Pipeline& pipeline, const Net& net, const std::string& dataset, double tolerance,
                       int repeat, double bound_bytes, const Net* base = nullptr);

Report run_config(const Config& config, const ProgressFn& progress = {});

}  // namespace lcz
