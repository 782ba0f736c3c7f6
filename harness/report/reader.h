// Reading reports back: report.json (rows, datasets, provenance) for merging shards, and
// report.csv (the rows) for the summary. Both throw lcz::Error(input) naming the file, and
// the line or JSON path, for anything they cannot read.
#pragma once
#include <filesystem>
#include <string_view>
#include <vector>

#include "harness/report/result.h"

namespace lcz {

// A report file is a regular file of at most this size (a sweep of 100,000 rows is ~60 MB);
// a FIFO, a device (/dev/zero) or a folder is refused by what it is, before it is read.
inline constexpr uint64_t kMaxReportBytes = uint64_t{256} << 20;

Report read_report_json(const std::filesystem::path& file);
// The same from the file's text; name is used in messages.
Report parse_report_json(std::string_view text, const std::string& name);

// Columns are found by the header's names, so a CSV with more columns (or in another order)
// reads; a missing fixed column is an error. NaN is read back from "nan".
std::vector<ResultRow> read_report_csv(const std::filesystem::path& file);
std::vector<ResultRow> parse_report_csv(std::string_view text, const std::string& name);

}  // namespace lcz
