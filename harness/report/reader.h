// Reading reports back: report.json (rows, datasets, provenance) for merging shards, and
// report.csv (the rows) for the summary. Both throw lcz::Error(input) naming the file, and
// the line or JSON path, for anything they cannot read.
#pragma once
#include <filesystem>
#include <vector>

#include "harness/report/result.h"

namespace lcz {

Report read_report_json(const std::filesystem::path& file);

// Columns are found by the header's names, so a CSV with more columns (or in another order)
// reads; a missing fixed column is an error. NaN is read back from "nan".
std::vector<ResultRow> read_report_csv(const std::filesystem::path& file);

}  // namespace lcz
