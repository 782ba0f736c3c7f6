#pragma once
#include <nlohmann/json.hpp>

#include "harness/config.h"

namespace lcz {
// Where a report came from: git commit, compiler and flags, CPU, date, library versions,
// the config as read, the plan (dataset and pipeline names in job order) and the fingerprint.
nlohmann::json provenance(const Config& config);
// SHA-256 of what makes two runs' rows comparable: tolerance, timing rule, dataset names,
// every pipeline with all its parameters spelled out. Shards merge only when it agrees.
std::string config_fingerprint(const Config& config);
// UTC time as 20261126-171732, for run folders.
std::string run_timestamp();
}  // namespace lcz
