// REPORT.md: a run read at a glance. Per dataset: the best row by ratio, the fastest row to
// decode, the Pareto set of ratio against decode speed, the seed's row, the memcpy ceiling
// and the order-0 bound, each row with ratio, bits per weight, MB/s both ways and max
// error / tol; then a recommendation in plain words. Built from report.csv alone (plus
// provenance from report.json where present), so the same CSV always gives the same text.
#pragma once
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/report/result.h"

namespace lcz {

// n with its digits grouped by commas: 1,014,274.
std::string thousands(uint64_t n);

// Indices of the rows on the Pareto front of (ratio, decode MB/s), both higher is better:
// passing rows that no other passing row matches or beats on both and beats on one. The
// memcpy row is a ceiling, not a codec, and never counts. Sorted by decode speed, fastest first.
std::vector<size_t> pareto_front(const std::vector<ResultRow>& rows);

struct DatasetSummary {
  std::string dataset;
  std::vector<size_t> pareto;              // indices into the rows given to summarize()
  long best_ratio = -1, fastest_decode = -1, seed = -1, memcpy_row = -1;
  // What to ship for speed: the fastest decoder whose output is no larger than the seed's
  // (without a seed row: within 5 % of the best ratio).
  long ship_for_speed = -1;
  std::vector<size_t> failed;
  double bound_bytes = 0;
  uint64_t original_bytes = 0;
};

// One summary per dataset, in the order datasets first appear in rows. seed_name: the
// pipeline taken as the seed ("seed").
std::vector<DatasetSummary> summarize(const std::vector<ResultRow>& rows, const std::string& seed_name = "seed");

// The PNG scripts/plot.py draws for a dataset: its name with every character outside
// [A-Za-z0-9._-] replaced by '_', then ".png". plot.py uses the same rule.
std::string plot_file_name(const std::string& dataset);

// provenance: report.json's, or null when there is none.
void write_summary_markdown(const std::vector<ResultRow>& rows, const nlohmann::json& provenance, std::ostream& out,
                            const std::string& seed_name = "seed");

}  // namespace lcz
