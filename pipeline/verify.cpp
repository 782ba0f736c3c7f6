#include "pipeline/verify.h"

#include <cmath>

#include "codecs/core/max_error.h"

namespace lcz {

Verification verify(const Net& original, const Net& decoded) {
  Verification v;
  if (original.tensors.size() != decoded.tensors.size()) {
    v.mismatch = "decoded " + std::to_string(decoded.tensors.size()) + " tensors, expected " +
                 std::to_string(original.tensors.size());
    return v;
  }
  bool nan = false;  // a NaN is reported where it first is; later tensors are only checked for structure
  for (size_t t = 0; t < original.tensors.size(); ++t) {
    const Tensor& a = original.tensors[t];
    const Tensor& b = decoded.tensors[t];
    if (a.name != b.name || a.shape != b.shape || a.values.size() != b.values.size()) {
      v.mismatch = "tensor " + std::to_string(t) + " (" + a.name + ") differs in name, shape or size";
      return v;
    }
    if (nan) continue;
    size_t worst = 0;
    const double e = max_abs_error(a.values, b.values, &worst);
    if (std::isnan(e) || e > v.max_abs_error) {  // the first NaN, else the first largest error
      v.max_abs_error = e;
      v.worst_tensor = a.name;
      v.worst_index = worst;
      nan = std::isnan(e);
    }
  }
  return v;
}

}  // namespace lcz
