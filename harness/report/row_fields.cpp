#include "harness/report/row_fields.h"

namespace lcz {

std::span<const RowField> row_fields() {
  using R = ResultRow;
  static const RowField fields[] = {
      {"dataset", &R::dataset, nullptr, true},
      {"pipeline", &R::pipeline, nullptr, true},
      {"tensors", &R::tensors, nullptr, true},
      {"weights", &R::weights, nullptr, true},
      {"original_bytes", &R::original_bytes, nullptr, true},
      {"compressed_bytes", &R::compressed_bytes, nullptr, true},
      {"ratio", &R::ratio, "%.4f", true, true, true},
      {"bits_per_weight", &R::bits_per_weight, "%.4f", true, true, true},
      {"encode_mb_s", &R::encode_mb_s, "%.2f", true, true, true},
      {"decode_mb_s", &R::decode_mb_s, "%.2f", true, true, true},
      {"max_abs_error", &R::max_abs_error, "%.9g", true, true, true},
      {"max_error_over_tol", &R::max_error_over_tol, "%.6f", true, true, true},
      {"pass", &R::pass, nullptr, true},
      {"bound_bytes", &R::bound_bytes, "%.1f", true},
      // after the fixed columns
      {"granularity", &R::granularity},
      {"repeats", &R::repeats},
      {"encode_seconds", &R::encode_seconds, "%.6f"},
      {"decode_seconds", &R::decode_seconds, "%.6f"},
      {"output_sha256", &R::output_sha256},
      {"error", &R::error},
      {"decode_repeats", &R::decode_repeats, nullptr, false, false},
      {"encode_seconds_min", &R::encode_seconds_min, "%.6f", false, false},
      {"decode_seconds_min", &R::decode_seconds_min, "%.6f", false, false},
  };
  return fields;
}

}  // namespace lcz
