// A run's config file, validated in full before any work: unknown keys, wrong types,
// out-of-range values, unknown stages and type chains that do not connect are errors
// naming the config file and the JSON path (pipelines[3].stages[1].level).
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "nets/net.h"
#include "pipeline/spec.h"

namespace lcz {

struct DatasetSpec {
  std::string name;                    // as reported: the file name, or the delta's name
  std::filesystem::path path;          // resolved file (unset for a delta)
  NetFormat format = NetFormat::detect;
  std::filesystem::path base, target;  // a delta: target - base
  bool is_delta() const { return !base.empty(); }
};

struct Config {
  std::filesystem::path file;
  double tolerance = 0x1p-17;
  int repeat = 3;                      // timed runs per row and direction: at least this many ...
  double min_seconds = 0.5;            // ... and at least this much time in all (lzbench's rule)
  std::vector<DatasetSpec> datasets;
  std::vector<PipelineSpec> pipelines;
  nlohmann::json json;                 // the whole file as read
};

struct ConfigOverrides {
  std::optional<std::filesystem::path> datasets_dir;  // --datasets: resolves relative dataset names
  std::optional<int> repeat;
  std::optional<double> min_seconds;
};

// Throws lcz::Error(kind config) for anything wrong in the file, kind input for a
// dataset that does not exist.
Config load_config(const std::filesystem::path& file, const ConfigOverrides& overrides = {});
// Same checks on a JSON value already in memory; `file` is only used in messages and to
// resolve relative paths.
Config parse_config(const nlohmann::json& json, const std::filesystem::path& file, const ConfigOverrides& overrides = {});

}  // namespace lcz
