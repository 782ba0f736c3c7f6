// A pipeline as written in JSON, validated: which stages, with which parameters, in what
// granularity. The harness's config reader and the lczip container both go through
// parse_pipeline(), so a pipeline means the same thing wherever it is written down.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "codecs/core/params.h"
#include "codecs/core/stage.h"

namespace lcz {

struct StageSpec {
  const StageDescriptor* descriptor;
  Params params;                       // validated, defaults filled in
  std::string json_path;               // "pipelines[2].stages[1]"
};

enum class Granularity { net, tensor };
const char* granularity_name(Granularity g);

struct PipelineSpec {
  std::string name;
  Granularity granularity = Granularity::net;
  // With granularity net: the first tensor_stages stages run on each tensor alone (e.g. a
  // per-tensor grid), the rest on the concatenation of their outputs.
  size_t tensor_stages = 0;
  std::vector<StageSpec> stages;
  nlohmann::json json;                 // the pipeline as written, for provenance
};

// Validates one pipeline object {"name", "granularity", "tensor_stages", "stages",
// "description"}: unknown keys, unknown stages, parameters of the wrong type or range, and
// stage chains whose types do not connect (f32 -> ... -> bytes). Throws lcz::Error(config)
// reading "<where>: <json_path>.<key>: <what is wrong>".
PipelineSpec parse_pipeline(const nlohmann::json& pipeline, const std::string& json_path, const std::string& where);

// The pipeline with every stage parameter spelled out (defaults included), in a fixed key
// order: what a container stores, so that decoding never depends on this build's defaults.
nlohmann::json resolved_json(const PipelineSpec& spec);

// The tolerance and pipelines of a config file (a harness config; lczip --config): the other
// keys are the harness's and are not read here. Throws lcz::Error(config) naming the file.
struct PipelineFile {
  double tolerance = 0x1p-17;
  std::vector<PipelineSpec> pipelines;
};
PipelineFile read_pipeline_file(const std::string& path);

// The error bound: a positive number, or a string "2^-N" or a decimal ("7.6e-06"), within
// [2^-60, 2^20]. Throws lcz::Error(config) saying what is wrong (the caller adds where).
double parse_tolerance(const nlohmann::json& value);
// "2^-17", "0.0001": as given on a command line.
double parse_tolerance_text(const std::string& text);
// 2^-17 as "2^-17" when the tolerance is a power of two, else the shortest decimal that
// reads back to the same double.
std::string tolerance_text(double tolerance);

}  // namespace lcz
