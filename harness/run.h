// Runs every dataset x pipeline of a config: encode, decode, verify against the tolerance,
// time encode and decode on one thread (warm-up, then the median of `repeat` runs).
#pragma once
#include <functional>
#include <string>

#include "nets/net.h"
#include "harness/config.h"
#include "pipeline/pipeline.h"
#include "pipeline/verify.h"
#include "harness/report/result.h"

namespace lcz {

using ProgressFn = std::function<void(const std::string&)>;

Net load_dataset(const DatasetSpec& spec);

// Σ over tensors of n · H0(round(x / 2tol)) / 8: what an order-0 coder with a free, exact
// model of each tensor's rounded values would need. A reference, not an achievable size.
double order0_bound_bytes(const Net& net, double tolerance);

// One row; never throws for a codec failure or a bound violation: the row records it.
ResultRow run_pipeline(const Pipeline& pipeline, const Net& net, const std::string& dataset, double tolerance,
                       int repeat, double bound_bytes);

Report run_config(const Config& config, const ProgressFn& progress = {});

}  // namespace lcz
