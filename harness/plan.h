// What a run will cost, said before it starts (--dry-run): rows, passes, and how many times
// stages are called, which is what makes a net of many small tensors slow with a
// per-tensor pipeline and a backend that has a fixed cost per call.
#pragma once
#include <cstdint>
#include <ostream>
#include <vector>

#include "harness/config.h"

namespace lcz {

struct RunCost {
  struct Dataset {
    std::string name;
    uint64_t tensors = 0, weights = 0;
  };
  std::vector<Dataset> datasets;
  uint64_t rows = 0;
  uint64_t passes_per_row = 0;     // warm-up + repeat, each an encode and a decode
  uint64_t stage_calls = 0;        // encode calls over the whole run (decode makes as many)
  uint64_t float_bytes = 0;        // float32 bytes coded over the whole run
};

// Reads every dataset (so a dry run also finds unreadable ones: lcz::Error(input)).
RunCost run_cost(const Config& config);
void write_run_cost(const Config& config, std::ostream& out);

}  // namespace lcz
