// The pipelines lczip offers by name: "strong" (grid -> cm, the smallest files) and "fast"
// (grid -> rans, the fastest to decode). configs/best.json measures both beside the others
// under the names strong:grid-cm and fast:grid-rans; a test keeps the two in step.
#pragma once
#include <string>
#include <vector>

#include "pipeline/spec.h"

namespace lcz {

inline constexpr const char* kDefaultPreset = "strong";

std::vector<std::string> preset_names();
// Throws lcz::Error(config) for an unknown name, listing the known ones.
PipelineSpec preset_pipeline(const std::string& name);

}  // namespace lcz
