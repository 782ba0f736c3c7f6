// Is a decoded net the original within the tolerance? Errors in double; a NaN anywhere is
// reported, never skipped (NaN compares false with everything).
#pragma once
#include <string>

#include "nets/net.h"

namespace lcz {

struct Verification {
  double max_abs_error = 0;  // NaN when a decoded value is NaN
  std::string mismatch;      // structural difference (names, shapes, counts), empty if none
  std::string worst_tensor;  // where max_abs_error is reached
  size_t worst_index = 0;
  std::string worst_decoder; // the LINEAR16 decoder under which it is reached, where that matters

  bool within(double tolerance) const { return mismatch.empty() && max_abs_error <= tolerance; }
};

// Which of name, size and shape differ between two tensors, with both values: "720064 vs
// 720065 weights; shape (720064,) vs (720065,) (original vs decoded)".
std::string tensor_difference(const Tensor& original, const Tensor& decoded, bool compare_names = true);

Verification verify(const Net& original, const Net& decoded);

}  // namespace lcz
