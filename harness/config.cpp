#include "harness/config.h"

#include <fnmatch.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>

#include "codecs/core/error.h"
#include "formats/format.h"
#include "harness/grid_expand.h"
#include "files/input_file.h"
#include "pipeline/json_check.h"
#include "pipeline/json_text.h"

namespace lcz {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

class ConfigReader {
 public:
  ConfigReader(const fs::path& file, const ConfigOverrides& overrides)
      : file_(file), overrides_(overrides), check_(file.string()) {}

  Config read(const json& root) {
    Config c;
    c.file = file_;
    c.json = root;
    if (!root.is_object()) fail("", "expected a JSON object at the top level");
    check_.keys(root, "", {"description", "tolerance", "datasets_dir", "datasets", "repeat", "min_seconds", "pipelines"});
    if (root.contains("tolerance")) c.tolerance = tolerance(root["tolerance"]);
    if (root.contains("repeat")) c.repeat = static_cast<int>(check_.integer(root["repeat"], "repeat", 1, 1000));
    if (overrides_.repeat) c.repeat = *overrides_.repeat;
    if (root.contains("min_seconds")) c.min_seconds = min_seconds(root["min_seconds"]);
    if (overrides_.min_seconds) c.min_seconds = *overrides_.min_seconds;
    if (root.contains("description") && !root["description"].is_string()) fail("description", "expected a string");
    const json& ps = check_.required(root, "pipelines", "");
    if (!ps.is_array() || ps.empty()) fail("pipelines", "expected a non-empty array");
    std::set<std::string> names;
    for (size_t i = 0; i < ps.size(); ++i) {
      const std::string path = "pipelines[" + std::to_string(i) + "]";
      for (const auto& one : expand_grid(ps[i], path, file_.string())) {  // lists of parameter values: a grid
        if (c.pipelines.size() >= kMaxExpandedPipelines)
          fail(path, "the config expands to more than " + std::to_string(kMaxExpandedPipelines) + " pipelines");
        c.pipelines.push_back(parse_pipeline(one.pipeline, one.json_path, file_.string()));
        check_.name_text(c.pipelines.back().name, path + ".name");
        if (!names.insert(c.pipelines.back().name).second)
          fail(path + ".name", "duplicate pipeline name '" + c.pipelines.back().name + "'");
      }
    }
    // Config errors (exit 2) come before dataset lookups (exit 3): pipelines first.
    datasets_dir_ = datasets_dir(root);
    tolerance_ = c.tolerance;
    const json& ds = check_.required(root, "datasets", "");
    if (!ds.is_array() || ds.empty()) fail("datasets", "expected a non-empty array");
    for (size_t i = 0; i < ds.size(); ++i) add_datasets(ds[i], "datasets[" + std::to_string(i) + "]", c.datasets);
    check_unique_names(c.datasets);
    return c;
  }

 private:
  [[noreturn]] void fail(const std::string& path, const std::string& message) const { check_.fail(path, message); }
  static std::string join(const std::string& path, const std::string& key) { return JsonCheck::join(path, key); }

  double tolerance(const json& v) const {
    try {
      return parse_tolerance(v);
    } catch (const Error& e) {
      fail("tolerance", e.what());
    }
  }

  double min_seconds(const json& v) const {
    if (!v.is_number() || !(v.get<double>() >= 0 && v.get<double>() <= 3600)) fail("min_seconds", v.dump() + " is not a number of seconds in 0..3600");
    return v.get<double>();
  }

  // --datasets DIR, else $LCZ_DATASETS, else the config's datasets_dir (relative to the config
  // file), else the config file's folder.
  fs::path datasets_dir(const json& root) const {
    if (root.contains("datasets_dir") && !root["datasets_dir"].is_string()) fail("datasets_dir", "expected a string");
    if (overrides_.datasets_dir) return *overrides_.datasets_dir;
    if (const char* env = std::getenv("LCZ_DATASETS"); env && *env) return env;
    fs::path here = file_.parent_path();
    if (root.contains("datasets_dir")) {
      fs::path d = root["datasets_dir"].get<std::string>();
      return d.is_absolute() ? d : here / d;
    }
    return here;
  }

  fs::path existing_file(const json& v, const std::string& path) const {
    if (!v.is_string() || v.get<std::string>().empty()) fail(path, "expected a file name");
    fs::path p = v.get<std::string>();
    if (p.is_relative()) p = (datasets_dir_ / p).lexically_normal();
    if (const std::string why = not_a_regular_file(p); !why.empty())
      throw_input(file_.string() + ": " + path + ": dataset file " + p.string() + " " + why + " (datasets folder: " +
                  datasets_dir_.string() + "; set it with --datasets DIR or LCZ_DATASETS)");
    return p;
  }

  void add_datasets(const json& d, const std::string& path, std::vector<DatasetSpec>& out) const {
    if (d.is_string()) {
      std::string pattern = d.get<std::string>();
      if (pattern.find_first_of("*?[") == std::string::npos) {
        out.push_back({.name = fs::path(pattern).filename().string(), .path = existing_file(d, path), .json_path = path});
        return;
      }
      fs::path full = fs::path(pattern).is_relative() ? datasets_dir_ / pattern : fs::path(pattern);
      std::vector<fs::path> matches;
      std::error_code ec;  // an unreadable folder matches nothing, and says so below
      for (fs::directory_iterator it(full.parent_path(), ec), end; !ec && it != end; it.increment(ec))
        if (it->is_regular_file(ec) && fnmatch(full.filename().c_str(), it->path().filename().c_str(), 0) == 0)
          matches.push_back(it->path());
      if (matches.empty())
        throw_input(file_.string() + ": " + path + ": pattern " + full.string() + " matches no file");
      std::sort(matches.begin(), matches.end());
      for (const auto& m : matches) out.push_back({.name = m.filename().string(), .path = m, .json_path = path});
      return;
    }
    if (!d.is_object()) fail(path, "expected a file name, a glob or an object");
    check_.keys(d, path, {"name", "path", "format", "base", "target", "repeats_of", "share", "block", "negate_share", "seed",
                          "dead_filters_of", "dead_share", "faint_share", "short_repeat_share", "small_share", "filter", "lag_unit"});
    DatasetSpec s;
    const bool repeat_keys = d.contains("share") || d.contains("block") || d.contains("negate_share");
    const bool dead_filter_keys = d.contains("dead_share") || d.contains("faint_share") || d.contains("short_repeat_share") ||
                                  d.contains("small_share") || d.contains("filter") || d.contains("lag_unit");
    if (d.contains("dead_filters_of")) {
      if (d.contains("path") || d.contains("format") || d.contains("base") || d.contains("target") || d.contains("repeats_of") || repeat_keys)
        fail(path, "a dead-filter net has dead_filters_of (and dead_share, faint_share, short_repeat_share, small_share, filter, "
                   "lag_unit, seed), not path, format, base, target or a repeat net's keys");
      s.path = existing_file(d["dead_filters_of"], join(path, "dead_filters_of"));
      s.dead_filters = dead_filter_options(d, path);
      s.name = s.path.filename().string() + "-dead-filters-" + std::to_string(static_cast<int>(std::lround(s.dead_filters->dead_share * 100)));
    } else if (dead_filter_keys) {
      fail(path, "dead_share, faint_share, short_repeat_share, small_share, filter and lag_unit belong to a dead-filter net "
                 "(\"dead_filters_of\": FILE)");
    } else if (d.contains("repeats_of")) {
      if (d.contains("path") || d.contains("format") || d.contains("base") || d.contains("target"))
        fail(path, "a repeat net has repeats_of (and share, block, negate_share, seed), not path, format, base or target");
      s.path = existing_file(d["repeats_of"], join(path, "repeats_of"));
      RepeatOptions r;
      if (d.contains("share")) r.share = fraction(d["share"], join(path, "share"));
      if (d.contains("negate_share")) r.negate_share = fraction(d["negate_share"], join(path, "negate_share"));
      if (d.contains("block")) r.block = static_cast<size_t>(check_.integer(d["block"], join(path, "block"), 1, int64_t{1} << 24));
      if (d.contains("seed")) r.seed = static_cast<uint64_t>(check_.integer(d["seed"], join(path, "seed"), 0, INT64_MAX));
      s.repeats = r;
      s.name = s.path.filename().string() + "-repeats-" + std::to_string(static_cast<int>(std::lround(r.share * 100)));
    } else if (repeat_keys) {
      fail(path, "share, block, negate_share and seed belong to a repeat net (\"repeats_of\": FILE)");
    } else if (d.contains("seed")) {
      fail(path, "seed belongs to a net made by code (\"repeats_of\" or \"dead_filters_of\": FILE)");
    } else if (d.contains("base") || d.contains("target")) {
      if (d.contains("path") || d.contains("format")) fail(path, "a delta has base and target, not path or format");
      s.base = existing_file(check_.required(d, "base", path), join(path, "base"));
      s.target = existing_file(check_.required(d, "target", path), join(path, "target"));
      s.name = s.target.filename().string() + "-against-" + s.base.filename().string();
    } else {
      s.path = existing_file(check_.required(d, "path", path), join(path, "path"));
      s.name = s.path.filename().string();
      if (d.contains("format")) {
        const json& f = d["format"];
        const std::string fmt = f.is_string() ? f.get<std::string>() : "";
        if (fmt != "detect" && !find_format(fmt)) fail(join(path, "format"), f.dump() + " is not one of " + format_names());
        s.format = fmt;
      }
    }
    if (d.contains("name")) {
      s.name = check_.non_empty_string(d["name"], join(path, "name"));
      check_.name_text(s.name, join(path, "name"));
    }
    s.json_path = path;
    out.push_back(std::move(s));
  }

  // The generator's own checks (a copy count the net cannot hold) come at load time.
  DeadFilterOptions dead_filter_options(const json& d, const std::string& path) const {
    DeadFilterOptions o;
    o.step = 2 * tolerance_;  // "small" is within +-2 steps of the run's quantization
    if (d.contains("dead_share")) o.dead_share = fraction(d["dead_share"], join(path, "dead_share"));
    if (d.contains("faint_share")) o.faint_share = fraction(d["faint_share"], join(path, "faint_share"));
    if (o.dead_share + o.faint_share > 1)
      fail(join(path, "faint_share"), "dead_share + faint_share is " + readable_number(o.dead_share + o.faint_share) + ", more than 1");
    if (d.contains("short_repeat_share")) o.short_repeat_share = fraction(d["short_repeat_share"], join(path, "short_repeat_share"));
    if (d.contains("small_share")) o.small_share = fraction(d["small_share"], join(path, "small_share"));
    if (d.contains("filter")) o.filter = static_cast<size_t>(check_.integer(d["filter"], join(path, "filter"), 1, int64_t{1} << 24));
    if (d.contains("lag_unit")) {
      o.lag_unit = static_cast<size_t>(check_.integer(d["lag_unit"], join(path, "lag_unit"), 16, int64_t{1} << 24));
      if (o.lag_unit % 16 != 0) fail(join(path, "lag_unit"), d["lag_unit"].dump() + " is not a multiple of 16 (the copied blocks' length)");
    }
    if (d.contains("seed")) o.seed = static_cast<uint64_t>(check_.integer(d["seed"], join(path, "seed"), 0, INT64_MAX));
    return o;
  }

  double fraction(const json& v, const std::string& path) const {
    if (!v.is_number() || !(v.get<double>() >= 0 && v.get<double>() <= 1)) fail(path, "expected a number in 0..1, got " + v.dump());
    return v.get<double>();
  }

  // Rows are told apart by dataset name: two datasets of one name (a glob and an explicit
  // entry, two folders' files of one name) would give rows no reader can separate.
  void check_unique_names(const std::vector<DatasetSpec>& datasets) const {
    std::map<std::string, const DatasetSpec*> seen;
    for (const DatasetSpec& d : datasets) {
      check_.name_text(d.name, d.json_path);
      const auto [it, fresh] = seen.emplace(d.name, &d);
      if (!fresh)
        fail(d.json_path, "dataset name '" + d.name + "' is already used by " + it->second->json_path +
                              " (give one of them a \"name\": {\"path\": ..., \"name\": ...})");
    }
  }

  fs::path file_;
  ConfigOverrides overrides_;
  fs::path datasets_dir_;
  double tolerance_ = 0;
  JsonCheck check_;
};

}  // namespace

Config parse_config(const json& root, const fs::path& file, const ConfigOverrides& overrides) {
  return ConfigReader(file, overrides).read(root);
}

Config parse_config_text(std::string_view text, const fs::path& file, const ConfigOverrides& overrides) {
  return parse_config(parse_json_text(text, file.string()), file, overrides);
}

Config load_config(const fs::path& file, const ConfigOverrides& overrides) {
  const std::vector<uint8_t> bytes = read_regular_file(file, kMaxConfigBytes, ErrorKind::config);
  return parse_config_text(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), file, overrides);
}

}  // namespace lcz
