#include "codecs/core/registry.h"

namespace lcz {

const char* stage_kind_name(StageKind k) {
  switch (k) {
    case StageKind::quantize: return "quantize";
    case StageKind::transform: return "transform";
    case StageKind::backend: return "backend";
    case StageKind::entropy: return "entropy";
  }
  return "?";
}

const StageDescriptor* find_stage(const std::string& name) {
  for (const auto& d : all_stages())
    if (d.name == name) return &d;
  return nullptr;
}

}  // namespace lcz
