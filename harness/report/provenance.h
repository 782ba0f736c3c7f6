#pragma once
#include <nlohmann/json.hpp>

#include "harness/config.h"

namespace lcz {
// Where a report came from: git commit, compiler and flags, CPU, date, library versions,
// the config as read.
nlohmann::json provenance(const Config& config);
// UTC time as 20261126-171732, for run folders.
std::string run_timestamp();
}  // namespace lcz
