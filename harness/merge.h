// Joining the reports of shards (harness --shard i/n) into the report of one run. Reports
// merge only when they come from the same config (fingerprint of tolerance, timing rule,
// datasets and fully spelled-out pipelines), the same tolerance, the same commit and the
// same dataset files; the merged rows are in the order an unsharded run writes them.
#pragma once
#include <string>
#include <vector>

#include "harness/report/result.h"

namespace lcz {

struct MergeInput {
  std::string source;   // where it was read from, for messages
  Report report;
};

struct MergeResult {
  Report report;
  std::vector<std::string> missing;     // "dataset x pipeline" of jobs no shard ran
  std::vector<std::string> duplicated;  // jobs more than one shard (or one twice) reported
};

// Throws lcz::Error(input) naming both sources when two reports disagree on the config
// fingerprint, tolerance, commit, plan or a dataset's SHA-256, or when a report holds a row
// outside its plan. Missing and duplicated jobs are returned, not thrown: the caller decides.
MergeResult merge_reports(const std::vector<MergeInput>& parts, const std::string& run_id);

}  // namespace lcz
