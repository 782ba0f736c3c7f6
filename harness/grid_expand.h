// Parameter grids in configs: a stage parameter written as a list ("level": [1, 3, 9, 19])
// expands its pipeline to the cross product of all such lists, one pipeline per combination.
// Names come from the values: "{level}" (or "{zstd.level}" where two stages share a
// parameter name) in the pipeline's name is replaced by the value; a listed parameter the
// name does not mention adds a suffix "-level=3". And --filter: keeping pipelines by name.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pipeline/spec.h"

namespace lcz {

struct ExpandedPipeline {
  nlohmann::json pipeline;   // with scalar parameters only and its derived name
  std::string json_path;     // where the source pipeline sits, "pipelines[3]"
};

// More pipelines than this from one config is a config error, not an allocation.
inline constexpr size_t kMaxExpandedPipelines = 10000;

// A pipeline without lists comes back unchanged (one entry). Throws lcz::Error(config)
// naming `where` and the JSON path for an empty list, a list of lists or objects, a name
// placeholder that names no listed parameter (or more than one), or too many combinations.
// Anything else (unknown stage, wrong type, out of range) is left to parse_pipeline().
std::vector<ExpandedPipeline> expand_grid(const nlohmann::json& pipeline, const std::string& json_path,
                                          const std::string& where);

// Keeps the pipelines whose name matches the ECMAScript regex anywhere (std::regex_search).
// Throws lcz::Error(config) for an invalid regex or when nothing matches.
void keep_matching(std::vector<PipelineSpec>& pipelines, const std::string& regex, const std::string& where);

}  // namespace lcz
