// A run's config file, validated in full before any work: unknown keys, wrong types,
// out-of-range values, unknown stages and type chains that do not connect are errors
// naming the config file and the JSON path (pipelines[3].stages[1].level).
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "nets/dead_filters.h"
#include "nets/net.h"
#include "nets/repeats.h"
#include "pipeline/spec.h"

namespace lcz {

struct DatasetSpec {
  std::string name;                    // as reported: the file name, or the delta's name
  std::filesystem::path path;          // resolved file (unset for a delta); a made net's source
  std::string format = "detect";      // a format's name (formats/format.h) or "detect"
  std::filesystem::path base, target;  // a delta: target - base
  std::string json_path;               // "datasets[2]": where the config names it
  // A repeat net (test data made by code, nets/repeats.h): the weights of `path`, all tensors
  // in order as one, with a share of their blocks replaced by earlier stretches.
  std::optional<RepeatOptions> repeats;
  // A dead-filter net (test data made by code, nets/dead_filters.h): the weights of `path`, all
  // tensors in order as one, with dead and faint filters and short repeats at structured lags.
  std::optional<DeadFilterOptions> dead_filters;
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

// A config file larger than this is refused unread (the shipped ones are a few KB).
inline constexpr uint64_t kMaxConfigBytes = uint64_t{4} << 20;

// Throws lcz::Error(kind config) for anything wrong in the file (not a regular file, larger
// than kMaxConfigBytes, invalid JSON, a duplicate key, nesting deeper than kMaxJsonDepth, ...),
// kind input for a dataset that does not exist or is not a regular file.
Config load_config(const std::filesystem::path& file, const ConfigOverrides& overrides = {});
// The file's text, checked as load_config does (duplicate keys, depth, number range); `file`
// is only used in messages and to resolve relative paths.
Config parse_config_text(std::string_view text, const std::filesystem::path& file, const ConfigOverrides& overrides = {});
// The checks after parsing, on a JSON value already in memory (duplicate keys are gone by then).
Config parse_config(const nlohmann::json& json, const std::filesystem::path& file, const ConfigOverrides& overrides = {});

}  // namespace lcz
