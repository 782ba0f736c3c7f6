#include "pipeline/verify.h"

#include <cmath>

#include "codecs/core/max_error.h"

namespace lcz {

namespace {

std::string shape_text(const std::vector<uint32_t>& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

}  // namespace

std::string tensor_difference(const Tensor& original, const Tensor& decoded, bool compare_names) {
  std::string d;
  auto add = [&](const std::string& what) { d += (d.empty() ? "" : "; ") + what; };
  if (compare_names && original.name != decoded.name) add("name " + original.name + " vs " + decoded.name);
  if (original.values.size() != decoded.values.size())
    add(std::to_string(original.values.size()) + " vs " + std::to_string(decoded.values.size()) + " weights");
  if (original.shape != decoded.shape) add("shape " + shape_text(original.shape) + " vs " + shape_text(decoded.shape));
  return d + " (original vs decoded)";
}

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
      v.mismatch = "tensor " + std::to_string(t) + " (" + a.name + ") differs: " + tensor_difference(a, b);
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
