#include "harness/report/row_check.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "codecs/core/error.h"

namespace lcz {

namespace {

// report.csv prints ratio and bits with 4 decimals, max_error_over_tol with 6, seconds with 6
// and MB/s with 2; report.json holds full doubles. `slack` is the rounding a value may carry.
bool close(double claimed, double expected, double slack) {
  return std::fabs(claimed - expected) <= slack + 1e-9 * std::fabs(expected);
}

// The MB/s a row should show for these seconds, or nothing when too few digits of the seconds
// survive to tell.
std::string speed_contradiction(const char* what, double mb_s, double seconds, double seconds_min, uint64_t bytes) {
  if (!std::isfinite(mb_s) || mb_s < 0) return std::string(what) + "_mb_s " + readable_number(mb_s) + " is not a speed";
  if (!std::isfinite(seconds) || seconds < 0) return std::string(what) + "_seconds " + readable_number(seconds) + " is not a time";
  if (seconds_min > seconds + 1e-6)
    return std::string(what) + "_seconds_min " + readable_number(seconds_min) + " exceeds the median " + readable_number(seconds);
  if (seconds < 1e-5) return "";
  const double expected = bytes / 1e6 / seconds;
  // seconds may be off by 5e-7 (6 decimals), MB/s by 0.005 (2 decimals).
  if (!close(mb_s, expected, 0.006 + expected * (1e-6 / seconds)))
    return std::string(what) + "_mb_s " + readable_number(mb_s) + " is not " + std::to_string(bytes) + " bytes in " + readable_number(seconds) +
           " s (" + readable_number(expected) + ")";
  return "";
}

}  // namespace

std::string row_contradiction(const ResultRow& r, std::optional<double> tolerance) {
  if (r.original_bytes != r.weights * 4)
    return "original_bytes " + std::to_string(r.original_bytes) + " is not 4 x " + std::to_string(r.weights) + " weights";
  const double ratio = static_cast<double>(r.original_bytes) / static_cast<double>(std::max<uint64_t>(r.compressed_bytes, 1));
  if (r.compressed_bytes == 0 ? r.ratio != 0 : !close(r.ratio, ratio, 6e-5))
    return "ratio " + readable_number(r.ratio) + " is not " + std::to_string(r.original_bytes) + " / " + std::to_string(r.compressed_bytes) +
           " bytes (" + readable_number(r.compressed_bytes ? ratio : 0) + ")";
  const double bits = r.weights ? 8.0 * static_cast<double>(r.compressed_bytes) / static_cast<double>(r.weights) : 0;
  if (!close(r.bits_per_weight, bits, 6e-5))
    return "bits_per_weight " + readable_number(r.bits_per_weight) + " is not 8 x " + std::to_string(r.compressed_bytes) + " bytes / " +
           std::to_string(r.weights) + " weights (" + readable_number(bits) + ")";
  if (std::isnan(r.max_abs_error) != std::isnan(r.max_error_over_tol) || r.max_abs_error < 0 || r.max_error_over_tol < 0 ||
      std::isinf(r.max_abs_error) || std::isinf(r.max_error_over_tol))
    return "max_abs_error " + readable_number(r.max_abs_error) + " and max_error_over_tol " + readable_number(r.max_error_over_tol) + " do not agree";
  if (tolerance && !std::isnan(r.max_abs_error) && !close(r.max_error_over_tol, r.max_abs_error / *tolerance, 6e-7))
    return "max_error_over_tol " + readable_number(r.max_error_over_tol) + " is not max_abs_error " + readable_number(r.max_abs_error) +
           " / tolerance " + readable_number(*tolerance) + " (" + readable_number(r.max_abs_error / *tolerance) + ")";
  if (r.pass) {
    if (!r.error.empty()) return "passes with an error: " + r.error;
    if (std::isnan(r.max_abs_error)) return "passes with NaN decoded weights";
    if (tolerance ? !(r.max_abs_error <= *tolerance) : !(r.max_error_over_tol <= 1 + 6e-7))
      return "passes with max_abs_error " + readable_number(r.max_abs_error) + " = " + readable_number(r.max_error_over_tol) +
             " x the tolerance (a pass is at most 1 x)";
    if (r.compressed_bytes == 0 && r.weights != 0) return "passes with 0 compressed bytes";
  } else if (r.error.empty()) {
    return "fails without an error message";
  }
  if (std::string s = speed_contradiction("encode", r.encode_mb_s, r.encode_seconds, r.encode_seconds_min, r.original_bytes);
      !s.empty())
    return s;
  return speed_contradiction("decode", r.decode_mb_s, r.decode_seconds, r.decode_seconds_min, r.original_bytes);
}

void check_report_rows(const std::vector<ResultRow>& rows, const std::vector<DatasetInfo>& datasets,
                       std::optional<double> tolerance, const std::string& source) {
  auto fail = [&](const ResultRow& r, const std::string& what) {
    throw_input(source + ": row " + r.dataset + " x " + r.pipeline + ": " + what);
  };
  if (!tolerance) {
    // The tolerance the rows imply: from the row whose max_error_over_tol has the most digits.
    const ResultRow* best = nullptr;
    for (const auto& r : rows)
      if (std::isfinite(r.max_abs_error) && r.max_abs_error > 0 && std::isfinite(r.max_error_over_tol) &&
          r.max_error_over_tol > 0 && (!best || r.max_error_over_tol > best->max_error_over_tol))
        best = &r;
    if (best && best->max_error_over_tol >= 1e-3) {
      const double implied = best->max_abs_error / best->max_error_over_tol;
      // Each row's printed ratio is off by up to 5e-7: compare within that.
      for (const auto& r : rows)
        if (std::isfinite(r.max_abs_error) &&
            !close(r.max_error_over_tol, r.max_abs_error / implied,
                   6e-7 + (r.max_abs_error / implied) * 1e-6 / best->max_error_over_tol))
          fail(r, "max_error_over_tol " + readable_number(r.max_error_over_tol) + " does not agree with the tolerance the other rows imply (" +
                      readable_number(implied) + ", from " + best->dataset + " x " + best->pipeline + ")");
    }  // so a pass (max_error_over_tol <= 1) is a pass against that tolerance
  }
  std::map<std::string, const DatasetInfo*> info;
  for (const auto& d : datasets) info[d.name] = &d;
  std::map<std::string, const ResultRow*> first_of;
  for (const auto& r : rows) {
    if (const std::string why = row_contradiction(r, tolerance); !why.empty()) fail(r, why);
    if (auto it = info.find(r.dataset); it != info.end() &&
                                        (r.tensors != it->second->tensors || r.weights != it->second->weights))
      fail(r, std::to_string(r.tensors) + " tensors and " + std::to_string(r.weights) + " weights, the dataset has " +
                  std::to_string(it->second->tensors) + " and " + std::to_string(it->second->weights));
    auto [it, inserted] = first_of.emplace(r.dataset, &r);
    if (!inserted && (r.tensors != it->second->tensors || r.weights != it->second->weights))
      fail(r, std::to_string(r.tensors) + " tensors and " + std::to_string(r.weights) + " weights, row " +
                  it->second->dataset + " x " + it->second->pipeline + " of the same dataset has " +
                  std::to_string(it->second->tensors) + " and " + std::to_string(it->second->weights));
  }
}

}  // namespace lcz
