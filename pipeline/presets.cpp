#include "pipeline/presets.h"

#include "codecs/core/error.h"

namespace lcz {
namespace {

struct Preset {
  const char* name;
  const char* json;
};

constexpr Preset kPresets[] = {
    {"strong", R"({"name": "strong", "granularity": "net", "tensor_stages": 1, "stages": ["grid", "cm"]})"},
    {"fast", R"({"name": "fast", "granularity": "net", "tensor_stages": 1, "stages": ["grid", "rans"]})"},
};

}  // namespace

std::vector<std::string> preset_names() {
  std::vector<std::string> names;
  for (const auto& p : kPresets) names.push_back(p.name);
  return names;
}

PipelineSpec preset_pipeline(const std::string& name) {
  for (const auto& p : kPresets)
    if (name == p.name) return parse_pipeline(nlohmann::json::parse(p.json), "", std::string("preset ") + p.name);
  std::string known;
  for (const auto& n : preset_names()) known += (known.empty() ? "" : ", ") + n;
  throw_config("unknown pipeline '" + name + "' (built in: " + known + "; or give --config FILE)");
}

}  // namespace lcz
