// The one correctness measure of the project: the largest absolute difference between an
// original and its decoded values, in double. A NaN anywhere is reported, never skipped.
#pragma once
#include <cmath>
#include <cstddef>
#include <span>

namespace lcz {

// max |decoded[i] - original[i]| over the common length; *worst is where it is reached. NaN
// (with *worst its first index) when a difference is NaN.
inline double max_abs_error(std::span<const float> original, std::span<const float> decoded, size_t* worst) {
  double max_error = 0;
  for (size_t i = 0; i < original.size() && i < decoded.size(); ++i) {
    const double e = std::fabs(static_cast<double>(decoded[i]) - static_cast<double>(original[i]));
    if (std::isnan(e)) {
      *worst = i;
      return std::nan("");
    }
    if (e > max_error) max_error = e, *worst = i;
  }
  return max_error;
}

}  // namespace lcz
