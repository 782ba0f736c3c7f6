// The report readers (harness merge and harness report) on arbitrary bytes: report.csv
// (RFC 4180 records, columns by name, numbers) and report.json (the checked JSON parser, every
// field and type), then the row checks that recompute what each row claims, and, for rows
// that pass them, the summary (REPORT.md) and the writers. Each input is read as both. The
// only accepted refusal is lcz::Error(input): a report that cannot be read or contradicts
// itself.
#include <sstream>
#include <string_view>

#include "fuzz/fuzz_target.h"
#include "harness/report/reader.h"
#include "harness/report/row_check.h"
#include "harness/report/summary.h"
#include "harness/report/writers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  lcz::fuzz::expect_only(lcz::ErrorKind::input, [&] {
    const std::vector<lcz::ResultRow> rows = lcz::parse_report_csv(text, "fuzz/report.csv");
    lcz::check_report_rows(rows, {}, std::nullopt, "fuzz/report.csv");
    std::ostringstream out;
    lcz::write_summary_markdown(rows, nlohmann::json(), out, "seed");
  });
  lcz::fuzz::expect_only(lcz::ErrorKind::input, [&] {
    lcz::Report report = lcz::parse_report_json(text, "fuzz/report.json");
    const nlohmann::json& tol = report.provenance.contains("tolerance") ? report.provenance["tolerance"] : nlohmann::json();
    lcz::check_report_rows(report.rows, report.datasets, tol.is_number() ? std::optional(tol.get<double>()) : std::nullopt,
                           "fuzz/report.json");
    std::ostringstream out;
    lcz::write_summary_markdown(report.rows, report.provenance, out, "seed");
    lcz::write_csv(report, out);
    lcz::write_json(report, out);
  });
  return 0;
}
