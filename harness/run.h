// Runs the dataset x pipeline jobs of a config (all of them, or one shard): encode, decode,
// verify against the tolerance, then time encode and decode on one thread as lzbench does:
// runs repeat until both a minimum count and a minimum total time are reached, the timed
// region holds the codec's work only, and the median and the fastest run are reported.
// Each dataset also gets a memcpy row: the machine's copy speed, a ceiling for any codec.
#pragma once
#include <functional>
#include <optional>
#include <string>

#include "nets/net.h"
#include "harness/config.h"
#include "harness/shard.h"
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
// Reads each file once: the same bytes are hashed (into info, when given: base first for a
// delta) and parsed.
Dataset load_dataset(const DatasetSpec& spec, DatasetInfo* info = nullptr);

// Σ over tensors of n · H0(round(x / 2tol)) / 8: what an order-0 coder with a free, exact
// model of each tensor's rounded values would need. A reference, not an achievable size.
double order0_bound_bytes(const Net& net, double tolerance);

struct TimingRule {
  int min_runs = 3;
  double min_seconds = 0.5;
};

// One row; never throws for a codec failure or a bound violation: the row records it.
// With a base, the pipeline's first stage codes each tensor against its counterpart
// (base_counterparts); a tensor without one is an input error.
ResultRow run_pipeline(const Pipeline& pipeline, const Net& net, const std::string& dataset, double tolerance,
                       const TimingRule& timing, double bound_bytes, const Net* base = nullptr);
// The memcpy row of a net: its float32 bytes copied, timed by the same rule.
ResultRow run_memcpy(const Net& net, const std::string& dataset, const TimingRule& timing, double bound_bytes);

Report run_config(const Config& config, const ProgressFn& progress = {}, const Shard& shard = {});

}  // namespace lcz
