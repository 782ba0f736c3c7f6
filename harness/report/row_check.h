// A report row read back (harness merge, harness report) is believed only where it agrees
// with itself: what it claims is recomputed from what it holds. pass from the max error and
// the tolerance, ratio and bits per weight from the byte counts, MB/s from the seconds,
// original bytes from the weights, and tensors and weights from its dataset. A row edited to
// pass at 5x the tolerance, or to claim a ratio of 999 for 1 byte, is refused, not ranked.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "harness/report/result.h"

namespace lcz {

// Empty when the row agrees with itself (and with tolerance, when known); else what
// contradicts what, in words. Allows for the rounding of report.csv's printed digits.
std::string row_contradiction(const ResultRow& row, std::optional<double> tolerance);

// Throws lcz::Error(input) "<source>: row <dataset> x <pipeline>: <what>" for the first row
// that contradicts itself, or whose tensors or weights differ from its dataset's entry in
// datasets or from the other rows of its dataset. Without a tolerance (a report.csv alone)
// the one the rows imply (max_abs_error / max_error_over_tol) is used, and every row must
// agree with it.
void check_report_rows(const std::vector<ResultRow>& rows, const std::vector<DatasetInfo>& datasets,
                       std::optional<double> tolerance, const std::string& source);

}  // namespace lcz
