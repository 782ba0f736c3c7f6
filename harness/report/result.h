// One result record per dataset x pipeline; every writer (CSV, JSON, markdown) reads these.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "codecs/core/error.h"

namespace lcz {

struct ResultRow {
  std::string dataset, pipeline, granularity;
  uint64_t tensors = 0, weights = 0, original_bytes = 0, compressed_bytes = 0;
  double ratio = 0, bits_per_weight = 0;
  double encode_mb_s = 0, decode_mb_s = 0;       // float32 bytes per second / 1e6, median run
  double max_abs_error = 0, max_error_over_tol = 0;  // in double; NaN if any decoded value is NaN
  bool pass = false;
  double bound_bytes = 0;                        // static order-0 entropy of round(x / 2tol), per tensor
  int repeats = 0, decode_repeats = 0;           // timed runs of encode, of decode
  double encode_seconds = 0, decode_seconds = 0;  // medians
  double encode_seconds_min = 0, decode_seconds_min = 0;  // fastest run
  std::string output_sha256;                     // of the compressed bytes
  std::optional<ErrorKind> failure;              // the kind of failure, if the row failed
  std::string error;                             // why the row failed, if it did
};

// "config", "input", "verify", "codec" as written in report.json, and back (nullopt if unknown).
const char* failure_name(ErrorKind kind);
std::optional<ErrorKind> failure_from_name(const std::string& name);
// The exit code of a run with these rows: 4 if a row broke the bound, else 5 if a row failed
// otherwise, else 0.
int exit_code_of(const std::vector<ResultRow>& rows);

struct DatasetInfo {
  std::string name, format;
  std::vector<std::string> files, sha256;
  uint64_t tensors = 0, weights = 0;
  double bound_bytes = 0;
};

struct Report {
  std::string run_id;
  nlohmann::json provenance;           // also: plan, shard, config fingerprint (harness/merge.h)
  uint64_t peak_rss_bytes = 0;         // of the process that ran it (the largest, when merged)
  std::vector<DatasetInfo> datasets;
  std::vector<ResultRow> rows;
};

}  // namespace lcz
