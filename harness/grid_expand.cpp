#include "harness/grid_expand.h"

#include <algorithm>
#include <regex>

#include "codecs/core/error.h"
#include "pipeline/json_check.h"

namespace lcz {
using nlohmann::json;

namespace {

struct Axis {
  size_t stage;             // index in "stages"
  std::string stage_name;   // "zstd"
  std::string key;          // "level"
  std::vector<json> values;
  bool mentioned = false;   // the name template has a placeholder for it
};

std::string value_text(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

// "{key}" or "{stage.key}": the axis it names, or a config error.
size_t resolve(const std::vector<Axis>& axes, const std::string& stage, const std::string& key, const JsonCheck& check,
               const std::string& name_path) {
  std::vector<size_t> hits;
  for (size_t i = 0; i < axes.size(); ++i)
    if (axes[i].key == key && (stage.empty() || axes[i].stage_name == stage)) hits.push_back(i);
  const std::string written = "{" + (stage.empty() ? key : stage + "." + key) + "}";
  if (hits.empty()) check.fail(name_path, written + " names no stage parameter given as a list");
  if (hits.size() > 1)
    check.fail(name_path, written + " is ambiguous: " + std::to_string(hits.size()) +
                              " listed parameters match (write {stage.parameter})");
  return hits[0];
}

}  // namespace

std::vector<ExpandedPipeline> expand_grid(const json& p, const std::string& path, const std::string& where) {
  const JsonCheck check(where);
  if (!p.is_object() || !p.contains("stages") || !p["stages"].is_array()) return {{p, path}};
  const json& stages = p["stages"];
  std::vector<Axis> axes;
  for (size_t s = 0; s < stages.size(); ++s) {
    const json& entry = stages[s];
    if (!entry.is_object()) continue;
    const std::string stage_name = entry.contains("stage") && entry["stage"].is_string() ? entry["stage"].get<std::string>() : "";
    for (const auto& [key, value] : entry.items()) {
      if (!value.is_array()) continue;
      const std::string vpath = JsonCheck::join(path, "stages[" + std::to_string(s) + "]." + key);
      if (value.empty()) check.fail(vpath, "an empty list of values (a list is a parameter grid: give at least one)");
      for (const auto& v : value)
        if (v.is_array() || v.is_object() || v.is_null())
          check.fail(vpath, "a parameter grid holds numbers, booleans or strings, not " + v.dump());
      axes.push_back({s, stage_name, key, std::vector<json>(value.begin(), value.end())});
    }
  }
  if (axes.empty()) return {{p, path}};

  const std::string name_path = JsonCheck::join(path, "name");
  if (!p.contains("name") || !p["name"].is_string() || p["name"].get<std::string>().empty())
    check.fail(name_path, "expected a non-empty string");
  const std::string name = p["name"].get<std::string>();

  size_t combinations = 1;
  for (const auto& a : axes) {
    if (combinations > kMaxExpandedPipelines / a.values.size())
      check.fail(path, "the parameter lists expand to more than " + std::to_string(kMaxExpandedPipelines) + " pipelines");
    combinations *= a.values.size();
  }

  // The name template, split into literal text and axis references.
  struct Piece {
    std::string text;
    long axis = -1;
  };
  std::vector<Piece> pieces;
  static const std::regex placeholder(R"(\{([A-Za-z_][A-Za-z0-9_]*)(?:\.([A-Za-z_][A-Za-z0-9_]*))?\})");
  size_t at = 0;
  for (auto it = std::sregex_iterator(name.begin(), name.end(), placeholder); it != std::sregex_iterator(); ++it) {
    const auto& m = *it;
    pieces.push_back({name.substr(at, static_cast<size_t>(m.position()) - at)});
    const bool qualified = m[2].matched;
    const size_t axis = resolve(axes, qualified ? m[1].str() : "", qualified ? m[2].str() : m[1].str(), check, name_path);
    axes[axis].mentioned = true;
    pieces.push_back({"", static_cast<long>(axis)});
    at = static_cast<size_t>(m.position() + m.length());
  }
  pieces.push_back({name.substr(at)});
  // An unmentioned axis gets a suffix, qualified by its stage when its key is not unique.
  for (size_t i = 0; i < axes.size(); ++i) {
    if (axes[i].mentioned) continue;
    const bool unique_key =
        std::count_if(axes.begin(), axes.end(), [&](const Axis& a) { return a.key == axes[i].key; }) == 1;
    pieces.push_back({"-" + (unique_key ? axes[i].key : axes[i].stage_name + "." + axes[i].key) + "="});
    pieces.push_back({"", static_cast<long>(i)});
  }

  std::vector<ExpandedPipeline> out;
  out.reserve(combinations);
  std::vector<size_t> pick(axes.size(), 0);  // an odometer: the last axis turns fastest
  for (size_t c = 0; c < combinations; ++c) {
    json one = p;
    std::string derived;
    for (size_t i = 0; i < axes.size(); ++i) one["stages"][axes[i].stage][axes[i].key] = axes[i].values[pick[i]];
    for (const auto& piece : pieces) derived += piece.axis < 0 ? piece.text : value_text(axes[piece.axis].values[pick[piece.axis]]);
    one["name"] = derived;
    out.push_back({std::move(one), path});
    for (size_t i = axes.size(); i-- > 0;) {
      if (++pick[i] < axes[i].values.size()) break;
      pick[i] = 0;
    }
  }
  return out;
}

void keep_matching(std::vector<PipelineSpec>& pipelines, const std::string& regex, const std::string& where) {
  std::regex re;
  try {
    re = std::regex(regex, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    throw_config(where + ": --filter '" + regex + "' is not a valid regular expression: " + e.what());
  }
  std::erase_if(pipelines, [&](const PipelineSpec& p) { return !std::regex_search(p.name, re); });
  if (pipelines.empty()) throw_config(where + ": --filter '" + regex + "' matches no pipeline");
}

}  // namespace lcz
